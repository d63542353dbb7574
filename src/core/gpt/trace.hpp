// trace.hpp: causal tracing as in ROME (Meng et al. 2022, Figure 1), on the transformer.
//
// Run the prompt clean; run it again with Gaussian noise added to the subject tokens' input
// embeddings (wte rows, before wpe is added; sd = 3 x the standard deviation of every entry
// of wte); then, one (position, layer) cell at a time, copy the clean value into the
// corrupted run and measure the probability of the answer's first token, averaged over the
// noise samples. Three maps:
//   hidden  the block's output (resid_post) at that layer only (as ROME's hidden-state map)
//   mlp     the MLP outputs (mlp_out) of a window of layers around it
//   attn    the attention outputs (attn_out) of the same window
// The window is ROME's: layers [max(0, l - w/2), min(L, l + w - w/2)) for window w (integer
// division); w = 1 restores layer l alone. ROME restores 10 of GPT-2 XL's 48 layers.
//
// Noise samples are drawn with factlab::Rng(seed) in the order sample, subject token, entry
// (sd * Rng::normal(), rounded to float), so the same seed gives the same noise on every
// platform; or pass them in (the CLI's --noise NOISE.npy) to reproduce a trace anywhere.
//
// Fast path: each cell recomputes only the layers from its window's first and the positions
// from its own (gpt_forward_from on the corrupted run's cache); cells at positions before the
// subject equal the corrupted run exactly (causality: the noise has not reached them) and are
// not run. `naive` runs every cell as a whole forward instead; the tests hold the two equal.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <Eigen/Core>
#include "core/gpt/model.hpp"

namespace factlab {

struct GptTraceOptions {
    int samples = 10;                 // noise samples (ignored when `noise` is given)
    int window = 1;                   // layers restored together for the mlp and attn maps
    uint64_t seed = 1;
    float noise_multiplier = 3.f;     // noise sd = multiplier x std(wte)
    int answer = -1;                  // token whose probability is traced; < 0: the clean run's top token
    std::vector<GptMatrix> noise;     // (samples) x (subject tokens, d): explicit noise, used as given
    bool hidden = true, mlp = true, attn = true;   // which maps to compute
    bool naive = false;               // every cell a whole forward (for tests)
};

struct GptTrace {
    std::vector<int> tokens;          // (T)
    int subject_first = 0, subject_end = 0;   // noised positions [first, end)
    int answer = -1;
    float embedding_std = 0.f;        // std of every entry of wte
    float noise_sd = 0.f;             // multiplier x embedding_std (0 when explicit noise is given)
    int samples = 0, window = 1;
    float p_clean = 0.f;              // the answer's probability, clean
    float p_corrupted = 0.f;          // mean over samples, subject noised
    Eigen::MatrixXf hidden, mlp, attn;   // (T, L) mean probability with that cell restored; empty when not asked
};

// std of every entry of wte (population, computed in double).
float gpt_embedding_std(const GptWeights& w);
// The noise samples a seed gives: (samples) x (subject_tokens, d).
std::vector<GptMatrix> gpt_trace_noise(const GptWeights& w, int samples, int subject_tokens, float sd, uint64_t seed);

// Traces `tokens` with the subject at [subject_first, subject_end). False with a message on
// bad input (ids, context, subject range, options, noise shapes); *out untouched then.
bool gpt_trace(const GptWeights& w, const std::vector<int>& tokens, int subject_first, int subject_end,
               const GptTraceOptions& options, GptTrace* out, std::string* error);

}  // namespace factlab
