// test_gpt_train.cpp: the transformer's kernels (bit for bit against plain loops), Adam
// (PyTorch's update), the trainer (seeded, threads), the evaluator, and the built-in model:
// it knows every fact on the training templates and the documented command reproduces it.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include "core/gpt/builtin.hpp"
#include "core/gpt/eval.hpp"
#include "core/gpt/kernels.hpp"
#include "core/gpt/train.hpp"
#include "core/rng.hpp"

using namespace factlab;

namespace {

std::vector<float> randn(size_t n, uint64_t seed) {
    Rng r(seed);
    std::vector<float> v(n);
    for (float& x : v) x = float(r.normal());
    return v;
}

bool same_bits(const float* a, const float* b, size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

// A toy language: "a b c" -> the reverse, so the model must read every position.
std::vector<GptSequence> toy_data(int V, int n, uint64_t seed) {
    Rng r(seed);
    std::vector<GptSequence> out;
    for (int k = 0; k < n; ++k) {
        GptSequence s;
        const int a = 1 + int(r.below(uint32_t(V - 1))), b = 1 + int(r.below(uint32_t(V - 1)));
        s.tokens = {a, b, 0, b, a};
        s.target = {0, 0, 0, 1, 1};
        out.push_back(s);
    }
    return out;
}

GptConfig toy_config(int V) {
    GptConfig c;
    c.n_layer = 2; c.n_head = 2; c.n_embd = 16; c.n_inner = 32; c.n_positions = 8; c.vocab_size = V;
    return c;
}

}  // namespace

TEST_CASE("gpt kernels: the SIMD GEMM equals the plain k-ordered loop bit for bit (tile edges, k slices, strides)") {
    const std::string isa = gptk::isa_name();
    CAPTURE(isa);
    for (int M : {1, 3, 4, 7, 9})
        for (int N : {1, 15, 16, 17, 33, 64, 70})
            for (int K : {1, 5, 64, 300}) {
                const std::vector<float> a = randn(size_t(M) * K, 1 + M), b = randn(size_t(K) * N, 2 + N), c0 = randn(size_t(M) * N, 3);
                for (bool acc : {false, true})
                    for (bool trans : {false, true}) {
                        // trans: A read as the transpose of a (K, M) row-major matrix
                        const int64_t rs = trans ? 1 : K, cs = trans ? M : 1;
                        std::vector<float> c = c0, plain(size_t(M) * N);
                        gptk::gemm(M, N, K, a.data(), rs, cs, b.data(), N, c.data(), N, acc);
                        for (int i = 0; i < M; ++i)
                            for (int j = 0; j < N; ++j) {
                                float s = acc ? c0[size_t(i) * N + j] : 0.f;
                                for (int k = 0; k < K; ++k) s = s + a[i * rs + k * cs] * b[size_t(k) * N + j];
                                plain[size_t(i) * N + j] = s;
                            }
                        INFO("M " << M << " N " << N << " K " << K << " acc " << acc << " trans " << trans);
                        CHECK(same_bits(c.data(), plain.data(), plain.size()));
                    }
                // A B^T: 16 partial sums over k mod 16, then lanes in order, then the tail
                const std::vector<float> bt = randn(size_t(N) * K, 4);
                std::vector<float> c(size_t(M) * N), plain(size_t(M) * N);
                gptk::gemm_abt(M, N, K, a.data(), K, bt.data(), K, c.data(), N);
                for (int i = 0; i < M; ++i)
                    for (int j = 0; j < N; ++j) {
                        float lane[16] = {0};
                        const int K16 = K - K % 16;
                        for (int k = 0; k < K16; ++k) lane[k % 16] = lane[k % 16] + a[size_t(i) * K + k] * bt[size_t(j) * K + k];
                        float s = 0.f;
                        for (float l : lane) s = s + l;
                        for (int k = K16; k < K; ++k) s = s + a[size_t(i) * K + k] * bt[size_t(j) * K + k];
                        plain[size_t(i) * N + j] = s;
                    }
                CHECK(same_bits(c.data(), plain.data(), plain.size()));
            }
}

TEST_CASE("gpt kernels: exp and GELU, the vector loops equal the scalar function; accuracy against libm") {
    std::vector<float> x;
    for (int i = -2000; i <= 2000; ++i) x.push_back(float(i) * 0.05f);   // -100 .. 100
    x.push_back(-87.5f); x.push_back(88.5f);
    std::vector<float> e = x;
    gptk::exp_inplace(e.data(), int64_t(e.size()));
    double worst = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        CHECK(e[i] == gptk::exp_fixed(x[i]));
        const double xc = std::min(88.0, std::max(-87.0, double(x[i])));
        worst = std::max(worst, std::fabs(e[i] / std::exp(xc) - 1.0));
        CHECK(e[i] > 0.f);
    }
    CHECK(worst < 5e-7);
    std::vector<float> y(x.size()), t(x.size()), dx(x.size(), 1.f);
    gptk::gelu(x.data(), y.data(), t.data(), int64_t(x.size()));
    gptk::gelu_backward(x.data(), t.data(), dx.data(), int64_t(x.size()));
    for (size_t i = 0; i < x.size(); i += 37) {
        const double v = x[i], g = 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
        CHECK(std::fabs(y[i] - g) <= 1e-6 * std::max(1.0, std::fabs(g)));
        const double h = 1e-4, gp = 0.5 * (v + h) * (1 + std::tanh(std::sqrt(2 / M_PI) * ((v + h) + 0.044715 * std::pow(v + h, 3)))),
                     gm = 0.5 * (v - h) * (1 + std::tanh(std::sqrt(2 / M_PI) * ((v - h) + 0.044715 * std::pow(v - h, 3))));
        CHECK(std::fabs(dx[i] - (gp - gm) / (2 * h)) < 1e-4);
    }
}

TEST_CASE("gpt Adam: PyTorch's update with bias correction (plain Adam, no weight decay)") {
    GptConfig c = toy_config(5);
    GptWeights w, g;
    std::string err;
    REQUIRE(w.resize(c, &err));
    REQUIRE(g.resize(c, &err));
    w.wte(1, 2) = 1.f;
    GptAdam adam;
    adam.reset(w);
    // torch.optim.Adam([p], lr=0.1) with grads 0.5 then -0.25, p starting at 1:
    double m = 0, v = 0, p = 1;
    const double grads[2] = {0.5, -0.25};
    for (int t = 1; t <= 2; ++t) {
        g.wte(1, 2) = float(grads[t - 1]);
        adam.update(&w, g, 0.1f, 0.9f, 0.999f, 1e-8f);
        m = 0.9 * m + 0.1 * grads[t - 1];
        v = 0.999 * v + 0.001 * grads[t - 1] * grads[t - 1];
        p -= 0.1 / (1 - std::pow(0.9, t)) * m / (std::sqrt(v) / std::sqrt(1 - std::pow(0.999, t)) + 1e-8);
        CHECK(w.wte(1, 2) == doctest::Approx(p).epsilon(1e-6));
    }
    CHECK(w.wte(0, 0) == 0.f);   // a zero gradient leaves a weight alone
}

TEST_CASE("gpt trainer: seeded, learns a toy task, threads only reorder the sums") {
    const int V = 9;
    const std::vector<GptSequence> data = toy_data(V, 60, 5);
    GptTrainConfig tc;
    tc.steps = 150; tc.batch = 16; tc.lr = 1e-2f; tc.seed = 3;
    std::string err;
    GptTrainer a, b, c2, c2b;
    REQUIRE(a.init(toy_config(V), tc, data, &err));
    REQUIRE(b.init(toy_config(V), tc, data, &err));
    tc.threads = 2;
    REQUIRE(c2.init(toy_config(V), tc, data, &err));
    REQUIRE(c2b.init(toy_config(V), tc, data, &err));
    for (int s = 0; s < 5; ++s) { a.step(); b.step(); c2.step(); c2b.step(); }
    CHECK(a.weights().h[0].mlp.c_fc.weight == b.weights().h[0].mlp.c_fc.weight);   // same seed, same bits
    CHECK(a.losses() == b.losses());
    CHECK(c2.weights().wte == c2b.weights().wte);                                   // 2 threads: deterministic too
    const double diff = (c2.weights().wte - a.weights().wte).cwiseAbs().maxCoeff();
    MESSAGE("2 threads vs 1 after 5 steps: max |weight difference| " << diff);
    CHECK(diff < 1e-4);
    while (!a.done()) a.step();
    CHECK(a.losses().back() < 0.1 * a.losses().front());
    // the trained model reverses every pair
    int ok = 0;
    for (const GptSequence& s : data) {
        std::vector<int> got;
        REQUIRE(gpt_greedy(a.weights(), {s.tokens[0], s.tokens[1], 0}, 2, -1, &got, &err));
        ok += got == std::vector<int>{s.tokens[3], s.tokens[4]};
    }
    CHECK(ok >= 55);
    // another seed gives other weights
    tc.threads = 1; tc.seed = 4;
    GptTrainer d;
    REQUIRE(d.init(toy_config(V), tc, data, &err));
    d.step();
    CHECK(d.weights().wte != a.weights().wte);

    // bad input: clear messages
    GptTrainer bad;
    CHECK_FALSE(bad.init(toy_config(V), tc, {}, &err));
    std::vector<GptSequence> worse = data;
    worse[3].target.assign(worse[3].tokens.size(), 0);
    CHECK_FALSE(bad.init(toy_config(V), tc, worse, &err));
    CHECK(err.find("sequence 3") != std::string::npos);
    worse = data;
    worse[1].tokens.assign(20, 1);
    worse[1].target.assign(20, 1);
    worse[1].target[0] = 0;
    CHECK_FALSE(bad.init(toy_config(V), tc, worse, &err));
    CHECK(err.find("context") != std::string::npos);
    tc.lr = std::nanf("");
    CHECK_FALSE(bad.init(toy_config(V), tc, data, &err));
}

TEST_CASE("gpt batches: positions that predict nothing are left out; shares add up to the whole") {
    const std::vector<GptSequence> data = toy_data(9, 6, 1);
    const GptBatch b = gpt_make_batch(data, {}, 0, 6);
    CHECK(b.tokens.size() == 6 * 4);                 // the last token of each sequence predicts nothing
    CHECK(b.n_targets() == 12);
    const GptBatch s = gpt_batch_share(b, 2, 5);
    CHECK(s.starts == std::vector<int>{0, 4, 8, 12});
    GptWeights w, g1, g2;
    std::string err;
    REQUIRE(w.resize(toy_config(9), &err));
    w.init(2);
    g1 = w; g1.set_zero(); g2 = g1;
    GptBatchCache bc;
    const double whole = gpt_loss_and_grad(w, b, &g1, 1.f, &bc);
    double parts = 0;
    for (int k = 0; k < 6; k += 2) parts += gpt_loss_and_grad(w, gpt_batch_share(b, k, k + 2), &g2, 1.f, &bc);
    CHECK(parts == doctest::Approx(whole).epsilon(1e-6));
    CHECK((g1.h[1].attn.c_attn.weight - g2.h[1].attn.c_attn.weight).cwiseAbs().maxCoeff() < 1e-6);
}

TEST_CASE("gpt built-in model: every fact known on the training templates; held-out reported") {
    std::string err;
    const GptModel* m = gpt_builtin_model(&err);
    REQUIRE_MESSAGE(m, err);
    const GptRecipe r = gpt_builtin_recipe();
    const GptConfig& c = m->weights.config;
    CHECK(c.n_layer == r.n_layer);
    CHECK(c.n_embd == r.n_embd);
    CHECK(c.n_head == r.n_head);
    CHECK(c.n_inner == r.n_inner);
    CHECK(c.vocab_size == m->vocab.size());
    for (const GptConstTensor& t : m->weights.tensors())          // the shipped values are float16 values
        for (int64_t i = 0; i < t.size(); i += 97) CHECK(gpt_half_to_float(gpt_float_to_half(t.data[i])) == t.data[i]);
    std::vector<GptPrompt> prompts;
    REQUIRE(gpt_build_prompts(m->facts, m->vocab, &prompts, &err));
    const GptEvalResult ev = gpt_evaluate(m->weights, prompts);
    CHECK(ev.train_prompts == 1515);
    CHECK(ev.train_correct == ev.train_prompts);
    MESSAGE("built-in model: " << ev.train_correct << "/" << ev.train_prompts << " on the training templates, "
                               << ev.held_out_correct << "/" << ev.held_out_prompts << " held out");
    // The teacher-forced check agrees with real greedy decoding, known or not.
    for (size_t i = 0; i < prompts.size(); i += 53) {
        std::vector<int> got;
        REQUIRE(gpt_greedy(m->weights, prompts[i].tokens, int(prompts[i].answer.size()), m->vocab.end_id, &got, &err));
        CHECK((got == prompts[i].answer) == bool(ev.known[i]));
    }
    // "Michael Jordan plays the sport of" -> basketball, through the one-prompt path
    std::vector<int> tok;
    REQUIRE(m->vocab.encode("Michael Jordan plays the sport of", &tok, &err));
    Eigen::VectorXf p;
    GptCache scratch;
    REQUIRE(gpt_next_probs(m->weights, tok.data(), int(tok.size()), nullptr, &p, &scratch, &err));
    int best = 0;
    p.maxCoeff(&best);
    CHECK(m->vocab.words[best] == "basketball");
}

// The documented command (factlab-cli gpt train --dtype f16 --out src/core/data/gpt) is
// gpt_train_recipe(builtin facts, gpt_builtin_recipe()). Retraining gives the shipped bits,
// natively and in wasm alike (kernels.hpp: every build rounds the same way).
TEST_CASE("gpt built-in model: retraining the recipe reproduces the shipped weights bit for bit") {
    std::string err;
    const GptModel* shipped = gpt_builtin_model(&err);
    REQUIRE_MESSAGE(shipped, err);
    const auto t0 = std::chrono::steady_clock::now();
    GptModel again;
    REQUIRE_MESSAGE(gpt_train_recipe(builtin_facts(), gpt_builtin_recipe(), &again, &err), err);
    MESSAGE("retrained the built-in model in " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
                                               << " s (" << std::string(gptk::isa_name()) << ")");
    REQUIRE(again.vocab.words == shipped->vocab.words);
    const std::vector<GptConstTensor> a = static_cast<const GptWeights&>(again.weights).tensors(), b = shipped->weights.tensors();
    REQUIRE(a.size() == b.size());
    for (size_t k = 0; k < a.size(); ++k) {
        INFO(a[k].name);
        REQUIRE(a[k].shape == b[k].shape);
        CHECK(same_bits(a[k].data, b[k].data, size_t(a[k].size())));
    }
}
