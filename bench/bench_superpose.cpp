// bench_superpose.cpp: one step of the video's loss, 10,000 x 100 by default, timed in
// one run for each way of computing it, against the machine's measured multiply-add peak.
//
//   naive Eigen   G = V V^T then S(G) V in row blocks (2 N^2 d multiply-adds, like the
//                 video's PyTorch script; row blocks keep memory sane, same FLOPs)
//   tiled Eigen   pairs i <= j in tiles, Eigen products (1.5 N^2 d multiply-adds)
//   tiled SIMD    the same tiles with register-blocked micro-kernels (AVX-512 / AVX2 /
//                 SSE2 chosen at run time natively; SIMD128 in wasm)
//   full step     Superposer::step(): the SIMD pass + gradient assembly + Adam
//   stats pass    Superposer::compute_stats() (Gram tiles + histogram, no gradient)
//
// factlab-bench [--n N] [--d D] [--reps K] [--steps S] [--quick] [--no-naive]
// No time is asserted; the numbers go to bench/README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "core/rng.hpp"
#include "core/superpose.hpp"

using namespace factlab;
using spk::RowMatrixXf;

namespace {

// Wall-clock and CPU seconds (the machine may be shared: CPU time shows the kernel's own cost).
struct Clock {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    std::clock_t cpu = std::clock();
    double wall_s() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count(); }
    double cpu_s() const { return double(std::clock() - cpu) / CLOCKS_PER_SEC; }
};

// The naive step: every ordered pair, twice the multiply-adds of the tiled pass.
double naive_step(const RowMatrixXf& V, int block, double* loss) {
    const int n = int(V.rows());
    RowMatrixXf G(block, n);                                  // (block, N) a row block of V V^T
    RowMatrixXf grad(n, V.cols());                            // (N, d)
    double l = 0;
    for (int i0 = 0; i0 < n; i0 += block) {
        const int b = std::min(block, n - i0);
        G.topRows(b).noalias() = V.middleRows(i0, b) * V.transpose();
        for (int r = 0; r < b; ++r) {
            for (int j = 0; j < n; ++j) {
                const float x = G(r, j) - (i0 + r == j ? 1.f : 0.f), a = std::fabs(x);
                l += a > 0.01f ? a - 0.01f : 0.f;
                float w = a > 0.01f ? (x > 0 ? 2.f : -2.f) : 0.f;
                if (i0 + r == j) {
                    l += double(n) * x * x;
                    w += 4.f * float(n) * x;
                }
                G(r, j) = w;
            }
        }
        grad.middleRows(i0, b).noalias() = G.topRows(b) * V;
    }
    *loss = l;
    return grad(0, 0);
}

struct Row {
    std::string name;
    double sec = 0, cpu = 0, flops = 0;
};

}  // namespace

int main(int argc, char** argv) {
    int n = 10000, d = 100, reps = 3, steps = 250;
    bool naive = true;
    for (int a = 1; a < argc; ++a) {
        const std::string s = argv[a];
        auto next = [&](int* out) {
            if (a + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", s.c_str()); std::exit(2); }
            *out = std::atoi(argv[++a]);
        };
        if (s == "--n") next(&n);
        else if (s == "--d") next(&d);
        else if (s == "--reps") next(&reps);
        else if (s == "--steps") next(&steps);
        else if (s == "--quick") { n = 2000; reps = 1; }
        else if (s == "--no-naive") naive = false;
        else { std::fprintf(stderr, "usage: factlab-bench [--n N] [--d D] [--reps K] [--steps S] [--quick] [--no-naive]\n"); return 2; }
    }
    if (n < 2 || d < 2 || reps < 1 || n > 200000 || d > 4096) { std::fprintf(stderr, "bad sizes\n"); return 2; }

    const spk::KernelImpl& simd = spk::kernel_impl(spk::KernelKind::simd);
    const spk::KernelImpl& eig = spk::kernel_impl(spk::KernelKind::eigen);
    float sink = 0.f;
    const double peak = simd.peak_gflops ? simd.peak_gflops(1.0, &sink) : 0.0;
    std::printf("superpose bench: N = %d, d = %d, one thread, SIMD kernel: %s\n", n, d, simd.name);
    std::printf("measured multiply-add peak (%s, independent accumulators in registers): %.1f GFLOP/s\n\n",
                simd.name, peak);

    Rng rng(1);
    RowMatrixXf V(n, d);                                      // (N, d)
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < d; ++k) V(i, k) = float(rng.normal());
        V.row(i) /= V.row(i).norm();
    }
    spk::LossParams lp;
    lp.n_weight = float(n);
    const double nn = double(n) * n * d;
    std::vector<Row> rows;

    if (naive) {
        double l = 0, best = 1e30, cpu = 1e30;
        for (int r = 0; r < std::min(reps, 2); ++r) {
            const Clock t0;
            sink += float(naive_step(V, 500, &l));
            best = std::min(best, t0.wall_s());
            cpu = std::min(cpu, t0.cpu_s());
        }
        rows.push_back({"naive Eigen (G = V V^T, then G V)", best, cpu, 4.0 * nn});
    }
    for (const spk::KernelImpl* k : {&eig, &simd}) {
        spk::PairBuffers pb;
        pb.setup(*k, V);
        double best = 1e30, cpu = 1e30;
        for (int r = 0; r < reps; ++r) {
            RowMatrixXf g;
            spk::GradSums s;
            const Clock t0;
            pb.grad_pass(lp, &s, &g);
            best = std::min(best, t0.wall_s());
            cpu = std::min(cpu, t0.cpu_s());
            sink += float(s.loss);
        }
        rows.push_back({std::string("tiled ") + k->name + " pass", best, cpu, 3.0 * nn});
    }
    Superposer sp;
    SuperposeConfig cfg;
    cfg.n = n;
    cfg.d = d;
    cfg.steps = steps;
    std::string err;
    if (!sp.reset(cfg, &err)) { std::fprintf(stderr, "%s\n", err.c_str()); return 1; }
    {
        double best = 1e30, cpu = 1e30;
        for (int r = 0; r < reps; ++r) {
            const Clock t0;
            if (!sp.step()) { std::fprintf(stderr, "%s\n", sp.error().c_str()); return 1; }
            best = std::min(best, t0.wall_s());
            cpu = std::min(cpu, t0.cpu_s());
        }
        rows.push_back({"full step (SIMD pass + Adam)", best, cpu, 3.0 * nn});
    }
    {
        const Clock t0;
        const SuperposeStats& st = sp.compute_stats();
        rows.push_back({"stats pass (Gram + histogram)", t0.wall_s(), t0.cpu_s(), 1.0 * nn});
        sink += float(st.within1);
    }

    const double base = naive ? rows[0].sec : 0.0;
    std::printf("%-36s %9s %9s %9s %9s %7s\n", "", "s/step", "cpu s", "GFLOP/s", "x naive", "% peak");
    for (const Row& r : rows) {
        const double gf = r.flops / r.sec / 1e9;
        char ratio[32] = "-";
        if (naive) std::snprintf(ratio, sizeof ratio, "%.2f", base / r.sec);
        std::printf("%-36s %9.4f %9.4f %9.1f %9s %6.0f%%\n", r.name.c_str(), r.sec, r.cpu, gf, ratio, 100 * gf / peak);
    }
    const double step_sec = rows[rows.size() - 2].sec;
    std::printf("\nbest of %d; GFLOP/s from wall time, counting the multiply-adds each method does\n"
                "(naive 2 N^2 d, tiled 1.5 N^2 d, stats 0.5 N^2 d) x 2 flops.\n", reps);
    std::printf("%d steps of the video's run: %.1f s extrapolated (%.3f s/step)\n", steps, step_sec * steps, step_sec);
#ifdef __wasm__
    std::printf("wasm heap at the end: %.1f MB\n", double(__builtin_wasm_memory_size(0)) * 65536.0 / 1048576.0);
#endif
    return sink == 12345.f ? 1 : 0;
}
