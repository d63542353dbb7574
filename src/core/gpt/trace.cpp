// trace.cpp: ROME's causal tracing (see trace.hpp).
#include "core/gpt/trace.hpp"

#include <algorithm>
#include <cmath>
#include "core/rng.hpp"

namespace factlab {

namespace {

bool fail(std::string* error, const std::string& m) { if (error) *error = m; return false; }

float answer_prob(const GptCache& c, int answer) { return gpt_softmax(c.logits.row(0))[answer]; }

}  // namespace

float gpt_embedding_std(const GptWeights& w) {
    const int64_t n = w.wte.size();
    if (n == 0) return 0.f;
    const float* p = w.wte.data();
    double mean = 0.0;
    for (int64_t i = 0; i < n; ++i) mean += p[i];
    mean /= double(n);
    double var = 0.0;
    for (int64_t i = 0; i < n; ++i) var += (p[i] - mean) * (p[i] - mean);
    return float(std::sqrt(var / double(n)));
}

std::vector<GptMatrix> gpt_trace_noise(const GptWeights& w, int samples, int subject_tokens, float sd, uint64_t seed) {
    Rng rng(seed);
    std::vector<GptMatrix> out(size_t(std::max(0, samples)));
    for (GptMatrix& m : out) {
        m.resize(subject_tokens, w.config.n_embd);                       // (S, d)
        for (int i = 0; i < m.rows(); ++i)
            for (int c = 0; c < m.cols(); ++c) m(i, c) = float(double(sd) * rng.normal());
    }
    return out;
}

bool gpt_trace(const GptWeights& w, const std::vector<int>& tokens, int subject_first, int subject_end,
               const GptTraceOptions& o, GptTrace* out, std::string* error) {
    const int T = int(tokens.size()), L = w.config.n_layer, d = w.config.n_embd, V = w.config.vocab_size;
    if (subject_first < 0 || subject_end > T || subject_first >= subject_end)
        return fail(error, "the subject range [" + std::to_string(subject_first) + ", " + std::to_string(subject_end) +
                               ") is not inside the prompt's " + std::to_string(T) + " tokens");
    if (o.window < 1 || o.window > L) return fail(error, "the window must be from 1 to the " + std::to_string(L) + " layers");
    if (!std::isfinite(o.noise_multiplier) || o.noise_multiplier < 0.f || o.noise_multiplier > 1000.f)
        return fail(error, "the noise multiplier must be from 0 to 1000");
    if (o.answer >= V) return fail(error, "the answer token " + std::to_string(o.answer) + " is out of range");
    const int S = subject_end - subject_first;
    if (o.noise.empty() && (o.samples < 1 || o.samples > 10000)) return fail(error, "samples must be from 1 to 10000");
    if (o.noise.size() > 10000) return fail(error, "at most 10000 noise samples");
    for (size_t s = 0; s < o.noise.size(); ++s) {
        if (o.noise[s].rows() != S || o.noise[s].cols() != d)
            return fail(error, "noise sample " + std::to_string(s) + " is (" + std::to_string(o.noise[s].rows()) + ", " +
                                   std::to_string(o.noise[s].cols()) + "); the subject needs (" + std::to_string(S) + ", " +
                                   std::to_string(d) + ")");
        if (!o.noise[s].allFinite()) return fail(error, "noise sample " + std::to_string(s) + " holds NaN or infinity");
    }

    GptCache clean;
    if (!gpt_forward(w, tokens.data(), T, nullptr, &clean, error)) return false;
    GptTrace r;
    r.tokens = tokens;
    r.subject_first = subject_first;
    r.subject_end = subject_end;
    {
        Eigen::VectorXf p = gpt_softmax(clean.logits.row(0));
        r.answer = o.answer;
        if (r.answer < 0) { r.answer = 0; for (int i = 1; i < V; ++i) if (p[i] > p[r.answer]) r.answer = i; }
        r.p_clean = p[r.answer];
    }
    r.embedding_std = gpt_embedding_std(w);
    r.window = o.window;
    std::vector<GptMatrix> drawn;
    if (o.noise.empty()) {
        r.noise_sd = o.noise_multiplier * r.embedding_std;
        drawn = gpt_trace_noise(w, o.samples, S, r.noise_sd, o.seed);
    }
    const std::vector<GptMatrix>& noise = o.noise.empty() ? drawn : o.noise;
    r.samples = int(noise.size());

    // One accumulator per map, in double; samples added in order.
    const bool want[3] = {o.hidden, o.mlp, o.attn};
    const GptSite site[3] = {GptSite::resid_post, GptSite::mlp_out, GptSite::attn_out};
    Eigen::MatrixXd acc[3];
    for (int k = 0; k < 3; ++k) if (want[k]) acc[k] = Eigen::MatrixXd::Zero(T, L);
    double p_corrupted = 0.0;

    GptIntervention cell;
    cell.noise_positions.resize(size_t(S));
    for (int i = 0; i < S; ++i) cell.noise_positions[size_t(i)] = subject_first + i;
    GptCache corr, work;
    for (const GptMatrix& sample : noise) {
        cell.noise = sample;
        cell.patches.clear();
        if (!gpt_forward(w, tokens.data(), T, &cell, &corr, error)) return false;
        const float pc = answer_prob(corr, r.answer);
        p_corrupted += pc;
        for (int k = 0; k < 3; ++k) {
            if (!want[k]) continue;
            // Layers from the last down, positions from the last down: each cell recomputes a
            // superset of the rows and layers the cell before it touched, so `work` needs a
            // fresh copy of the corrupted run only once per layer.
            for (int l = L - 1; l >= 0; --l) {
                const int lo = k == 0 ? l : std::max(0, l - o.window / 2);
                const int hi = k == 0 ? l + 1 : std::min(L, l + o.window - o.window / 2);
                if (!o.naive) work = corr;
                for (int i = T - 1; i >= 0; --i) {
                    if (!o.naive && i < subject_first) { acc[k](i, l) += pc; continue; }   // noise not here yet
                    cell.patches.clear();
                    for (int ll = lo; ll < hi; ++ll) {
                        const GptLayerCache& c = clean.layers[size_t(ll)];
                        const GptMatrix& src = k == 0 ? c.resid_post : k == 1 ? c.mlp_out : c.attn_out;
                        cell.patches.push_back({ll, i, site[k], src.row(i)});
                    }
                    const bool ok = o.naive ? gpt_forward(w, tokens.data(), T, &cell, &work, error)
                                            : gpt_forward_from(w, tokens.data(), T, lo, i, &cell, &work, error);
                    if (!ok) return false;
                    acc[k](i, l) += answer_prob(work, r.answer);
                }
            }
        }
    }
    const double n = double(noise.size());
    r.p_corrupted = float(p_corrupted / n);
    if (want[0]) r.hidden = (acc[0] / n).cast<float>();
    if (want[1]) r.mlp = (acc[1] / n).cast<float>();
    if (want[2]) r.attn = (acc[2] / n).cast<float>();
    *out = std::move(r);
    return true;
}

}  // namespace factlab
