// tfmodel.cpp: see tfmodel.hpp.
//
// [SECTION] Built-in model
// [SECTION] Causal tracing
// [SECTION] Logit lens
#include "ui/transformer/tfmodel.hpp"

#include <algorithm>
#include <cmath>
#include "core/rng.hpp"
#include "platform/platform.hpp"

namespace factlab {

//-----------------------------------------------------------------------------
// [SECTION] Built-in model
//-----------------------------------------------------------------------------
bool tf_load_builtin(TfModel* m, std::string* error) {
    m->name = "built-in transformer";
    m->facts = builtin_facts();
    *error = "This build has no built-in transformer yet.";
    return false;
}

//-----------------------------------------------------------------------------
// [SECTION] Causal tracing
//-----------------------------------------------------------------------------
// σ: the standard deviation of every entry of wte (V, d), as ROME takes it over
// the subject embeddings of its data set.
static double embedding_sigma(const GptMatrix& wte) {
    double n = double(wte.size()), mean = double(wte.sum()) / n, ss = 0;
    for (Eigen::Index i = 0; i < wte.size(); ++i) { double v = wte.data()[i] - mean; ss += v * v; }
    return std::sqrt(ss / n);
}

bool tf_trace(const TfModel& m, const std::vector<int>& ids, int s0, int s1, const TfTraceOptions& opt,
              TfTrace* out) {
    const double t0 = platform::now_ms();
    *out = TfTrace{};
    const int T = int(ids.size());
    if (!m.ok) { out->error = m.error; return false; }
    if (T == 0) { out->error = "No prompt."; return false; }
    if (s0 < 0 || s1 <= s0 || s1 > T) { out->error = "The prompt names no subject to corrupt."; return false; }
    const int L = m.w.config.n_layer, d = m.w.config.n_embd;
    const int S = std::clamp(opt.samples, 1, kTfMaxSamples);
    const int win = std::clamp(opt.window, 1, L);
    for (int id : ids) out->tokens.push_back(tflab_token(m, id));
    out->subject_first = s0;
    out->subject_end = s1;

    GptCache clean;
    std::string err;
    GptIntervention iv0;
    iv0.logits = GptLogits::last;
    if (!gpt_forward(m.w, ids.data(), T, &iv0, &clean, &err)) { out->error = err; return false; }
    Eigen::VectorXf pc = gpt_softmax(clean.logits.row(0));
    Eigen::Index ans = 0;
    pc.maxCoeff(&ans);
    out->answer = int(ans);
    out->answer_text = tflab_token(m, int(ans));
    out->p_clean = pc[ans];

    out->hidden = Eigen::MatrixXf::Zero(T, L);
    out->mlp = Eigen::MatrixXf::Zero(T, L);
    out->attn = Eigen::MatrixXf::Zero(T, L);
    const double scale = opt.noise * embedding_sigma(m.w.wte);
    Rng rng(opt.seed);
    GptCache corrupt, work;
    const GptSite sites[3] = {GptSite::resid_post, GptSite::mlp_out, GptSite::attn_out};
    Eigen::MatrixXf* maps[3] = {&out->hidden, &out->mlp, &out->attn};
    for (int s = 0; s < S; ++s) {
        GptIntervention iv;
        iv.logits = GptLogits::last;
        for (int p = s0; p < s1; ++p) iv.noise_positions.push_back(p);
        iv.noise.resize(s1 - s0, d);   // (subject tokens, d): sample s, drawn row by row
        for (int r = 0; r < s1 - s0; ++r)
            for (int c = 0; c < d; ++c) iv.noise(r, c) = float(rng.normal() * scale);
        if (!gpt_forward(m.w, ids.data(), T, &iv, &corrupt, &err)) { out->error = err; return false; }
        out->p_corrupted += gpt_softmax(corrupt.logits.row(0))[ans] / S;
        for (int k = 0; k < 3; ++k) {
            for (int l = 0; l < L; ++l) {
                // The window: layers [l - win/2, l - win/2 + win) clipped, as ROME centres it.
                int lo = std::max(0, l - win / 2), hi = std::min(L, lo + win);
                for (int p = 0; p < T; ++p) {
                    GptIntervention ivp = iv;
                    for (int j = lo; j < hi; ++j) {
                        GptPatch patch;
                        patch.layer = j;
                        patch.position = p;
                        patch.site = sites[k];
                        const GptLayerCache& c = clean.layers[size_t(j)];
                        patch.value = (k == 0 ? c.resid_post : k == 1 ? c.mlp_out : c.attn_out).row(p);
                        ivp.patches.push_back(patch);
                    }
                    work = corrupt;
                    if (!gpt_forward_from(m.w, ids.data(), T, lo, p, &ivp, &work, &err)) { out->error = err; return false; }
                    (*maps[k])(p, l) += gpt_softmax(work.logits.row(0))[ans] / S;
                }
            }
        }
    }
    out->ok = true;
    out->ms = platform::now_ms() - t0;
    return true;
}

//-----------------------------------------------------------------------------
// [SECTION] Logit lens
//-----------------------------------------------------------------------------
TfLens tf_lens(const TfModel& m, const GptCache& cache, int answer) {
    TfLens out;
    if (!m.ok || cache.layers.empty()) return out;
    const int L = int(cache.layers.size()), T = cache.T, d = m.w.config.n_embd;
    const float eps = m.w.config.layer_norm_epsilon;
    out.cells.assign(size_t(L), std::vector<TfLensCell>(size_t(T)));
    out.answer_rank.assign(size_t(L), 0);
    out.answer_p.assign(size_t(L), 0.0f);
    GptRow x(d);
    for (int l = 0; l < L; ++l) {
        for (int t = 0; t < T; ++t) {
            const auto row = cache.layers[size_t(l)].resid_post.row(t);
            float mean = row.sum() / d, var = 0;
            for (int j = 0; j < d; ++j) var += (row[j] - mean) * (row[j] - mean);
            float rstd = 1.0f / std::sqrt(var / d + eps);
            for (int j = 0; j < d; ++j) x[j] = (row[j] - mean) * rstd * m.w.ln_f.weight[j] + m.w.ln_f.bias[j];
            Eigen::RowVectorXf logits = x * m.w.wte.transpose();   // (1, d)·(d, V) = (1, V)
            Eigen::VectorXf p = gpt_softmax(logits);
            Eigen::Index best = 0;
            p.maxCoeff(&best);
            out.cells[size_t(l)][size_t(t)] = {int(best), p[best]};
            if (t == T - 1 && answer >= 0 && answer < p.size()) {
                int rank = 1;
                for (Eigen::Index v = 0; v < p.size(); ++v) rank += p[v] > p[answer];
                out.answer_rank[size_t(l)] = rank;
                out.answer_p[size_t(l)] = p[answer];
            }
        }
    }
    out.ok = true;
    return out;
}

}  // namespace factlab
