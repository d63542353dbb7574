// tftrain.cpp: see tftrain.hpp.
#include "ui/transformer/tftrain.hpp"

#include <algorithm>
#include <cmath>
#include "core/rng.hpp"

namespace factlab {

bool TfTrainer::reset(const FactSet& facts, const TfTrainConfig& c, std::string* error) {
    *this = TfTrainer{};
    cfg_ = c;
    facts_ = facts;
    vocab_ = gpt_make_vocab(facts);
    std::vector<GptPrompt> prompts;
    if (!gpt_build_prompts(facts, vocab_, &prompts, error)) return false;
    if (prompts.empty()) { *error = "The facts give no prompts to train on."; return false; }
    for (const GptPrompt& p : prompts) {
        Row r;
        gpt_training_row(p, &r.input, &r.targets);
        (p.held_out ? held_ : train_).push_back(std::move(r));
    }
    GptConfig g;
    g.n_layer = c.n_layer;
    g.n_head = c.n_head;
    g.n_embd = c.n_embd;
    g.n_inner = c.n_inner;
    g.vocab_size = vocab_.size();
    // Room for prompts a little longer than the templates' (a reader's own phrasing).
    g.n_positions = gpt_max_row_length(prompts) + 8;
    if (!w_.resize(g, error)) return false;
    w_.init(c.seed);
    grad_ = w_;
    m_ = w_;
    v_ = w_;
    m_.set_zero();
    v_.set_zero();
    order_.resize(train_.size());
    for (int i = 0; i < int(order_.size()); ++i) order_[size_t(i)] = i;
    return true;
}

GptBatch TfTrainer::pack(const std::vector<Row>& rows, const std::vector<int>& order, int b0, int b1) const {
    GptBatch b;
    b.starts.push_back(0);
    for (int i = b0; i < b1; ++i) {
        const Row& r = rows[size_t(order.empty() ? i : order[size_t(i)])];
        b.tokens.insert(b.tokens.end(), r.input.begin(), r.input.end());
        b.targets.insert(b.targets.end(), r.targets.begin(), r.targets.end());
        b.starts.push_back(int(b.tokens.size()));
    }
    return b;
}

double TfTrainer::step() {
    if (done() || train_.empty()) return 0;
    const int n = int(train_.size()), B = std::min(cfg_.batch, n);
    if (cursor_ == 0 || cursor_ + B > n) {   // a fresh seeded shuffle each epoch
        Rng rng(cfg_.seed * 1000003ull + epoch_++);
        for (int i = n - 1; i > 0; --i) std::swap(order_[size_t(i)], order_[rng.below(uint32_t(i + 1))]);
        cursor_ = 0;
    }
    GptBatch batch = pack(train_, order_, cursor_, cursor_ + B);
    cursor_ += B;
    grad_.set_zero();
    const int nt = std::max(1, batch.n_targets());
    double loss = gpt_loss_and_grad(w_, batch, &grad_, 1.0f / nt, &cache_) / nt;
    // Adam, PyTorch's update with bias correction.
    ++step_;
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    const float c1 = 1.0f - std::pow(b1, float(step_)), c2 = 1.0f - std::pow(b2, float(step_));
    std::vector<GptTensor> W = w_.tensors(), G = grad_.tensors(), M = m_.tensors(), V = v_.tensors();
    for (size_t k = 0; k < W.size(); ++k) {
        for (int64_t i = 0; i < W[k].size(); ++i) {
            float g = G[k].data[i];
            float& m = M[k].data[i];
            float& v = V[k].data[i];
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            W[k].data[i] -= cfg_.lr * (m / c1) / (std::sqrt(v / c2) + eps);
        }
    }
    losses_.push_back(float(loss));
    return loss;
}

double TfTrainer::accuracy(bool held_out) {
    const std::vector<Row>& rows = held_out ? held_ : train_;
    if (rows.empty()) return 0;
    GptBatch batch = pack(rows, {}, 0, int(rows.size()));
    GptBatchCache c;
    gpt_loss_and_grad(w_, batch, nullptr, 1.0f, &c);
    // c.probs rows follow the batch's target rows in order: sequence by sequence.
    int known = 0, k = 0;
    for (size_t s = 0; s + 1 < batch.starts.size(); ++s) {
        bool ok = true;
        for (int i = batch.starts[s]; i < batch.starts[s + 1]; ++i) {
            if (batch.targets[size_t(i)] < 0) continue;
            Eigen::Index best = 0;
            c.probs.row(k++).maxCoeff(&best);
            ok = ok && int(best) == batch.targets[size_t(i)];
        }
        known += ok;
    }
    return double(known) / double(rows.size());
}

}  // namespace factlab
