// cli_lookup.cpp: the subcommands that ask a model about facts.
//   lookup        one subject: every relation's answer (table or JSON)
//   eval          every fact of a set: accuracy and the misses
//   export-model  write the compiled model as .npy + vocab.json for NumPy
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "cli/cli.hpp"
#include "core/io.hpp"

namespace factlab::cli {
namespace {

using Names = std::vector<std::string>;

// Rejects unknown --flags and unexpected positionals with a clear message.
bool check_args(const char* cmd, const Args& a, const Names& valued, const Names& boolean, bool positionals_ok) {
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a[i];
        if (s.size() > 2 && s[0] == '-' && s[1] == '-') {
            if (std::find(valued.begin(), valued.end(), s) != valued.end()) {
                if (i + 1 >= a.size()) { fail(s + " needs a value"); return false; }
                ++i;
                continue;
            }
            if (std::find(boolean.begin(), boolean.end(), s) != boolean.end()) continue;
            fail(std::string("unknown option ") + s + " for " + cmd + " (try factlab-cli --help)");
            return false;
        }
        if (!positionals_ok) { fail(std::string(cmd) + " takes no argument '" + s + "'"); return false; }
    }
    return true;
}

std::string label_of(const Model& m, Eigen::Index i) {
    return size_t(i) < m.neuron_labels.size() ? m.neuron_labels[size_t(i)] : "#" + std::to_string(i);
}

const std::string& object_name(const Model& m, int o) {
    static const std::string unknown = "?";
    return o >= 0 && size_t(o) < m.vocab.objects.size() ? m.vocab.objects[size_t(o)] : unknown;
}

void print_lookup(const Model& m, const LookupResult& r) {
    std::printf("%s\n", r.subject.c_str());
    // Each word's direction is bound to its role (first name, last name, ...).
    std::string toks, u;
    for (size_t i = 0; i < r.tokens.size(); ++i) {
        std::string role = i < r.roles.size() ? role_label(r.roles[i]) : "?";
        toks += (toks.empty() ? "" : ", ") + role + " " + r.tokens[i];
        if (i < r.rows.size() && r.rows[i] >= 0) continue;
        bool elsewhere = std::find(m.vocab.tokens.begin(), m.vocab.tokens.end(), r.tokens[i]) != m.vocab.tokens.end();
        u += (u.empty() ? "" : ", ") + r.tokens[i] + (elsewhere ? " (known, but never as a " + role + ")" : "");
    }
    std::printf("  tokens:  %s\n", toks.empty() ? "(none)" : toks.c_str());
    if (!u.empty()) std::printf("  unknown: %s: not in the vocabulary, skipped\n", u.c_str());
    // The neurons that fired, strongest first: for a compiled model, the AND gates.
    std::vector<Eigen::Index> firing;
    for (Eigen::Index i = 0; i < r.trace.post.size(); ++i) if (r.trace.post[i] > 0.01f) firing.push_back(i);
    std::sort(firing.begin(), firing.end(), [&](Eigen::Index x, Eigen::Index y) { return r.trace.post[x] > r.trace.post[y]; });
    if (firing.empty()) {
        std::printf("  firing:  no neuron; the block adds nothing, so the answers below are guesses\n");
    } else {
        std::string f;
        for (size_t k = 0; k < firing.size() && k < 5; ++k) {
            char buf[32];
            std::snprintf(buf, sizeof buf, " (%.2f)", double(r.trace.post[firing[k]]));
            f += (k ? ", " : "") + label_of(m, firing[k]) + buf;
        }
        if (firing.size() > 5) f += ", ... " + std::to_string(firing.size() - 5) + " more";
        std::printf("  firing:  %s\n", f.c_str());
    }
    std::printf("\n  %-12s %-24s %7s   %s\n", "relation", "answer", "p", "runner-up");
    bool weak_any = false;
    for (const RelationAnswer& a : r.answers) {
        const std::string& rel = m.vocab.relations[size_t(a.relation)];
        if (a.ranking.empty()) { std::printf("  %-12s (no candidates)\n", rel.c_str()); continue; }
        std::string second = "-";
        if (a.ranking.size() > 1) {
            char buf[32];
            std::snprintf(buf, sizeof buf, " %.3f", double(a.ranking[1].probability));
            second = object_name(m, a.ranking[1].object) + buf;
        }
        // A stored fact stands out by several logits; a small gap is interference, not an answer.
        bool weak = a.ranking.size() > 1 && a.ranking[0].logit - a.ranking[1].logit < 2.0f;
        weak_any |= weak;
        std::printf("  %-12s %-24s %7.3f%s  %s\n", rel.c_str(), object_name(m, a.ranking[0].object).c_str(),
                    double(a.ranking[0].probability), weak ? " ?" : "  ", second.c_str());
    }
    if (weak_any) std::printf("\n  ? no clear winner (logit gap < 2): probably not a stored fact\n");
}

int run_lookup(const Args& a) {
    const Names valued = {"--facts", "--model", "--d", "--seed", "--act", "--top", "--repeat"};
    if (!check_args("lookup", a, valued, {"--json"}, true)) return 2;
    Names words = positionals(a, valued);
    std::string subject;
    for (const std::string& w : words) subject += (subject.empty() ? "" : " ") + w;
    if (split_tokens(subject).empty()) return fail("lookup needs a SUBJECT, e.g. factlab-cli lookup Michael Jordan");
    long long top = -1, repeat = 0;
    if (!int_flag(a, "--top", -1, -1, 1000000, &top) || !int_flag(a, "--repeat", 0, 0, 10000000, &repeat)) return 2;

    FactSet fs;
    if (!has_flag(a, "--model") && !load_facts_arg(a, &fs)) return 2;
    Model m;
    if (!load_model_arg(a, fs, &m)) return 2;

    LookupResult r = lookup(m, subject);
    if (repeat > 0) {   // timing: the whole lookup, tokens to ranked answers
        auto t0 = std::chrono::steady_clock::now();
        volatile size_t sink = 0;                               // keeps the loop from being optimised away
        for (long long k = 0; k < repeat; ++k) sink = sink + lookup(m, subject).answers.size();
        double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "lookup: %.2f us per call (%lld calls, hidden %d, d %d)\n", us / double(repeat), repeat,
                     m.mlp.hidden(), m.d());
    }
    if (has_flag(a, "--json")) std::printf("%s\n", lookup_to_json(m, r, int(top)).c_str());
    else print_lookup(m, r);
    return 0;
}

int run_eval(const Args& a) {
    const Names valued = {"--facts", "--model", "--d", "--seed", "--act"};
    if (!check_args("eval", a, valued, {"--json"}, false)) return 2;
    FactSet fs;
    if (!load_facts_arg(a, &fs)) return 2;
    Model m;
    if (!load_model_arg(a, fs, &m)) return 2;
    EvalResult ev = evaluate(m, fs);

    nlohmann::ordered_json wrong = nlohmann::ordered_json::array();
    for (int f : ev.wrong) {
        const Fact& fact = fs.facts[size_t(f)];
        LookupResult r = lookup(m, fact.subject);
        std::string got;
        for (const RelationAnswer& ans : r.answers)
            if (m.vocab.relations[size_t(ans.relation)] == fact.relation && !ans.ranking.empty())
                got = object_name(m, ans.ranking[0].object);
        wrong.push_back({{"subject", fact.subject}, {"relation", fact.relation}, {"expected", fact.object}, {"got", got}});
    }
    if (has_flag(a, "--json")) {
        nlohmann::ordered_json j;
        j["facts"] = ev.facts;
        j["correct"] = ev.correct;
        j["accuracy"] = ev.accuracy();
        j["wrong"] = wrong;
        std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        return 0;
    }
    std::printf("facts %d, correct %d, accuracy %.2f%% (hidden %d, d %d, %s)\n", ev.facts, ev.correct,
                100.0 * ev.accuracy(), m.mlp.hidden(), m.d(), activation_name(m.mlp.act));
    for (size_t k = 0; k < wrong.size() && k < 20; ++k)
        std::printf("  wrong: %s %s: expected %s, got %s\n", wrong[k]["subject"].get<std::string>().c_str(),
                    wrong[k]["relation"].get<std::string>().c_str(), wrong[k]["expected"].get<std::string>().c_str(),
                    wrong[k]["got"].get<std::string>().c_str());
    if (wrong.size() > 20) std::printf("  ... and %zu more\n", wrong.size() - 20);
    return 0;
}

int run_export(const Args& a) {
    const Names valued = {"--facts", "--d", "--seed", "--act", "--out"};
    if (!check_args("export-model", a, valued, {}, false)) return 2;
    bool bad = false;
    std::string dir = flag_value(a, "--out", "", &bad);
    if (bad) return 2;
    if (dir.empty()) return fail("export-model needs --out DIR");
    FactSet fs;
    if (!load_facts_arg(a, &fs)) return 2;
    Model m;
    if (!load_model_arg(a, fs, &m)) return 2;
    std::string err;
    if (!save_model(dir, m, &err)) return fail(err);
    const int h = m.mlp.hidden(), d = m.d();
    std::printf("wrote %s: W_up.npy (%d, %d), b_up.npy (%d,), W_down.npy (%d, %d), b_down.npy (%d,),\n"
                "  tokens.npy (%d, %d), objects.npy (%d, %d), vocab.json (%zu relations, %s)\n",
                dir.c_str(), h, d, h, d, h, d, int(m.tokens.rows()), d, int(m.objects.rows()), d,
                m.vocab.relations.size(), activation_name(m.mlp.act));
    return 0;
}

const Command reg_lookup{"lookup", "lookup [--facts FILE] [--model DIR] [--json] [--top N] [--d N] [--seed K] [--act relu|gelu] [--repeat N] SUBJECT...", run_lookup};
const Command reg_eval{"eval", "eval [--facts FILE] [--model DIR] [--json] [--d N] [--seed K] [--act relu|gelu]", run_eval};
const Command reg_export{"export-model", "export-model [--facts FILE] [--d N] [--seed K] [--act relu|gelu] --out DIR", run_export};

}  // namespace
}  // namespace factlab::cli
