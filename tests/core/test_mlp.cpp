// test_mlp.cpp: the MLP block's forward pass against a naive loop reference.
#include <doctest/doctest.h>
#include <cmath>
#include <vector>
#include "core/block/mlp.hpp"
#include "core/rng.hpp"

using namespace factlab;

namespace {

Mat random_mat(Rng& rng, int r, int c, float scale) {
    Mat m(r, c);
    for (int i = 0; i < r; ++i)
        for (int j = 0; j < c; ++j) m(i, j) = float(rng.normal()) * scale;
    return m;
}

// The reference: out = E + W_down·act(W_up·E + b_up) + b_down, with plain loops in double.
struct Ref { std::vector<double> pre, post, out; };
Ref naive_forward(const Mlp& m, const Vec& E, const std::vector<unsigned char>* ablate) {
    const int h = m.hidden(), d = m.d();
    Ref r;
    r.pre.assign(size_t(h), 0.0);
    r.post.assign(size_t(h), 0.0);
    r.out.assign(size_t(d), 0.0);
    for (int i = 0; i < h; ++i) {
        double s = m.b_up[i];
        for (int k = 0; k < d; ++k) s += double(m.W_up(i, k)) * double(E[k]);
        r.pre[size_t(i)] = s;
        double x = s;
        double a = m.act == Activation::ReLU ? (x > 0 ? x : 0)
                                             : 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
        r.post[size_t(i)] = (ablate && (*ablate)[size_t(i)]) ? 0.0 : a;
    }
    for (int k = 0; k < d; ++k) {
        double s = double(E[k]) + double(m.b_down[k]);
        for (int i = 0; i < h; ++i) s += double(m.W_down(k, i)) * r.post[size_t(i)];
        r.out[size_t(k)] = s;
    }
    return r;
}

}  // namespace

TEST_CASE("mlp: forward matches the naive loop reference (random sizes, ReLU and GELU, ablation)") {
    Rng rng(12345);
    for (int trial = 0; trial < 60; ++trial) {
        const int h = 1 + int(rng.below(70)), d = 1 + int(rng.below(90));
        Mlp m;
        m.W_up = random_mat(rng, h, d, 0.3f);                  // (h, d)
        m.b_up = random_mat(rng, h, 1, 0.5f);                  // (h)
        m.W_down = random_mat(rng, d, h, 0.3f);                // (d, h)
        m.b_down = random_mat(rng, d, 1, 0.1f);                // (d)
        m.act = trial % 2 ? Activation::GELU : Activation::ReLU;
        Vec E = random_mat(rng, d, 1, 1.0f);
        std::vector<unsigned char> ablate(static_cast<size_t>(h));
        for (auto& a : ablate) a = rng.below(4) == 0;
        const bool use_ablate = trial % 3 == 0;
        Trace t;
        mlp_forward(m, E, t, use_ablate ? &ablate : nullptr);
        Ref r = naive_forward(m, E, use_ablate ? &ablate : nullptr);
        CAPTURE(trial); CAPTURE(h); CAPTURE(d);
        REQUIRE(t.pre.size() == h);
        REQUIRE(t.out.size() == d);
        double tol = 1e-4 * (1 + std::sqrt(double(d + h)));
        for (int i = 0; i < h; ++i) {
            CHECK(std::fabs(t.pre[i] - r.pre[size_t(i)]) < tol);
            CHECK(std::fabs(t.post[i] - r.post[size_t(i)]) < tol);
        }
        for (int k = 0; k < d; ++k) {
            CHECK(std::fabs(t.out[k] - r.out[size_t(k)]) < tol);
            CHECK(std::fabs(t.delta[k] - (t.out[k] - E[k])) < 1e-5);
        }
        if (use_ablate)
            for (int i = 0; i < h; ++i) if (ablate[size_t(i)]) CHECK(t.post[i] == 0.0f);

        // The batched forward gives the same numbers, column by column.
        const int n = 1 + int(rng.below(5));
        Mat X = random_mat(rng, d, n, 1.0f);
        X.col(0) = E;
        Mat H, OUT;
        mlp_forward_batch(m, X, H, OUT, use_ablate ? &ablate : nullptr);
        REQUIRE(H.rows() == h);
        REQUIRE(OUT.cols() == n);
        for (int j = 0; j < n; ++j) {
            Trace tj;
            mlp_forward(m, X.col(j), tj, use_ablate ? &ablate : nullptr);
            CHECK((H.col(j) - tj.post).cwiseAbs().maxCoeff() < tol);
            CHECK((OUT.col(j) - tj.out).cwiseAbs().maxCoeff() < tol);
        }
    }
}

TEST_CASE("mlp: activations, their derivatives and names") {
    CHECK(activate(Activation::ReLU, -2.0f) == 0.0f);
    CHECK(activate(Activation::ReLU, 1.5f) == 1.5f);
    CHECK(activate(Activation::GELU, 0.0f) == 0.0f);
    CHECK(std::fabs(activate(Activation::GELU, 1.0f) - 0.841192f) < 1e-5);     // tanh form
    CHECK(std::fabs(activate(Activation::GELU, -1.0f) + 0.158808f) < 1e-5);
    for (float x = -4.0f; x <= 4.0f; x += 0.37f) {
        const float e = 1e-3f;
        float fd = (activate(Activation::GELU, x + e) - activate(Activation::GELU, x - e)) / (2 * e);
        CHECK(std::fabs(activate_grad(Activation::GELU, x) - fd) < 2e-3);
        CHECK(activate_grad(Activation::ReLU, x) == (x > 0 ? 1.0f : 0.0f));
    }
    Activation a = Activation::ReLU;
    CHECK(activation_from_name("gelu", &a));
    CHECK(a == Activation::GELU);
    CHECK(activation_from_name(activation_name(Activation::ReLU), &a));
    CHECK(a == Activation::ReLU);
    CHECK_FALSE(activation_from_name("tanh", &a));
    CHECK_FALSE(activation_from_name(nullptr, &a));
}

TEST_CASE("mlp: a mismatched input is answered with an empty delta, not a crash") {
    Mlp m;
    m.W_up = Mat::Ones(3, 4);
    m.b_up = Vec::Zero(3);
    m.W_down = Mat::Ones(4, 3);
    m.b_down = Vec::Zero(4);
    Trace t;
    Vec E = Vec::Ones(5);                                       // wrong width
    mlp_forward(m, E, t);
    CHECK(t.out.size() == 5);
    CHECK(t.delta.isZero());
    m.b_up = Vec::Zero(2);                                      // inconsistent block
    CHECK_FALSE(mlp_shapes_ok(m));
    mlp_forward(m, Vec::Ones(4), t);
    CHECK(t.delta.isZero());
}
