// cli_gpt.cpp: the transformer's analyses on the command line (`gpt train` and `gpt eval`
// live in cli_gpt_train.cpp). Every command takes --model DIR (default: the built-in model)
// and --json (the objects of core/gpt/report.hpp); errors go to stderr with exit code 2.
//
//   gpt prompts  [--facts FILE]
//   gpt predict  --prompt P [--top K]
//   gpt generate --prompt P [--max N]
//   gpt lens     --prompt P [--top K]
//   gpt trace    --prompt P [--subject S] [--samples N] [--window W] [--seed K] [--noise NOISE.npy]
//                [--noise-multiplier X]
//   gpt knockout --prompt P [--subject S] [--window W]
//   gpt neurons  --subject S --relation R [--template T] [--top K]
//   gpt gate     --prompt P [--subject S] [--top K]
//   gpt edit     --subject S --relation R --object O [--layer L] [--steps N] [--ft-steps N] [--edit-key]
//                [--out DIR2]   (no --layer: the layer the causal trace picks)
//   gpt export   --out DIR [--dtype f32|f16]
// The facts (templates, near misses, ROME's keys) are --facts FILE, else the model folder's
// facts.csv, else the built-in athletes.
#include <cstdio>
#include <cstring>
#include <string>
#include "cli/cli.hpp"
#include "core/gpt/builtin.hpp"
#include "core/gpt/checkpoint.hpp"
#include "core/gpt/gate.hpp"
#include "core/gpt/report.hpp"
#include "core/io.hpp"

namespace factlab::cli {
namespace {

struct Ctx {
    GptModel own;                     // a --model folder
    const GptModel* m = nullptr;      // the model in use
    FactSet facts;
    bool json = false;
};

bool load(const Args& a, Ctx* c, bool need_model = true) {
    c->json = has_flag(a, "--json");
    bool bad = false;
    const std::string dir = flag_value(a, "--model", "", &bad);
    if (bad) return false;
    if (need_model) {
        if (!dir.empty()) {
            std::string err;
            if (!gpt_load_checkpoint(dir, &c->own, &err)) { fail(err); return false; }
            c->m = &c->own;
        } else {
            std::string err;
            c->m = gpt_builtin_model(&err);
            if (!c->m) { fail("the built-in model is not available: " + err); return false; }
        }
    }
    if (has_flag(a, "--facts") || !c->m || !c->m->has_facts) return load_facts_arg(a, &c->facts);
    c->facts = c->m->facts;
    return true;
}

bool prompt_tokens(const Args& a, const Ctx& c, std::vector<int>* tokens) {
    bool bad = false;
    const std::string p = flag_value(a, "--prompt", "", &bad);
    if (bad) return false;
    if (p.empty()) { fail("--prompt P is needed"); return false; }
    std::string err;
    if (!c.m->vocab.encode(p, tokens, &err)) { fail(err); return false; }
    if (tokens->empty()) { fail("the prompt has no words"); return false; }
    if (int(tokens->size()) > c.m->weights.config.n_positions) {
        fail("the prompt has " + std::to_string(tokens->size()) + " words; the model's context holds " +
             std::to_string(c.m->weights.config.n_positions));
        return false;
    }
    return true;
}

// The subject's token range: --subject S, else the longest subject of the facts in the prompt.
bool subject_range(const Args& a, const Ctx& c, const std::vector<int>& tokens, int* first, int* end) {
    bool bad = false;
    const std::string s = flag_value(a, "--subject", "", &bad);
    if (bad) return false;
    std::string err;
    if (!s.empty()) {
        if (!gpt_locate_subject(c.m->vocab, tokens, s, first, end, &err)) { fail(err); return false; }
        return true;
    }
    if (gpt_find_subject(c.facts, c.m->vocab, tokens, first, end) < 0) {
        fail("no subject of the facts file in the prompt; name one with --subject S");
        return false;
    }
    return true;
}

void print(const std::string& s) { std::printf("%s\n", s.c_str()); }

std::string word(const GptVocab& v, int id) { return id >= 0 && id < v.size() ? v.words[size_t(id)] : "<?>"; }

// A float32 .npy of shape (samples, S, d), C order, as `samples` (S, d) matrices.
bool load_noise(const std::string& path, int S, int d, std::vector<GptMatrix>* out) {
    std::string bytes, err;
    if (!read_file(path, &bytes, &err, size_t(256) << 20)) { fail(err); return false; }
    // Rewrite the 3-D header as 2-D (samples * S, d) and let the checked reader do the rest.
    const size_t hl_at = 8;
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0 || (bytes[6] != 1 && bytes[6] != 2 && bytes[6] != 3)) {
        fail(path + ": not a .npy file");
        return false;
    }
    const size_t hoff = bytes[6] == 1 ? 10 : 12;
    if (bytes.size() < hoff) { fail(path + ": truncated .npy header"); return false; }
    size_t hlen = 0;
    for (size_t i = 0; i < hoff - hl_at; ++i) hlen |= size_t(uint8_t(bytes[hl_at + i])) << (8 * i);
    if (hlen > bytes.size() - hoff) { fail(path + ": truncated .npy header"); return false; }
    std::string header = bytes.substr(hoff, hlen);
    const size_t sh = header.find("'shape':");
    const size_t open = sh == std::string::npos ? sh : header.find('(', sh);
    const size_t close = open == std::string::npos ? open : header.find(')', open);
    if (close == std::string::npos) { fail(path + ": no shape in the .npy header"); return false; }
    long long dims[4] = {0, 0, 0, 0};
    int nd = 0;
    const char* p = header.c_str() + open + 1;
    while (nd < 4) {
        while (*p == ' ' || *p == ',') ++p;
        if (*p == ')') break;
        char* e = nullptr;
        long long v = std::strtoll(p, &e, 10);
        if (e == p || v < 0 || v > (1LL << 31)) { fail(path + ": bad shape in the .npy header"); return false; }
        dims[nd++] = v;
        p = e;
    }
    if (nd != 3) { fail(path + ": the noise must be 3-D (samples, subject tokens, d_model), found " + std::to_string(nd) + "-D"); return false; }
    if (dims[1] != S || dims[2] != d) {
        fail(path + ": the noise is (" + std::to_string(dims[0]) + ", " + std::to_string(dims[1]) + ", " + std::to_string(dims[2]) +
             "); this prompt's subject needs (samples, " + std::to_string(S) + ", " + std::to_string(d) + ")");
        return false;
    }
    if (dims[0] < 1 || dims[0] > 10000) { fail(path + ": from 1 to 10000 noise samples"); return false; }
    header = header.substr(0, open) + "(" + std::to_string(dims[0] * dims[1]) + ", " + std::to_string(dims[2]) + ")" +
             header.substr(close + 1);
    std::string flat = "\x93NUMPY";
    flat += char(2);
    flat += char(0);
    for (int i = 0; i < 4; ++i) flat += char((header.size() >> (8 * i)) & 0xff);
    flat += header + bytes.substr(hoff + hlen);
    Eigen::MatrixXf m;
    if (!npy_decode(flat, &m, &err)) { fail(path + ": " + err); return false; }
    out->clear();
    for (long long s = 0; s < dims[0]; ++s) out->push_back(m.middleRows(Eigen::Index(s * S), S));
    return true;
}

int cmd_prompts(const Args& a) {
    Ctx c;
    if (!load(a, &c, has_flag(a, "--model"))) return 2;
    GptVocab v = c.m && !has_flag(a, "--facts") ? c.m->vocab : gpt_make_vocab(c.facts);
    std::vector<GptPrompt> ps;
    std::string err;
    if (!gpt_build_prompts(c.facts, v, &ps, &err)) return fail(err);
    if (c.json) { print(gpt_prompts_json(ps)); return 0; }
    for (const GptPrompt& p : ps) std::printf("%s%s -> %s\n", p.held_out ? "[held out] " : "", p.text.c_str(), p.answer_text.c_str());
    std::fprintf(stderr, "%zu prompts, %d words in the vocabulary\n", ps.size(), v.size());
    return 0;
}

int cmd_predict(const Args& a) {
    Ctx c;
    std::vector<int> t;
    long long k;
    if (!load(a, &c) || !prompt_tokens(a, c, &t) || !int_flag(a, "--top", 5, 1, 1000, &k)) return 2;
    GptPrediction p;
    std::vector<int> g;
    std::string err;
    if (!gpt_predict(c.m->weights, t, int(k), &p, &err)) return fail(err);
    if (!gpt_generate(c.m->weights, t, c.m->vocab.end_id, 8, &g, &err)) return fail(err);
    if (c.json) { print(gpt_predict_json(c.m->vocab, t, p, g)); return 0; }
    for (const GptTopToken& x : p.top) std::printf("%-24s %.4f\n", word(c.m->vocab, x.token).c_str(), x.probability);
    std::printf("greedy: %s\n", c.m->vocab.decode(g).c_str());
    return 0;
}

int cmd_generate(const Args& a) {
    Ctx c;
    std::vector<int> t;
    long long n;
    if (!load(a, &c) || !prompt_tokens(a, c, &t) || !int_flag(a, "--max", 16, 1, 4096, &n)) return 2;
    std::vector<int> g;
    std::string err;
    if (!gpt_generate(c.m->weights, t, c.m->vocab.end_id, int(n), &g, &err)) return fail(err);
    if (c.json) { print(gpt_generate_json(c.m->vocab, t, g)); return 0; }
    std::printf("%s | %s\n", c.m->vocab.decode(t).c_str(), c.m->vocab.decode(g).c_str());
    return 0;
}

int cmd_lens(const Args& a) {
    Ctx c;
    std::vector<int> t;
    long long k;
    if (!load(a, &c) || !prompt_tokens(a, c, &t) || !int_flag(a, "--top", 5, 1, 1000, &k)) return 2;
    GptLens lens;
    std::string err;
    if (!gpt_logit_lens(c.m->weights, t, -1, int(k), &lens, &err)) return fail(err);
    if (c.json) { print(gpt_lens_json(c.m->vocab, lens)); return 0; }
    for (size_t l = 0; l < lens.layers.size(); ++l) {
        const GptLensLayer& L = lens.layers[l];
        std::printf("layer %zu: %s (%.4f); answer %s rank %d p %.4f\n", l, word(c.m->vocab, L.top.back()[0].token).c_str(),
                    L.top.back()[0].probability, word(c.m->vocab, lens.answer).c_str(), L.answer_rank, L.answer_probability);
    }
    return 0;
}

int cmd_trace(const Args& a) {
    Ctx c;
    std::vector<int> t;
    int first = 0, end = 0;
    long long samples, window, seed;
    double mult;
    if (!load(a, &c) || !prompt_tokens(a, c, &t) || !subject_range(a, c, t, &first, &end) ||
        !int_flag(a, "--samples", 10, 1, 10000, &samples) ||
        !int_flag(a, "--window", 1, 1, c.m->weights.config.n_layer, &window) ||
        !int_flag(a, "--seed", 1, 0, 9007199254740991LL, &seed) || !float_flag(a, "--noise-multiplier", 3.0, 0.0, 1000.0, &mult))
        return 2;
    GptTraceOptions o;
    o.samples = int(samples);
    o.window = int(window);
    o.seed = uint64_t(seed);
    o.noise_multiplier = float(mult);
    bool bad = false;
    const std::string noise = flag_value(a, "--noise", "", &bad);
    if (bad) return 2;
    if (!noise.empty() && !load_noise(noise, end - first, c.m->weights.config.n_embd, &o.noise)) return 2;
    GptTrace r;
    std::string err;
    if (!gpt_trace(c.m->weights, t, first, end, o, &r, &err)) return fail(err);
    if (c.json) { print(gpt_trace_json(c.m->vocab, r, o.seed, !noise.empty())); return 0; }
    std::printf("answer %s: p_clean %.4f, p_corrupted %.4f (%d samples)\n", word(c.m->vocab, r.answer).c_str(), r.p_clean,
                r.p_corrupted, r.samples);
    const char* names[3] = {"hidden", "mlp", "attn"};
    const Eigen::MatrixXf* maps[3] = {&r.hidden, &r.mlp, &r.attn};
    for (int k = 0; k < 3; ++k) {
        std::printf("%s (position x layer):\n", names[k]);
        for (int i = 0; i < maps[k]->rows(); ++i) {
            std::printf("  %-16s%s", word(c.m->vocab, t[size_t(i)]).c_str(), i >= first && i < end ? "*" : " ");
            for (int l = 0; l < maps[k]->cols(); ++l) std::printf(" %.3f", (*maps[k])(i, l));
            std::printf("\n");
        }
    }
    return 0;
}

int cmd_knockout(const Args& a) {
    Ctx c;
    std::vector<int> t;
    int first = 0, end = 0;
    long long window;
    if (!load(a, &c) || !prompt_tokens(a, c, &t) || !subject_range(a, c, t, &first, &end) ||
        !int_flag(a, "--window", 1, 1, c.m->weights.config.n_layer, &window))
        return 2;
    GptKnockoutResult r;
    std::string err;
    if (!gpt_attention_knockout(c.m->weights, t, first, end, -1, int(window), &r, &err)) return fail(err);
    if (c.json) { print(gpt_knockout_json(c.m->vocab, r)); return 0; }
    std::printf("answer %s: p_clean %.4f\n", word(c.m->vocab, r.answer).c_str(), r.p_clean);
    for (size_t l = 0; l < r.p_blocked.size(); ++l)
        std::printf("  block at layer %zu: p %.4f (%+.1f%%)\n", l, r.p_blocked[l], 100.0 * r.change[l]);
    return 0;
}

int cmd_neurons(const Args& a) {
    Ctx c;
    bool bad = false;
    long long tmpl, k;
    if (!load(a, &c) || !int_flag(a, "--template", 0, 0, 3, &tmpl) || !int_flag(a, "--top", 5, 1, 100000, &k)) return 2;
    const std::string s = flag_value(a, "--subject", "", &bad), r = flag_value(a, "--relation", "sport", &bad);
    if (bad) return 2;
    if (s.empty()) return fail("--subject S is needed");
    GptNeuronReport rep;
    std::string err;
    if (!gpt_and_neurons(c.m->weights, c.m->vocab, c.facts, s, r, int(tmpl), int(k), &rep, &err)) return fail(err);
    if (c.json) { print(gpt_neurons_json(c.m->vocab, rep)); return 0; }
    std::printf("%s -> %s (p %.4f); %zu near misses\n", rep.prompt.text.c_str(), word(c.m->vocab, rep.answer).c_str(),
                rep.p_clean, rep.near_misses.size());
    for (size_t l = 0; l < rep.layers.size(); ++l) {
        const GptNeuronLayer& L = rep.layers[l];
        if (L.best.empty()) continue;
        std::printf("  layer %zu: best neuron %d (subject %.3f, near misses max %.3f); ", l, L.best[0].neuron, L.best[0].subject,
                    L.best[0].near_max);
        if (L.flip < 0) std::printf("the answer survives all %zu neurons off\n", L.ablation.size() - 1);
        else std::printf("the answer flips after %d neurons off\n", L.flip);
    }
    return 0;
}

// The AND gate in the wild for a prompt (core/gpt/gate.hpp): the best neuron at the subject's
// last token, its activation for each near miss, the ablation curve of the K largest contributions.
int cmd_gate(const Args& a) {
    Ctx c;
    std::vector<int> t;
    int first = 0, end = 0;
    long long k;
    if (!load(a, &c) || !prompt_tokens(a, c, &t) || !subject_range(a, c, t, &first, &end) ||
        !int_flag(a, "--top", 32, 0, 100000, &k))
        return 2;
    GptGateOptions o;
    o.top = int(k);
    GptGate g;
    std::string err;
    if (!gpt_and_gate(c.m->weights, c.m->vocab, c.facts, t, first, end, o, &g, &err)) return fail(err);
    if (c.json) { print(gpt_gate_json(c.m->vocab, g)); return 0; }
    const GptVocab& v = c.m->vocab;
    std::printf("%s -> %s (p %.4f); best neuron: layer %d, neuron %d (margin %.3f, contribution %.3f to the logit)\n",
                v.decode(t).c_str(), word(v, g.answer).c_str(), g.p_clean, g.best.layer, g.best.neuron, g.best.margin,
                g.best.contribution);
    for (const GptGateName& n : g.names)
        std::printf("  %-28s %-12s activation %7.3f  -> %s (p %.3f)\n", n.name.c_str(), n.shares.c_str(), n.activation,
                    word(v, n.top).c_str(), n.p_top);
    std::printf("  %d subjects sharing no word: mean %.3f, max %.3f (%s)\n", g.unrelated, g.unrelated_mean, g.unrelated_max,
                g.unrelated_max_name.c_str());
    std::printf("ablation (k largest contributions off):");
    for (size_t i = 0; i < g.ablation.size(); ++i) std::printf(" %.3f", g.ablation[i]);
    std::printf("\n");
    if (g.flip < 0) std::printf("the answer survives %zu neurons off\n", g.ranked.size());
    else std::printf("the answer flips after %d neurons off\n", g.flip);
    return 0;
}

int cmd_edit(const Args& a) {
    Ctx c;
    bool bad = false;
    long long layer, steps, ft_steps;
    if (!load(a, &c) || !int_flag(a, "--layer", -1, -1, c.m->weights.config.n_layer - 1, &layer) ||
        !int_flag(a, "--steps", 200, 1, 100000, &steps) || !int_flag(a, "--ft-steps", steps, 0, 100000, &ft_steps))
        return 2;
    const std::string s = flag_value(a, "--subject", "", &bad), r = flag_value(a, "--relation", "", &bad),
                      o = flag_value(a, "--object", "", &bad), out = flag_value(a, "--out", "", &bad);
    if (bad) return 2;
    if (s.empty() || r.empty() || o.empty()) return fail("--subject S --relation R --object O are needed");
    GptEditOptions opt;
    opt.layer = int(layer);
    opt.v_steps = int(steps);
    opt.ft_steps = int(ft_steps);
    opt.edit_key = has_flag(a, "--edit-key");
    GptEditResult res;
    std::string err;
    if (!gpt_rome_edit(c.m->weights, c.m->vocab, c.facts, s, r, o, opt, &res, &err)) return fail(err);
    if (!out.empty()) {
        GptModel edited;
        edited.weights = res.rome.weights;
        edited.vocab = c.m->vocab;
        std::vector<Fact> facts = c.facts.facts;
        bool found = false;
        for (Fact& f : facts) if (f.subject == s && f.relation == r) { f.object = o; found = true; }
        if (!found) facts.push_back({s, r, o});
        edited.facts = make_fact_set(std::move(facts));
        edited.has_facts = true;
        if (!gpt_save_checkpoint(out, edited, &err)) return fail(err);
    }
    if (c.json) { print(gpt_edit_json(res)); return 0; }
    auto line = [](const char* name, const GptEditScores& x) {
        std::printf("  %-10s efficacy %.2f (p %.4f)  paraphrase %.2f (%d, mean p %.4f)  specificity %.2f (%d, drop %.4f)\n",
                    name, x.efficacy, x.p_edit, x.paraphrase, x.n_paraphrase, x.p_paraphrase, x.specificity,
                    x.n_specificity, x.specificity_drop);
    };
    std::printf("%s, %s: %s -> %s at layer %d%s\n", s.c_str(), r.c_str(), res.old_object.empty() ? "?" : res.old_object.c_str(),
                o.c_str(), res.layer, res.layer_by_trace ? " (picked by the causal trace)" : "");
    line("before", res.before);
    line("ROME", res.rome.scores);
    line("fine-tune", res.finetune.scores);
    std::printf("  v*: NLL of the new object %.3f with v* patched in (|delta| %.3f, %d steps); after the rank-one write %.3f\n",
                res.v_loss, res.delta_norm, res.rome.steps, res.rome.loss);
    std::printf("  fine-tune: %d Adam step%s on layer %d's W_down, NLL %.3f\n", res.finetune.steps,
                res.finetune.steps == 1 ? "" : "s", res.layer, res.finetune.loss);
    if (!out.empty()) std::printf("the ROME-edited model: %s\n", out.c_str());
    return 0;
}

int cmd_export(const Args& a) {
    Ctx c;
    bool bad = false;
    if (!load(a, &c)) return 2;
    const std::string out = flag_value(a, "--out", "", &bad), dt = flag_value(a, "--dtype", "f32", &bad);
    if (bad) return 2;
    if (out.empty()) return fail("--out DIR is needed");
    if (dt != "f32" && dt != "f16") return fail("--dtype must be f32 or f16");
    GptModel m = *c.m;
    if (!m.has_facts) { m.facts = c.facts; m.has_facts = true; }
    std::string err;
    if (!gpt_save_checkpoint(out, m, &err, dt == "f16" ? GptDtype::f16 : GptDtype::f32)) return fail(err);
    if (c.json) {
        print("{\"out\": \"" + out + "\", \"params\": " + std::to_string(m.weights.config.n_params()) + ", \"dtype\": \"" + dt + "\"}");
        return 0;
    }
    std::printf("wrote %s (config.json, vocab.json, model.safetensors %s, facts.csv)\n", out.c_str(), dt.c_str());
    return 0;
}

}  // namespace

int cli_gpt(const std::string& sub, const Args& a) {
    if (sub == "prompts") return cmd_prompts(a);
    if (sub == "predict") return cmd_predict(a);
    if (sub == "generate") return cmd_generate(a);
    if (sub == "lens") return cmd_lens(a);
    if (sub == "trace") return cmd_trace(a);
    if (sub == "knockout") return cmd_knockout(a);
    if (sub == "neurons") return cmd_neurons(a);
    if (sub == "gate") return cmd_gate(a);
    if (sub == "edit") return cmd_edit(a);
    if (sub == "export") return cmd_export(a);
    return fail("unknown gpt command '" + sub + "' (train, eval, prompts, predict, generate, lens, trace, knockout, neurons, gate, edit, export)");
}

}  // namespace factlab::cli
