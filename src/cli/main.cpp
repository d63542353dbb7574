// factlab-cli: the same core as the page, headless, for experiments and benchmarks.
// Each subcommand lives in its own file and registers itself through cli::Command.
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <map>
#include <string>
#include "cli/cli.hpp"

namespace factlab::cli {
namespace {
struct Entry { const char* usage; Run run; };
std::map<std::string, Entry>& registry() { static std::map<std::string, Entry> r; return r; }
}  // namespace

Command::Command(const char* name, const char* usage, Run run) { registry()[name] = {usage, run}; }

int fail(const std::string& message) {
    std::fprintf(stderr, "factlab-cli: %s\n", message.c_str());
    return 2;
}

bool has_flag(const Args& a, const char* name) {
    for (const std::string& s : a) if (s == name) return true;
    return false;
}

std::string flag_value(const Args& a, const char* name, const std::string& fallback, bool* error) {
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] != name) continue;
        if (i + 1 >= a.size()) { if (error) *error = true; fail(std::string(name) + " needs a value"); return fallback; }
        return a[i + 1];
    }
    return fallback;
}

bool int_flag(const Args& a, const char* name, long long fallback, long long lo, long long hi, long long* out) {
    bool err = false;
    std::string v = flag_value(a, name, "", &err);
    if (err) return false;
    if (v.empty()) { *out = fallback; return true; }
    char* end = nullptr;
    long long x = std::strtoll(v.c_str(), &end, 10);
    if (end == v.c_str() || *end != '\0') { fail(std::string(name) + " wants a whole number, got '" + v + "'"); return false; }
    if (x < lo || x > hi) {
        fail(std::string(name) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + v);
        return false;
    }
    *out = x;
    return true;
}

bool float_flag(const Args& a, const char* name, double fallback, double lo, double hi, double* out) {
    bool err = false;
    std::string v = flag_value(a, name, "", &err);
    if (err) return false;
    if (v.empty()) { *out = fallback; return true; }
    char* end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end != '\0' || !std::isfinite(x)) { fail(std::string(name) + " wants a finite number, got '" + v + "'"); return false; }
    if (x < lo || x > hi) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s must be between %g and %g, got %s", name, lo, hi, v.c_str());
        fail(buf);
        return false;
    }
    *out = x;
    return true;
}

std::vector<std::string> positionals(const Args& a, const std::vector<std::string>& valued) {
    std::vector<std::string> out;
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a[i];
        if (s.size() > 2 && s[0] == '-' && s[1] == '-') {
            for (const std::string& v : valued) if (v == s) { ++i; break; }
            continue;
        }
        out.push_back(s);
    }
    return out;
}

// The `gpt` group: train/eval in cli_gpt_train.cpp, every other subcommand in cli_gpt.cpp.
namespace {
int run_gpt(const Args& a) {
    if (a.empty()) return fail("gpt needs a subcommand: train, eval, prompts, predict, generate, lens, trace, knockout, neurons, gate, edit, export");
    const std::string sub = a[0];
    const Args rest(a.begin() + 1, a.end());
    if (sub == "train") return cli_gpt_train(rest);
    if (sub == "eval") return cli_gpt_eval(rest);
    return cli_gpt(sub, rest);
}
const Command gpt_command{"gpt", "gpt train|eval|prompts|predict|generate|lens|trace|knockout|neurons|gate|edit|export [flags] (see docs/gpt.md)", run_gpt};
}  // namespace

}  // namespace factlab::cli

int main(int argc, char** argv) {
    using namespace factlab::cli;
    auto& reg = registry();
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
        std::printf("factlab-cli: how LLM MLP blocks store facts, headless.\n\nUsage:\n");
        for (auto& [name, e] : reg) std::printf("  factlab-cli %s\n", e.usage);
        return argc < 2 ? 1 : 0;
    }
    auto it = reg.find(argv[1]);
    if (it == reg.end()) return fail(std::string("unknown command '") + argv[1] + "' (try --help)");
    Args args(argv + 2, argv + argc);
    if (has_flag(args, "--help") || has_flag(args, "-h")) {   // never start a long run by mistake
        std::printf("usage: factlab-cli %s\n", it->second.usage);
        return 0;
    }
    return it->second.run(args);
}
