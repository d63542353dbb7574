// train.cpp: seeded batches, Adam, and the split of a batch over threads.
#include "core/gpt/train.hpp"
#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include "core/rng.hpp"

namespace factlab {

bool GptTrainConfig::validate(std::string* error) const {
    auto bad = [&](const std::string& m) { if (error) *error = m; return false; };
    if (steps < 0 || steps > 10000000) return bad("steps must be between 0 and 10,000,000");
    if (batch < 1 || batch > 1000000) return bad("batch must be between 1 and 1,000,000");
    if (!std::isfinite(lr) || lr <= 0.f || lr > 10.f) return bad("lr must be in (0, 10]");
    if (!(beta1 >= 0.f && beta1 < 1.f) || !(beta2 >= 0.f && beta2 < 1.f)) return bad("Adam's betas must be in [0, 1)");
    if (!std::isfinite(eps) || eps <= 0.f) return bad("Adam's eps must be positive");
    if (threads < 1 || threads > 256) return bad("threads must be between 1 and 256");
    return true;
}

GptBatch gpt_make_batch(const std::vector<GptSequence>& seqs, const std::vector<int>& order, int b0, int b1) {
    GptBatch b;
    b.starts.push_back(0);
    for (int k = b0; k < b1; ++k) {
        const GptSequence& s = seqs[order.empty() ? k : order[k]];
        // Only positions before the last target predict anything: the rest (the last target
        // itself among them) are left out, which causality makes exact.
        int T = int(s.tokens.size());
        while (T > 1 && !s.target[T - 1]) --T;
        if (T > 1) --T;
        for (int i = 0; i < T; ++i) {
            b.tokens.push_back(s.tokens[i]);
            // position i predicts token i + 1 when that token is a target
            b.targets.push_back(i + 1 < int(s.tokens.size()) && s.target[i + 1] ? s.tokens[i + 1] : -1);
        }
        b.starts.push_back(int(b.tokens.size()));
    }
    return b;
}

GptBatch gpt_batch_share(const GptBatch& batch, int b0, int b1) {
    GptBatch s;
    const int t0 = batch.starts[b0], t1 = batch.starts[b1];
    s.tokens.assign(batch.tokens.begin() + t0, batch.tokens.begin() + t1);
    s.targets.assign(batch.targets.begin() + t0, batch.targets.begin() + t1);
    for (int b = b0; b <= b1; ++b) s.starts.push_back(batch.starts[b] - t0);
    return s;
}

// ---- Adam --------------------------------------------------------------------------

void GptAdam::reset(const GptWeights& like) {
    m = like; v = like;
    m.set_zero(); v.set_zero();
    t = 0;
    beta1_t = beta2_t = 1.0;
}

// torch.optim.Adam (weight_decay 0, amsgrad off):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
void GptAdam::update(GptWeights* w, const GptWeights& grad, float lr, float beta1, float beta2, float eps) {
    ++t;
    beta1_t *= double(beta1);                 // beta^t by products: no libm pow, same bits everywhere
    beta2_t *= double(beta2);
    const double bc1 = 1.0 - beta1_t, bc2 = 1.0 - beta2_t;
    const float step = float(lr / bc1), bc2_sqrt = float(std::sqrt(bc2));
    std::vector<GptTensor> W = w->tensors(), M = m.tensors(), Vv = v.tensors();
    std::vector<GptConstTensor> G = grad.tensors();
    for (size_t k = 0; k < W.size(); ++k) {
        float *p = W[k].data, *mk = M[k].data, *vk = Vv[k].data;
        const float* g = G[k].data;
        const int64_t n = W[k].size();
        for (int64_t i = 0; i < n; ++i) {
            mk[i] = beta1 * mk[i] + (1.f - beta1) * g[i];
            vk[i] = beta2 * vk[i] + (1.f - beta2) * g[i] * g[i];
            p[i] -= step * mk[i] / (std::sqrt(vk[i]) / bc2_sqrt + eps);
        }
    }
}

// ---- trainer ---------------------------------------------------------------------------

bool GptTrainer::init(const GptConfig& model, const GptTrainConfig& train, std::vector<GptSequence> data, std::string* error) {
    GptWeights w;
    if (!w.resize(model, error)) return false;
    w.init(train.seed);
    return init_from(w, train, std::move(data), error);
}

bool GptTrainer::init_from(const GptWeights& start, const GptTrainConfig& train, std::vector<GptSequence> data, std::string* error) {
    auto bad = [&](const std::string& m) { if (error) *error = m; return false; };
    if (!start.config.validate(error) || !train.validate(error)) return false;
    if (data.empty()) return bad("no training sequences");
    for (size_t k = 0; k < data.size(); ++k) {
        const GptSequence& s = data[k];
        const std::string which = "training sequence " + std::to_string(k);
        if (s.tokens.empty() || s.target.size() != s.tokens.size()) return bad(which + " is empty or its target mask has the wrong length");
        if (int(s.tokens.size()) > start.config.n_positions)
            return bad(which + " has " + std::to_string(s.tokens.size()) + " tokens; the context holds " + std::to_string(start.config.n_positions));
        if (s.target[0]) return bad(which + ": the first token cannot be a target");
        bool any = false;
        for (size_t i = 0; i < s.tokens.size(); ++i) {
            if (s.tokens[i] < 0 || s.tokens[i] >= start.config.vocab_size) return bad(which + " has a token id out of range");
            any = any || s.target[i];
        }
        if (!any) return bad(which + " has no target token");
    }
    // Memory the run will hold, bounded before anything is allocated (the sizes come from
    // flags and files): weights, gradient, Adam's m and v, one gradient per extra thread, and
    // the cache of the largest batch (forward and backward rows, logits at the targets).
    {
        const int64_t P = start.config.n_params(), d = start.config.n_embd, F = start.config.n_inner;
        const int64_t V = start.config.vocab_size, H = start.config.n_head, L = start.config.n_layer;
        const int64_t B = std::min<int64_t>(train.batch, int64_t(data.size()));
        const int64_t threads = std::min<int64_t>(train.threads, B);
        int64_t longest = 0;
        for (const GptSequence& s : data) longest = std::max<int64_t>(longest, int64_t(s.tokens.size()));
        const int64_t N = B * longest;                         // tokens of a batch, at most
        const int64_t per_token = L * (10 * d + 3 * F + H * longest) + 8 * d + F + 2 * V;
        const double bytes = 4.0 * (double(P) * double(4 + (threads > 1 ? threads : 0)) + double(N) * double(per_token));
        if (bytes > kGptTrainMaxBytes)
            return bad("training would need about " + std::to_string(int64_t(bytes / 1048576.0)) + " MB (at most " +
                       std::to_string(int64_t(kGptTrainMaxBytes / 1048576.0)) + " MB): fewer weights, a smaller batch or fewer threads");
    }
    w_ = start;
    grad_ = start;
    adam_.reset(start);
    cfg_ = train;
    data_ = std::move(data);
    losses_.clear();
    step_ = 0;
    share_grads_.clear();
    caches_.clear();
    return true;
}

// A fresh permutation of the data per epoch (Fisher-Yates), from (seed, epoch) alone.
std::vector<int> GptTrainer::order_for_epoch(int64_t epoch) const {
    std::vector<int> order(data_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
    Rng rng(cfg_.seed * 0x9E3779B97F4A7C15ull + 0x5851F42D4C957F2Dull * uint64_t(epoch + 1));
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(uint32_t(i))]);
    return order;
}

// Batch k of an epoch: sequences [k B, (k+1) B) of the epoch's order; the last batch of an
// epoch is cut short rather than mixed with the next epoch.
GptBatch GptTrainer::next_batch() const {
    const int n = int(data_.size()), B = std::min(cfg_.batch, n);
    const int per_epoch = (n + B - 1) / B;
    const int epoch = step_ / per_epoch, k = step_ % per_epoch;
    const std::vector<int> order = order_for_epoch(epoch);
    return gpt_make_batch(data_, order, k * B, std::min(n, (k + 1) * B));
}

double GptTrainer::apply_gradient(const GptWeights& grad_sum, double loss_sum, int n_targets, std::string* error) {
    auto bad = [&](const std::string& m) {
        if (error) *error = "apply_gradient: " + m;
        return std::numeric_limits<double>::quiet_NaN();
    };
    if (w_.h.empty() || w_.wte.size() == 0) return bad("the trainer is not initialised");
    if (n_targets < 0) return bad("n_targets is negative");
    const GptConfig &a = w_.config, &b = grad_sum.config;
    if (a.n_layer != b.n_layer || a.n_head != b.n_head || a.n_embd != b.n_embd || a.n_positions != b.n_positions ||
        a.vocab_size != b.vocab_size || a.n_inner != b.n_inner)
        return bad("the gradient's config differs from the weights'");
    {
        const std::vector<GptConstTensor> W = static_cast<const GptWeights&>(w_).tensors(), G = grad_sum.tensors();
        if (W.size() != G.size()) return bad("the gradient has " + std::to_string(G.size()) + " tensors, the weights " + std::to_string(W.size()));
        for (size_t k = 0; k < W.size(); ++k)
            if (W[k].shape != G[k].shape || W[k].size() != G[k].size())
                return bad("tensor " + W[k].name + " of the gradient has the wrong shape");
    }
    adam_.update(&w_, grad_sum, cfg_.lr, cfg_.beta1, cfg_.beta2, cfg_.eps);
    const double mean = loss_sum / std::max(1, n_targets);
    losses_.push_back(mean);
    ++step_;
    return mean;
}

double GptTrainer::step() {
    const GptBatch batch = next_batch();
    const int B = int(batch.starts.size()) - 1;
    const int nt = batch.n_targets();
    const float scale = 1.f / float(std::max(1, nt));
#if defined(__wasm__) && !defined(__wasm_atomics__)
    const int threads = 1;                   // a wasm build without threads: workers split instead
#else
    const int threads = std::max(1, std::min(cfg_.threads, B));
#endif
    if (int(caches_.size()) < threads) caches_.resize(threads);
    if (threads == 1) {
        grad_.set_zero();
        const double loss = gpt_loss_and_grad(w_, batch, &grad_, scale, &caches_[0]);
        return apply_gradient(grad_, loss, nt);
    }
    // Contiguous shares of sequences, balanced by token count; summed in thread order.
    std::vector<int> cut(threads + 1, B);
    cut[0] = 0;
    const int N = batch.starts[B];
    for (int t = 1, b = 0; t < threads; ++t) {
        while (b < B && batch.starts[b] < int64_t(N) * t / threads) ++b;
        cut[t] = std::max(cut[t - 1], b);
    }
    if (int(share_grads_.size()) < threads) share_grads_.resize(threads, w_);
    std::vector<double> loss(threads, 0.0);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            share_grads_[t].set_zero();
            if (cut[t] == cut[t + 1]) return;
            const GptBatch share = gpt_batch_share(batch, cut[t], cut[t + 1]);
            loss[t] = gpt_loss_and_grad(w_, share, &share_grads_[t], scale, &caches_[t]);
        });
    }
    for (std::thread& th : pool) th.join();
    grad_.set_zero();
    double loss_sum = 0;
    std::vector<GptTensor> G = grad_.tensors();
    for (int t = 0; t < threads; ++t) {
        loss_sum += loss[t];
        const std::vector<GptTensor> S = share_grads_[t].tensors();
        for (size_t k = 0; k < G.size(); ++k)
            for (int64_t i = 0; i < G[k].size(); ++i) G[k].data[i] += S[k].data[i];
    }
    return apply_gradient(grad_, loss_sum, nt);
}

}  // namespace factlab
