// lens.cpp: predictions, greedy generation and the logit lens (see lens.hpp).
#include "core/gpt/lens.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace factlab {

std::vector<GptTopToken> gpt_top_k(const Eigen::Ref<const Eigen::VectorXf>& probs, int k) {
    const int V = int(probs.size());
    k = std::max(0, std::min(k, V));
    std::vector<int> ids(static_cast<size_t>(V));
    std::iota(ids.begin(), ids.end(), 0);
    auto better = [&](int a, int b) { return probs[a] != probs[b] ? probs[a] > probs[b] : a < b; };
    std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), better);
    std::vector<GptTopToken> out;
    for (int i = 0; i < k; ++i) out.push_back({ids[size_t(i)], probs[ids[size_t(i)]]});
    return out;
}

int gpt_rank(const Eigen::Ref<const Eigen::VectorXf>& probs, int token) {
    if (token < 0 || token >= probs.size()) return -1;
    int r = 0;
    for (int i = 0; i < probs.size(); ++i) r += probs[i] > probs[token];
    return r;
}

bool gpt_predict(const GptWeights& w, const std::vector<int>& tokens, int k, GptPrediction* out, std::string* error) {
    GptCache cache;
    Eigen::VectorXf p;
    if (!gpt_next_probs(w, tokens.data(), int(tokens.size()), nullptr, &p, &cache, error)) return false;
    out->top = gpt_top_k(p, k);
    out->probs = std::move(p);
    return true;
}

bool gpt_generate(const GptWeights& w, const std::vector<int>& tokens, int end_id, int max_new, std::vector<int>* out,
                  std::string* error) {
    std::vector<int> seq = tokens, gen;
    GptCache cache;
    Eigen::VectorXf p;
    for (int n = 0; n < max_new && int(seq.size()) <= w.config.n_positions; ++n) {
        if (!gpt_next_probs(w, seq.data(), int(seq.size()), nullptr, &p, &cache, error)) return false;
        int best = 0;
        for (int i = 1; i < p.size(); ++i) if (p[i] > p[best]) best = i;
        gen.push_back(best);
        seq.push_back(best);
        if (best == end_id) break;
    }
    *out = std::move(gen);
    return true;
}

bool gpt_knows(const GptWeights& w, const GptPrompt& p, int end_id, bool* known, std::vector<int>* continuation,
               std::string* error) {
    std::vector<int> gen;
    if (!gpt_generate(w, p.tokens, end_id, int(p.answer.size()), &gen, error)) return false;
    *known = gen == p.answer;
    if (continuation) *continuation = std::move(gen);
    return true;
}

Eigen::RowVectorXf gpt_unembed(const GptWeights& w, const Eigen::Ref<const GptRow>& x) {
    // LayerNorm written as model.cpp's (the same float operations in the same order).
    const int d = int(x.size());
    GptRow y(d);
    float mean = 0.f;
    for (int c = 0; c < d; ++c) mean += x[c];
    mean /= float(d);
    float var = 0.f;
    for (int c = 0; c < d; ++c) { const float z = x[c] - mean; var += z * z; }
    var /= float(d);
    const float s = 1.f / std::sqrt(var + w.config.layer_norm_epsilon);
    for (int c = 0; c < d; ++c) y[c] = (x[c] - mean) * s * w.ln_f.weight[c] + w.ln_f.bias[c];
    return gpt_unembed_row(w, y);
}

bool gpt_logit_lens(const GptWeights& w, const std::vector<int>& tokens, int answer, int k, GptLens* out,
                    std::string* error) {
    GptCache cache;
    const int T = int(tokens.size());
    if (!gpt_forward(w, tokens.data(), T, nullptr, &cache, error)) return false;
    const int V = w.config.vocab_size;
    if (answer >= V) { if (error) *error = "answer token out of range"; return false; }
    if (answer < 0) {
        Eigen::VectorXf p = gpt_softmax(cache.logits.row(0));
        answer = gpt_top_k(p, 1)[0].token;
    }
    GptLens lens;
    lens.tokens = tokens;
    lens.answer = answer;
    for (int l = 0; l < w.config.n_layer; ++l) {
        GptLensLayer layer;
        for (int t = 0; t < T; ++t) {
            Eigen::VectorXf p = gpt_softmax(gpt_unembed(w, cache.layers[size_t(l)].resid_post.row(t)));
            layer.top.push_back(gpt_top_k(p, k));
            if (t == T - 1) {
                layer.answer_probability = p[answer];
                layer.answer_rank = gpt_rank(p, answer);
            }
        }
        lens.layers.push_back(std::move(layer));
    }
    *out = std::move(lens);
    return true;
}

}  // namespace factlab
