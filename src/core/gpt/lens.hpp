// lens.hpp: what the transformer predicts, and where in its layers the answer appears.
//
// [SECTION] predict   next-token distribution, greedy generation, "is the fact known"
// [SECTION] lens      the logit lens (nostalgebraist 2020): each block's output through ln_f
//                     and the unembedding (wte^T), at every position
#pragma once
#include <string>
#include <vector>
#include <Eigen/Core>
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"

namespace factlab {

// ---- [SECTION] predict ------------------------------------------------------------------
struct GptTopToken {
    int token = 0;
    float probability = 0.f;
};
// The k most probable tokens, most probable first (ties: the smaller id first).
std::vector<GptTopToken> gpt_top_k(const Eigen::Ref<const Eigen::VectorXf>& probs, int k);
// Rank of `token` in `probs`: 0 when it is the most probable (ties counted in its favour).
int gpt_rank(const Eigen::Ref<const Eigen::VectorXf>& probs, int token);

struct GptPrediction {
    Eigen::VectorXf probs;            // (V) softmax of the last position's logits
    std::vector<GptTopToken> top;     // (k)
};
bool gpt_predict(const GptWeights& w, const std::vector<int>& tokens, int k, GptPrediction* out, std::string* error);

// Greedy continuation: appends the most probable token until the end token (kept), max_new
// tokens, or a full context. *out holds only the new tokens.
bool gpt_generate(const GptWeights& w, const std::vector<int>& tokens, int end_id, int max_new, std::vector<int>* out,
                  std::string* error);
// A fact is known when the greedy continuation is the whole answer: the object, then the end token.
bool gpt_knows(const GptWeights& w, const GptPrompt& p, int end_id, bool* known, std::vector<int>* continuation,
               std::string* error);

// ---- [SECTION] lens ---------------------------------------------------------------------
struct GptLensLayer {
    std::vector<std::vector<GptTopToken>> top;   // (T) x (k) top tokens at each position
    float answer_probability = 0.f;              // at the last position
    int answer_rank = 0;                         // at the last position (0: the top token)
};
struct GptLens {
    std::vector<int> tokens;                     // (T)
    int answer = -1;                             // the token followed (the model's own top token when not given)
    std::vector<GptLensLayer> layers;            // (L): layer l reads block l's output; the last is the model's output
};
// answer < 0: the model's most probable next token. k top tokens per cell.
bool gpt_logit_lens(const GptWeights& w, const std::vector<int>& tokens, int answer, int k, GptLens* out,
                    std::string* error);
// ln_f(x) W_E^T for one residual row, in the model's own order of operations (so the last
// block's output gives exactly the model's logits).  x (d) -> (V)
Eigen::RowVectorXf gpt_unembed(const GptWeights& w, const Eigen::Ref<const GptRow>& x);

}  // namespace factlab
