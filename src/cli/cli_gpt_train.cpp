// cli_gpt_train.cpp: `gpt train` and `gpt eval`, the transformer's training and accuracy.
//
//   factlab-cli gpt train [--facts FILE] [--layers L --d D --heads H --mlp F --steps S --batch B
//                         --lr X --seed K] [--threads N] [--dtype f32|f16] [--no-round] [--json] --out DIR
//   factlab-cli gpt eval  [--model DIR] [--facts FILE] [--json]
// Defaults are the built-in recipe (builtin.hpp): with no flags but --out, train reproduces
// the shipped model. Progress goes to stderr; errors to stderr with exit code 2.
#include <chrono>
#include <cstdio>
#include <string>
#include <nlohmann/json.hpp>
#include "cli/cli.hpp"
#include "core/gpt/builtin.hpp"
#include "core/gpt/checkpoint.hpp"
#include "core/gpt/eval.hpp"

namespace factlab::cli {
namespace {

using json = nlohmann::ordered_json;

struct Progress {
    int steps = 0;
    bool quiet = false;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
};

void report(int step, double loss, void* ctx) {
    Progress* p = static_cast<Progress*>(ctx);
    if (p->quiet || (step % 25 != 0 && step != p->steps)) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - p->t0).count();
    std::fprintf(stderr, "gpt train: step %d/%d  loss %.4f  %.1f s\n", step, p->steps, loss, s);
}

// The wrong answers on the training templates: prompt, expected, the greedy continuation.
json wrong_list(const GptModel& m, const std::vector<GptPrompt>& prompts, const GptEvalResult& r, int limit) {
    json out = json::array();
    for (size_t i = 0; i < prompts.size() && int(out.size()) < limit; ++i) {
        if (prompts[i].held_out || r.known[i]) continue;
        std::vector<int> got;
        std::string err;
        gpt_greedy(m.weights, prompts[i].tokens, int(prompts[i].answer.size()) + 1, m.vocab.end_id, &got, &err);
        out.push_back({{"prompt", prompts[i].text}, {"answer", prompts[i].answer_text}, {"got", m.vocab.decode(got)}});
    }
    return out;
}

}  // namespace

int cli_gpt_train(const Args& a) {
    FactSet fs;
    if (!load_facts_arg(a, &fs)) return 2;
    GptRecipe r = gpt_builtin_recipe();
    long long layers, d, heads, mlp, steps, batch, seed, threads;
    double lr;
    if (!int_flag(a, "--layers", r.n_layer, 1, 64, &layers) || !int_flag(a, "--d", r.n_embd, 1, 4096, &d) ||
        !int_flag(a, "--heads", r.n_head, 1, 64, &heads) || !int_flag(a, "--mlp", r.n_inner, 1, 16384, &mlp) ||
        !int_flag(a, "--steps", r.train.steps, 0, 10000000, &steps) || !int_flag(a, "--batch", r.train.batch, 1, 1000000, &batch) ||
        !int_flag(a, "--seed", (long long)r.train.seed, 0, 9007199254740991LL, &seed) ||
        !int_flag(a, "--threads", 1, 1, 256, &threads) || !float_flag(a, "--lr", r.train.lr, 1e-6, 10.0, &lr))
        return 2;
    bool bad = false;
    const std::string out_dir = flag_value(a, "--out", "", &bad);
    const std::string dtype = flag_value(a, "--dtype", "f32", &bad);
    if (bad) return 2;
    if (out_dir.empty()) return fail("gpt train needs --out DIR (the model folder to write)");
    if (dtype != "f32" && dtype != "f16") return fail("--dtype must be f32 or f16, got '" + dtype + "'");
    r.n_layer = int(layers); r.n_embd = int(d); r.n_head = int(heads); r.n_inner = int(mlp);
    r.train.steps = int(steps); r.train.batch = int(batch); r.train.seed = uint64_t(seed);
    r.train.threads = int(threads); r.train.lr = float(lr);
    r.round_fp16 = !has_flag(a, "--no-round");
    if (dtype == "f16" && !r.round_fp16) return fail("--dtype f16 stores float16 values: drop --no-round");

    Progress prog;
    prog.steps = r.train.steps;
    prog.quiet = has_flag(a, "--quiet");
    GptModel m;
    std::string err;
    const auto t0 = std::chrono::steady_clock::now();
    if (!gpt_train_recipe(fs, r, &m, &err, report, &prog)) return fail(err);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    GptTrainingSet set;
    if (!gpt_prepare(fs, r, &set, &err)) return fail(err);
    const GptEvalResult ev = gpt_evaluate(m.weights, set.prompts);
    if (!gpt_save_checkpoint(out_dir, m, &err, dtype == "f16" ? GptDtype::f16 : GptDtype::f32)) return fail(err);
    // the batch a step really uses (the data may be smaller than --batch)
    const int step_batch = std::min<int>(r.train.batch, int(set.sequences.size()));
    if (has_flag(a, "--json")) {
        json j = {{"steps", r.train.steps},
                  {"seconds", seconds},
                  {"seconds_per_step", r.train.steps ? seconds / r.train.steps : 0.0},
                  {"batch", step_batch},
                  {"context", m.weights.config.n_positions},
                  {"params", m.weights.config.n_params()},
                  {"accuracy", ev.accuracy()},
                  {"held_out_accuracy", ev.held_out_accuracy()},
                  {"train_prompts", ev.train_prompts},
                  {"held_out_prompts", ev.held_out_prompts},
                  {"threads", r.train.threads},
                  {"out", out_dir}};
        std::printf("%s\n", j.dump().c_str());
    } else {
        std::printf("trained %lld weights (%d layers, d %d, %d heads, MLP %d) on %zu prompts: %d steps of %d in %.1f s\n",
                    (long long)m.weights.config.n_params(), r.n_layer, r.n_embd, r.n_head, r.n_inner, set.sequences.size(),
                    r.train.steps, step_batch, seconds);
        std::printf("known: %d / %d on the training templates (%.1f%%), %d / %d on the held-out template (%.1f%%)\n",
                    ev.train_correct, ev.train_prompts, 100 * ev.accuracy(), ev.held_out_correct, ev.held_out_prompts,
                    100 * ev.held_out_accuracy());
        std::printf("wrote %s\n", out_dir.c_str());
    }
    return 0;
}

int cli_gpt_eval(const Args& a) {
    bool bad = false;
    const std::string dir = flag_value(a, "--model", "", &bad);
    if (bad) return 2;
    GptModel loaded;
    const GptModel* m = nullptr;
    std::string err;
    if (!dir.empty()) {
        if (!gpt_load_checkpoint(dir, &loaded, &err)) return fail(err);
        m = &loaded;
    } else if (!(m = gpt_builtin_model(&err))) {
        return fail(err);
    }
    FactSet fs;
    if (has_flag(a, "--facts") || !m->has_facts) {
        if (!load_facts_arg(a, &fs)) return 2;
    } else {
        fs = m->facts;
    }
    std::vector<GptPrompt> prompts;
    if (!gpt_build_prompts(fs, m->vocab, &prompts, &err)) return fail(err);
    for (const GptPrompt& p : prompts)
        if (int(p.tokens.size() + p.answer.size()) > m->weights.config.n_positions)
            return fail("the prompt \"" + p.text + "\" and its answer need more than the model's context of " +
                        std::to_string(m->weights.config.n_positions) + " tokens");
    const GptEvalResult ev = gpt_evaluate(m->weights, prompts);
    if (has_flag(a, "--json")) {
        json j = {{"prompts", ev.train_prompts},
                  {"correct", ev.train_correct},
                  {"accuracy", ev.accuracy()},
                  {"held_out_prompts", ev.held_out_prompts},
                  {"held_out_correct", ev.held_out_correct},
                  {"held_out_accuracy", ev.held_out_accuracy()},
                  {"wrong", wrong_list(*m, prompts, ev, 100)}};
        std::printf("%s\n", j.dump().c_str());
    } else {
        std::printf("known: %d / %d on the training templates (%.1f%%), %d / %d on the held-out template (%.1f%%)\n",
                    ev.train_correct, ev.train_prompts, 100 * ev.accuracy(), ev.held_out_correct, ev.held_out_prompts,
                    100 * ev.held_out_accuracy());
        for (const auto& w : wrong_list(*m, prompts, ev, 20))
            std::printf("  wrong: %s -> %s (expected %s)\n", w["prompt"].get<std::string>().c_str(),
                        w["got"].get<std::string>().c_str(), w["answer"].get<std::string>().c_str());
    }
    return 0;
}

}  // namespace factlab::cli
