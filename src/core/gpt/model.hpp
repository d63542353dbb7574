// model.hpp: GPT-2 in miniature: config, weights in GPT-2's layout, forward with a
// cache of every intermediate, interventions for the analyses, and backward.
//
// Dimension legend (the shape comments below use these letters):
//   V vocab_size   P n_positions   d n_embd   H n_head   dh = d / H   F n_inner
//   L n_layer      T tokens of one prompt     N tokens of a packed batch (all prompts)
//
// GPT-2 exactly, in miniature: token + learned position embeddings, pre-LayerNorm blocks
// (eps 1e-5), causal multi-head self-attention (scale 1/sqrt(dh)), an MLP with GELU in its
// tanh form ("gelu_new"), a final LayerNorm, the unembedding tied to wte.
// Weights are stored (in, out) and applied as y = x W + b, like GPT-2's Conv1D, so every
// tensor has GPT-2's name, shape and memory layout (row-major) and a checkpoint writer can
// copy it as is.
//
// The video's names: mlp.c_fc is W_up (with b_up) and mlp.c_proj is W_down (with b_down),
// stored transposed: c_fc.weight (d, F) = W_up^T, c_proj.weight (F, d) = W_down^T.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <Eigen/Dense>

namespace factlab {

using GptMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using GptRow = Eigen::RowVectorXf;

// ---- config ------------------------------------------------------------------------
struct GptConfig {
    int n_layer = 2;
    int n_head = 4;
    int n_embd = 64;                  // d
    int n_positions = 32;             // P: the context
    int vocab_size = 0;               // V: set from the tokenizer
    int n_inner = 256;                // F: MLP width
    float layer_norm_epsilon = 1e-5f;

    // False with a message naming the bad field when a size is absurd (<= 0, too large,
    // n_embd not a multiple of n_head, more than ~100M weights) or epsilon is not finite/positive.
    bool validate(std::string* error) const;
    int64_t n_params() const;         // every weight (wte counted once: tied)
};

// ---- weights (also used for gradients and Adam's moments: same shapes) -----------------
struct GptLayerNorm {
    GptRow weight;                    // (d)
    GptRow bias;                      // (d)
};
struct GptConv1D {                    // y = x weight + bias
    GptMatrix weight;                 // (in, out)
    GptRow bias;                      // (out)
};
struct GptAttention {
    GptConv1D c_attn;                 // (d, 3d) + (3d): columns [q | k | v], head h at h*dh .. h*dh+dh-1 of each
    GptConv1D c_proj;                 // (d, d) + (d)
};
struct GptMlp {
    GptConv1D c_fc;                   // (d, F) + (F)  = W_up^T, b_up
    GptConv1D c_proj;                 // (F, d) + (d)  = W_down^T, b_down
};
struct GptBlock {
    GptLayerNorm ln_1;
    GptAttention attn;
    GptLayerNorm ln_2;
    GptMlp mlp;
};

// One tensor, named as in GPT-2's checkpoints ("transformer.h.0.attn.c_attn.weight").
struct GptTensor {
    std::string name;
    std::vector<int> shape;           // (rows, cols) for matrices, (n) for vectors
    float* data;                      // row-major, size() floats
    int64_t size() const;
};
struct GptConstTensor {
    std::string name;
    std::vector<int> shape;
    const float* data;
    int64_t size() const;
};

struct GptWeights {
    GptConfig config;
    GptMatrix wte;                    // (V, d) token embedding; also the unembedding (tied)
    GptMatrix wpe;                    // (P, d) position embedding
    std::vector<GptBlock> h;          // (L) blocks
    GptLayerNorm ln_f;                // (d) + (d)

    // Sizes every tensor for `c` and fills it with zeros; false (and *this untouched) when
    // c.validate fails.
    bool resize(const GptConfig& c, std::string* error);
    // GPT-2's init, seeded: weights normal(0, 0.02), the two c_proj weights of each block
    // normal(0, 0.02 / sqrt(2 L)), biases 0, LayerNorm weight 1 and bias 0.
    // Same seed, same numbers on every platform (factlab::Rng).
    void init(uint64_t seed);
    void set_zero();                  // keeps the shapes

    // Every tensor in GPT-2's checkpoint order: wte, wpe, h.0.ln_1.weight, ln_1.bias,
    // attn.c_attn.weight, .bias, attn.c_proj.weight, .bias, ln_2.*, mlp.c_fc.*, mlp.c_proj.*,
    // h.1..., ln_f.weight, ln_f.bias. Names carry the "transformer." prefix.
    std::vector<GptTensor> tensors();
    std::vector<GptConstTensor> tensors() const;
    // False with a message naming the tensor when a weight is NaN or infinite.
    bool finite(std::string* error) const;
};

// ---- forward cache ---------------------------------------------------------------------
struct GptLayerCache {
    GptMatrix resid_pre;              // (T, d) residual entering the block
    GptMatrix ln_1;                   // (T, d) ln_1(resid_pre)
    GptMatrix qkv;                    // (T, 3d) [q | k | v] = ln_1 c_attn.weight + bias
    std::vector<GptMatrix> pattern;   // (H) x (T, T) softmax attention, row = query, 0 above the diagonal
    GptMatrix z;                      // (T, d) heads' weighted values, concatenated, before c_proj
    GptMatrix attn_out;               // (T, d) attention output after c_proj (what is added)
    GptMatrix resid_mid;              // (T, d) resid_pre + attn_out
    GptMatrix ln_2;                   // (T, d) ln_2(resid_mid)
    GptMatrix mlp_pre;                // (T, F) ln_2 W_up + b_up, before GELU
    GptMatrix mlp_post;               // (T, F) GELU(mlp_pre), after any ablation
    GptMatrix mlp_tanh;               // (T, F) GELU's tanh term, kept for backward
    GptMatrix mlp_out;                // (T, d) mlp_post W_down + b_down (what is added)
    GptMatrix resid_post;             // (T, d) resid_mid + mlp_out: the block's output
    Eigen::VectorXf ln_1_rstd, ln_2_rstd;   // (T) 1/sqrt(var + eps), for backward
};

enum class GptLogits { none, last, all };

struct GptCache {
    int T = 0;
    std::vector<GptLayerCache> layers;  // (L)
    GptMatrix ln_f;                   // (T, d) ln_f(resid_post of the last block)
    Eigen::VectorXf ln_f_rstd;        // (T)
    GptMatrix logits;                 // (1, V) for GptLogits::last (the last position), (T, V) for all, empty for none
};

// ---- interventions (every field optional; a default-constructed one is a clean run) ----
enum class GptSite {
    resid_post,                       // the block's output (restores "the hidden state" in ROME's tracing)
    attn_out,                         // the attention sublayer's output after c_proj
    mlp_out,                          // the MLP sublayer's output after c_proj
};
struct GptPatch {                     // replace one row by `value`
    int layer = 0;
    int position = 0;
    GptSite site = GptSite::resid_post;
    GptRow value;                     // (d)
};
struct GptKnockout {                  // Geva et al. 2023: query may not attend to these keys (all heads)
    int layer = 0;
    int query = 0;
    std::vector<int> keys;
};
struct GptAblation {                  // post-GELU activations set to 0
    int layer = 0;
    int position = -1;                // -1: every position
    std::vector<int> neurons;         // ids in [0, F)
};
struct GptIntervention {
    // Added to the token embeddings (wte rows) before wpe is added: noise for causal tracing.
    std::vector<int> noise_positions; // positions that get a noise row
    GptMatrix noise;                  // (noise_positions.size(), d)
    std::vector<GptPatch> patches;    // a window of layers is several patches
    std::vector<GptKnockout> knockouts;
    std::vector<GptAblation> ablations;
    GptLogits logits = GptLogits::last;

    // False with a message when an index is out of range or a shape is wrong.
    bool validate(const GptConfig& c, int T, std::string* error) const;
};

// ---- forward -------------------------------------------------------------------------
// Runs the model on tokens[0..T) (ids < V, 1 <= T <= P) and fills every field of *cache.
// iv may be null (a clean run, logits of the last position). Returns false with a message
// on bad input (ids, T, an invalid intervention); *cache is then unspecified.
bool gpt_forward(const GptWeights& w, const int* tokens, int T, const GptIntervention* iv,
                 GptCache* cache, std::string* error = nullptr);

// Recomputes only layers >= `layer` and positions >= `position` of a cache that holds a
// run of the same tokens: rows < position of every layer and all of layers < layer are
// read, never written (causality keeps them exact when every patch/knockout/ablation in iv
// that differs from the cached run sits at a layer >= `layer` and a position >= `position`;
// noise must be the cached run's). Then ln_f and the logits iv asks for. Tracing a (position,
// layer) cell costs the rows and layers after it, not a whole run: copy the corrupted run's
// cache (assignment reuses the memory) and call this.
bool gpt_forward_from(const GptWeights& w, const int* tokens, int T, int layer, int position,
                      const GptIntervention* iv, GptCache* cache, std::string* error = nullptr);

// The next-token distribution after tokens[0..T): softmax of the last position's logits.
// Uses (and reuses, when the same across calls) `scratch` for its work.
bool gpt_next_probs(const GptWeights& w, const int* tokens, int T, const GptIntervention* iv,
                    Eigen::VectorXf* probs, GptCache* scratch, std::string* error = nullptr);

// Logits of one ln_f output row (d) -> (V): row wte^T by the kernel every forward uses, so a
// position's logits are the same bits whichever path computes them (lens, predict, trace).
Eigen::RowVectorXf gpt_unembed_row(const GptWeights& w, const Eigen::Ref<const GptRow>& ln_f_row);

// Softmax of one row of logits, in a fixed summation order (same on every platform).
Eigen::VectorXf gpt_softmax(const Eigen::Ref<const Eigen::RowVectorXf>& logits);

// ---- packed batches (training) --------------------------------------------------------
// Sequences concatenated into one (N, d) matrix so every GEMM runs over all the batch's
// tokens at once; attention stays inside each sequence.
struct GptBatch {
    std::vector<int> tokens;          // (N) token ids of every sequence, one after another
    std::vector<int> starts;          // (B + 1) sequence b is tokens[starts[b] .. starts[b+1])
    std::vector<int> targets;         // (N) the id position i must predict (usually tokens[i+1]), or -1: no loss here
    int n_targets() const;
    // False with a message when shapes, ids or lengths (1..P) are wrong.
    bool validate(const GptConfig& c, std::string* error) const;
};

// The batch forward's intermediates (every (N, ...) matrix; logits only at target rows).
struct GptBatchCache {
    GptCache rows;                    // every matrix with N rows; pattern[h] is (N, Tmax): row i, column j = key starts[b] + j
    std::vector<int> target_rows;     // (n_targets) rows of the batch that carry a target, in order
    GptMatrix probs;                  // (n_targets, V) softmax at those rows
    // work space of the backward pass, kept to avoid reallocating every step
    GptMatrix xs, wte_t, dlog, dxs, dlnf, dres, dpost, dln, dz, dqkv, wt;
};

// Summed cross-entropy over the batch's targets (natural log; divide by n_targets for the mean)
// and, when grad is not null, its gradient ADDED to *grad (same shapes as w), times `scale`.
// Summing, not averaging, lets shares of a batch (threads, workers) be added in a fixed order.
double gpt_loss_and_grad(const GptWeights& w, const GptBatch& batch, GptWeights* grad, float scale,
                         GptBatchCache* cache);

}  // namespace factlab
