// tflab.hpp: the "Inside a transformer" lab's runtime state, shared by its views
// (prompt, trace, lens, attention, ...).
//
// The model is the built-in transformer of src/core/gpt (GPT-2's architecture in
// miniature, trained on the built-in athletes by `factlab-cli gpt train`). It is
// loaded the first time a view of this lab draws, so the other labs' first frame
// does not pay for it. A view asks for the current prompt's run (tflab_run): the
// words, the ids, one clean forward with every intermediate cached, the next-token
// distribution and the greedy answer; it is recomputed only when the prompt or the
// model changes. Heavier analyses (the trace) cache their own results by key.
//
// URL state (keys start with tf_):
//   tf_prompt    the prompt ("Michael Jordan plays the sport of")
//   tf_layer     the layer the attention view shows (0-based)
//   tf_head      the head the attention view shows (0-based)
//   tf_noise     the trace's noise in units of the embeddings' σ (ROME: 3)
//   tf_samples   the trace's noise samples (ROME: 10)
//   tf_seed      the trace's noise seed
//   tf_k         the wild view's ablation curve: neurons switched off (default every one)
//   tf_edit_subject, tf_edit_relation, tf_edit_object, tf_edit_method (rome | finetune),
//   tf_edit_layer   the edit view (view_tfedit.cpp): its edit becomes the lab's model
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <Eigen/Core>
#include "core/facts.hpp"
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"
#include "ui/common/slice.hpp"
#include "ui/transformer/tftrain.hpp"

namespace factlab {

struct App;

constexpr const char* kTfDefaultPrompt = "Michael Jordan plays the sport of";
constexpr double kTfNoise = 3.0;        // ROME: ν = 3σ
constexpr int kTfSamples = 10;          // ROME averages over noise samples
constexpr int kTfMaxSamples = 50;

// The transformer the lab shows.
struct TfModel {
    bool loaded = false;                // tried (ok or not)
    bool ok = false;
    std::string error;                  // why there is no model
    std::string name;                   // "built-in (athletes)"
    GptWeights w;
    GptVocab vocab;
    FactSet facts;                      // the facts it was trained on (subjects, near misses)
    unsigned version = 0;               // bumps when the weights change
};

// One clean run of the current prompt.
struct TfRun {
    std::string prompt;                 // as typed (state tf_prompt)
    unsigned model_version = ~0u;
    bool ok = false;
    std::string error;                  // unknown words, empty prompt, too long
    std::vector<std::string> words;     // the prompt split into words (also when unknown)
    std::vector<int> ids;               // (T) token ids
    int subject_first = -1, subject_end = -1;   // [first, end) a known subject, or -1
    std::string subject;                // its name, "" when none
    GptCache cache;                     // every intermediate of the clean run
    Eigen::VectorXf probs;              // (V) next-token distribution
    std::vector<int> top;               // ids by probability, the first few
    std::vector<int> greedy;            // greedy continuation up to the end token (or a limit)
    std::string greedy_text;            // decoded, without the end token
    bool greedy_ended = false;          // stopped at the end token
};

struct TfLab {
    TfModel model;
    TfRun run;
    std::string run_key;
    TfTraining training;
    bool train_autostarted = false;     // tf_train=1 started it (once per page)
};

TfLab& tflab(App& a);
// The lab's model, loaded on first use.
const TfModel& tflab_model(App& a);
// The current prompt's clean run (cached; recomputed when the prompt or model changes).
const TfRun& tflab_run(App& a);
// Runs `prompt` through the model (no cache): what tflab_run does.
void tflab_compute_run(const TfModel& m, const FactSet& facts, const std::string& prompt, TfRun* out);

// tflab_tick, tflab_start_training, tflab_use_trained: tftrain.hpp.

std::string tflab_prompt(const App& a);   // state tf_prompt, or the default
// "2 layers, d_model 64, 4 heads, MLP 256, 143,000 weights": for every figure's caption.
std::string tflab_model_caption(const TfModel& m);
// The token as shown on a chip or a cell ("<|endoftext|>" as "⏎ end").
std::string tflab_token(const TfModel& m, int id);

}  // namespace factlab
