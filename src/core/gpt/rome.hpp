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
// The naive fine-tune, the baseline with the same budget: Adam (lr 1e-2) on the same layer's
// c_proj.weight alone (all F x d of it), on the same edit sentence, with the same loss (the
// new object's NLL) and the same stop (summed NLL < v_stop), and at most as many Adam steps as
// ROME's delta may take (ft_steps = v_steps = 200 by default). 0 steps leaves the model as it was.
//
// The layer: `layer` >= 0 is used as given; -1 picks it as ROME did (Meng et al. 2022 chose
// GPT-2 XL's layer 17 where causal tracing's MLP effect at the subject's last token peaks):
// the causal trace (trace.hpp: 10 samples, noise 3 sigma, seed 1) of the edit prompt, the MLP
// map's row at the subject's last token, the layer where restoring it brings back the most.
//
// The scores (efficacy, paraphrase, specificity and its drop) are edit_eval.hpp's.
//
// GptEditJob runs the edit in small steps (one training row of C, one Adam step, one prompt
// scored) so a page can spread it over frames; gpt_rome_edit runs the same job to the end, so
// the two give the same numbers. C depends only on the model and the layer: a caller that
// edits again passes the job's covariance back in (tested equal to computing it anew).
#pragma once
#include <cstdint>
#include <string>
#include <Eigen/Core>
#include <vector>
#include "core/facts.hpp"
#include "core/gpt/edit_eval.hpp"
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"

namespace factlab {

struct GptEditOptions {
    int layer = -1;                   // the MLP rewritten; -1: chosen by the causal trace
    int v_steps = 200;                // Adam steps for delta (stops early at loss < v_stop)
    float v_lr = 0.05f;
    float v_decay = 1e-3f;            // weight of |delta|^2 in the loss
    float v_stop = 0.05f;             // summed NLL of the answer tokens at which delta is good enough
    int ft_steps = 200;               // naive fine-tune: Adam steps at most (0: the model unchanged)
    float ft_lr = 1e-2f;
    bool edit_key = false;            // Lambda from the edit prompt's key (ROME's code) instead of k*
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
    bool layer_by_trace = false;      // the layer was chosen by the trace
    std::vector<float> layer_effects; // (L) the trace's MLP map at the subject's last token (when by the trace)
    GptEditScores before;             // the unedited model's numbers
    GptEditOutcome rome, finetune;
    float delta_norm = 0.f;           // |v* - mlp_out| at the edit prompt
    float v_loss = 0.f;               // NLL of the new object with v* patched in (before the weights change)
    float update_norm = 0.f;          // Frobenius norm of ROME's rank-one update
    std::vector<std::string> paraphrase_prompts, specificity_prompts;
};

// The key covariance of one layer: C = K K^T / N + ridge over every position of every training
// row (the held-out template left out).  C (F, F)
struct GptKeyCovariance {
    int layer = -1;
    int64_t positions = 0;            // N
    Eigen::MatrixXd C;
};

// The layer ROME's rule picks for (subject, relation): see above. effects (L) when not null.
bool gpt_rome_layer(const GptWeights& w, const GptVocab& vocab, const std::string& subject, const std::string& relation,
                    int* layer, std::vector<float>* effects, std::string* error);

class GptEditJob {
public:
    // Checks the request and builds the prompts; false with a message (and nothing to run).
    // A covariance in `known` (of the same model) at the edit's layer is used instead of computing C.
    bool start(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::string& subject,
               const std::string& relation, const std::string& new_object, const GptEditOptions& options,
               std::string* error, const std::vector<GptKeyCovariance>& known = {});
    // One unit of work. False on an error (the job is then over, failed() true).
    bool step(std::string* error);
    bool done() const { return phase_ == Phase::done; }
    bool failed() const { return failed_; }
    double progress() const;          // 0..1, an estimate (Adam may stop early)
    const char* phase_name() const;   // what it is doing now, for a progress bar
    int layer() const { return r_.layer; }
    const GptEditResult& result() const { return r_; }
    GptEditResult& result() { return r_; }
    const GptKeyCovariance& covariance() const { return cov_; }
    bool computed_covariance() const { return cov_computed_; }   // false: C came from `known`

private:
    enum class Phase { before, covariance, key, delta, rome_score, finetune, finetune_score, done };
    bool begin_scoring(const GptWeights& w, GptEditScores* s, std::string* error);
    bool score_one(const GptWeights& w, GptEditScores* s, bool* finished, std::string* error);
    Phase phase_ = Phase::done;
    bool failed_ = false;
    bool cov_computed_ = false;
    GptWeights w_;
    GptVocab vocab_;
    GptEditOptions o_;
    GptEditProbe probe_;
    GptEditResult r_;
    GptKeyCovariance cov_;
    std::vector<GptPrompt> train_;
    size_t index_ = 0;                // the unit within the phase
    std::vector<std::vector<int>> now_;
    std::vector<float> p_now_;
    std::vector<int> in_, tg_;        // the edit prompt's training row
    GptRow mlp_out0_, delta_;         // (d)
    Eigen::VectorXd kstar_, kedit_;   // (F)
    std::vector<float> am_, av_;      // Adam's moments (delta, then the fine-tune's weights)
    int adam_t_ = 0, steps_ = 0;
    double b1t_ = 1.0, b2t_ = 1.0;   // Adam's beta^t
    size_t units_ = 0, units_total_ = 1;
};

// Edits (subject, relation) -> new_object: GptEditJob to the end. The subject and the relation
// must be in `fs` (the training prompts and neighbours come from it), every word of the new
// object in `vocab`, and the new object must differ from the stored one. *out untouched on failure.
bool gpt_rome_edit(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::string& subject,
                   const std::string& relation, const std::string& new_object, const GptEditOptions& options,
                   GptEditResult* out, std::string* error, const std::vector<GptKeyCovariance>& known = {});

// Summed NLL over `targets` (-1: no loss) and its gradient with respect to block `layer`'s
// output (resid_post, (T, d)) for a forward with `iv` (its patches, knockouts and ablations
// must sit at layers <= layer). The backward ROME's delta needs; exposed for its test.
bool gpt_resid_grad(const GptWeights& w, const std::vector<int>& tokens, const std::vector<int>& targets, int layer,
                    const GptIntervention* iv, double* loss, GptMatrix* grad, GptCache* cache, std::string* error);

}  // namespace factlab
