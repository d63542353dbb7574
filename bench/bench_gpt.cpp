// bench_gpt.cpp: the transformer's numbers, measured in one run.
//
//   training step   the built-in recipe's shape on its real batches: 1 and 2 threads,
//                   GFLOP/s and the share of this CPU's measured FMA peak
//   PyTorch         the same shapes and batch in bench/torch_gpt.py on one thread
//                   (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)); skipped, saying so,
//                   when /usr/bin/python3 has no torch
//   full training   the built-in recipe to the end, then its accuracy (the 30 s bar)
//   trace           one prompt, three maps, 10 samples (gpt_trace)
//   model           weights, size on disk (float32 folder, the shipped float16 file), peak memory
//
// factlab-bench-gpt [--steps K] [--no-torch] [--no-full] [--quick]
// No time is asserted; the numbers go to docs/gpt.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "core/gpt/builtin.hpp"
#include "core/gpt/eval.hpp"
#include "core/gpt/kernels.hpp"
#include "core/gpt/trace.hpp"
#include "core/superpose/superpose_kernels.hpp"
#if !defined(__wasm__)
#include <sys/resource.h>
#endif

using namespace factlab;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
double cpu() { return double(std::clock()) / CLOCKS_PER_SEC; }

// Multiply-adds of one training step on `b` (forward + backward = 3x the forward's GEMMs;
// attention's score and value products likewise; the logits at target rows only).
double step_macs(const GptConfig& c, const GptBatch& b) {
    const double N = double(b.tokens.size()), d = c.n_embd, F = c.n_inner, V = c.vocab_size;
    double att = 0;                                  // sum over sequences of T(T+1)/2 pairs
    for (size_t s = 0; s + 1 < b.starts.size(); ++s) {
        const double T = b.starts[s + 1] - b.starts[s];
        att += T * (T + 1) / 2;
    }
    const double per_layer = N * (3 * d * d + d * d + 2 * d * F) + att * 2 * d;
    return 3 * (c.n_layer * per_layer + b.n_targets() * V * d);
}

struct StepTimes { double best = 1e9, median = 0, cpu_per_step = 0; };

StepTimes time_steps(const GptTrainingSet& set, const GptRecipe& r, int threads, int steps) {
    GptTrainConfig tc = r.train;
    tc.threads = threads;
    GptTrainer t;
    std::string err;
    if (!t.init(set.config, tc, set.sequences, &err)) { std::fprintf(stderr, "%s\n", err.c_str()); std::exit(2); }
    for (int k = 0; k < 3; ++k) t.step();           // warm-up
    std::vector<double> s;
    const double c0 = cpu();
    for (int k = 0; k < steps; ++k) {
        const double t0 = now();
        t.step();
        s.push_back(now() - t0);
    }
    StepTimes out;
    out.cpu_per_step = (cpu() - c0) / steps;
    std::sort(s.begin(), s.end());
    out.best = s.front();
    out.median = s[s.size() / 2];
    return out;
}

long peak_rss_kb() {
#if defined(__wasm__)
    return -1;
#else
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
#endif
}

// Runs bench/torch_gpt.py on the trainer's first batch; returns its JSON (or an "error").
nlohmann::json run_torch(const GptTrainingSet& set, const GptRecipe& r, int steps) {
#if defined(__wasm__)
    return {{"error", "not from wasm"}};
#else
    GptTrainer t;
    std::string err;
    t.init(set.config, r.train, set.sequences, &err);
    const GptBatch b = t.next_batch();
    nlohmann::json j = {{"n_layer", set.config.n_layer}, {"n_head", set.config.n_head}, {"n_embd", set.config.n_embd},
                        {"n_inner", set.config.n_inner}, {"n_positions", set.config.n_positions},
                        {"vocab_size", set.config.vocab_size}};
    nlohmann::json seqs = nlohmann::json::array(), tg = nlohmann::json::array();
    for (size_t s = 0; s + 1 < b.starts.size(); ++s) {
        seqs.push_back(std::vector<int>(b.tokens.begin() + b.starts[s], b.tokens.begin() + b.starts[s + 1]));
        tg.push_back(std::vector<int>(b.targets.begin() + b.starts[s], b.targets.begin() + b.starts[s + 1]));
    }
    j["sequences"] = seqs;
    j["targets"] = tg;
    const std::string path = "/tmp/factlab_bench_gpt_batch.json";
    if (FILE* f = std::fopen(path.c_str(), "w")) { std::fputs(j.dump().c_str(), f); std::fclose(f); }
    const std::string cmd = "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 /usr/bin/python3 " FACTLAB_SOURCE_DIR
                            "/bench/torch_gpt.py " + path + " --steps " + std::to_string(steps) + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return {{"error", "could not start /usr/bin/python3"}};
    std::string out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
    const size_t brace = out.rfind('{');
    nlohmann::json res = nlohmann::json::parse(brace == std::string::npos ? std::string("x") : out.substr(brace), nullptr, false);
    if (res.is_discarded()) return {{"error", "torch_gpt.py said: " + out.substr(0, 300)}};
    return res;
#endif
}

}  // namespace

int main(int argc, char** argv) {
    int steps = 20;
    bool torch = true, full = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--steps" && i + 1 < argc) steps = std::max(1, std::atoi(argv[++i]));
        else if (a == "--no-torch") torch = false;
        else if (a == "--no-full") full = false;
        else if (a == "--quick") { steps = 5; full = false; }
        else { std::fprintf(stderr, "usage: factlab-bench-gpt [--steps K] [--no-torch] [--no-full] [--quick]\n"); return 2; }
    }
    const GptRecipe r = gpt_builtin_recipe();
    GptTrainingSet set;
    std::string err;
    if (!gpt_prepare(builtin_facts(), r, &set, &err)) { std::fprintf(stderr, "%s\n", err.c_str()); return 2; }
    GptTrainer probe;
    probe.init(set.config, r.train, set.sequences, &err);
    const GptBatch b0 = probe.next_batch();
    const double macs = step_macs(set.config, b0);
    std::printf("model: %d layers, d %d, %d heads, MLP %d, vocab %d, context %d: %lld weights\n", set.config.n_layer,
                set.config.n_embd, set.config.n_head, set.config.n_inner, set.config.vocab_size, set.config.n_positions,
                (long long)set.config.n_params());
    std::printf("batch: %d sequences, %zu tokens, %d targets; %.0f M multiply-adds per step; kernels: %s\n",
                int(b0.starts.size()) - 1, b0.tokens.size(), b0.n_targets(), macs / 1e6, gptk::isa_name());

    float sink = 0;
    double peak = 0;
    const spk::KernelImpl& simd = spk::kernel_impl(spk::KernelKind::simd);
    for (int k = 0; k < 100 && simd.peak_gflops; ++k) peak = std::max(peak, simd.peak_gflops(0.002, &sink));
    std::printf("FMA peak (%s, one thread, measured): %.1f GFLOP/s\n", simd.name, peak);

    const StepTimes t1 = time_steps(set, r, 1, steps);
    const double gf = 2 * macs / std::min(t1.best, t1.cpu_per_step) / 1e9;
    std::printf("training step, 1 thread:  best %.4f s, median %.4f s, CPU %.4f s/step; %.1f GFLOP/s = %.0f%% of the FMA peak\n",
                t1.best, t1.median, t1.cpu_per_step, gf, peak > 0 ? 100 * gf / peak : 0.0);
    std::printf("  (the kernels multiply and add separately, for the same bits in wasm: their ceiling is half the FMA peak)\n");
#if !defined(__wasm__)
    const StepTimes t2 = time_steps(set, r, 2, steps);
    std::printf("training step, 2 threads: best %.4f s, median %.4f s; speed-up %.2fx over 1 thread\n", t2.best, t2.median,
                t1.best / t2.best);
#endif

    if (torch) {
        const nlohmann::json tj = run_torch(set, r, steps);
        if (tj.contains("error")) {
            std::printf("PyTorch: skipped: %s\n", tj["error"].get<std::string>().c_str());
        } else {
            const double tb = tj["seconds_per_step_best"], tm = tj["seconds_per_step_median"];
            std::printf("PyTorch %s, %d thread: best %.4f s, median %.4f s per step (%d tokens padded to %d)\n",
                        tj["torch"].get<std::string>().c_str(), tj["threads"].get<int>(), tb, tm, tj["tokens"].get<int>(),
                        tj["padded_tokens"].get<int>());
            const double tc = tj["cpu_seconds_per_step"];
            std::printf("PyTorch CPU time: %.4f s per step\n", tc);
            std::printf("factlab / PyTorch, one thread each: %.2fx faster (best wall), %.2fx (median wall), %.2fx (CPU time)\n",
                        tb / t1.best, tm / t1.median, tc / t1.cpu_per_step);
        }
    }

    if (full) {
        const double w0 = now(), c0 = cpu();
        GptModel m;
        if (!gpt_train_recipe(builtin_facts(), r, &m, &err)) { std::fprintf(stderr, "%s\n", err.c_str()); return 2; }
        const double wall = now() - w0, cp = cpu() - c0;
        const GptEvalResult ev = gpt_evaluate(m.weights, set.prompts);
        std::printf("full training (%d steps, 1 thread): %.1f s wall, %.1f s CPU; known %.1f%% on the training templates, %.1f%% held out\n",
                    r.train.steps, wall, cp, 100 * ev.accuracy(), 100 * ev.held_out_accuracy());
    }

    // One trace: the built-in model, three maps, 10 samples.
    const GptModel* bm = gpt_builtin_model(&err);
    if (bm) {
        std::vector<int> tok;
        bm->vocab.encode("Michael Jordan plays the sport of", &tok, &err);
        GptTraceOptions o;
        GptTrace tr;
        double best = 1e9;
        const double c0 = cpu();
        for (int k = 0; k < 10; ++k) {
            const double t0 = now();
            gpt_trace(bm->weights, tok, 0, 2, o, &tr, &err);
            best = std::min(best, now() - t0);
        }
        std::printf("trace \"Michael Jordan plays the sport of\" (3 maps x %d samples): %.2f ms best wall, %.2f ms CPU mean; p_clean %.3f, p_corrupted %.3f\n",
                    o.samples, 1e3 * best, 1e3 * (cpu() - c0) / 10, tr.p_clean, tr.p_corrupted);
        GptCheckpointFiles f32;
        gpt_checkpoint_to_files(*bm, &f32, GptDtype::f32);
        GptCheckpointFiles f16;
        gpt_checkpoint_to_files(*bm, &f16, GptDtype::f16);
        std::printf("on disk: model.safetensors %zu bytes as float32, %zu as float16 (shipped); config.json %zu, vocab.json %zu\n",
                    f32.safetensors.size(), f16.safetensors.size(), f16.config_json.size(), f16.vocab_json.size());
    }
    std::printf("peak memory (max RSS): %ld KB\n", peak_rss_kb());
    return int(sink * 0);
}
