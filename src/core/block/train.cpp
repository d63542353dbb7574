// train.cpp: learned storage by Adam on the summed cross-entropy (see train.hpp).
//
// Dimension legend: d = d_model, h = hidden, n = subjects in the batch,
// c = candidates of one relation, n_r = batch subjects that have relation r.
//
// [SECTION] data       facts -> X (d, n), per-relation candidate directions
// [SECTION] loss       forward, cross-entropy, backward, all subjects at once
// [SECTION] counts     trained parameters, bits in a fact set
// [SECTION] trainer    Adam, schedule, history, the non-finite guard
#include "core/block/train.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <unordered_map>
#include "core/rng.hpp"

namespace factlab {

// ============================================================================
// [SECTION] data
// ============================================================================

bool make_train_data(const Model& m, const FactSet& fs, TrainData* out, std::string* err) {
    TrainData& t = *out;
    t = TrainData{};
    const int d = m.d();
    std::unordered_map<std::string, int> rel, obj;
    for (size_t i = 0; i < m.vocab.relations.size(); ++i) rel.emplace(m.vocab.relations[i], int(i));
    for (size_t i = 0; i < m.vocab.objects.size(); ++i) obj.emplace(m.vocab.objects[i], int(i));
    if (int(m.tokens.rows()) != int(m.vocab.tokens.size()) || m.vocab.roles.size() != m.vocab.tokens.size() ||
        int(m.objects.rows()) != int(m.vocab.objects.size()) || m.vocab.candidates.size() != m.vocab.relations.size()) {
        *err = "model vocabulary and direction tables disagree in size";
        return false;
    }

    // X: one column per subject, the sum of its words' directions in their roles (E ≈ M + J).
    const int n = int(fs.subjects.size());
    const std::vector<std::vector<int>> rows = subject_rows(m, fs);
    t.X.setZero(d, n);                                    // (d, n)
    for (int s = 0; s < n; ++s) {
        const std::vector<int>& r = rows[size_t(s)];
        for (size_t i = 0; i < r.size(); ++i) {
            if (r[i] < 0) {
                const std::string& word = fs.tokens[size_t(fs.subject_tokens[size_t(s)][i])];
                *err = "'" + word + "' as a " + role_label(token_role(int(i), int(r.size()))) + " (in '" +
                       fs.subjects[size_t(s)] + "') is not in the model's vocabulary";
                return false;
            }
            t.X.col(s) += m.tokens.row(r[i]).transpose();
        }
    }

    // Per relation: the candidate directions, in the model's candidate order.
    const size_t R = m.vocab.relations.size();
    t.objects.resize(R);
    t.cand_object = m.vocab.candidates;
    for (size_t r = 0; r < R; ++r) {
        const std::vector<int>& cands = m.vocab.candidates[r];
        t.objects[r].resize(int(cands.size()), d);        // (c, d)
        for (size_t k = 0; k < cands.size(); ++k) {
            if (cands[k] < 0 || cands[k] >= m.objects.rows()) { *err = "model candidate id out of range"; return false; }
            t.objects[r].row(int(k)) = m.objects.row(cands[k]);
        }
    }

    // Per subject: (relation, row of the true object) for each of its facts.
    t.subject_facts.assign(size_t(n), {});
    for (size_t f = 0; f < fs.facts.size(); ++f) {
        const Fact& fact = fs.facts[f];
        auto ri = rel.find(fact.relation);
        if (ri == rel.end()) { *err = "relation '" + fact.relation + "' is not in the model's vocabulary"; return false; }
        auto oi = obj.find(fact.object);
        if (oi == obj.end()) { *err = "object '" + fact.object + "' is not in the model's vocabulary"; return false; }
        const std::vector<int>& cands = t.cand_object[size_t(ri->second)];
        int row = -1;
        for (size_t k = 0; k < cands.size(); ++k) if (cands[k] == oi->second) { row = int(k); break; }
        if (row < 0) { *err = "'" + fact.object + "' is not a candidate of relation '" + fact.relation + "' in the model"; return false; }
        t.subject_facts[size_t(fs.fact_subject[f])].push_back({ri->second, row});
        t.bits += std::log2(double(cands.size()));
        ++t.facts;
    }
    return true;
}

// ============================================================================
// [SECTION] loss
// ============================================================================

namespace {

void apply_activation(Activation a, const Mat& P, Mat& H) {
    if (a == Activation::ReLU) { H = P.cwiseMax(0.0f); return; }
    H = P.unaryExpr([a](float x) { return activate(a, x); });
}

// dP = dH ⊙ act'(P), in place on dH.
void apply_activation_grad(Activation a, const Mat& P, Mat& dH) {
    if (a == Activation::ReLU) {
        dH = (P.array() > 0.0f).select(dH, 0.0f);
        return;
    }
    dH.array() *= P.unaryExpr([a](float x) { return activate_grad(a, x); }).array();
}

}  // namespace

LossResult loss_and_grad(const Mlp& mlp, const TrainData& data,
                         const std::vector<int>* subjects, MlpGrads* g) {
    LossResult res;
    const int d = mlp.d(), h = mlp.hidden();

    // The batch's inputs: all of X, or the chosen columns.
    Mat X_batch;                                          // (d, n) when a subset is asked for
    const Mat* Xp = &data.X;
    if (subjects) {
        X_batch.resize(d, int(subjects->size()));
        for (size_t j = 0; j < subjects->size(); ++j) X_batch.col(int(j)) = data.X.col((*subjects)[j]);
        Xp = &X_batch;
    }
    const Mat& X = *Xp;                                   // (d, n)
    const int n = int(X.cols());

    // Forward: P = W_up X + b_up, H = act(P), OUT = X + W_down H + b_down.
    Mat P(h, n);                                          // (h, n)
    P.noalias() = mlp.W_up * X;
    P.colwise() += mlp.b_up;
    Mat H;                                                // (h, n)
    apply_activation(mlp.act, P, H);
    Mat OUT = X;                                          // (d, n)
    OUT.noalias() += mlp.W_down * H;
    OUT.colwise() += mlp.b_down;

    // Which batch columns carry which relation's facts.
    const size_t R = data.objects.size();
    std::vector<std::vector<int>> cols(R), rows(R);
    for (int j = 0; j < n; ++j) {
        const int s = subjects ? (*subjects)[size_t(j)] : j;
        for (const TrainData::Target& t : data.subject_facts[size_t(s)]) {
            cols[size_t(t.relation)].push_back(j);
            rows[size_t(t.relation)].push_back(t.row);
        }
    }

    Mat dOUT;                                             // (d, n)
    if (g) dOUT.setZero(d, n);
    for (size_t r = 0; r < R; ++r) {
        const int nr = int(cols[r].size());
        if (nr == 0) continue;
        const Mat& Obj = data.objects[r];                 // (c, d)
        Mat OUT_r(d, nr);                                 // (d, n_r)
        for (int k = 0; k < nr; ++k) OUT_r.col(k) = OUT.col(cols[r][size_t(k)]);
        Mat Z(Obj.rows(), nr);                            // (c, n_r) logits, then dLoss/dlogits
        Z.noalias() = Obj * OUT_r;
        for (int k = 0; k < nr; ++k) {
            const int t = rows[r][size_t(k)];
            const float zt = Z(t, k);
            const float zmax = Z.col(k).maxCoeff();
            bool strict = true;
            for (int i = 0; i < Z.rows(); ++i) if (i != t && Z(i, k) >= zt) { strict = false; break; }
            // exp(≥ −80) stays a normal float: denormal probabilities would make
            // the products below many times slower, and change nothing visible.
            Z.col(k).array() = (Z.col(k).array() - zmax).max(-80.0f).exp();
            const float sum = Z.col(k).sum();
            res.loss += double(zmax) + std::log(double(sum)) - double(zt);
            res.correct += strict ? 1 : 0;
            ++res.facts;
            if (g) { Z.col(k) /= sum; Z(t, k) -= 1.0f; }   // softmax − one-hot
        }
        if (!g) continue;
        Mat dOUT_r(d, nr);                                // (d, n_r)
        dOUT_r.noalias() = Obj.transpose() * Z;
        for (int k = 0; k < nr; ++k) dOUT.col(cols[r][size_t(k)]) += dOUT_r.col(k);
    }
    if (!g) return res;

    // Backward through OUT = X + W_down H + b_down and H = act(W_up X + b_up).
    g->W_down.noalias() = dOUT * H.transpose();           // (d, h)
    g->b_down = dOUT.rowwise().sum();                     // (d)
    Mat dP(h, n);                                         // (h, n): dH, then dP
    dP.noalias() = mlp.W_down.transpose() * dOUT;
    apply_activation_grad(mlp.act, P, dP);
    g->W_up.noalias() = dP * X.transpose();               // (h, d)
    g->b_up = dP.rowwise().sum();                         // (h)
    return res;
}

// ============================================================================
// [SECTION] counts
// ============================================================================

long long trained_params(int d, int hidden, bool train_b_down) {
    return 2LL * d * hidden + hidden + (train_b_down ? d : 0);
}

long long compiled_params(int subjects, int d) { return trained_params(d, subjects, false); }

double fact_bits(const FactSet& fs) {
    double bits = 0;
    for (int r : fs.fact_relation) bits += std::log2(double(fs.candidates[size_t(r)].size()));
    return bits;
}

// ============================================================================
// [SECTION] trainer
// ============================================================================

namespace {

constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEps = 1e-8f;
constexpr long long kMaxWeights = 1LL << 26;     // floats in W_up + W_down
constexpr long long kMaxActivations = 1LL << 25; // floats in one (h or d, n) work matrix

bool all_finite(const MlpGrads& g) {
    return g.W_up.allFinite() && g.b_up.allFinite() && g.W_down.allFinite() && g.b_down.allFinite();
}

void zero_like(MlpGrads& g, int d, int h) {
    g.W_up.setZero(h, d);
    g.b_up.setZero(h);
    g.W_down.setZero(d, h);
    g.b_down.setZero(d);
}

// One Adam update of a parameter block into new_p/new_m/new_v (nothing is
// committed here, so a non-finite result can be refused).
template <class M>
void adam_block(const M& p, const M& g, const M& m, const M& v, float lr, float bc1, float bc2,
                M& new_p, M& new_m, M& new_v) {
    new_m = kBeta1 * m + (1.0f - kBeta1) * g;
    new_v = kBeta2 * v + (1.0f - kBeta2) * g.cwiseProduct(g);
    // Moments of weights whose gradient is exactly 0 (dead ReLU neurons) decay
    // towards denormal floats, which are slow: flush them to zero.
    new_m = (new_m.array().abs() < 1e-30f).select(0.0f, new_m);
    new_v = (new_v.array() < 1e-30f).select(0.0f, new_v);
    new_p = (p.array() - lr * (new_m.array() / bc1) / ((new_v.array() / bc2).sqrt() + kEps)).matrix();
}

std::string fmt_pct(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * x);
    return buf;
}

}  // namespace

bool validate_train_config(const TrainConfig& c, std::string* err) {
    auto bad = [&](const std::string& m) { *err = m; return false; };
    if (c.d < 2 || c.d > 4096) return bad("d must be between 2 and 4096, got " + std::to_string(c.d));
    if (c.hidden < 1 || c.hidden > 16384) return bad("hidden must be between 1 and 16384, got " + std::to_string(c.hidden));
    if (c.steps < 1 || c.steps > 10000000) return bad("steps must be between 1 and 10,000,000, got " + std::to_string(c.steps));
    if (!(c.lr > 0.0f) || !(c.lr <= 1.0f)) return bad("lr must be in (0, 1], got " + std::to_string(c.lr));
    if (c.batch < 0 || c.batch > 1000000) return bad("batch must be between 0 (full) and 1,000,000, got " + std::to_string(c.batch));
    if (!(c.init_scale > 0.0f) || !(c.init_scale <= 100.0f)) return bad("init_scale must be in (0, 100], got " + std::to_string(c.init_scale));
    if (!(c.stop_at_accuracy >= 0.0) || !std::isfinite(c.stop_at_accuracy)) return bad("stop_at_accuracy must be a finite number >= 0");
    if (2LL * c.d * c.hidden > kMaxWeights)
        return bad("d x hidden is too large (" + std::to_string(2LL * c.d * c.hidden) + " weights; at most " +
                   std::to_string(kMaxWeights) + ")");
    return true;
}

void Trainer::fail(const std::string& why) {
    failed_ = done_ = true;
    message_ = why + " at step " + std::to_string(steps_done_) + "; kept the last good weights";
}

bool Trainer::reset(const TrainConfig& cfg_in, const FactSet& fs, std::string* err, const Model* init) {
    done_ = true;
    failed_ = reached_ = false;
    history_.clear();
    history_stride_ = 1;
    steps_done_ = 0;
    accuracy_ = loss_ = seconds_ = 0;
    message_.clear();

    TrainConfig cfg = cfg_in;
    if (init) {                                           // the model decides the sizes
        if (init->mlp.W_up.rows() < 1 || init->mlp.W_up.cols() != init->tokens.cols() ||
            init->mlp.W_down.rows() != init->mlp.W_up.cols() || init->mlp.W_down.cols() != init->mlp.W_up.rows() ||
            init->mlp.b_up.size() != init->mlp.W_up.rows() || init->mlp.b_down.size() != init->mlp.W_up.cols()) {
            *err = "the starting model's weights have inconsistent shapes";
            return false;
        }
        if (!init->mlp.W_up.allFinite() || !init->mlp.b_up.allFinite() || !init->mlp.W_down.allFinite() ||
            !init->mlp.b_down.allFinite()) {
            *err = "the starting model has non-finite weights";
            return false;
        }
        cfg.d = init->d();
        cfg.hidden = init->mlp.hidden();
        cfg.act = init->mlp.act;
    }
    if (!validate_train_config(cfg, err)) return false;
    if (fs.facts.empty()) { *err = "no facts to train on"; return false; }
    const long long n = (long long)fs.subjects.size();
    if (n * (cfg.d > cfg.hidden ? cfg.d : cfg.hidden) > kMaxActivations) {
        *err = "too many subjects for these sizes (" + std::to_string(n) + " subjects x " +
               std::to_string(cfg.d > cfg.hidden ? cfg.d : cfg.hidden) + " > " + std::to_string(kMaxActivations) + " floats)";
        return false;
    }
    cfg_ = cfg;
    facts_ = fs;

    if (init) {
        model_ = *init;
    } else {
        model_ = make_embedding(fs, cfg.d, cfg.embed_seed);
    }
    if (model_.d() != cfg.d) { *err = "the embedding has the wrong width"; return false; }
    if (!make_train_data(model_, facts_, &data_, err)) return false;

    const int d = cfg.d, h = cfg.hidden;
    if (!init) {
        // Seeded init: a typical pre-activation W_up·E has std init_scale (E holds
        // a few unit token directions, so its norm is ~√tokens, not ~√d); W_down
        // starts small so the first logits are near zero.
        double sq = 0;
        for (int s = 0; s < data_.X.cols(); ++s) sq += double(data_.X.col(s).squaredNorm());
        const double rms = data_.X.cols() ? std::sqrt(sq / double(data_.X.cols())) : 1.0;
        const float s_up = float(cfg.init_scale / (rms > 1e-6 ? rms : 1.0));
        const float s_down = float(0.1 * cfg.init_scale / std::sqrt(double(h)));
        Rng rng(cfg.seed);
        Mlp& mlp = model_.mlp;
        mlp.act = cfg.act;
        mlp.W_up.resize(h, d);                            // (h, d)
        for (int i = 0; i < h; ++i)
            for (int j = 0; j < d; ++j) mlp.W_up(i, j) = s_up * float(rng.normal());
        mlp.b_up.setZero(h);                              // (h)
        mlp.W_down.resize(d, h);                          // (d, h)
        for (int i = 0; i < d; ++i)
            for (int j = 0; j < h; ++j) mlp.W_down(i, j) = s_down * float(rng.normal());
        mlp.b_down.setZero(d);                            // (d)
        model_.neuron_labels.clear();
    }
    beta1_t_ = beta2_t_ = 1.0;
    zero_like(m_, d, h);
    zero_like(v_, d, h);
    zero_like(g_, d, h);

    order_.resize(size_t(n));
    for (long long i = 0; i < n; ++i) order_[size_t(i)] = int(i);
    order_pos_ = order_.size();                           // shuffle before the first batch
    batch_rng_state_ = cfg.seed ^ 0xB47C4ull;

    double readout = 0;                                   // Σ over facts of candidates
    for (const auto& facts_of : data_.subject_facts)
        for (const TrainData::Target& t : facts_of) readout += double(data_.objects[size_t(t.relation)].rows());
    const double batch_share = cfg.batch > 0 && cfg.batch < n ? double(cfg.batch) / double(n) : 1.0;
    step_cost_ = batch_share * (5.0 * h * d * double(n) + 2.0 * d * readout);

    done_ = false;
    measure_full();                                       // step 0: accuracy of the initial weights
    return true;
}

void Trainer::record(const TrainPoint& p, bool always) {
    // Every step until kMaxHistory points, then every 2nd, 4th, ... step: a long
    // run keeps a curve of bounded size with its first and last points.
    if (!always && p.step % history_stride_ != 0) return;
    if (!history_.empty() && history_.back().step == p.step && history_.back().full == p.full) history_.pop_back();
    history_.push_back(p);
    if (history_.size() < kMaxHistory) return;
    size_t w = 0;
    history_stride_ *= 2;
    for (size_t i = 0; i < history_.size(); ++i)
        if (history_[i].step % history_stride_ == 0 || i + 1 == history_.size()) history_[w++] = history_[i];
    history_.resize(w);
}

bool Trainer::measure_full() {
    LossResult r = loss_and_grad(model_.mlp, data_, nullptr, nullptr);
    const double acc = r.facts ? double(r.correct) / r.facts : 0.0;
    const double loss = r.facts ? r.loss / r.facts : 0.0;
    record({steps_done_, loss, acc, true}, true);
    if (!std::isfinite(r.loss)) { fail("the loss is not finite"); return false; }
    accuracy_ = acc;
    loss_ = loss;
    if (accuracy_ >= cfg_.stop_at_accuracy) {
        reached_ = done_ = true;
        message_ = "reached " + fmt_pct(accuracy_) + " accuracy after " + std::to_string(steps_done_) + " steps";
    }
    return true;
}

bool Trainer::adam_update(const MlpGrads& g) {
    // Bias corrections from running products (no pow: identical on every libm).
    const double b1t = beta1_t_ * kBeta1, b2t = beta2_t_ * kBeta2;
    const float bc1 = float(1.0 - b1t), bc2 = float(1.0 - b2t);
    float lr = cfg_.lr;
    if (cfg_.schedule == LrSchedule::Cosine)
        lr = float(0.5 * cfg_.lr * (1.0 + std::cos(3.14159265358979323846 * steps_done_ / cfg_.steps)));

    Mlp& p = model_.mlp;
    Mat Wu, Wum, Wuv, Wd, Wdm, Wdv;
    Vec bu, bum, buv, bd, bdm, bdv;
    adam_block<Mat>(p.W_up, g.W_up, m_.W_up, v_.W_up, lr, bc1, bc2, Wu, Wum, Wuv);
    adam_block<Vec>(p.b_up, g.b_up, m_.b_up, v_.b_up, lr, bc1, bc2, bu, bum, buv);
    adam_block<Mat>(p.W_down, g.W_down, m_.W_down, v_.W_down, lr, bc1, bc2, Wd, Wdm, Wdv);
    const bool with_b_down = cfg_.train_b_down;
    if (with_b_down) adam_block<Vec>(p.b_down, g.b_down, m_.b_down, v_.b_down, lr, bc1, bc2, bd, bdm, bdv);
    if (!Wu.allFinite() || !bu.allFinite() || !Wd.allFinite() || (with_b_down && !bd.allFinite())) return false;
    p.W_up.swap(Wu);  m_.W_up.swap(Wum);  v_.W_up.swap(Wuv);
    p.b_up.swap(bu);  m_.b_up.swap(bum);  v_.b_up.swap(buv);
    p.W_down.swap(Wd); m_.W_down.swap(Wdm); v_.W_down.swap(Wdv);
    if (with_b_down) { p.b_down.swap(bd); m_.b_down.swap(bdm); v_.b_down.swap(bdv); }
    beta1_t_ = b1t;
    beta2_t_ = b2t;
    return true;
}

int Trainer::steps_for(double madds) const {
    const double n = madds / (step_cost_ > 1 ? step_cost_ : 1.0);
    return n < 1 ? 1 : n > 1e6 ? 1000000 : int(n);
}

int Trainer::step(int n) {
    const auto t0 = std::chrono::steady_clock::now();
    int taken = 0;
    std::vector<int> batch;
    while (taken < n && !done_) {
        if (cfg_.batch == 0 || size_t(cfg_.batch) >= order_.size()) {
            // Full batch: this forward pass measures the current weights too.
            LossResult r = loss_and_grad(model_.mlp, data_, nullptr, &g_);
            const double acc = r.facts ? double(r.correct) / r.facts : 0.0;
            if (steps_done_ > 0 || history_.empty()) record({steps_done_, r.loss / r.facts, acc, true}, false);
            if (!std::isfinite(r.loss)) { fail("the loss is not finite"); break; }
            accuracy_ = acc;
            loss_ = r.loss / r.facts;
            if (accuracy_ >= cfg_.stop_at_accuracy) {
                reached_ = done_ = true;
                message_ = "reached " + fmt_pct(accuracy_) + " accuracy after " + std::to_string(steps_done_) + " steps";
                break;
            }
        } else {
            // Mini-batch: the next `batch` subjects of a seeded shuffle.
            if (order_pos_ >= order_.size()) {
                Rng rng(batch_rng_state_);
                for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.below(uint32_t(i))]);
                batch_rng_state_ = rng.state;
                order_pos_ = 0;
            }
            const size_t end = std::min(order_.size(), order_pos_ + size_t(cfg_.batch));
            batch.assign(order_.begin() + long(order_pos_), order_.begin() + long(end));
            order_pos_ = end;
            LossResult r = loss_and_grad(model_.mlp, data_, &batch, &g_);
            record({steps_done_, r.facts ? r.loss / r.facts : 0.0, r.facts ? double(r.correct) / r.facts : 0.0, false},
                   false);
            if (!std::isfinite(r.loss)) { fail("the loss is not finite"); break; }
        }
        if (!all_finite(g_)) { fail("the gradient is not finite"); break; }
        if (!adam_update(g_)) { fail("an Adam update was not finite"); break; }
        ++steps_done_;
        ++taken;
        const bool epoch_end = cfg_.batch > 0 && order_pos_ >= order_.size();
        if (steps_done_ >= cfg_.steps) {
            if (measure_full() && !reached_) {
                done_ = true;
                message_ = "spent the " + std::to_string(cfg_.steps) + "-step budget at " + fmt_pct(accuracy_) + " accuracy";
            }
        } else if (epoch_end) {
            measure_full();
        }
    }
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return taken;
}

bool train_model(const TrainConfig& cfg, const FactSet& fs, Trainer* t, std::string* err) {
    if (!t->reset(cfg, fs, err)) return false;
    while (!t->done()) t->step(1000);
    return true;
}

}  // namespace factlab
