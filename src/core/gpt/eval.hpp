// eval.hpp: which facts the transformer knows, and greedy generation.
//
// A fact counts as known when the greedy continuation of its prompt is the whole object
// and then the end token. That is checked teacher-forced: one forward pass over prompt +
// answer, and the argmax at each answer position must be the answer's next token (ties go
// to the lower id, as in gpt_greedy). If every argmax matches, greedy decoding produces
// exactly the answer; if one does not, greedy decoding leaves the answer there.
#pragma once
#include <string>
#include <vector>
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"
#include "core/gpt/train.hpp"

namespace factlab {

// prompt + answer tokens (answer then end token), the answer tokens marked as targets.
GptSequence gpt_sequence(const GptPrompt& p);
// The sequences of the prompts on the training templates (held-out templates left out).
std::vector<GptSequence> gpt_training_sequences(const std::vector<GptPrompt>& prompts);

struct GptEvalResult {
    int train_prompts = 0, train_correct = 0;       // prompts on the training templates
    int held_out_prompts = 0, held_out_correct = 0; // prompts on the held-out template
    std::vector<char> known;                        // (prompts) 1 when the prompt's answer is known
    double accuracy() const { return train_prompts ? double(train_correct) / train_prompts : 0.0; }
    double held_out_accuracy() const { return held_out_prompts ? double(held_out_correct) / held_out_prompts : 0.0; }
};

// Every prompt's known/unknown, in packed batches of `batch` prompts.
GptEvalResult gpt_evaluate(const GptWeights& w, const std::vector<GptPrompt>& prompts, int batch = 256);

// Greedy continuation: up to max_new tokens, stopping after end_id (included). False with a
// message when the prompt is empty or would outgrow the context before max_new tokens.
bool gpt_greedy(const GptWeights& w, const std::vector<int>& prompt, int max_new, int end_id,
                std::vector<int>* out, std::string* error);

}  // namespace factlab
