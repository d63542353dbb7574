// test_superpose.cpp: the tiled pair kernels against the plain reference, gradients
// against finite differences, statistics against brute force, the bounds against known
// values, and the Superposer's guards (sizes, NaN, seeds, slicing).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "core/superpose/bounds.hpp"
#include "core/rng.hpp"
#include "core/superpose/superpose.hpp"

using namespace factlab;
using spk::RowMatrixXd;
using spk::RowMatrixXf;

namespace {

constexpr double kPi = 3.14159265358979323846;

RowMatrixXf random_unit_rows(int n, int d, uint64_t seed, float scale_jitter = 0.f) {
    Rng rng(seed);
    RowMatrixXf V(n, d);                                   // (N, d)
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < d; ++k) V(i, k) = float(rng.normal());
        V.row(i) /= V.row(i).norm();
        if (scale_jitter > 0) V.row(i) *= 1.f + scale_jitter * float(rng.uniform() - 0.5);
    }
    return V;
}

spk::LossParams video_params(int n) {
    spk::LossParams lp;
    lp.kind = spk::LossKind::video;
    lp.n_weight = float(n);
    return lp;
}

spk::LossParams exp_params(float t, float shift) {
    spk::LossParams lp;
    lp.kind = spk::LossKind::exp;
    lp.t = t;
    lp.shift = shift;
    return lp;
}

double reference_loss(const RowMatrixXf& V, const spk::LossParams& lp) {
    RowMatrixXd g;
    spk::GradSums s;
    spk::pairs_grad_reference(&g, &s, V, lp);
    return s.loss;
}

// (n, d) pairs covering odd sizes, tile edges, d not a multiple of any SIMD width.
const int kSizes[][2] = {{7, 3}, {65, 17}, {130, 33}, {257, 100}, {400, 20}, {97, 16}};

// Sparse inputs: near-orthogonal scaled basis rows (v_i = a e_{i mod d} + noise) put every
// off-diagonal |G| in the video loss's dead zone except rows i and i + d, which share a
// direction; the tiles become sparse and the SIMD kernels take their sparse update.
RowMatrixXf sparse_rows(int n, int d, uint64_t seed, float a = 1.02f, float noise = 1e-4f) {
    Rng rng(seed);
    RowMatrixXf V = RowMatrixXf::Zero(n, d);               // (N, d)
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < d; ++k) V(i, k) = noise * float(rng.normal());
        V(i, i % d) += (i / d % 2 ? -a : a) * (1.f + 0.01f * float(i % 7));
    }
    return V;
}

// No video weight may sit within float rounding of the relu's kink (the sign would flip).
double video_kink_margin(const RowMatrixXf& V, float thr) {
    const RowMatrixXd Vd = V.cast<double>();
    const RowMatrixXd G = Vd * Vd.transpose();               // (N, N)
    double m = 1.0;
    for (int i = 0; i < G.rows(); ++i)
        for (int j = 0; j < G.cols(); ++j) m = std::min(m, std::fabs(std::fabs(G(i, j) - (i == j)) - thr));
    return m;
}

// Row by row, coordinate by coordinate: |g - g_ref| within the float error of the sum
// g_ic = sum_j w_ij v_jc (terms <= nnz, each rounded: (terms + 2) 2^-24 sum_j |w_ij v_jc|)
// plus the weights' own error through G's rounding (d 2^-24 |v_i| |v_j| per entry; the
// video diagonal weight 4 N (G_ii - 1) amplifies it by 4 N). Returns the rows outside.
int rows_outside_float_bound(const RowMatrixXf& g, const RowMatrixXf& V, const spk::LossParams& lp) {
    const int n = int(V.rows()), d = int(V.cols());
    const RowMatrixXd Vd = V.cast<double>();
    const RowMatrixXd G = Vd * Vd.transpose();               // (N, N)
    RowMatrixXd gref;
    spk::GradSums s;
    spk::pairs_grad_reference(&gref, &s, V, lp);
    const double u = std::ldexp(1.0, -24);
    int bad = 0;
    for (int i = 0; i < n; ++i) {
        RowMatrixXd absw(1, n), werr(1, n);                   // |w_ij| and a bound on its float error
        for (int j = 0; j < n; ++j) {
            const double gij = G(i, j), dG = d * u * Vd.row(i).norm() * Vd.row(j).norm();
            if (lp.kind == spk::LossKind::video) {
                const double x = i == j ? gij - 1.0 : gij;
                absw(0, j) = (std::fabs(x) > lp.thr ? 2.0 : 0.0) + (i == j ? 4.0 * lp.n_weight * std::fabs(x) : 0.0);
                werr(0, j) = i == j ? 4.0 * lp.n_weight * dG : 0.0;
            } else {
                // w = 2 g e, e = exp(t g^2 - shift): dw/dG = e (2 + 4 t g^2); the argument's own
                // rounding (terms ~ t g^2 + shift) and the polynomial exp add ~ 8 u relative.
                const double arg = double(lp.t) * gij * gij - lp.shift;
                const double e = i != j && arg > -30 ? std::exp(arg) : 0.0;
                absw(0, j) = 2.0 * std::fabs(gij) * e;
                werr(0, j) = e * (2.0 + 4.0 * lp.t * gij * gij) * dG +
                             absw(0, j) * 8.0 * u * (1.0 + lp.t * gij * gij + std::fabs(lp.shift));
            }
        }
        const double nnz = double((absw.array() > 0).count());
        bool row_bad = false;
        for (int c = 0; c < d && !row_bad; ++c) {
            double sum_abs = 0, wt_err = 0;
            for (int j = 0; j < n; ++j) {
                sum_abs += absw(0, j) * std::fabs(Vd(j, c));
                wt_err += werr(0, j) * std::fabs(Vd(j, c));
            }
            const double tol = (nnz + 2) * u * sum_abs + wt_err + 1e-30;
            if (std::fabs(double(g(i, c)) - gref(i, c)) > tol) {
                row_bad = true;
                MESSAGE("row " << i << " col " << c << ": kernel " << g(i, c) << " reference " << gref(i, c)
                               << " bound " << tol);
            }
        }
        bad += row_bad;
    }
    return bad;
}

}  // namespace

TEST_CASE("superpose kernels: sparse and diagonal tiles, every row within float rounding of the reference") {
    // The reproduction (40 rows of 1.02 e_i + 1e-4 noise in d = 100: only the
    // diagonal weights are nonzero) and sparse tiles across tile edges of every kernel
    // (tile_rows 48, 64, 96, 192; odd N, d not a multiple of a SIMD width).
    struct Case { int n, d; float a, noise; };
    const Case cases[] = {{40, 100, 1.02f, 1e-4f}, {97, 33, 1.02f, 1e-4f}, {193, 100, 1.03f, 1e-4f},
                          {65, 17, 0.97f, 2e-4f},  {250, 61, 1.02f, 1e-4f}, {7, 3, 1.05f, 1e-4f}};
    for (const Case& cs : cases) {
        const RowMatrixXf V = sparse_rows(cs.n, cs.d, 101 + cs.n, cs.a, cs.noise);
        const spk::LossParams lp = video_params(cs.n);
        REQUIRE(video_kink_margin(V, lp.thr) > 1e-4);
        for (const spk::KernelImpl* ki : spk::kernel_impls()) {
            const std::string kname = ki->name;
            CAPTURE(cs.n); CAPTURE(cs.d); CAPTURE(kname);
            spk::PairBuffers pb;
            pb.setup(*ki, V);
            RowMatrixXf g;                                   // (N, d)
            spk::GradSums s;
            pb.grad_pass(lp, &s, &g);
            CHECK(rows_outside_float_bound(g, V, lp) == 0);
        }
    }
}

TEST_CASE("superpose kernels: sparse exp tiles (large t), every row within float rounding of the reference") {
    // A few close pairs (rows i and i + d) carry all the weight above e^-30 of the worst.
    for (auto sz : {std::pair<int, int>{97, 33}, {193, 100}, {250, 61}}) {
        const RowMatrixXf V = sparse_rows(sz.first, sz.second, 7 + sz.first, 1.f, 3e-2f);
        spk::GradSums probe;
        RowMatrixXd g0;
        spk::pairs_grad_reference(&g0, &probe, V, exp_params(1.f, 0.f));
        const float t = 50.f;
        const spk::LossParams lp = exp_params(t, t * probe.max_c2);
        for (const spk::KernelImpl* ki : spk::kernel_impls()) {
            const std::string kname = ki->name;
            CAPTURE(sz.first); CAPTURE(kname);
            spk::PairBuffers pb;
            pb.setup(*ki, V);
            RowMatrixXf g;
            spk::GradSums s;
            pb.grad_pass(lp, &s, &g);
            CHECK(rows_outside_float_bound(g, V, lp) == 0);
        }
    }
}

TEST_CASE("superpose kernels match the reference gradient and loss (video loss)") {
    for (auto sz : kSizes) {
        const int n = sz[0], d = sz[1];
        const RowMatrixXf V = random_unit_rows(n, d, 11 + n, 0.1f);   // (N, d), norms 0.95..1.05
        const spk::LossParams lp = video_params(n);
        RowMatrixXd gref;                                            // (N, d)
        spk::GradSums sref;
        spk::pairs_grad_reference(&gref, &sref, V, lp);
        for (const spk::KernelImpl* ki : spk::kernel_impls()) {
            CAPTURE(n); CAPTURE(d); const std::string kname = ki->name; CAPTURE(kname);
            spk::PairBuffers pb;
            pb.setup(*ki, V);
            RowMatrixXf g;                                           // (N, d)
            spk::GradSums s;
            pb.grad_pass(lp, &s, &g);
            CHECK(s.loss == doctest::Approx(sref.loss).epsilon(1e-5));
            // The sign entries can flip for a pair whose |G| sits within float rounding of
            // 0.01; allow that, count the rest exactly.
            const double scale = gref.cwiseAbs().maxCoeff();
            const RowMatrixXd diff = g.cast<double>() - gref;
            int off = 0;
            for (int i = 0; i < n; ++i)
                if (diff.row(i).cwiseAbs().maxCoeff() > 1e-4 * scale + 1e-3) ++off;
            CHECK(off <= 2);
        }
    }
}

TEST_CASE("superpose kernels match the reference gradient and loss (exp loss)") {
    // t = 40: every weight counts (dense products); t = 2000 shifted to the worst pair:
    // most weights fall under e^-60 and become 0 (the sparse update).
    for (float t : {40.f, 2000.f}) {
        for (auto sz : kSizes) {
            const int n = sz[0], d = sz[1];
            const RowMatrixXf V = random_unit_rows(n, d, 23 + n);
            spk::LossParams lp = exp_params(t, 5.f);
            if (t > 100.f) {
                spk::GradSums probe;
                RowMatrixXd g0;
                spk::pairs_grad_reference(&g0, &probe, V, exp_params(1.f, 0.f));
                lp.shift = t * probe.max_c2;
            }
            CAPTURE(t);
            RowMatrixXd gref;
            spk::GradSums sref;
            spk::pairs_grad_reference(&gref, &sref, V, lp);
            for (const spk::KernelImpl* ki : spk::kernel_impls()) {
                CAPTURE(n); CAPTURE(d); const std::string kname = ki->name; CAPTURE(kname);
                spk::PairBuffers pb;
                pb.setup(*ki, V);
                RowMatrixXf g;
                spk::GradSums s;
                pb.grad_pass(lp, &s, &g);
                CHECK(s.loss == doctest::Approx(sref.loss).epsilon(t > 100.f ? 1e-3 : 2e-4));
                CHECK(s.max_c2 == doctest::Approx(sref.max_c2).epsilon(1e-4));
                // float rounding of t G^2 - shift (~1e3 - 1e3 at t = 2000) sets the tolerance
                const double err = (g.cast<double>() - gref).cwiseAbs().maxCoeff();
                CHECK(err <= (t > 100.f ? 1e-3 : 2e-4) * gref.cwiseAbs().maxCoeff());
            }
        }
    }
}

TEST_CASE("the reference gradient matches finite differences") {
    const int n = 9, d = 5;
    RowMatrixXf V = random_unit_rows(n, d, 5, 0.2f);
    SUBCASE("video loss, including the diagonal terms") {
        const spk::LossParams lp = video_params(n);
        RowMatrixXd g;
        spk::GradSums s;
        spk::pairs_grad_reference(&g, &s, V, lp);
        // The loss is piecewise quadratic; keep the step well inside one piece: no |G_ij|
        // (nor |G_ii - 1|) may cross the relu's kink at 0.01.
        const RowMatrixXd Vd = V.cast<double>();
        const RowMatrixXd G = Vd * Vd.transpose();           // (N, N)
        double margin = 1.0;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) margin = std::min(margin, std::fabs(std::fabs(G(i, j) - (i == j)) - 0.01));
        REQUIRE(margin > 1e-4);
        const float h = float(std::min(1e-3, margin / 8));
        for (int i = 0; i < n; ++i) {
            for (int k = 0; k < d; ++k) {
                RowMatrixXf Vp = V, Vm = V;
                Vp(i, k) += h;
                Vm(i, k) -= h;
                const double fd = (reference_loss(Vp, lp) - reference_loss(Vm, lp)) / (double(Vp(i, k)) - Vm(i, k));
                CAPTURE(i); CAPTURE(k);
                CHECK(fd == doctest::Approx(g(i, k)).epsilon(2e-3).scale(1.0));
            }
        }
    }
    SUBCASE("exp loss") {
        const spk::LossParams lp = exp_params(20.f, 0.f);
        RowMatrixXd g;
        spk::GradSums s;
        spk::pairs_grad_reference(&g, &s, V, lp);
        const float h = 1e-3f;
        for (int i = 0; i < n; ++i) {
            for (int k = 0; k < d; ++k) {
                RowMatrixXf Vp = V, Vm = V;
                Vp(i, k) += h;
                Vm(i, k) -= h;
                const double fd = (reference_loss(Vp, lp) - reference_loss(Vm, lp)) / (double(Vp(i, k)) - Vm(i, k));
                CHECK(fd == doctest::Approx(lp.t * g(i, k)).epsilon(1e-3).scale(1.0));   // w = dZ/dG / t
            }
        }
    }
    SUBCASE("the fast kernel's gradient matches finite differences of its own loss (float)") {
        const spk::LossParams lp = exp_params(10.f, 0.f);
        spk::PairBuffers pb;
        pb.setup(spk::kernel_impl(spk::KernelKind::simd), V);
        RowMatrixXf g;
        spk::GradSums s;
        pb.grad_pass(lp, &s, &g);
        auto loss_at = [&](const RowMatrixXf& W) {
            spk::PairBuffers q;
            q.setup(spk::kernel_impl(spk::KernelKind::simd), W);
            RowMatrixXf gg;
            spk::GradSums ss;
            q.grad_pass(lp, &ss, &gg);
            return ss.loss;
        };
        const float h = 1e-2f;
        for (int i = 0; i < n; i += 2) {
            RowMatrixXf Vp = V, Vm = V;
            Vp(i, 1) += h;
            Vm(i, 1) -= h;
            const double fd = (loss_at(Vp) - loss_at(Vm)) / (double(Vp(i, 1)) - Vm(i, 1));
            CHECK(fd == doctest::Approx(lp.t * g(i, 1)).epsilon(2e-2).scale(1.0));
        }
    }
}

TEST_CASE("statistics match a brute-force count") {
    for (auto sz : kSizes) {
        const int n = sz[0], d = sz[1];
        const RowMatrixXf V = random_unit_rows(n, d, 37 + n, 0.3f);
        const spk::LossParams lp = video_params(n);
        spk::StatsSums ref;
        spk::pairs_stats_reference(&ref, V, lp);
        for (const spk::KernelImpl* ki : spk::kernel_impls()) {
            CAPTURE(n); CAPTURE(d); const std::string kname = ki->name; CAPTURE(kname);
            spk::PairBuffers pb;
            pb.setup(*ki, V);
            spk::StatsSums s;
            pb.stats_pass(lp, &s);
            CHECK(s.pairs == uint64_t(n) * (n - 1) / 2);
            CHECK(s.pairs == ref.pairs);
            CHECK(std::llabs((long long)s.within1 - (long long)ref.within1) <= 2);   // pairs on the edge
            CHECK(std::llabs((long long)s.within5 - (long long)ref.within5) <= 2);
            CHECK(s.cmax == doctest::Approx(ref.cmax).epsilon(1e-5));
            CHECK(s.cmin == doctest::Approx(ref.cmin).epsilon(1e-5));
            CHECK(((s.imax == ref.imax && s.jmax == ref.jmax) || std::fabs(s.cmax - ref.cmax) < 1e-6));
            CHECK(s.loss.loss == doctest::Approx(ref.loss.loss).epsilon(1e-5));
            uint64_t hs[spk::kHistBins], hr[spk::kHistBins];
            s.merge_hist(hs);
            ref.merge_hist(hr);
            uint64_t moved = 0, total = 0;
            for (int b = 0; b < spk::kHistBins; ++b) {
                moved += hs[b] > hr[b] ? hs[b] - hr[b] : hr[b] - hs[b];
                total += hs[b];
            }
            CHECK(total == s.pairs);
            CHECK(moved <= 4);                   // a pair on a bin edge may land either side
        }
    }
}

TEST_CASE("the angle helper agrees with acos") {
    for (int i = -1000; i <= 1000; ++i) {
        const float c = float(i) / 1000.f;
        const double want = std::acos(double(c)) * 1800.0 / kPi;
        CHECK(std::fabs(spk::acos_tenth_deg(c) - want) <= 2e-3);   // 2e-4 degree
    }
}

TEST_CASE("bounds: Welch, Levenshtein, caps, random baseline") {
    CHECK(welch_bound(10000, 100) == doctest::Approx(0.0995).epsilon(1e-3));
    CHECK(levenshtein_bound(10000, 100) == doctest::Approx(0.140).epsilon(2e-3));
    CHECK(worst_angle_limit_deg(10000, 100) == doctest::Approx(81.95).epsilon(1e-3));
    CHECK(welch_bound(50, 100) == 0.0);
    CHECK(std::isnan(levenshtein_bound(5000, 100)));           // 5000 <= 100*101/2
    CHECK(random_angle_std_deg(100) == doctest::Approx(5.7296).epsilon(1e-4));
    for (double phi : {0.1, 0.7, 1.5, 2.5}) {
        CHECK(std::exp(log_cap_fraction(2, phi)) == doctest::Approx(phi / kPi).epsilon(1e-9));
        CHECK(std::exp(log_cap_fraction(3, phi)) == doctest::Approx((1 - std::cos(phi)) / 2).epsilon(1e-9));
    }
    // d = 4: cap(phi) = (phi - sin(phi) cos(phi)) / pi
    CHECK(std::exp(log_cap_fraction(4, 1.0)) == doctest::Approx((1.0 - std::sin(1.0) * std::cos(1.0)) / kPi).epsilon(1e-9));
    // Large d stays finite in logs.
    CHECK(std::isfinite(log_cap_fraction(250000, 1.4)));
    CHECK(log_cap_fraction(250000, 1.4) < -1000);
    // The random baseline against the seeded initial vectors of a run.
    SuperposeConfig c;
    c.n = 1500;
    c.d = 40;
    Superposer sp;
    std::string err;
    REQUIRE(sp.reset(c, &err));
    const SuperposeStats& s = sp.compute_stats();
    CHECK(s.worst_abs_cos == doctest::Approx(random_worst_abs_cos(1500, 40)).epsilon(0.08));
    CHECK(s.random_angle_std_deg == doctest::Approx(180 / kPi / std::sqrt(40.0)));
}

TEST_CASE("how many fit: the curves are ordered and match the closed forms") {
    const FitCurves f0 = how_many_fit(100, 0.0);
    CHECK(f0.log10_welch == doctest::Approx(2.0));             // tolerance 0: only d fit
    for (double tol : {1.0, 3.0, 5.0, 10.0, 20.0}) {
        for (int d : {10, 100, 1000, 12288}) {
            const FitCurves f = how_many_fit(d, tol);
            CAPTURE(tol); CAPTURE(d);
            CHECK(f.log10_upper >= f.log10_greedy - 1e-9);
            CHECK(f.log10_greedy >= f.log10_random - 1e-9);
            CHECK(f.log10_greedy >= std::log10(double(d)) - 1e-9);
        }
    }
    // The video's companion text: +-5 deg at d = 12,288 allows billions of directions.
    CHECK(how_many_fit(12288, 5.0).log10_greedy > 9.0);
}

TEST_CASE("Superposer rejects sizes it cannot hold, with a message") {
    Superposer sp;
    std::string err;
    SuperposeConfig c;
    c.n = 1; c.d = 10;
    CHECK_FALSE(sp.reset(c, &err));
    CHECK(err.find("n must be") != std::string::npos);
    c.n = 200001;
    CHECK_FALSE(sp.reset(c, &err));
    c.n = 100; c.d = 1;
    CHECK_FALSE(sp.reset(c, &err));
    c.d = 5000;
    CHECK_FALSE(sp.reset(c, &err));
    c.n = 200000; c.d = 4096;
    CHECK_FALSE(sp.reset(c, &err));
    CHECK(err.find("MB") != std::string::npos);
    c.n = 100; c.d = 10; c.lr = -1.f;
    CHECK_FALSE(sp.reset(c, &err));
    c.lr = 0.01f;
    CHECK(sp.reset(c, &err));
}

TEST_CASE("Superposer: same seed, same vectors; sliced work equals whole steps") {
    SuperposeConfig c;
    c.n = 300; c.d = 24; c.steps = 5; c.seed = 42;
    Superposer a, b, s;
    std::string err;
    REQUIRE(a.reset(c, &err));
    REQUIRE(b.reset(c, &err));
    REQUIRE(s.reset(c, &err));
    REQUIRE(a.run(5));
    REQUIRE(b.run(5));
    int done = 0, calls = 0;
    while (done < 5 && calls < 100000) {                       // tiny slices: a tile or so each
        const int r = s.work(0.0);
        REQUIRE(r >= 0);
        done += r;
        ++calls;
    }
    CHECK(calls > 5);
    CHECK(a.vectors() == b.vectors());
    CHECK(a.vectors() == s.vectors());
    CHECK(a.loss_history() == s.loss_history());
    c.seed = 43;
    REQUIRE(b.reset(c, &err));
    REQUIRE(b.run(5));
    CHECK(a.vectors() != b.vectors());
}

TEST_CASE("Superposer: one video step is Adam's first step on the reference gradient") {
    SuperposeConfig c;
    c.n = 40; c.d = 7; c.steps = 1;
    Superposer sp;
    std::string err;
    REQUIRE(sp.reset(c, &err));
    const RowMatrixXf V0 = sp.vectors();
    RowMatrixXd g;
    spk::GradSums s;
    spk::pairs_grad_reference(&g, &s, V0, video_params(c.n));
    REQUIRE(sp.step());
    CHECK(sp.loss_history().size() == 1);
    CHECK(sp.loss_history()[0] == doctest::Approx(s.loss).epsilon(1e-5));
    // Adam's first step moves every coordinate by lr * g / (|g| + eps): -lr sign(g).
    const RowMatrixXf V1 = sp.vectors();
    for (int i = 0; i < c.n; ++i)
        for (int k = 0; k < c.d; ++k)
            if (std::fabs(g(i, k)) > 1e-3)
                CHECK(V1(i, k) - V0(i, k) == doctest::Approx(g(i, k) > 0 ? -0.01 : 0.01).epsilon(1e-3));
}

TEST_CASE("Superposer: NaN guard stops and restores the last good vectors") {
    SuperposeConfig c;
    c.n = 50; c.d = 8;
    Superposer sp;
    std::string err;
    REQUIRE(sp.reset(c, &err));
    Eigen::MatrixXf bad = Eigen::MatrixXf::Constant(c.n, c.d, 1.f);
    bad(3, 2) = NAN;
    CHECK_FALSE(sp.set_vectors(bad, &err));                     // refused outright
    Eigen::MatrixXf huge = Eigen::MatrixXf::Constant(c.n, c.d, 1e20f);   // finite, but G overflows
    REQUIRE(sp.set_vectors(huge, &err));
    CHECK_FALSE(sp.step());
    CHECK(sp.error().find("not finite") != std::string::npos);
    CHECK(sp.vectors().allFinite());
    CHECK(sp.vectors()(0, 0) == 1e20f);
    CHECK(sp.work(10.0) == -1);                                 // stays stopped until reset
    REQUIRE(sp.reset(c, &err));
    CHECK(sp.step());
}

TEST_CASE("Superposer: the video loss narrows the body; exp finds the icosahedron's 63.4 deg") {
    SuperposeConfig c;
    c.n = 400; c.d = 20; c.steps = 60;
    Superposer sp;
    std::string err;
    REQUIRE(sp.reset(c, &err));
    const double w0 = sp.compute_stats().within5;
    REQUIRE(sp.run(c.steps));
    const SuperposeStats& s = sp.compute_stats();
    CHECK(s.step == 60);
    CHECK(s.within5 > w0);
    CHECK(sp.loss_history().back() < sp.loss_history().front());
    // 6 lines in 3-D: the best packing is the icosahedron's diagonals, |cos| = 1/sqrt(5).
    SuperposeConfig e;
    e.n = 6; e.d = 3; e.steps = 300; e.loss = SuperposeLoss::exp; e.lr = 0.02f;
    REQUIRE(sp.reset(e, &err));
    REQUIRE(sp.run(e.steps));
    const SuperposeStats& t = sp.compute_stats();
    CHECK(t.worst_abs_cos == doctest::Approx(1 / std::sqrt(5.0)).epsilon(5e-3));
    CHECK(t.worst_abs_cos >= 1 / std::sqrt(5.0) - 1e-6);      // and never beyond what is possible
}

TEST_CASE("Superposer: the exp schedule, main phase then polish") {
    SuperposeConfig c;
    c.n = 30; c.d = 5; c.loss = SuperposeLoss::exp; c.steps = 20; c.lr = 0.01f;
    c.t_start = 5.f; c.t_end = 400.f; c.lr_end_ratio = 0.1f; c.polish = 0.25f; c.t_polish = 4000.f;
    Superposer sp;
    std::string err;
    REQUIRE(sp.reset(c, &err));
    CHECK(sp.polish_start() == 15);                             // 5 of 20 steps polish
    std::vector<float> t, lr;
    for (int s = 0; s < c.steps; ++s) {
        t.push_back(sp.current_t());
        lr.push_back(sp.current_lr());
        REQUIRE(sp.step());
    }
    CHECK(t[0] == doctest::Approx(5.0));
    CHECK(lr[0] == doctest::Approx(0.01));
    CHECK(t[14] == doctest::Approx(400.0));                     // main ends at t_end, lr * ratio
    CHECK(lr[14] == doctest::Approx(0.001));
    CHECK(t[15] == doctest::Approx(400.0));                     // the polish starts where it ended
    CHECK(lr[15] == doctest::Approx(0.001));
    CHECK(t[19] == doctest::Approx(4000.0));                    // and ends sharp and 100x finer
    CHECK(lr[19] == doctest::Approx(0.00001));
    for (int s = 1; s < c.steps; ++s) {
        CHECK(t[s] >= t[s - 1]);
        CHECK(lr[s] <= lr[s - 1]);
    }
    // Off: the main phase spans every step, and stepping past the plan keeps t_end.
    c.polish = 0.f;
    REQUIRE(sp.reset(c, &err));
    CHECK(sp.polish_start() == c.steps);
    REQUIRE(sp.run(c.steps + 3));
    CHECK(sp.current_t() == doctest::Approx(400.0));
    CHECK(sp.current_lr() == doctest::Approx(0.001));
    // Nonsense is refused.
    c.polish = 0.95f;
    CHECK_FALSE(sp.reset(c, &err));
    CHECK(err.find("polish") != std::string::npos);
    c.polish = 0.1f; c.t_polish = 100.f;                        // below t_end
    CHECK_FALSE(sp.reset(c, &err));
    c.t_polish = NAN;
    CHECK_FALSE(sp.reset(c, &err));
}

// ---- one step split into shares -------------------------------------------------------
namespace {

bool bits_equal(const RowMatrixXf& a, const RowMatrixXf& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), size_t(a.size()) * sizeof(float)) == 0;
}

// The partials of K shares computed apart (as workers would), summed in order.
SharePartial shares_summed(const RowMatrixXf& V, spk::KernelKind kind, const spk::LossParams& lp, int K) {
    SuperposeShare w;
    std::string err;
    REQUIRE(w.setup(int(V.rows()), int(V.cols()), kind, &err));
    REQUIRE(w.set_vectors(V.data(), int(V.cols())));
    const std::vector<ShareRange> plan = plan_shares(w.tiles(), K);
    SharePartial sum;
    for (int k = 0; k < K; ++k) {
        SharePartial part;
        w.compute(lp, plan[size_t(k)], &part);
        if (k == 0) sum = part;
        else add_partial(&sum, part);
    }
    return sum;
}

}  // namespace

TEST_CASE("shares: every tile once, in order, balanced; K beyond the tiles leaves shares empty") {
    for (const spk::KernelImpl* ki : spk::kernel_impls()) {
        for (int n : {2, 7, 97, 1000, 2501}) {
            const std::vector<PairTile> tiles = superpose_tiles(n, *ki);
            double total = 0, biggest = 0;
            for (const PairTile& q : tiles) {
                const double c = double(q.i1 - q.i0) * (q.j1 - q.j0);
                total += c;
                biggest = std::max(biggest, c);
            }
            for (int K : {1, 2, 3, 5, 7, 64}) {
                CAPTURE(n); CAPTURE(K); const std::string kname = ki->name; CAPTURE(kname);
                const std::vector<ShareRange> plan = plan_shares(tiles, K);
                REQUIRE(int(plan.size()) == K);
                CHECK(plan.front().tile_begin == 0);
                CHECK(plan.back().tile_end == int(tiles.size()));
                double cells = 0;
                for (int k = 0; k < K; ++k) {
                    CHECK(plan[k].tile_end >= plan[k].tile_begin);
                    if (k > 0) CHECK(plan[k].tile_begin == plan[k - 1].tile_end);
                    CHECK(plan[k].cells <= total / K + biggest);   // within one tile of an equal share
                    cells += plan[k].cells;
                }
                CHECK(cells == total);
            }
        }
    }
}

TEST_CASE("shares: K = 1 is the unsplit pass bit for bit; K = 2, 3, 5 stay within float rounding") {
    struct Case { RowMatrixXf V; spk::LossParams lp; const char* what; };
    const RowMatrixXf Vs = sparse_rows(250, 61, 3);
    const RowMatrixXf Vr = random_unit_rows(301, 23, 9);
    spk::GradSums probe;
    RowMatrixXd g0;
    spk::pairs_grad_reference(&g0, &probe, Vr, exp_params(1.f, 0.f));
    const Case cases[] = {{Vs, video_params(250), "video, sparse tiles"},
                          {Vr, exp_params(40.f, 40.f * probe.max_c2), "exp, dense"},
                          {Vr, exp_params(3000.f, 3000.f * probe.max_c2), "exp, sparse"}};
    for (const Case& cs : cases) {
        for (spk::KernelKind kind : {spk::KernelKind::eigen, spk::KernelKind::simd}) {
            const std::string what = cs.what, kname = spk::kernel_impl(kind).name;
            CAPTURE(what); CAPTURE(kname);
            spk::PairBuffers pb;                                  // the unsplit pass
            pb.setup(spk::kernel_impl(kind), cs.V);
            RowMatrixXf g;
            spk::GradSums s;
            pb.grad_pass(cs.lp, &s, &g);
            const SharePartial one = shares_summed(cs.V, kind, cs.lp, 1);
            CHECK(bits_equal(one.grad, g));
            CHECK(one.sums.loss == s.loss);
            CHECK(one.sums.max_c2 == s.max_c2);
            for (int K : {2, 3, 5}) {
                CAPTURE(K);
                const SharePartial sum = shares_summed(cs.V, kind, cs.lp, K);
                CHECK(rows_outside_float_bound(sum.grad, cs.V, cs.lp) == 0);
                CHECK(sum.sums.loss == doctest::Approx(s.loss).epsilon(1e-6));
                CHECK(sum.sums.max_c2 == s.max_c2);
                // The Superposer's own split (on K threads) sums the same partials the same way.
                SuperposeConfig c;
                c.n = int(cs.V.rows()); c.d = int(cs.V.cols()); c.threads = K; c.kernel = kind;
                c.loss = cs.lp.kind == spk::LossKind::video ? SuperposeLoss::video : SuperposeLoss::exp;
                Superposer sp;
                std::string err;
                REQUIRE(sp.reset(c, &err));
                REQUIRE(sp.set_vectors(cs.V, &err));
                SharePartial mine;
                REQUIRE(sp.gradient(&mine));
                if (c.loss == SuperposeLoss::video) {                // exp: the Superposer picks its own t
                    CHECK(bits_equal(mine.grad, sum.grad));
                    CHECK(mine.sums.loss == sum.sums.loss);
                }
            }
        }
    }
}

TEST_CASE("Superposer: the gradient before Adam matches the reference row by row (issue's sparse case)") {
    const RowMatrixXf V = sparse_rows(40, 100, 5);               // 40 x (1.02 e_i + 1e-4 noise), d = 100
    for (int threads : {1, 2, 3}) {
        SuperposeConfig c;
        c.n = 40; c.d = 100; c.steps = 1; c.threads = threads;
        Superposer sp;
        std::string err;
        REQUIRE(sp.reset(c, &err));
        REQUIRE(sp.set_vectors(V, &err));
        SharePartial g;
        REQUIRE(sp.gradient(&g));
        CAPTURE(threads);
        CHECK(rows_outside_float_bound(g.grad, V, video_params(40)) == 0);
    }
}

TEST_CASE("Superposer: threads, slices and workers give the same steps for the same share count") {
    for (SuperposeLoss loss : {SuperposeLoss::video, SuperposeLoss::exp}) {
        SuperposeConfig c;
        c.n = 700; c.d = 30; c.steps = 6; c.loss = loss; c.seed = 3; c.threads = 3;
        Superposer threaded, sliced, external;
        std::string err;
        REQUIRE(threaded.reset(c, &err));
        REQUIRE(sliced.reset(c, &err));
        REQUIRE(external.reset(c, &err));
        REQUIRE(threaded.run(c.steps));                          // K = 3 on three threads
        int done = 0;
        while (done < c.steps) {                                 // K = 3 in slices, one after another
            const int r = sliced.work(0.5);
            REQUIRE(r >= 0);
            done += r;
        }
        SuperposeShare w;                                        // K = 3 "workers" and apply()
        REQUIRE(w.setup(c.n, c.d, c.kernel, &err));
        const std::vector<ShareRange> plan = external.plan_shares(3);
        for (int s = 0; s < c.steps; ++s) {
            int r = 0;
            do {
                const spk::LossParams lp = external.step_params();
                const RowMatrixXf V = external.vectors();
                REQUIRE(w.set_vectors(V.data(), c.d));
                SharePartial sum;
                for (int k = 0; k < 3; ++k) {
                    SharePartial part;
                    w.compute(lp, plan[size_t(k)], &part);
                    if (k == 0) sum = part;
                    else add_partial(&sum, part);
                }
                r = external.apply(sum);
                REQUIRE(r >= 0);
            } while (r == 0);
        }
        const std::string name = superpose_loss_name(loss);
        CAPTURE(name);
        CHECK(threaded.vectors() == sliced.vectors());
        CHECK(threaded.vectors() == external.vectors());
        CHECK(threaded.loss_history() == sliced.loss_history());
        CHECK(threaded.loss_history() == external.loss_history());
        // One thread against three: only the summation order differs. The exp loss is smooth,
        // so the runs stay close (the video loss's Adam takes sign-like first steps, where a
        // coordinate with a near-zero gradient may go either way).
        if (loss == SuperposeLoss::exp) {
            SuperposeConfig c1 = c;
            c1.threads = 1;
            Superposer one;
            REQUIRE(one.reset(c1, &err));
            REQUIRE(one.run(c.steps));
            CHECK((one.vectors() - threaded.vectors()).cwiseAbs().maxCoeff() < 1e-4f);
            for (int s = 0; s < c.steps; ++s)
                CHECK(one.loss_history()[s] == doctest::Approx(threaded.loss_history()[s]).epsilon(1e-5));
        }
    }
}

TEST_CASE("Superposer::apply(sum, lp): a statistics pass between the shares and apply changes nothing") {
    // The page's worker path runs a statistics pass beside a step; on the exp loss the
    // pass moves the shift step_params() would give, so apply takes the shares' own.
    SuperposeConfig c;
    c.n = 600; c.d = 20; c.steps = 5; c.loss = SuperposeLoss::exp; c.seed = 9; c.threads = 2;
    Superposer plain, with_stats;
    std::string err;
    REQUIRE(plain.reset(c, &err));
    REQUIRE(with_stats.reset(c, &err));
    SuperposeShare w;
    REQUIRE(w.setup(c.n, c.d, c.kernel, &err));
    const std::vector<ShareRange> plan = plain.plan_shares(2);
    bool shift_moved = false;
    for (int s = 0; s < c.steps; ++s) {
        int r = 0;
        do {
            const spk::LossParams lp = plain.step_params();
            CHECK(with_stats.step_params().shift == lp.shift);
            const RowMatrixXf V = plain.vectors();
            REQUIRE(w.set_vectors(V.data(), c.d));
            SharePartial sum, part;
            w.compute(lp, plan[0], &sum);
            w.compute(lp, plan[1], &part);
            add_partial(&sum, part);
            with_stats.compute_stats();                          // beside the step
            shift_moved = shift_moved || with_stats.step_params().shift != lp.shift;
            r = plain.apply(sum, lp);
            REQUIRE(with_stats.apply(sum, lp) == r);
        } while (r == 0);
        REQUIRE(r == 1);
        CHECK(RowMatrixXf(plain.vectors()) == RowMatrixXf(with_stats.vectors()));
        CHECK(plain.loss_history().back() == with_stats.loss_history().back());
    }
    CHECK(shift_moved);                                          // so the test could fail
    // apply while a sliced pass is under way on the vectors is refused with a message.
    with_stats.request_stats();
    REQUIRE(with_stats.work(1e-6, 0) == 0);                      // one tile of the pass
    REQUIRE(with_stats.pass_progress() > 0);
    SharePartial sum;
    sum.grad = RowMatrixXf::Zero(c.n, c.d);
    CHECK(with_stats.apply(sum, with_stats.step_params()) == -1);
    CHECK(with_stats.error().find("under way") != std::string::npos);
}

TEST_CASE("Superposer::reset allocates first: a failed allocation keeps the previous run") {
    SuperposeConfig c;
    c.n = 200; c.d = 16; c.steps = 3;
    Superposer sp;
    std::string err;
    REQUIRE(sp.reset(c, &err));
    REQUIRE(sp.run(2));
    const RowMatrixXf before = sp.vectors();
    Superposer::alloc_fail_hook_ = [] { return true; };
    SuperposeConfig big = c;
    big.n = 5000; big.d = 64; big.threads = 2;
    const bool ok = sp.reset(big, &err);
    Superposer::alloc_fail_hook_ = nullptr;
    CHECK_FALSE(ok);
    CHECK(err.find("out of memory") != std::string::npos);
    CHECK(sp.config().n == 200);
    CHECK(sp.steps_done() == 2);
    CHECK(RowMatrixXf(sp.vectors()) == before);
    // The tiles and shares are the old run's too (they are built before the commit).
    const std::vector<PairTile> old_tiles = superpose_tiles(200, spk::kernel_impl(c.kernel));
    const std::vector<ShareRange> kept = sp.plan_shares(1);
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].tile_end == int(old_tiles.size()));
    CHECK(kept[0].cells == doctest::Approx(plan_shares(old_tiles, 1)[0].cells));
    CHECK(sp.step());                                           // and it goes on
    CHECK(sp.steps_done() == 3);
}

TEST_CASE("Superposer: the exp pair list steps like the full pass, and only while its bound holds") {
    // Large t from the start, so most pairs sit far below the worst: lists are short.
    SuperposeConfig c;
    c.n = 900; c.d = 24; c.steps = 40; c.loss = SuperposeLoss::exp; c.seed = 5;
    c.t_start = 3000.f; c.t_end = 3000.f; c.polish = 0.f; c.lr = 2e-4f; c.lr_end_ratio = 1.f;
    c.list_max_share = 0.2;
    std::string err;
    for (int threads : {1, 3}) {
        SuperposeConfig cl = c;
        cl.pair_list = true;
        cl.threads = threads;
        Superposer full, listed;
        REQUIRE(full.reset(c, &err));
        REQUIRE(listed.reset(cl, &err));
        REQUIRE(full.run(c.steps));
        REQUIRE(listed.run(c.steps));
        const Superposer::ListCounts& lc = listed.list_counts();
        CAPTURE(threads);
        CHECK(lc.list_steps > c.steps / 2);                      // most steps ran on the list
        CHECK(lc.builds >= 1);
        CHECK(lc.pairs > 0);
        CHECK(lc.pairs < 0.2 * 900 * 899 / 2);
        CHECK(lc.bound_arg < -30.0);                             // every pair left out is below the cut
        // Only pairs the full pass drops too (weights < e^-30 of the worst) are left out:
        // the runs differ by float rounding, not by the skipped pairs.
        CHECK((full.vectors() - listed.vectors()).cwiseAbs().maxCoeff() < 2e-5f);
        for (int s = 0; s < c.steps; ++s)
            CHECK(full.loss_history()[s] == doctest::Approx(listed.loss_history()[s]).epsilon(1e-5));
        // The worst pair is the same one.
        const SuperposeStats a = full.compute_stats(), b = listed.compute_stats();
        CHECK(a.worst_abs_cos == doctest::Approx(b.worst_abs_cos).epsilon(1e-5));
    }
    // A list that would hold too many pairs is refused and the full pass goes on.
    SuperposeConfig cr = c;
    cr.pair_list = true;
    cr.list_max_share = 1e-6;
    Superposer refused, full;
    REQUIRE(refused.reset(cr, &err));
    REQUIRE(full.reset(c, &err));
    REQUIRE(refused.run(5));
    REQUIRE(full.run(5));
    CHECK(refused.list_counts().list_steps == 0);
    CHECK(refused.list_counts().refused >= 1);
    CHECK(refused.vectors() == full.vectors());
}

TEST_CASE("kernels: the pair collector finds exactly the pairs above a threshold") {
    const RowMatrixXf V = random_unit_rows(333, 19, 77);
    const RowMatrixXd Vd = V.cast<double>();
    const RowMatrixXd G = Vd * Vd.transpose();
    const float thr = 0.09f;
    for (const spk::KernelImpl* ki : spk::kernel_impls()) {
        spk::PairBuffers pb;
        pb.setup(*ki, V);
        std::vector<uint64_t> got;
        for (const PairTile& q : superpose_tiles(333, *ki))
            ki->collect_tile(pb.pd, thr, q.i0, q.i1, q.j0, q.j1, pb.tile.data(), &got);
        int missing = 0, extra = 0, edge = 0;
        std::vector<char> seen(size_t(333) * 333, 0);
        for (uint64_t pr : got) {
            const int i = int(pr >> 32), j = int(pr & 0xffffffffu);
            REQUIRE(i < j);
            REQUIRE(j < 333);
            seen[size_t(i) * 333 + j] = 1;
        }
        for (int i = 0; i < 333; ++i)
            for (int j = i + 1; j < 333; ++j) {
                const double g2 = G(i, j) * G(i, j);
                if (std::fabs(g2 - thr) < 1e-5) { ++edge; continue; }   // float rounding decides
                if (g2 > thr && !seen[size_t(i) * 333 + j]) ++missing;
                if (g2 < thr && seen[size_t(i) * 333 + j]) ++extra;
            }
        const std::string kname = ki->name;
        CAPTURE(kname);
        CHECK(missing == 0);
        CHECK(extra == 0);
        CHECK(edge < 20);
        CHECK(got.size() > 100);
    }
}
