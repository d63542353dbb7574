// tfmodel.hpp: the one place the transformer lab reaches into src/core/gpt beyond
// the model and the tokenizer: loading the built-in model and the analyses the
// views draw. The views use these types, so a change in the core's API is fixed here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <Eigen/Core>
#include "ui/transformer/tflab.hpp"

namespace factlab {

// The built-in transformer (embedded in the core library) with its vocabulary and
// the facts it was trained on. False with a message when the build has none.
bool tf_load_builtin(TfModel* m, std::string* error);

// ---- causal tracing (ROME, Meng et al. 2022, Figure 1) --------------------------------
struct TfTraceOptions {
    double noise = kTfNoise;            // in units of σ, the standard deviation of wte's entries
    int samples = kTfSamples;           // noise samples averaged
    int window = 1;                     // layers restored at once
    uint64_t seed = 1;
};
struct TfTrace {
    bool ok = false;
    std::string error;
    std::vector<std::string> tokens;    // (T)
    int subject_first = 0, subject_end = 0;   // [first, end): the noised positions
    int answer = -1;                    // the clean run's top token id: its probability is measured
    std::string answer_text;
    double p_clean = 0, p_corrupted = 0;
    Eigen::MatrixXf hidden, mlp, attn;  // (T, L) answer probability with that (position, layer) restored
    double ms = 0;                      // how long it took
};
bool tf_trace(const TfModel& m, const std::vector<int>& ids, int subject_first, int subject_end,
              const TfTraceOptions& opt, TfTrace* out);

// ---- logit lens (nostalgebraist 2020) -------------------------------------------------
struct TfLensCell {
    int top = -1;                       // the top token after ln_f and the unembedding
    float p = 0;                        // its probability
};
struct TfLens {
    bool ok = false;
    std::vector<std::vector<TfLensCell>> cells;   // [layer][position] after block `layer`
    std::vector<int> answer_rank;       // [layer] rank (1 = top) of the answer at the last position
    std::vector<float> answer_p;        // [layer] its probability there
};
// Each block's output through ln_f and wte, at every position (gpt_logit_lens).
TfLens tf_lens(const TfModel& m, const std::vector<int>& ids, int answer);

}  // namespace factlab
