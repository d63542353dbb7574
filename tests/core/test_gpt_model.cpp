// test_gpt_model.cpp: the transformer (core/gpt/model.hpp) against the plain double
// reference (reference.hpp), the reference against finite differences, for every tensor;
// interventions, forward_from, config checks, the tensor list.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>
#include "core/gpt/model.hpp"
#include "core/gpt/reference.hpp"
#include "core/rng.hpp"

using namespace factlab;

namespace {

// Odd sizes on purpose: d 12 over 3 heads (dh 4), F 20, V 17: no size a multiple of a SIMD width.
GptConfig odd_config() {
    GptConfig c;
    c.n_layer = 2; c.n_head = 3; c.n_embd = 12; c.n_positions = 9; c.vocab_size = 17; c.n_inner = 20;
    return c;
}

// GPT-2's init is too gentle to exercise the maths (LayerNorm ~ identity, attention ~ uniform):
// every tensor gets sizeable random values, LayerNorm weights around 1.
GptWeights rough_weights(const GptConfig& c, uint64_t seed) {
    GptWeights w;
    std::string err;
    REQUIRE(w.resize(c, &err));
    Rng rng(seed);
    for (GptTensor& t : w.tensors()) {
        const bool ln_w = t.name.find(".ln_") != std::string::npos && t.name.find(".weight") != std::string::npos;
        for (int64_t i = 0; i < t.size(); ++i) t.data[i] = float((ln_w ? 1.0 : 0.0) + 0.4 * rng.normal());
    }
    return w;
}

std::vector<int> some_tokens(int T, int V, uint64_t seed) {
    Rng rng(seed);
    std::vector<int> t(T);
    for (int& x : t) x = int(rng.below(uint32_t(V)));
    return t;
}

double max_rel(const GptMatrix& a, const Eigen::MatrixXd& b) {
    REQUIRE(a.rows() == b.rows());
    REQUIRE(a.cols() == b.cols());
    const double scale = std::max(1.0, b.cwiseAbs().maxCoeff());
    return (a.cast<double>() - b).cwiseAbs().maxCoeff() / scale;
}

// A batch of three sequences of different lengths with targets in different places.
GptBatch small_batch(const GptConfig& c) {
    GptBatch b;
    const std::vector<std::vector<int>> seqs{some_tokens(7, c.vocab_size, 1), some_tokens(3, c.vocab_size, 2),
                                             some_tokens(9, c.vocab_size, 3)};
    b.starts.push_back(0);
    for (size_t s = 0; s < seqs.size(); ++s) {
        for (size_t i = 0; i < seqs[s].size(); ++i) {
            b.tokens.push_back(seqs[s][i]);
            const bool target = i + 1 < seqs[s].size() && (i % 2 == s % 2 || i + 2 == seqs[s].size());
            b.targets.push_back(target ? seqs[s][i + 1] : -1);
        }
        b.starts.push_back(int(b.tokens.size()));
    }
    return b;
}

}  // namespace

TEST_CASE("gpt config: absurd sizes are refused with a message naming the field") {
    std::string err;
    GptConfig c = odd_config();
    CHECK(c.validate(&err));
    c.n_embd = 13;
    CHECK_FALSE(c.validate(&err));
    CHECK(err.find("multiple of n_head") != std::string::npos);
    c = odd_config(); c.n_layer = 0;
    CHECK_FALSE(c.validate(&err));
    CHECK(err.find("n_layer") != std::string::npos);
    c = odd_config(); c.vocab_size = -5;
    CHECK_FALSE(c.validate(&err));
    c = odd_config(); c.n_embd = 4096; c.n_head = 1; c.n_inner = 16384; c.n_layer = 64;
    CHECK_FALSE(c.validate(&err));
    CHECK(err.find("weights") != std::string::npos);
    c = odd_config(); c.layer_norm_epsilon = std::nanf("");
    CHECK_FALSE(c.validate(&err));
    GptWeights w;
    CHECK_FALSE(w.resize(c, &err));
}

TEST_CASE("gpt weights: GPT-2's tensor names, shapes and count; seeded init") {
    const GptConfig c = odd_config();
    GptWeights w;
    std::string err;
    REQUIRE(w.resize(c, &err));
    const std::vector<GptTensor> t = w.tensors();
    REQUIRE(t.size() == size_t(2 + 12 * c.n_layer + 2));
    CHECK(t[0].name == "transformer.wte.weight");
    CHECK(t[0].shape == std::vector<int>{17, 12});
    CHECK(t[1].name == "transformer.wpe.weight");
    CHECK(t[4].name == "transformer.h.0.attn.c_attn.weight");
    CHECK(t[4].shape == std::vector<int>{12, 36});
    CHECK(t[10].name == "transformer.h.0.mlp.c_fc.weight");
    CHECK(t[10].shape == std::vector<int>{12, 20});
    CHECK(t[12].name == "transformer.h.0.mlp.c_proj.weight");
    CHECK(t[12].shape == std::vector<int>{20, 12});
    CHECK(t.back().name == "transformer.ln_f.bias");
    int64_t total = 0;
    std::set<std::string> names;
    for (const GptTensor& x : t) { total += x.size(); names.insert(x.name); }
    CHECK(names.size() == t.size());
    CHECK(total == c.n_params());

    w.init(5);
    GptWeights w2;
    REQUIRE(w2.resize(c, &err));
    w2.init(5);
    CHECK(w.wte == w2.wte);
    CHECK(w.h[1].mlp.c_proj.weight == w2.h[1].mlp.c_proj.weight);
    w2.init(6);
    CHECK(w.wte != w2.wte);
    CHECK(w.h[0].ln_1.weight.isOnes());
    CHECK(w.h[0].attn.c_attn.bias.isZero());
    // c_proj is scaled by 1/sqrt(2 L): its spread is half of c_fc's for L = 2
    GptConfig big = c; big.n_embd = 60; big.n_head = 3; big.n_inner = 240; big.vocab_size = 400;
    REQUIRE(w.resize(big, &err));
    w.init(1);
    auto sd = [](const GptMatrix& m) { return std::sqrt(double(m.squaredNorm()) / double(m.size())); };
    CHECK(sd(w.wte) == doctest::Approx(0.02).epsilon(0.03));
    CHECK(sd(w.h[0].mlp.c_fc.weight) == doctest::Approx(0.02).epsilon(0.03));
    CHECK(sd(w.h[0].mlp.c_proj.weight) == doctest::Approx(0.01).epsilon(0.03));
    CHECK(sd(w.h[1].attn.c_proj.weight) == doctest::Approx(0.01).epsilon(0.03));

    w.wte(3, 4) = std::nanf("");
    CHECK_FALSE(w.finite(&err));
    CHECK(err.find("transformer.wte.weight") != std::string::npos);
}

TEST_CASE("gpt forward: every intermediate equals the double reference") {
    const GptConfig c = odd_config();
    const GptWeights w = rough_weights(c, 11);
    const GptRefWeights rw = GptRefWeights::from(w);
    for (int T : {1, 2, 5, 9}) {
        const std::vector<int> tok = some_tokens(T, c.vocab_size, 100 + T);
        GptIntervention all;
        all.logits = GptLogits::all;
        GptCache cache;
        std::string err;
        REQUIRE(gpt_forward(w, tok.data(), T, &all, &cache, &err));
        GptRefCache ref;
        gpt_reference_forward(rw, tok, nullptr, &ref);
        for (int l = 0; l < c.n_layer; ++l) {
            CHECK(max_rel(cache.layers[l].resid_post, ref.resid_post[l]) < 2e-5);
            CHECK(max_rel(cache.layers[l].attn_out, ref.attn_out[l]) < 2e-5);
            CHECK(max_rel(cache.layers[l].mlp_pre, ref.mlp_pre[l]) < 2e-5);
            CHECK(max_rel(cache.layers[l].mlp_post, ref.mlp_post[l]) < 2e-5);
            CHECK(max_rel(cache.layers[l].mlp_out, ref.mlp_out[l]) < 2e-5);
            for (int h = 0; h < c.n_head; ++h) CHECK(max_rel(cache.layers[l].pattern[h], ref.pattern[l][h]) < 2e-5);
            if (l + 1 < c.n_layer) CHECK(cache.layers[l + 1].resid_pre == cache.layers[l].resid_post);
            CHECK(cache.layers[l].resid_mid == cache.layers[l].resid_pre + cache.layers[l].attn_out);
        }
        CHECK(max_rel(cache.ln_f, ref.ln_f) < 2e-5);
        CHECK(max_rel(cache.logits, ref.logits) < 2e-5);
        // the cheaper variant: the last row only, and its softmax
        GptCache scratch;
        Eigen::VectorXf p;
        REQUIRE(gpt_next_probs(w, tok.data(), T, nullptr, &p, &scratch, &err));
        CHECK(scratch.logits.rows() == 1);
        CHECK(scratch.logits.row(0) == cache.logits.row(T - 1));
        CHECK(p.sum() == doctest::Approx(1.0).epsilon(1e-5));
        // causal: a later token does not change earlier positions
        if (T > 2) {
            std::vector<int> tok2 = tok;
            tok2[T - 1] = (tok2[T - 1] + 1) % c.vocab_size;
            GptCache c2;
            REQUIRE(gpt_forward(w, tok2.data(), T, &all, &c2, &err));
            CHECK(c2.logits.topRows(T - 1) == cache.logits.topRows(T - 1));
            CHECK(c2.logits.row(T - 1) != cache.logits.row(T - 1));
        }
    }
}

TEST_CASE("gpt interventions: noise, patches, knockout, ablation as the reference does them") {
    const GptConfig c = odd_config();
    const GptWeights w = rough_weights(c, 12);
    const GptRefWeights rw = GptRefWeights::from(w);
    const int T = 7;
    const std::vector<int> tok = some_tokens(T, c.vocab_size, 7);
    Rng rng(3);
    GptIntervention iv;
    iv.logits = GptLogits::all;
    iv.noise_positions = {1, 2};
    iv.noise = GptMatrix(2, c.n_embd);
    for (int64_t i = 0; i < iv.noise.size(); ++i) iv.noise.data()[i] = float(rng.normal());
    auto vec = [&] { GptRow v(c.n_embd); for (int i = 0; i < c.n_embd; ++i) v[i] = float(rng.normal()); return v; };
    iv.patches = {{0, 2, GptSite::mlp_out, vec()}, {1, 3, GptSite::attn_out, vec()}, {0, 5, GptSite::resid_post, vec()}};
    iv.knockouts = {{1, 6, {1, 2}}, {0, 0, {0}}};            // query 0 of layer 0 sees no key at all
    iv.ablations = {{0, -1, {0, 5, 19}}, {1, 4, {2}}};
    GptCache cache;
    std::string err;
    REQUIRE(gpt_forward(w, tok.data(), T, &iv, &cache, &err));
    GptRefCache ref;
    gpt_reference_forward(rw, tok, &iv, &ref);
    CHECK(max_rel(cache.logits, ref.logits) < 2e-5);
    CHECK(cache.layers[0].mlp_out.row(2) == iv.patches[0].value);
    CHECK(cache.layers[1].attn_out.row(3) == iv.patches[1].value);
    CHECK(cache.layers[0].resid_post.row(5) == iv.patches[2].value);
    CHECK(cache.layers[1].pattern[0](6, 1) == 0.f);
    CHECK(cache.layers[1].pattern[2](6, 2) == 0.f);
    CHECK(cache.layers[0].pattern[1].row(0).isZero());
    CHECK(cache.layers[0].mlp_post(3, 5) == 0.f);
    CHECK(cache.layers[1].mlp_post(4, 2) == 0.f);
    CHECK(cache.layers[1].mlp_post(3, 2) != 0.f);

    // bad interventions are refused with a message
    GptIntervention bad;
    bad.patches = {{2, 0, GptSite::mlp_out, vec()}};
    CHECK_FALSE(gpt_forward(w, tok.data(), T, &bad, &cache, &err));
    CHECK(err.find("layer") != std::string::npos);
    bad = {}; bad.knockouts = {{0, 9, {0}}};
    CHECK_FALSE(gpt_forward(w, tok.data(), T, &bad, &cache, &err));
    bad = {}; bad.ablations = {{0, -1, {20}}};
    CHECK_FALSE(gpt_forward(w, tok.data(), T, &bad, &cache, &err));
    bad = {}; bad.noise_positions = {0}; bad.noise = GptMatrix(1, 5);
    CHECK_FALSE(gpt_forward(w, tok.data(), T, &bad, &cache, &err));
    const std::vector<int> long_prompt(10, 1), bad_id{1, 17};
    CHECK_FALSE(gpt_forward(w, long_prompt.data(), 10, nullptr, &cache, &err));
    CHECK(err.find("context") != std::string::npos);
    CHECK_FALSE(gpt_forward(w, bad_id.data(), 2, nullptr, &cache, &err));
}

TEST_CASE("gpt_forward_from: a restored cell recomputed from its layer and position equals a whole run, bit for bit") {
    const GptConfig c = odd_config();
    const GptWeights w = rough_weights(c, 13);
    const int T = 8;
    const std::vector<int> tok = some_tokens(T, c.vocab_size, 8);
    Rng rng(4);
    GptIntervention noisy;
    noisy.noise_positions = {0, 1, 2};
    noisy.noise = GptMatrix(3, c.n_embd);
    for (int64_t i = 0; i < noisy.noise.size(); ++i) noisy.noise.data()[i] = float(3 * rng.normal());
    GptCache clean, corrupt, work, whole;
    std::string err;
    REQUIRE(gpt_forward(w, tok.data(), T, nullptr, &clean, &err));
    REQUIRE(gpt_forward(w, tok.data(), T, &noisy, &corrupt, &err));
    for (GptSite site : {GptSite::resid_post, GptSite::mlp_out, GptSite::attn_out})
        for (int l = 0; l < c.n_layer; ++l)
            for (int p = 0; p < T; ++p) {
                GptIntervention iv = noisy;
                const GptLayerCache& cl = clean.layers[l];
                const GptMatrix& src = site == GptSite::resid_post ? cl.resid_post : site == GptSite::mlp_out ? cl.mlp_out : cl.attn_out;
                iv.patches = {{l, p, site, src.row(p)}};
                work = corrupt;
                REQUIRE(gpt_forward_from(w, tok.data(), T, l, p, &iv, &work, &err));
                REQUIRE(gpt_forward(w, tok.data(), T, &iv, &whole, &err));
                // exact: every kernel computes a row the same way whichever rows it is given
                CHECK(work.logits == whole.logits);
                for (int ll = 0; ll < c.n_layer; ++ll) CHECK(work.layers[ll].resid_post == whole.layers[ll].resid_post);
            }
    // Restoring the last layer's output at the last position gives the clean logits exactly.
    GptIntervention iv = noisy;
    iv.patches = {{c.n_layer - 1, T - 1, GptSite::resid_post, clean.layers[c.n_layer - 1].resid_post.row(T - 1)}};
    work = corrupt;
    REQUIRE(gpt_forward_from(w, tok.data(), T, c.n_layer - 1, T - 1, &iv, &work, &err));
    CHECK(work.logits == clean.logits);
    // a cache of another prompt length is refused
    GptCache other;
    REQUIRE(gpt_forward(w, tok.data(), T - 1, nullptr, &other, &err));
    CHECK_FALSE(gpt_forward_from(w, tok.data(), T, 0, 0, nullptr, &other, &err));
}

TEST_CASE("gpt backward: the reference against finite differences, every tensor") {
    GptConfig c = odd_config();
    c.n_embd = 6; c.n_head = 2; c.n_inner = 7; c.vocab_size = 11; c.n_positions = 9;
    const GptWeights w = rough_weights(c, 21);
    GptRefWeights rw = GptRefWeights::from(w);
    const GptBatch batch = small_batch(c);
    std::vector<Eigen::MatrixXd> grad;
    gpt_reference_loss_and_grad(rw, batch, &grad);
    const std::vector<GptConstTensor> names = w.tensors();
    REQUIRE(grad.size() == names.size());
    Rng rng(9);
    for (size_t k = 0; k < rw.t.size(); ++k) {
        Eigen::MatrixXd& t = rw.t[k];
        double worst = 0;
        for (int s = 0; s < 12; ++s) {
            const int64_t i = rng.below(uint32_t(t.size()));
            const double keep = t.data()[i], h = 1e-5;
            t.data()[i] = keep + h;
            const double up = gpt_reference_loss_and_grad(rw, batch, nullptr);
            t.data()[i] = keep - h;
            const double down = gpt_reference_loss_and_grad(rw, batch, nullptr);
            t.data()[i] = keep;
            const double fd = (up - down) / (2 * h), g = grad[k].data()[i];
            worst = std::max(worst, std::fabs(fd - g) / std::max(1e-3, std::fabs(fd) + std::fabs(g)));
        }
        INFO(names[k].name);
        CHECK(worst < 1e-5);
    }
}

TEST_CASE("gpt backward: the fast gradient equals the reference's, every tensor, and it adds scaled") {
    const GptConfig c = odd_config();
    const GptWeights w = rough_weights(c, 22);
    const GptRefWeights rw = GptRefWeights::from(w);
    const GptBatch batch = small_batch(c);
    std::string err;
    REQUIRE(batch.validate(c, &err));
    std::vector<Eigen::MatrixXd> ref;
    const double ref_loss = gpt_reference_loss_and_grad(rw, batch, &ref);
    GptWeights g;
    REQUIRE(g.resize(c, &err));
    GptBatchCache bc;
    const double loss = gpt_loss_and_grad(w, batch, &g, 1.f, &bc);
    CHECK(loss == doctest::Approx(ref_loss).epsilon(1e-5));
    CHECK(bc.probs.rows() == batch.n_targets());
    const std::vector<GptConstTensor> t = static_cast<const GptWeights&>(g).tensors();
    for (size_t k = 0; k < t.size(); ++k) {
        const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(
            t[k].data, ref[k].rows(), ref[k].cols());
        INFO(t[k].name);
        CHECK(max_rel(m, ref[k]) < 5e-5);
        CHECK(ref[k].cwiseAbs().maxCoeff() > 0);         // every tensor gets a gradient
    }
    // grad is accumulated and scaled: a second call at scale 0.5 adds half again
    const GptWeights once = g;
    gpt_loss_and_grad(w, batch, &g, 0.5f, &bc);
    CHECK((g.h[1].mlp.c_fc.weight - 1.5f * once.h[1].mlp.c_fc.weight).cwiseAbs().maxCoeff() < 1e-5);
    // loss without a gradient is the same number
    CHECK(gpt_loss_and_grad(w, batch, nullptr, 1.f, &bc) == loss);

    GptBatch bad = batch;
    bad.targets[2] = 99;
    CHECK_FALSE(bad.validate(c, &err));
    bad = batch; bad.starts[1] = 0;
    CHECK_FALSE(bad.validate(c, &err));
}
