// rome.cpp: ROME's rank-one edit and the naive fine-tune (see rome.hpp).
#include "core/gpt/rome.hpp"

#include <algorithm>
#include <cmath>
#include <Eigen/Dense>
#include "core/gpt/lens.hpp"
#include "core/gpt/neurons.hpp"

namespace factlab {

namespace {

bool fail(std::string* error, const std::string& m) { if (error) *error = m; return false; }

double gelu_grad(double x) {                      // d/dx of GPT-2's tanh GELU
    const double c = std::sqrt(2.0 / M_PI), a = 0.044715;
    const double u = c * (x + a * x * x * x), t = std::tanh(u);
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * a * x * x);
}

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
    GptMatrix g_post = g * b.mlp.c_proj.weight.transpose();                        // (T, F)
    for (int r = 0; r < T; ++r)
        for (int n = 0; n < g_post.cols(); ++n) g_post(r, n) *= float(gelu_grad(lc.mlp_pre(r, n)));
    GptMatrix g_mid = g + layernorm_back(lc.resid_mid, b.ln_2, eps, g_post * b.mlp.c_fc.weight.transpose());
    // Attention: resid_mid = resid_pre + c_proj(attn(c_attn(ln_1(resid_pre))))
    GptMatrix g_z = g_mid * b.attn.c_proj.weight.transpose();                      // (T, d)
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
    return g_mid + layernorm_back(lc.resid_pre, b.ln_1, eps, g_qkv * b.attn.c_attn.weight.transpose());
}

// The greedy continuation of every prompt.
bool continuations(const GptWeights& w, const std::vector<GptPrompt>& ps, int end_id, std::vector<std::vector<int>>* out,
                   std::string* error) {
    out->clear();
    for (const GptPrompt& p : ps) {
        std::vector<int> g;
        if (!gpt_generate(w, p.tokens, end_id, int(p.answer.size()) + 1, &g, error)) return false;
        out->push_back(std::move(g));
    }
    return true;
}

struct Probe {                                     // the prompts an edit is scored on
    GptPrompt edit;                                // template 0, answer = the new object
    std::vector<GptPrompt> paraphrase;             // templates 1.., answer = the new object
    std::vector<GptPrompt> neighbours;             // other subjects, same relation
    std::vector<std::vector<int>> neighbours_before;
};

bool score(const GptWeights& w, const GptVocab& v, const Probe& pr, GptEditScores* s, std::string* error) {
    bool k = false;
    if (!gpt_knows(w, pr.edit, v.end_id, &k, nullptr, error)) return false;
    s->efficacy = k ? 1.f : 0.f;
    int ok = 0;
    for (const GptPrompt& p : pr.paraphrase) {
        if (!gpt_knows(w, p, v.end_id, &k, nullptr, error)) return false;
        ok += k;
    }
    s->n_paraphrase = int(pr.paraphrase.size());
    s->paraphrase = pr.paraphrase.empty() ? 0.f : float(ok) / float(pr.paraphrase.size());
    std::vector<std::vector<int>> now;
    if (!continuations(w, pr.neighbours, v.end_id, &now, error)) return false;
    ok = 0;
    for (size_t i = 0; i < now.size(); ++i) ok += now[i] == pr.neighbours_before[i];
    s->n_specificity = int(now.size());
    s->specificity = now.empty() ? 1.f : float(ok) / float(now.size());
    GptPrediction pred;
    if (!gpt_predict(w, pr.edit.tokens, 1, &pred, error)) return false;
    s->p_new = pred.probs[pr.edit.answer[0]];
    return true;
}

struct Adam {                                      // PyTorch's Adam for one tensor
    Eigen::ArrayXf m, v;
    int t = 0;
    void step(float* x, const float* g, int n, float lr) {
        if (m.size() != n) { m = Eigen::ArrayXf::Zero(n); v = Eigen::ArrayXf::Zero(n); }
        ++t;
        const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        const float c1 = 1.f - std::pow(b1, float(t)), c2 = 1.f - std::pow(b2, float(t));
        for (int i = 0; i < n; ++i) {
            m[i] = b1 * m[i] + (1.f - b1) * g[i];
            v[i] = b2 * v[i] + (1.f - b2) * g[i] * g[i];
            x[i] -= lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + eps);
        }
    }
};

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
    GptMatrix g = layernorm_back(cache->layers[size_t(L - 1)].resid_post, w.ln_f, w.config.layer_norm_epsilon,
                                 dlogits * w.wte);                                  // (T, d)
    for (int j = L - 1; j > layer; --j) g = block_back(w, *cache, j, g);
    *loss = nll;
    *grad = std::move(g);
    return true;
}

bool gpt_rome_edit(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::string& subject,
                   const std::string& relation, const std::string& new_object, const GptEditOptions& o,
                   GptEditResult* out, std::string* error) {
    const int L = w.config.n_layer, F = w.config.n_inner, d = w.config.n_embd;
    if (o.layer < 0 || o.layer >= L) return fail(error, "layer must be from 0 to " + std::to_string(L - 1));
    if (o.v_steps < 1 || o.v_steps > 100000 || o.ft_steps < 1 || o.ft_steps > 100000) return fail(error, "steps must be from 1 to 100000");
    if (!(o.v_lr > 0.f) || !(o.ft_lr > 0.f) || !std::isfinite(o.v_lr) || !std::isfinite(o.ft_lr)) return fail(error, "learning rates must be positive");
    const int l = o.layer;
    GptEditResult r;
    r.subject = subject;
    r.relation = relation;
    r.new_object = new_object;
    r.layer = l;
    const int sid = fs.subject_id(subject), rid = fs.relation_id(relation);
    if (sid >= 0 && rid >= 0 && fs.object_of(sid, rid) >= 0) r.old_object = fs.objects[size_t(fs.object_of(sid, rid))];

    // The prompts: edit, paraphrases, neighbours (and their continuations before the edit).
    Probe pr;
    const int nt = int(gpt_templates(relation).size());
    if (!gpt_make_prompt(vocab, subject, relation, new_object, 0, &pr.edit, error)) return false;
    for (int t = 1; t < nt; ++t) {
        GptPrompt p;
        if (!gpt_make_prompt(vocab, subject, relation, new_object, t, &p, error)) return false;
        r.paraphrase_prompts.push_back(p.text);
        pr.paraphrase.push_back(std::move(p));
    }
    std::vector<std::string> names = gpt_near_miss_subjects(fs, subject);
    auto has_relation = [&](const std::string& s) {
        const int id = fs.subject_id(s);
        return id >= 0 && rid >= 0 && fs.object_of(id, rid) >= 0;
    };
    names.erase(std::remove_if(names.begin(), names.end(), [&](const std::string& s) { return !has_relation(s); }), names.end());
    if (names.empty())
        for (const std::string& s : fs.subjects)
            if (s != subject && has_relation(s) && names.size() < 10) names.push_back(s);
    for (const std::string& s : names)
        for (int t = 0; t < nt; ++t) {
            GptPrompt p;
            std::string e;
            if (!gpt_make_prompt(vocab, s, relation, fs.objects[size_t(fs.object_of(fs.subject_id(s), rid))], t, &p, &e)) continue;
            r.specificity_prompts.push_back(p.text);
            pr.neighbours.push_back(std::move(p));
        }
    if (!continuations(w, pr.neighbours, vocab.end_id, &pr.neighbours_before, error)) return false;
    if (!score(w, vocab, pr, &r.before, error)) return false;

    // C = K K^T / N over every position of every training row, at layer l.  (F, F)
    std::vector<GptPrompt> train;
    if (!gpt_build_prompts(fs, vocab, &train, error)) return false;
    Eigen::MatrixXd C = Eigen::MatrixXd::Zero(F, F);
    int64_t N = 0;
    GptCache cache;
    GptIntervention none;
    none.logits = GptLogits::none;
    std::vector<int> in, tg;
    for (const GptPrompt& p : train) {
        if (p.held_out) continue;
        gpt_training_row(p, &in, &tg);
        if (int(in.size()) > w.config.n_positions) continue;
        if (!gpt_forward(w, in.data(), int(in.size()), &none, &cache, error)) return false;
        const Eigen::MatrixXd K = cache.layers[size_t(l)].mlp_post.cast<double>();   // (T, F)
        C.noalias() += K.transpose() * K;
        N += K.rows();
    }
    if (N == 0) return fail(error, "no training prompt fits the model's context");
    C /= double(N);
    C.diagonal().array() += 1e-3 * C.trace() / double(F) + 1e-12;

    // k*: the key at the subject's last token, averaged over the training templates.  (F)
    Eigen::VectorXd kstar = Eigen::VectorXd::Zero(F);
    int nk = 0;
    for (int t = 0; t < nt; ++t) {
        if (gpt_templates(relation)[size_t(t)].held_out) continue;
        GptPrompt p;
        if (!gpt_make_prompt(vocab, subject, relation, new_object, t, &p, error)) return false;
        if (!gpt_forward(w, p.tokens.data(), int(p.tokens.size()), &none, &cache, error)) return false;
        kstar += cache.layers[size_t(l)].mlp_post.row(p.subject_end - 1).cast<double>().transpose();
        ++nk;
    }
    kstar /= double(std::max(1, nk));

    // v*: delta on the edit prompt's MLP output at the subject's last token.
    gpt_training_row(pr.edit, &in, &tg);
    if (int(in.size()) > w.config.n_positions) return fail(error, "the edit prompt does not fit the model's context");
    const int pos = pr.edit.subject_end - 1;
    if (!gpt_forward(w, in.data(), int(in.size()), &none, &cache, error)) return false;
    const GptRow mlp_out0 = cache.layers[size_t(l)].mlp_out.row(pos);
    const Eigen::VectorXd kedit = cache.layers[size_t(l)].mlp_post.row(pos).cast<double>().transpose();   // (F)
    GptRow delta = GptRow::Zero(d);
    GptIntervention iv;
    iv.patches.push_back({l, pos, GptSite::mlp_out, mlp_out0});
    Adam adam;
    GptMatrix g;
    double nll = 0.0;
    int steps = 0;
    for (; steps < o.v_steps; ++steps) {
        iv.patches[0].value = mlp_out0 + delta;
        if (!gpt_resid_grad(w, in, tg, l, &iv, &nll, &g, &cache, error)) return false;
        if (nll < o.v_stop) break;
        GptRow gd = g.row(pos) + 2.f * o.v_decay * delta;
        adam.step(delta.data(), gd.data(), d, o.v_lr);
    }
    r.rome.steps = steps;
    r.delta_norm = delta.norm();
    r.v_loss = float(nll);
    const Eigen::VectorXd vstar = (mlp_out0 + delta).cast<double>().transpose();    // (d)

    // The rank-one update, in (in, out) layout: c_proj.weight (F, d) += u Lambda^T.
    const GptConv1D& proj = w.h[size_t(l)].mlp.c_proj;
    const Eigen::VectorXd u = C.ldlt().solve(kstar);                                  // C^-1 k*  (F)
    const Eigen::VectorXd& kk = o.edit_key ? kedit : kstar;
    const double denom = u.dot(kk);
    if (!(std::fabs(denom) > 1e-12) || !u.allFinite()) return fail(error, "the key covariance is singular at this layer");
    const Eigen::VectorXd cur = (kk.transpose() * proj.weight.cast<double>()).transpose() + proj.bias.cast<double>().transpose();
    const Eigen::VectorXd lambda = (vstar - cur) / denom;                            // (d)
    r.rome.weights = w;
    const Eigen::MatrixXd upd = u * lambda.transpose();                               // (F, d)
    r.rome.weights.h[size_t(l)].mlp.c_proj.weight += upd.cast<float>();
    r.update_norm = float(upd.norm());
    if (!r.rome.weights.finite(error)) return false;
    if (!score(r.rome.weights, vocab, pr, &r.rome.scores, error)) return false;
    {
        GptMatrix gg;
        double loss = 0.0;
        if (!gpt_resid_grad(r.rome.weights, in, tg, L - 1, nullptr, &loss, &gg, &cache, error)) return false;
        r.rome.loss = float(loss);
    }

    // The naive fine-tune: Adam on c_proj.weight of layer l, the edit prompt alone.
    r.finetune.weights = w;
    Adam fa;
    GptMatrix& W = r.finetune.weights.h[size_t(l)].mlp.c_proj.weight;                // (F, d)
    int ft = 0;
    for (; ft < o.ft_steps; ++ft) {
        if (!gpt_resid_grad(r.finetune.weights, in, tg, l, nullptr, &nll, &g, &cache, error)) return false;
        bool known = false;
        if (!gpt_knows(r.finetune.weights, pr.edit, vocab.end_id, &known, nullptr, error)) return false;
        if (known && nll < o.v_stop) break;
        const GptMatrix dW = cache.layers[size_t(l)].mlp_post.transpose() * g;         // (F, d)
        fa.step(W.data(), dW.data(), int(W.size()), o.ft_lr);
    }
    r.finetune.steps = ft;
    r.finetune.loss = float(nll);
    if (!r.finetune.weights.finite(error)) return false;
    if (!score(r.finetune.weights, vocab, pr, &r.finetune.scores, error)) return false;
    *out = std::move(r);
    return true;
}

}  // namespace factlab
