// rome.cpp: ROME's rank-one edit and the naive fine-tune (see rome.hpp).
#include "core/gpt/rome.hpp"

#include <algorithm>
#include <cmath>
#include <Eigen/Dense>
#include "core/gpt/kernels.hpp"
#include "core/gpt/lens.hpp"
#include "core/gpt/neurons.hpp"
#include "core/gpt/trace.hpp"

namespace factlab {

namespace {

bool fail(std::string* error, const std::string& m) { if (error) *error = m; return false; }

// dx (T, d) of y = LayerNorm(x) given dy, row by row.
GptMatrix layernorm_back(const GptMatrix& x, const GptLayerNorm& ln, float eps, const GptMatrix& dy) {
    const int T = int(x.rows()), d = int(x.cols());
    GptMatrix dx(T, d);
    for (int r = 0; r < T; ++r) {
        double mean = 0.0, var = 0.0;
        for (int c = 0; c < d; ++c) mean += x(r, c);
        mean /= d;
        for (int c = 0; c < d; ++c) var += (x(r, c) - mean) * (x(r, c) - mean);
        var /= d;
        const double s = 1.0 / std::sqrt(var + double(eps));
        double m1 = 0.0, m2 = 0.0;
        for (int c = 0; c < d; ++c) {
            const double g = double(dy(r, c)) * ln.weight[c], xh = (x(r, c) - mean) * s;
            m1 += g;
            m2 += g * xh;
        }
        m1 /= d;
        m2 /= d;
        for (int c = 0; c < d; ++c) {
            const double g = double(dy(r, c)) * ln.weight[c], xh = (x(r, c) - mean) * s;
            dx(r, c) = float(s * (g - m1 - xh * m2));
        }
    }
    return dx;
}

// Gradient with respect to resid_pre of block j, given the gradient g of its resid_post.
GptMatrix block_back(const GptWeights& w, const GptCache& c, int j, const GptMatrix& g) {
    const GptBlock& b = w.h[size_t(j)];
    const GptLayerCache& lc = c.layers[size_t(j)];
    const float eps = w.config.layer_norm_epsilon;
    const int T = int(g.rows()), d = w.config.n_embd, H = w.config.n_head, dh = d / H;
    // MLP: resid_post = resid_mid + c_proj(gelu(c_fc(ln_2(resid_mid))))
    const int F = w.config.n_inner;
    GptMatrix g_post(T, F);                                                        // (T, F) = g W_down
    gptk::gemm_abt(T, F, d, g.data(), d, b.mlp.c_proj.weight.data(), d, g_post.data(), F);
    // GELU' from the forward's own tanh term (the model's kernel: no libm tanh, the same bits in wasm).
    gptk::gelu_backward(lc.mlp_pre.data(), lc.mlp_tanh.data(), g_post.data(), g_post.size());
    GptMatrix g_ln2(T, d);                                                         // (T, d)
    gptk::gemm_abt(T, d, F, g_post.data(), F, b.mlp.c_fc.weight.data(), F, g_ln2.data(), d);
    GptMatrix g_mid = g + layernorm_back(lc.resid_mid, b.ln_2, eps, g_ln2);
    // Attention: resid_mid = resid_pre + c_proj(attn(c_attn(ln_1(resid_pre))))
    GptMatrix g_z(T, d);                                                           // (T, d)
    gptk::gemm_abt(T, d, d, g_mid.data(), d, b.attn.c_proj.weight.data(), d, g_z.data(), d);
    GptMatrix g_qkv = GptMatrix::Zero(T, 3 * d);                                   // (T, 3d)
    const float scale = 1.f / std::sqrt(float(dh));
    std::vector<double> gp;
    for (int h = 0; h < H; ++h) {
        const GptMatrix& P = lc.pattern[size_t(h)];
        for (int i = 0; i < T; ++i) {
            gp.assign(size_t(i + 1), 0.0);
            double dot = 0.0;
            for (int k = 0; k <= i; ++k) {
                double s = 0.0;
                for (int e = 0; e < dh; ++e) s += double(g_z(i, h * dh + e)) * lc.qkv(k, 2 * d + h * dh + e);
                gp[size_t(k)] = s;
                dot += P(i, k) * s;
            }
            for (int k = 0; k <= i; ++k) {
                const double pk = P(i, k);
                if (pk == 0.0) continue;
                for (int e = 0; e < dh; ++e) g_qkv(k, 2 * d + h * dh + e) += float(pk * g_z(i, h * dh + e));
                const double gs = pk * (gp[size_t(k)] - dot) * scale;
                for (int e = 0; e < dh; ++e) {
                    g_qkv(i, h * dh + e) += float(gs * lc.qkv(k, d + h * dh + e));
                    g_qkv(k, d + h * dh + e) += float(gs * lc.qkv(i, h * dh + e));
                }
            }
        }
    }
    GptMatrix g_ln1(T, d);                                                         // (T, d)
    gptk::gemm_abt(T, d, 3 * d, g_qkv.data(), 3 * d, b.attn.c_attn.weight.data(), 3 * d, g_ln1.data(), d);
    return g_mid + layernorm_back(lc.resid_pre, b.ln_1, eps, g_ln1);
}

// PyTorch's Adam on n floats; beta^t as running products (no libm pow: the same bits in wasm).
void adam_step(float* x, const float* g, int n, float lr, std::vector<float>* m, std::vector<float>* v, int* t,
               double* b1t, double* b2t) {
    if (int(m->size()) != n) { m->assign(size_t(n), 0.f); v->assign(size_t(n), 0.f); *t = 0; *b1t = *b2t = 1.0; }
    ++*t;
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    *b1t *= double(b1);
    *b2t *= double(b2);
    const float c1 = float(1.0 - *b1t), c2 = float(1.0 - *b2t);
    for (int i = 0; i < n; ++i) {
        float& mi = (*m)[size_t(i)];
        float& vi = (*v)[size_t(i)];
        mi = b1 * mi + (1.f - b1) * g[i];
        vi = b2 * vi + (1.f - b2) * g[i] * g[i];
        x[i] -= lr * (mi / c1) / (std::sqrt(vi / c2) + eps);
    }
}

// x = C^-1 b for a symmetric positive definite C (F, F), by Cholesky in double (plain loops:
// no Eigen double kernels in the page's wasm). False when C is not positive definite.
bool solve_spd(const Eigen::MatrixXd& C, const Eigen::VectorXd& b, std::vector<double>* x) {
    const int n = int(C.rows());
    std::vector<double> L(size_t(n) * size_t(n), 0.0);                                      // lower, row-major
    for (int i = 0; i < n; ++i)
        for (int j = 0; j <= i; ++j) {
            double s = C(i, j);
            for (int k = 0; k < j; ++k) s -= L[size_t(i) * n + k] * L[size_t(j) * n + k];
            if (i == j) {
                if (!(s > 0.0)) return false;
                L[size_t(i) * n + i] = std::sqrt(s);
            } else {
                L[size_t(i) * n + j] = s / L[size_t(j) * n + j];
            }
        }
    std::vector<double> y(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {                                                           // L y = b
        double s = b[i];
        for (int k = 0; k < i; ++k) s -= L[size_t(i) * n + k] * y[size_t(k)];
        y[size_t(i)] = s / L[size_t(i) * n + i];
    }
    x->assign(size_t(n), 0.0);
    for (int i = n - 1; i >= 0; --i) {                                                      // L^T x = y
        double s = y[size_t(i)];
        for (int k = i + 1; k < n; ++k) s -= L[size_t(k) * n + i] * (*x)[size_t(k)];
        (*x)[size_t(i)] = s / L[size_t(i) * n + i];
    }
    for (double v : *x) if (!std::isfinite(v)) return false;
    return true;
}

}  // namespace

bool gpt_resid_grad(const GptWeights& w, const std::vector<int>& tokens, const std::vector<int>& targets, int layer,
                    const GptIntervention* iv, double* loss, GptMatrix* grad, GptCache* cache, std::string* error) {
    const int T = int(tokens.size()), L = w.config.n_layer, V = w.config.vocab_size;
    if (layer < 0 || layer >= L) return fail(error, "layer out of range");
    if (int(targets.size()) != T) return fail(error, "targets must have one entry per token");
    GptIntervention all;
    if (iv) all = *iv;
    all.logits = GptLogits::all;
    for (const GptKnockout& k : all.knockouts) if (k.layer > layer) return fail(error, "a knockout above the layer");
    for (const GptAblation& a : all.ablations) if (a.layer > layer) return fail(error, "an ablation above the layer");
    for (const GptPatch& p : all.patches) if (p.layer > layer) return fail(error, "a patch above the layer");
    if (!gpt_forward(w, tokens.data(), T, &all, cache, error)) return false;
    GptMatrix dlogits = GptMatrix::Zero(T, V);                                     // (T, V)
    double nll = 0.0;
    for (int i = 0; i < T; ++i) {
        if (targets[size_t(i)] < 0) continue;
        if (targets[size_t(i)] >= V) return fail(error, "target out of range");
        Eigen::VectorXf p = gpt_softmax(cache->logits.row(i));
        nll -= std::log(std::max(double(p[targets[size_t(i)]]), 1e-30));
        dlogits.row(i) = p.transpose();
        dlogits(i, targets[size_t(i)]) -= 1.f;
    }
    const int d = w.config.n_embd;
    GptMatrix dx(T, d);                                                            // (T, d) = dlogits wte
    gptk::gemm(T, d, V, dlogits.data(), V, 1, w.wte.data(), d, dx.data(), d, false);
    GptMatrix g = layernorm_back(cache->layers[size_t(L - 1)].resid_post, w.ln_f, w.config.layer_norm_epsilon, dx);
    for (int j = L - 1; j > layer; --j) g = block_back(w, *cache, j, g);
    *loss = nll;
    *grad = std::move(g);
    return true;
}

bool gpt_rome_layer(const GptWeights& w, const GptVocab& vocab, const std::string& subject, const std::string& relation,
                    int* layer, std::vector<float>* effects, std::string* error) {
    std::vector<GptTemplate> ts = gpt_templates(relation);
    std::string text = ts[0].text;
    const size_t at = text.find("{subject}");
    if (at == std::string::npos) return fail(error, "the relation's template has no subject");
    text.replace(at, 9, subject);
    std::vector<int> ids;
    if (!vocab.encode(text, &ids, error)) return false;
    int first = 0, end = 0;
    if (!gpt_locate_subject(vocab, ids, subject, &first, &end, error)) return false;
    GptTraceOptions o;                                // ROME's: 10 samples, noise 3 sigma
    o.hidden = o.attn = false;
    GptTrace t;
    if (!gpt_trace(w, ids, first, end, o, &t, error)) return false;
    const Eigen::RowVectorXf row = t.mlp.row(end - 1);   // (L)
    int best = 0;
    for (int l = 1; l < int(row.size()); ++l) if (row[l] > row[best]) best = l;
    *layer = best;
    if (effects) effects->assign(row.data(), row.data() + row.size());
    return true;
}

bool GptEditJob::start(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::string& subject,
                       const std::string& relation, const std::string& new_object, const GptEditOptions& o,
                       std::string* error, const std::vector<GptKeyCovariance>& known) {
    phase_ = Phase::done;
    failed_ = true;
    const int L = w.config.n_layer;
    if (o.layer < -1 || o.layer >= L) return fail(error, "the layer must be from 0 to " + std::to_string(L - 1) + " (or -1: by the trace)");
    if (o.v_steps < 1 || o.v_steps > 100000) return fail(error, "ROME's steps must be from 1 to 100000");
    if (o.ft_steps < 0 || o.ft_steps > 100000) return fail(error, "the fine-tune's steps must be from 0 to 100000");
    if (!(o.v_lr > 0.f) || !(o.ft_lr > 0.f) || !std::isfinite(o.v_lr) || !std::isfinite(o.ft_lr)) return fail(error, "learning rates must be positive");
    if (subject.empty() || relation.empty() || new_object.empty()) return fail(error, "a subject, a relation and a new object are needed");
    const int sid = fs.subject_id(subject), rid = fs.relation_id(relation);
    if (sid < 0) return fail(error, "unknown subject \"" + subject.substr(0, 80) + "\": not a subject of the " + std::to_string(fs.facts.size()) + " facts");
    if (rid < 0) return fail(error, "unknown relation \"" + relation.substr(0, 80) + "\": not a relation of the facts");
    GptEditResult r;
    r.subject = subject;
    r.relation = relation;
    r.new_object = new_object;
    if (fs.object_of(sid, rid) >= 0) r.old_object = fs.objects[size_t(fs.object_of(sid, rid))];
    if (r.old_object == new_object) return fail(error, "\"" + new_object + "\" is already the stored object: nothing to edit");
    GptEditProbe pr;
    if (!gpt_edit_prompts(vocab, fs, subject, relation, new_object, &pr, error)) return false;
    std::vector<GptPrompt> train;
    if (!gpt_build_prompts(fs, vocab, &train, error)) return false;
    train.erase(std::remove_if(train.begin(), train.end(), [](const GptPrompt& p) { return p.held_out; }), train.end());
    r.layer = o.layer;
    if (o.layer < 0) {
        if (!gpt_rome_layer(w, vocab, subject, relation, &r.layer, &r.layer_effects, error)) return false;
        r.layer_by_trace = true;
    }
    for (const GptPrompt& p : pr.paraphrase) r.paraphrase_prompts.push_back(p.text);
    for (const GptPrompt& p : pr.neighbours) r.specificity_prompts.push_back(p.text);
    gpt_training_row(pr.edit, &in_, &tg_);
    if (int(in_.size()) > w.config.n_positions) return fail(error, "the edit prompt does not fit the model's context");

    w_ = w;
    vocab_ = vocab;
    o_ = o;
    probe_ = std::move(pr);
    r_ = std::move(r);
    train_ = std::move(train);
    cov_ = GptKeyCovariance{};
    bool have_cov = false;
    for (const GptKeyCovariance& c : known)
        if (!have_cov && c.layer == r_.layer && c.C.rows() == w.config.n_inner && c.positions > 0) { cov_ = c; have_cov = true; }
    cov_computed_ = !have_cov;
    const size_t nn = probe_.neighbours.size();
    units_ = 0;
    units_total_ = nn + (have_cov ? 0 : train_.size()) + 1 + size_t(o.v_steps) + 2 * (nn + 1) + size_t(o.ft_steps) + 1;
    index_ = 0;
    now_.clear();
    p_now_.clear();
    probe_.neighbours_before.clear();
    probe_.neighbours_p_before.clear();
    phase_ = Phase::before;
    failed_ = false;
    return true;
}

double GptEditJob::progress() const {
    if (phase_ == Phase::done) return 1.0;
    return std::min(0.99, double(units_) / double(std::max<size_t>(1, units_total_)));
}

const char* GptEditJob::phase_name() const {
    switch (phase_) {
        case Phase::before: return "the neighbours' answers before the edit";
        case Phase::covariance: return "the key covariance C";
        case Phase::key: return "the key k*";
        case Phase::delta: return "v*: Adam on delta";
        case Phase::rome_score: return "scoring ROME";
        case Phase::finetune: return "the fine-tune: Adam on W_down";
        case Phase::finetune_score: return "scoring the fine-tune";
        case Phase::done: return failed_ ? "failed" : "done";
    }
    return "";
}

// Efficacy and paraphrase at once, then the neighbours one at a time (score_one).
bool GptEditJob::begin_scoring(const GptWeights& w, GptEditScores* s, std::string* error) {
    now_.clear();
    p_now_.clear();
    index_ = 0;
    return gpt_edit_score_prompts(w, vocab_, probe_, s, error);
}

bool GptEditJob::score_one(const GptWeights& w, GptEditScores* s, bool* finished, std::string* error) {
    *finished = false;
    if (index_ < probe_.neighbours.size()) {
        std::vector<int> c;
        float p = 0.f;
        if (!gpt_edit_neighbour(w, vocab_, probe_.neighbours[index_], &c, &p, error)) return false;
        now_.push_back(std::move(c));
        p_now_.push_back(p);
        ++index_;
    }
    if (index_ >= probe_.neighbours.size()) {
        gpt_edit_score_neighbours(probe_, now_, p_now_, s);
        *finished = true;
    }
    return true;
}

bool GptEditJob::step(std::string* error) {
    if (phase_ == Phase::done) return !failed_;
    auto bad = [&]() { phase_ = Phase::done; failed_ = true; return false; };
    const int l = r_.layer, L = w_.config.n_layer, F = w_.config.n_inner, d = w_.config.n_embd;
    ++units_;
    GptCache cache;
    GptIntervention none;
    none.logits = GptLogits::none;
    switch (phase_) {
    case Phase::before: {                             // the unedited model on the neighbours, one per step
        if (index_ == 0 && !gpt_edit_score_prompts(w_, vocab_, probe_, &r_.before, error)) return bad();
        if (index_ < probe_.neighbours.size()) {
            std::vector<int> c;
            float p = 0.f;
            if (!gpt_edit_neighbour(w_, vocab_, probe_.neighbours[index_], &c, &p, error)) return bad();
            probe_.neighbours_before.push_back(std::move(c));
            probe_.neighbours_p_before.push_back(p);
            ++index_;
        }
        if (index_ >= probe_.neighbours.size()) {
            gpt_edit_score_neighbours(probe_, probe_.neighbours_before, probe_.neighbours_p_before, &r_.before);
            index_ = 0;
            phase_ = cov_.positions > 0 ? Phase::key : Phase::covariance;
            if (phase_ == Phase::covariance) { cov_.layer = l; cov_.C.setZero(F, F); }
        }
        return true;
    }
    case Phase::covariance: {                         // C += K^T K for one training row at layer l
        while (index_ < train_.size()) {
            std::vector<int> in, tg;
            gpt_training_row(train_[index_++], &in, &tg);
            if (int(in.size()) > w_.config.n_positions) continue;
            if (!gpt_forward(w_, in.data(), int(in.size()), &none, &cache, error)) return bad();
            // K^T K of this row in float by the model's kernel (the same bits in wasm), added in double.
            const GptMatrix& K = cache.layers[size_t(l)].mlp_post;                          // (T, F)
            std::vector<float> kk(size_t(F) * size_t(F));                                   // (F, F)
            gptk::gemm(F, F, int(K.rows()), K.data(), 1, F, K.data(), F, kk.data(), F, false);
            for (int i = 0; i < F; ++i)
                for (int j = 0; j <= i; ++j) cov_.C(i, j) += double(kk[size_t(i) * size_t(F) + size_t(j)]);
            cov_.positions += K.rows();
            break;
        }
        if (index_ >= train_.size()) {
            if (cov_.positions == 0) { fail(error, "no training prompt fits the model's context"); return bad(); }
            double tr = 0.0;
            for (int i = 0; i < F; ++i) tr += cov_.C(i, i);
            const double n = double(cov_.positions), ridge = 1e-3 * tr / n / double(F) + 1e-12;
            for (int i = 0; i < F; ++i)
                for (int j = 0; j <= i; ++j) cov_.C(j, i) = cov_.C(i, j) = cov_.C(i, j) / n + (i == j ? ridge : 0.0);
            index_ = 0;
            phase_ = Phase::key;
        }
        return true;
    }
    case Phase::key: {                                // k* over the training templates; the edit prompt's MLP output
        kstar_ = Eigen::VectorXd::Zero(F);
        int nk = 0;
        const std::vector<GptTemplate> ts = gpt_templates(r_.relation);
        for (int t = 0; t < int(ts.size()); ++t) {
            if (ts[size_t(t)].held_out) continue;
            GptPrompt p;
            if (!gpt_make_prompt(vocab_, r_.subject, r_.relation, r_.new_object, t, &p, error)) return bad();
            if (!gpt_forward(w_, p.tokens.data(), int(p.tokens.size()), &none, &cache, error)) return bad();
            kstar_ += cache.layers[size_t(l)].mlp_post.row(p.subject_end - 1).cast<double>().transpose();
            ++nk;
        }
        kstar_ /= double(std::max(1, nk));
        const int pos = probe_.edit.subject_end - 1;
        if (!gpt_forward(w_, in_.data(), int(in_.size()), &none, &cache, error)) return bad();
        mlp_out0_ = cache.layers[size_t(l)].mlp_out.row(pos);
        kedit_ = cache.layers[size_t(l)].mlp_post.row(pos).cast<double>().transpose();
        delta_ = GptRow::Zero(d);
        am_.clear();
        av_.clear();
        steps_ = 0;
        phase_ = Phase::delta;
        return true;
    }
    case Phase::delta: {                              // one Adam step on delta (or the stop)
        const int pos = probe_.edit.subject_end - 1;
        GptIntervention iv;
        iv.patches.push_back({l, pos, GptSite::mlp_out, mlp_out0_ + delta_});
        GptMatrix g;
        double nll = 0.0;
        if (!gpt_resid_grad(w_, in_, tg_, l, &iv, &nll, &g, &cache, error)) return bad();
        if (nll >= o_.v_stop && steps_ < o_.v_steps) {
            GptRow gd = g.row(pos) + 2.f * o_.v_decay * delta_;
            adam_step(delta_.data(), gd.data(), d, o_.v_lr, &am_, &av_, &adam_t_, &b1t_, &b2t_);
            ++steps_;
            return true;
        }
        units_ += size_t(o_.v_steps - steps_);
        r_.rome.steps = steps_;
        r_.delta_norm = delta_.norm();
        r_.v_loss = float(nll);
        // The rank-one update, in (in, out) layout: c_proj.weight (F, d) += u Lambda^T.
        const GptConv1D& proj = w_.h[size_t(l)].mlp.c_proj;
        std::vector<double> u;                                                              // C^-1 k*  (F)
        if (!solve_spd(cov_.C, kstar_, &u)) { fail(error, "the key covariance is singular at this layer"); return bad(); }
        const Eigen::VectorXd& kk = o_.edit_key ? kedit_ : kstar_;
        double denom = 0.0;
        for (int i = 0; i < F; ++i) denom += u[size_t(i)] * kk[i];
        if (!(std::fabs(denom) > 1e-12) || !std::isfinite(denom)) { fail(error, "the key covariance is singular at this layer"); return bad(); }
        std::vector<double> lambda(static_cast<size_t>(d));                                            // (v* - (W k + b)) / denom  (d)
        for (int j = 0; j < d; ++j) {
            double cur = double(proj.bias[j]);
            for (int i = 0; i < F; ++i) cur += kk[i] * double(proj.weight(i, j));
            lambda[size_t(j)] = (double(mlp_out0_[j]) + double(delta_[j]) - cur) / denom;
        }
        r_.rome.weights = w_;
        GptMatrix& W = r_.rome.weights.h[size_t(l)].mlp.c_proj.weight;                      // (F, d) += u lambda^T
        double un = 0.0, ln = 0.0;
        for (int i = 0; i < F; ++i) {
            un += u[size_t(i)] * u[size_t(i)];
            for (int j = 0; j < d; ++j) W(i, j) += float(u[size_t(i)] * lambda[size_t(j)]);
        }
        for (int j = 0; j < d; ++j) ln += lambda[size_t(j)] * lambda[size_t(j)];
        r_.update_norm = float(std::sqrt(un) * std::sqrt(ln));
        if (!r_.rome.weights.finite(error)) return bad();
        GptMatrix gg;
        double loss = 0.0;
        if (!gpt_resid_grad(r_.rome.weights, in_, tg_, L - 1, nullptr, &loss, &gg, &cache, error)) return bad();
        r_.rome.loss = float(loss);
        if (!begin_scoring(r_.rome.weights, &r_.rome.scores, error)) return bad();
        phase_ = Phase::rome_score;
        return true;
    }
    case Phase::rome_score: {
        bool finished = false;
        if (!score_one(r_.rome.weights, &r_.rome.scores, &finished, error)) return bad();
        if (finished) {
            r_.finetune.weights = w_;
            am_.clear();
            av_.clear();
            steps_ = 0;
            phase_ = Phase::finetune;
        }
        return true;
    }
    case Phase::finetune: {                           // one Adam step on layer l's c_proj.weight (or the stop)
        GptMatrix g;
        double nll = 0.0;
        if (!gpt_resid_grad(r_.finetune.weights, in_, tg_, l, nullptr, &nll, &g, &cache, error)) return bad();
        if (nll >= o_.v_stop && steps_ < o_.ft_steps) {
            GptMatrix& W = r_.finetune.weights.h[size_t(l)].mlp.c_proj.weight;              // (F, d)
            const GptMatrix& K = cache.layers[size_t(l)].mlp_post;                          // (T, F)
            GptMatrix dW(F, d);                                                              // (F, d) = K^T g
            gptk::gemm(F, d, int(K.rows()), K.data(), 1, F, g.data(), d, dW.data(), d, false);
            adam_step(W.data(), dW.data(), int(W.size()), o_.ft_lr, &am_, &av_, &adam_t_, &b1t_, &b2t_);
            ++steps_;
            return true;
        }
        units_ += size_t(o_.ft_steps - steps_);
        r_.finetune.steps = steps_;
        r_.finetune.loss = float(nll);
        if (!r_.finetune.weights.finite(error)) return bad();
        if (!begin_scoring(r_.finetune.weights, &r_.finetune.scores, error)) return bad();
        phase_ = Phase::finetune_score;
        return true;
    }
    case Phase::finetune_score: {
        bool finished = false;
        if (!score_one(r_.finetune.weights, &r_.finetune.scores, &finished, error)) return bad();
        if (finished) {
            phase_ = Phase::done;
            train_.clear();
        }
        return true;
    }
    case Phase::done: return true;
    }
    return true;
}

bool gpt_rome_edit(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::string& subject,
                   const std::string& relation, const std::string& new_object, const GptEditOptions& o,
                   GptEditResult* out, std::string* error, const std::vector<GptKeyCovariance>& known) {
    GptEditJob job;
    if (!job.start(w, vocab, fs, subject, relation, new_object, o, error, known)) return false;
    while (!job.done())
        if (!job.step(error)) return false;
    *out = std::move(job.result());
    return true;
}

}  // namespace factlab
