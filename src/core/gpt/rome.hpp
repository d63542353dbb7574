// rome.hpp: ROME (Meng et al. 2022) on the transformer: rewrite one fact with a rank-one
// update of one layer's mlp.c_proj (the video's W_down), beside a naive fine-tune.
//
// In the column-vector notation of the paper (W_down (d, F), keys k (F)):
//   k*  the MLP's key (post-GELU activation, mlp_post) at the subject's last token, averaged
//       over the relation's three training templates
//   v*  the MLP output at the subject's last token of the edit prompt (template 0) that makes
//       the model say the new object: mlp_out + delta, delta found by Adam on the negative
//       log-likelihood of the new object's tokens and the end token (+ decay |delta|^2)
//   C   = K K^T / N, the keys at every position of every training row (prompt + answer),
//       plus a small ridge (1e-3 x trace(C) / F) so it is always invertible
//   W' = W + Lambda (C^-1 k*)^T,  Lambda = (v* - (W k* + b)) / ((C^-1 k*)^T k*)
// so W' k* + b = v* exactly. The weights are stored (in, out) (c_proj.weight (F, d) = W^T),
// so the update written to the file is c_proj.weight += (C^-1 k*) Lambda^T, an (F) x (d)
// outer product.
//
// The naive fine-tune: Adam on the same layer's c_proj.weight alone, on the one edit prompt,
// until it says the new object (or the step budget ends).
//
// CounterFact's three numbers (each a fraction, greedy continuation = the whole object, then
// the end token): efficacy (the edit prompt says the new object), paraphrase (the
// relation's other templates, the held-out one included, do too), specificity (the near
// misses' prompts of the same relation, every template, continue as they did before the
// edit; when the subject has no near miss with that relation, the first 10 other subjects
// with it).
#pragma once
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"

namespace factlab {

struct GptEditOptions {
    int layer = 0;                    // the MLP rewritten
    int v_steps = 200;                // Adam steps for delta (stops early at loss < v_stop)
    float v_lr = 0.05f;
    float v_decay = 1e-3f;            // weight of |delta|^2 in the loss
    float v_stop = 0.05f;             // summed NLL of the answer tokens at which delta is good enough
    int ft_steps = 200;               // naive fine-tune: Adam steps at most
    float ft_lr = 1e-2f;
    bool edit_key = false;            // Lambda from the edit prompt's key (ROME's code) instead of k*
};

struct GptEditScores {
    float efficacy = 0.f, paraphrase = 0.f, specificity = 0.f;
    int n_paraphrase = 0, n_specificity = 0;
    float p_new = 0.f;                // the new object's first token's probability on the edit prompt
};

struct GptEditOutcome {
    GptWeights weights;               // the edited model
    GptEditScores scores;
    int steps = 0;                    // Adam steps used (delta for ROME, the weights for the fine-tune)
    float loss = 0.f;                 // final NLL of the new object on the edit prompt
};

struct GptEditResult {
    std::string subject, relation, old_object, new_object;   // old_object empty when the file has no such fact
    int layer = 0;
    GptEditScores before;             // the unedited model's numbers
    GptEditOutcome rome, finetune;
    float delta_norm = 0.f;           // |v* - mlp_out| at the edit prompt
    float v_loss = 0.f;               // NLL of the new object with v* patched in (before the weights change)
    float update_norm = 0.f;          // Frobenius norm of ROME's rank-one update
    std::vector<std::string> paraphrase_prompts, specificity_prompts;
};

// Edits (subject, relation) -> new_object. The training prompts come from `fs`; every word of
// the subject and the new object must be in `vocab`. *out untouched on failure.
bool gpt_rome_edit(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::string& subject,
                   const std::string& relation, const std::string& new_object, const GptEditOptions& options,
                   GptEditResult* out, std::string* error);

// Summed NLL over `targets` (-1: no loss) and its gradient with respect to block `layer`'s
// output (resid_post, (T, d)) for a forward with `iv` (its patches, knockouts and ablations
// must sit at layers <= layer). The backward ROME's delta needs; exposed for its test.
bool gpt_resid_grad(const GptWeights& w, const std::vector<int>& tokens, const std::vector<int>& targets, int layer,
                    const GptIntervention* iv, double* loss, GptMatrix* grad, GptCache* cache, std::string* error);

}  // namespace factlab
