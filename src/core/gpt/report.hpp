// report.hpp: the analyses as JSON, the exact objects `factlab-cli gpt ... --json` prints, so
// the page's factlab.gpt.* functions can return the same text for the same model and seed.
// Tokens are shown as words (GptVocab::words); probabilities as JSON numbers (float -> double).
#pragma once
#include <string>
#include <vector>
#include "core/gpt/knockout.hpp"
#include "core/gpt/lens.hpp"
#include "core/gpt/neurons.hpp"
#include "core/gpt/prompts.hpp"
#include "core/gpt/rome.hpp"
#include "core/gpt/trace.hpp"

namespace factlab {

// {"prompts": [{"prompt", "answer", "relation", "subject", "held_out"}]}
std::string gpt_prompts_json(const std::vector<GptPrompt>& ps);
// {"prompt", "tokens", "top": [{"token", "probability"}], "greedy"}
std::string gpt_predict_json(const GptVocab& v, const std::vector<int>& tokens, const GptPrediction& p,
                             const std::vector<int>& greedy);
// {"prompt", "tokens", "generated", "generated_tokens"}
std::string gpt_generate_json(const GptVocab& v, const std::vector<int>& tokens, const std::vector<int>& gen);
// {"tokens", "answer", "layers": [{"top" (last position), "answer_probability", "answer_rank",
//  "positions": [[{"token", "probability"}] per position]}]}; the last layer is the model's output.
std::string gpt_lens_json(const GptVocab& v, const GptLens& lens);
// {"tokens", "subject_range": [first, end), "answer", "p_clean", "p_corrupted", "hidden", "mlp",
//  "attn" ([position][layer]), "samples", "window", "seed", "noise_sd", "embedding_std"}
std::string gpt_trace_json(const GptVocab& v, const GptTrace& t, uint64_t seed, bool explicit_noise);
// {"tokens", "subject_range", "answer", "p_clean", "window", "layers": [{"p_blocked", "change"}]}
std::string gpt_knockout_json(const GptVocab& v, const GptKnockoutResult& k);
// {"prompt", "subject", "relation", "position", "answer", "p_clean", "near_misses": [{"subject",
//  "shares"}], "layers": [{"best": [{"neuron", "subject", "near_max", "near_mean", "margin"}],
//  "best_near": [...], "ablation": [...], "flip"}]}
std::string gpt_neurons_json(const GptVocab& v, const GptNeuronReport& r);
// {"subject", "relation", "old_object", "new_object", "layer", "layer_by_trace", "layer_effects",
//  "before", "rome", "finetune" (each {"efficacy", "paraphrase", "specificity", "n_paraphrase",
//  "n_specificity", "p_new", "p_edit", "p_paraphrase", "specificity_drop", "changed"}
//  + "steps", "loss"), "delta_norm", "v_loss", "update_norm", "paraphrase_prompts", "specificity_prompts"}
std::string gpt_edit_json(const GptEditResult& r);

}  // namespace factlab
