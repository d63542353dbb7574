// reference.hpp: the plain, obviously correct GPT-2 forward and backward, in double
// precision, one sequence at a time, written straight from the formulas. It is slow on
// purpose; the tests hold the fast path (model.cpp) to it, and finite differences hold
// it to the loss.
#pragma once
#include <vector>
#include <Eigen/Dense>
#include "core/gpt/model.hpp"

namespace factlab {

// Every tensor of GptWeights::tensors(), in that order, as a double matrix (vectors are (1, n)).
struct GptRefWeights {
    GptConfig config;
    std::vector<Eigen::MatrixXd> t;
    static GptRefWeights from(const GptWeights& w);
};

// One sequence's intermediates (the fields the tests compare with GptCache).
struct GptRefCache {
    std::vector<Eigen::MatrixXd> resid_post, attn_out, mlp_pre, mlp_post, mlp_out;   // (L) x (T, d|F)
    std::vector<std::vector<Eigen::MatrixXd>> pattern;                               // (L) x (H) x (T, T)
    Eigen::MatrixXd ln_f;                                                             // (T, d)
    Eigen::MatrixXd logits;                                                           // (T, V) every position
};

// Forward of one prompt with the same interventions as gpt_forward (logits at every position).
void gpt_reference_forward(const GptRefWeights& w, const std::vector<int>& tokens, const GptIntervention* iv,
                           GptRefCache* out);

// Summed cross-entropy of a batch (as gpt_loss_and_grad) and, when grad is not null, its
// gradient for every tensor (same order and shapes as w.t).
double gpt_reference_loss_and_grad(const GptRefWeights& w, const GptBatch& batch, std::vector<Eigen::MatrixXd>* grad);

}  // namespace factlab
