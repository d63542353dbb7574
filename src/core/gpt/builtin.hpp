// builtin.hpp: the recipe of the built-in transformer and the model that ships with factlab.
//
// The built-in model IS the output of one command (docs/gpt.md):
//   factlab-cli gpt train --dtype f16 --out src/core/data/gpt
// i.e. gpt_builtin_recipe() trained on the built-in athletes, its weights then rounded to
// float16 (the shipped values; every accuracy is measured after rounding). Its three files
// (config.json, vocab.json, model.safetensors in F16) are embedded in the core library, so
// the CLI, the tests and the page all have it without a download.
#pragma once
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/gpt/checkpoint.hpp"
#include "core/gpt/prompts.hpp"
#include "core/gpt/train.hpp"

namespace factlab {

struct GptRecipe {
    int n_layer = 2, n_head = 4, n_embd = 64, n_inner = 256;
    int min_context = 16;             // n_positions = max(min_context, the longest training row)
    GptTrainConfig train;             // steps 400, batch 256, lr 3e-3, seed 1 unless changed
    bool round_fp16 = true;           // round the trained weights to float16 values
};
GptRecipe gpt_builtin_recipe();

// What training on a facts file needs: its vocabulary, every prompt (held-out ones too),
// the model's config, and the training sequences (training templates only).
struct GptTrainingSet {
    GptVocab vocab;
    std::vector<GptPrompt> prompts;
    GptConfig config;
    std::vector<GptSequence> sequences;
};
bool gpt_prepare(const FactSet& fs, const GptRecipe& r, GptTrainingSet* out, std::string* error);

// Rounds every weight to the nearest float16 value (kept as float).
void gpt_round_fp16(GptWeights* w);

// Trains a recipe to the end in one call (the CLI and the reproduction test use it).
// progress(step, loss), when given, is called after every step.
bool gpt_train_recipe(const FactSet& fs, const GptRecipe& r, GptModel* out, std::string* error,
                      void (*progress)(int step, double loss, void* ctx) = nullptr, void* ctx = nullptr);

// The shipped model (decoded once from the embedded files; its facts are the built-in set).
// Null, with a message, if the embedded files did not decode (a build problem).
const GptModel* gpt_builtin_model(std::string* error = nullptr);

}  // namespace factlab
