// cli_superpose.cpp: `superpose`, the video's 10,000 x 100 experiment without a window.
//
//   factlab-cli superpose --n 10000 --d 100 --json                 the video's run (250 steps)
//   factlab-cli superpose --loss exp --out v.npy                   aimed at the worst pair (3000 steps)
//   factlab-cli superpose --threads 1                              one core (default: all of them)
//   factlab-cli superpose --loss exp --pair-list                   large t: step on the pairs near the worst
//
// Prints the statistics of the final vectors (readable, or one JSON object with --json);
// --out writes them as float32 .npy (N, d). scripts/check_superpose.py recomputes the
// figures from that file with NumPy. Bad input: a message on stderr and exit code 2.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <nlohmann/json.hpp>
#include "cli/cli.hpp"
#include "core/io.hpp"
#include "core/parallel.hpp"
#include "core/superpose/snapshot.hpp"
#include "core/superpose/superpose.hpp"

namespace factlab::cli {
namespace {

using json = nlohmann::ordered_json;   // keys in the order written

double num_or_null(double x) { return x; }   // nlohmann writes NaN as null

int run_superpose(const Args& a) {
    SuperposeConfig c;
    long long n = 0, d = 0, steps = 0, seed = 0, every = 0, threads = 0, snap_every = 10;
    double lr = 0, t0 = 0, t1 = 0, lr_end = 0, polish = 0, tp = 0;
    bool bad = false;
    const std::string loss_name = flag_value(a, "--loss", "video", &bad);
    if (bad) return 2;
    if (!parse_superpose_loss(loss_name, &c.loss)) return fail("--loss must be video or exp, got '" + loss_name + "'");
    const bool is_exp = c.loss == SuperposeLoss::exp;
    if (!int_flag(a, "--n", 10000, 2, 200000, &n) || !int_flag(a, "--d", 100, 2, 4096, &d) ||
        !int_flag(a, "--steps", is_exp ? 3000 : 250, 0, 10000000, &steps) ||
        !int_flag(a, "--seed", 1, 0, (1ll << 62), &seed) ||
        !int_flag(a, "--progress", 0, 0, 10000000, &every) ||
        !int_flag(a, "--snapshot-every", 10, 1, 10000000, &snap_every) ||
        !int_flag(a, "--threads", hardware_threads(), 1, 64, &threads) ||
        !float_flag(a, "--lr", is_exp ? 0.01 : 0.01, 1e-9, 10, &lr) ||
        !float_flag(a, "--t-start", c.t_start, 1e-3, 1e5, &t0) || !float_flag(a, "--t-end", c.t_end, 1e-3, 1e5, &t1) ||
        !float_flag(a, "--lr-end", c.lr_end_ratio, 1e-6, 1, &lr_end) ||
        !float_flag(a, "--polish", c.polish, 0, 0.9, &polish) || !float_flag(a, "--t-polish", c.t_polish, 1e-3, 1e5, &tp))
        return 2;
    const std::string kernel = flag_value(a, "--kernel", "simd", &bad);
    if (bad) return 2;
    if (kernel != "simd" && kernel != "eigen") return fail("--kernel must be simd or eigen, got '" + kernel + "'");
    const std::string out = flag_value(a, "--out", "", &bad);
    if (bad) return 2;
    const std::string init = flag_value(a, "--init", "", &bad);
    const std::string snapshot = flag_value(a, "--snapshot", "", &bad);   // the finished run, for the page
    if (bad) return 2;
    const bool as_json = has_flag(a, "--json");
    c.pair_list = has_flag(a, "--pair-list");
    const std::vector<std::string> extra =
        positionals(a, {"--loss", "--n", "--d", "--steps", "--seed", "--progress", "--lr", "--t-start", "--t-end",
                        "--lr-end", "--polish", "--t-polish", "--kernel", "--out", "--init", "--threads", "--snapshot",
                        "--snapshot-every"});
    if (!extra.empty()) return fail("superpose takes no positional arguments, got '" + extra[0] + "'");

    c.n = int(n);
    c.d = int(d);
    c.steps = int(steps);
    c.seed = uint64_t(seed);
    c.lr = float(lr);
    c.threads = int(threads);
    c.t_start = float(t0);
    c.t_end = float(t1);
    c.lr_end_ratio = float(lr_end);
    c.polish = float(polish);
    c.t_polish = float(tp);
    c.kernel = kernel == "eigen" ? spk::KernelKind::eigen : spk::KernelKind::simd;

    // --init: continue from saved vectors (N, d from the file; --n/--d, if given, must agree).
    std::string err;
    Eigen::MatrixXf V0;                                          // (N, d)
    if (!init.empty()) {
        if (!load_npy(init, &V0, &err)) return fail("--init " + init + ": " + err);
        if ((has_flag(a, "--n") && V0.rows() != n) || (has_flag(a, "--d") && V0.cols() != d))
            return fail("--init " + init + " holds (" + std::to_string(V0.rows()) + ", " + std::to_string(V0.cols()) +
                        "), not the --n/--d given");
        c.n = int(V0.rows());
        c.d = int(V0.cols());
    }
    Superposer sp;
    if (!sp.reset(c, &err)) return fail(err);
    if (!init.empty() && !sp.set_vectors(V0, &err)) return fail("--init " + init + ": " + err);
    // --snapshot: the statistics at step 0 and every --snapshot-every steps (the
    // passes only read the vectors: the run is the same with or without them).
    SuperposeSnapshot snap;
    auto measure = [&]() {
        const SuperposeStats& m = sp.compute_stats();
        if (snap.worst.empty()) snap.first = m;
        snap.worst.push_back({m.step, m.worst_angle_deg});
    };
    if (!snapshot.empty()) measure();
    const auto start = std::chrono::steady_clock::now();
    for (int s = 0; s < c.steps; ++s) {
        if (!sp.step()) return fail(sp.error());
        if (!snapshot.empty() && ((s + 1) % snap_every == 0 || s + 1 == c.steps)) measure();
        if (every > 0 && (s + 1) % every == 0) {
            const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::fprintf(stderr, "step %d/%d  loss %.6g  %.1f s\n", s + 1, c.steps, double(sp.loss_history().back()), el);
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const SuperposeStats& st = sp.compute_stats();
    if (!sp.error().empty()) return fail(sp.error());

    if (!snapshot.empty()) {
        snap.config = c;
        snap.last = st;
        snap.loss = sp.loss_history();
        snap.seconds = seconds;
        snap.threads = c.threads;
        snap.command = "factlab-cli superpose --n " + std::to_string(c.n) + " --d " + std::to_string(c.d) + " --steps " +
                       std::to_string(c.steps) + " --loss " + superpose_loss_name(c.loss) + " --seed " +
                       std::to_string(c.seed) + " --threads " + std::to_string(c.threads) + " --snapshot-every " +
                       std::to_string(snap_every) + " --snapshot FILE";
        snap.first.hist_fine.clear();
        snap.last.hist_fine.clear();
        std::FILE* f = std::fopen(snapshot.c_str(), "wb");
        std::string text = snapshot_encode(snap);
        if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size()) {
            if (f) std::fclose(f);
            return fail("could not write " + snapshot);
        }
        std::fclose(f);
    }
    if (!out.empty()) {
        const Eigen::MatrixXf V = sp.vectors();                 // (N, d)
        if (!save_npy(out, V, false, &err)) return fail(err);
    }
    const double per_step = c.steps > 0 ? seconds / c.steps : 0.0;
    if (as_json) {
        json j;
        j["n"] = c.n;
        j["d"] = c.d;
        j["steps"] = c.steps;
        j["loss"] = superpose_loss_name(c.loss);
        j["seconds"] = seconds;
        j["seconds_per_step"] = per_step;
        j["min_angle_deg"] = st.min_angle_deg;
        j["max_angle_deg"] = st.max_angle_deg;
        j["worst_abs_cos"] = st.worst_abs_cos;
        j["within_1deg"] = st.within1;
        j["within_5deg"] = st.within5;
        j["welch_bound"] = st.welch;
        j["levenshtein_bound"] = num_or_null(st.levenshtein);
        // More than the issue asks for:
        j["worst_angle_deg"] = st.worst_angle_deg;
        j["limit_angle_deg"] = st.limit_angle_deg;
        j["min_pair"] = {st.min_pair[0], st.min_pair[1]};
        j["max_pair"] = {st.max_pair[0], st.max_pair[1]};
        j["final_loss"] = st.loss;
        j["first_loss"] = sp.loss_history().empty() ? st.loss : double(sp.loss_history().front());
        j["random_angle_std_deg"] = st.random_angle_std_deg;
        j["random_worst_abs_cos"] = st.random_worst_abs_cos;
        j["stats_seconds"] = st.seconds;
        j["lr"] = c.lr;
        j["seed"] = c.seed;
        j["kernel"] = sp.kernel_name();
        j["threads"] = c.threads;
        if (c.pair_list) {
            const Superposer::ListCounts& lc = sp.list_counts();
            j["pair_list"] = {{"list_steps", lc.list_steps}, {"full_steps", lc.full_steps}, {"builds", lc.builds},
                              {"refused", lc.refused}, {"pairs", lc.pairs}};
        }
        j["peak_bytes_estimate"] = sp.bytes();
        if (is_exp) {
            j["t"] = {c.t_start, c.t_end, c.t_polish};
            j["lr_end_ratio"] = c.lr_end_ratio;
            j["polish_steps"] = c.steps - sp.polish_start();
        }
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("%d vectors in %d dimensions, %s loss, %d steps, kernel %s, %d thread%s\n", c.n, c.d,
                superpose_loss_name(c.loss), c.steps, sp.kernel_name(), c.threads, c.threads == 1 ? "" : "s");
    std::printf("time            %.2f s (%.4f s/step), statistics %.2f s\n", seconds, per_step, st.seconds);
    if (!sp.loss_history().empty())
        std::printf("loss            %.6g -> %.6g\n", double(sp.loss_history().front()), st.loss);
    std::printf("angles          %.3f .. %.3f deg (worst pair %.3f deg from parallel, |cos| %.4f)\n",
                st.min_angle_deg, st.max_angle_deg, st.worst_angle_deg, st.worst_abs_cos);
    std::printf("within 1 deg    %.4f of %llu pairs; within 5 deg %.4f\n", st.within1,
                (unsigned long long)st.pairs, st.within5);
    std::printf("limits          Welch |cos| >= %.4f, Levenshtein ", st.welch);
    if (std::isnan(st.levenshtein)) std::printf("n/a (N <= d(d+1)/2)");
    else std::printf("|cos| >= %.4f", st.levenshtein);
    std::printf(": no arrangement beats %.2f deg\n", st.limit_angle_deg);
    std::printf("random vectors  angle std %.2f deg, worst |cos| ~%.3f\n", st.random_angle_std_deg,
                st.random_worst_abs_cos);
    if (c.pair_list) {
        const Superposer::ListCounts& lc = sp.list_counts();
        std::printf("pair list       %lld steps on the list, %lld full, %lld builds (%lld refused), %lld pairs last\n",
                    lc.list_steps, lc.full_steps, lc.builds, lc.refused, lc.pairs);
    }
    if (!out.empty()) std::printf("wrote %s (%d, %d) float32\n", out.c_str(), c.n, c.d);
    return 0;
}

const Command reg{"superpose",
                  "superpose [--n N] [--d D] [--steps S] [--loss video|exp] [--lr X] [--seed K] [--t-start T] "
                  "[--t-end T] [--lr-end R] [--polish SHARE] [--t-polish T] [--kernel simd|eigen] [--progress K] "
                  "[--threads N] [--pair-list] [--init vectors.npy] [--out vectors.npy] [--snapshot FILE [--snapshot-every K]] [--json]",
                  run_superpose};

}  // namespace
}  // namespace factlab::cli
