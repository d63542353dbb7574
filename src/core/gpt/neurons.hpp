// neurons.hpp: the video's AND gate, looked for in the trained transformer.
//
// The cartoon stores "Michael Jordan plays basketball" in one neuron that fires for
// "Michael" AND "Jordan" and not for either alone. In the real model: at each layer's MLP,
// at the subject's last token, rank the neurons (post-GELU activations, mlp_post) by how
// much more they fire for the subject than for its near misses: the other subjects of the
// facts file with the same first word (Michael Phelps) or the same last word (DeAndre
// Jordan), in the same template. margin = activation(subject) - max over near misses (the
// activation itself when there is no near miss). Then switch the neurons off (activation
// 0, at the subject's last token), best first, and watch the answer's probability: the
// ablation curve, and how many neurons must go before the top token is no longer the
// answer. One clean AND neuron, or the fact spread over many: the numbers say which.
#pragma once
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"

namespace factlab {

struct GptNearMiss {
    std::string subject;
    std::string shares;               // "first", "last" or "both" (Michael B. Jordan)
    GptPrompt prompt;                 // the same template with this subject
};

// Subjects of `fs` sharing the first or the last word of `subject` (never the subject itself).
std::vector<std::string> gpt_near_miss_subjects(const FactSet& fs, const std::string& subject,
                                                std::vector<std::string>* shares = nullptr);

struct GptNeuronScore {
    int neuron = 0;                   // index in [0, n_inner): column of mlp.c_fc, row of mlp.c_proj
    float subject = 0.f;              // its activation for the subject
    float near_max = 0.f, near_mean = 0.f;   // over the near misses (0 when there are none)
    float margin = 0.f;
};

struct GptNeuronLayer {
    std::vector<GptNeuronScore> best;            // (k) by margin, largest first
    std::vector<float> best_near;                // (near misses) the best neuron's activation for each
    std::vector<float> ablation;                 // (n_inner + 1) answer probability with the n best neurons off
    int flip = -1;                               // the fewest neurons off for the top token to change; -1: never
};

struct GptNeuronReport {
    GptPrompt prompt;                            // the subject's prompt
    int position = 0;                            // the subject's last token
    int answer = -1;                             // the answer's first token (the fact's, else the model's top)
    float p_clean = 0.f;
    std::vector<GptNearMiss> near_misses;
    std::vector<GptNeuronLayer> layers;          // (L)
};

// `relation` picks the template (template_id of gpt_templates(relation)); k best neurons per layer.
bool gpt_and_neurons(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::string& subject,
                     const std::string& relation, int template_id, int k, GptNeuronReport* out, std::string* error);

}  // namespace factlab
