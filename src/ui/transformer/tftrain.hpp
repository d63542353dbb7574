// tftrain.hpp: training a fresh transformer on a facts set in the page, a few
// Adam steps per frame (the page stays responsive), for the lab's train view.
//
// The data are src/core/gpt's prompts (templates per relation, one held out) as
// training rows with the loss on the answer's tokens; the model is GPT-2's
// architecture from src/core/gpt/model.hpp, trained by plain Adam (PyTorch's
// defaults: betas 0.9, 0.999, eps 1e-8). A fact counts as known when, fed its
// own answer so far, the model's top word is the next answer word every time and
// then the end token: exactly when greedy decoding returns the whole object.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"

namespace factlab {

struct TfTrainConfig {
    int n_layer = 2, n_embd = 64, n_head = 4, n_inner = 256;   // the probe's shape (REFERENCE.md)
    int steps = 400, batch = 256;
    float lr = 3e-3f;
    uint64_t seed = 1;
};

class TfTrainer {
public:
    // Builds the vocabulary, prompts and rows of `facts` and a freshly initialised
    // model. False with a message (and nothing to train) on a problem.
    bool reset(const FactSet& facts, const TfTrainConfig& c, std::string* error);
    double step();                                   // one Adam step; returns the batch's mean loss
    bool done() const { return step_ >= cfg_.steps; }
    int steps_done() const { return step_; }
    const TfTrainConfig& config() const { return cfg_; }
    const GptWeights& weights() const { return w_; }
    const GptVocab& vocab() const { return vocab_; }
    const FactSet& facts() const { return facts_; }
    // Share of the training (or held-out) prompts the model knows now: one batched forward.
    double accuracy(bool held_out);
    const std::vector<float>& losses() const { return losses_; }
    int train_rows() const { return int(train_.size()); }
    int held_rows() const { return int(held_.size()); }

private:
    struct Row { std::vector<int> input, targets; };
    GptBatch pack(const std::vector<Row>& rows, const std::vector<int>& order, int b0, int b1) const;
    TfTrainConfig cfg_;
    FactSet facts_;
    GptVocab vocab_;
    std::vector<Row> train_, held_;
    std::vector<int> order_;
    int cursor_ = 0;
    uint64_t epoch_ = 0;
    GptWeights w_, grad_, m_, v_;
    GptBatchCache cache_;
    int step_ = 0;
    std::vector<float> losses_;
};

}  // namespace factlab
