// train.hpp: teaching the transformer its facts: Adam over seeded batches of sequences,
// the loss on the answer tokens only.
//
// The trainer knows nothing of prompts or templates: it takes token sequences and, per
// token, whether that token is a target (predicted from the position before it). A prompt
// "Michael Jordan played for the" + "Chicago Bulls <end>" marks the three answer tokens.
//
// Adam exactly as PyTorch's torch.optim.Adam with its defaults (betas 0.9, 0.999, eps 1e-8,
// bias correction, no weight decay: plain Adam, not AdamW), a constant learning rate.
//
// Threads: a step's batch is cut into contiguous shares of sequences, one per thread; each
// share's gradient is summed by gpt_loss_and_grad, and the shares are added in thread order.
// One thread is exactly deterministic; N threads are deterministic for a given N and differ
// from one thread only in summation order. A Web Worker pool does the same with
// gpt_batch_share + gpt_loss_and_grad + GptTrainer::apply_gradient.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "core/gpt/model.hpp"

namespace factlab {

struct GptSequence {
    std::vector<int> tokens;          // (T) token ids
    std::vector<char> target;         // (T) target[i] != 0: token i is predicted from position i - 1; target[0] must be 0
};

// The most memory a training run may hold (weights, gradients, Adam, per-thread gradients,
// the largest batch's cache): init refuses a run that would need more, with a message.
constexpr double kGptTrainMaxBytes = 4.0 * 1024 * 1024 * 1024;

struct GptTrainConfig {
    int steps = 400;
    int batch = 256;                  // sequences per step (all of them when larger than the data)
    float lr = 3e-3f;
    float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;   // PyTorch's defaults
    uint64_t seed = 1;                // initial weights and batch order
    int threads = 1;                  // native threads; 1 in wasm (workers split there)
    bool validate(std::string* error) const;
};

// Packs sequences [b0, b1) of `seqs` (in the order of `order`, when given) into a batch.
GptBatch gpt_make_batch(const std::vector<GptSequence>& seqs, const std::vector<int>& order, int b0, int b1);
// Sequences [b0, b1) of a packed batch, as a batch of their own (a thread's or worker's share).
GptBatch gpt_batch_share(const GptBatch& batch, int b0, int b1);

// Adam on every tensor of a GptWeights (PyTorch's update, step t counted from 1).
struct GptAdam {
    GptWeights m, v;                  // first and second moments, shaped like the weights
    int64_t t = 0;
    double beta1_t = 1.0, beta2_t = 1.0;   // beta1^t, beta2^t
    void reset(const GptWeights& like);
    void update(GptWeights* w, const GptWeights& grad, float lr, float beta1, float beta2, float eps);
};

class GptTrainer {
public:
    // Validates, sizes and seeds the weights (GPT-2's init) and Adam. False with a message
    // naming the problem (bad config, empty data, a sequence too long or without a target).
    bool init(const GptConfig& model, const GptTrainConfig& train, std::vector<GptSequence> data, std::string* error);
    // Starts from given weights instead of GPT-2's init (fine-tuning).
    bool init_from(const GptWeights& start, const GptTrainConfig& train, std::vector<GptSequence> data, std::string* error);

    // One Adam step on the next batch (threads as configured). Returns the batch's mean loss.
    double step();
    bool done() const { return step_ >= cfg_.steps; }
    int steps_done() const { return step_; }

    // The batch step `steps_done()` will use (seeded: a fresh shuffle of the data per epoch).
    GptBatch next_batch() const;
    // For an outside split (workers): add the summed share gradients of next_batch(), each made
    // with scale = 1 / next_batch().n_targets(), then apply. Same as step() for one share.
    // A gradient whose config or any tensor's shape differs from the weights', a negative
    // n_targets or a trainer not yet initialised changes nothing: NaN, and *error says why.
    double apply_gradient(const GptWeights& grad_sum, double loss_sum, int n_targets, std::string* error = nullptr);

    const GptWeights& weights() const { return w_; }
    const GptTrainConfig& config() const { return cfg_; }
    const std::vector<double>& losses() const { return losses_; }   // mean loss per step done

private:
    std::vector<int> order_for_epoch(int64_t epoch) const;
    GptWeights w_, grad_;
    std::vector<GptWeights> share_grads_;
    std::vector<GptBatchCache> caches_;
    GptAdam adam_;
    GptTrainConfig cfg_;
    std::vector<GptSequence> data_;
    std::vector<double> losses_;
    int step_ = 0;
};

}  // namespace factlab
