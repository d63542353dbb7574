// cli_common.cpp: what most subcommands share: the facts to use (--facts FILE
// or the built-in set) and the model to ask (--model DIR, or compiled now).
#include <cstdio>
#include <string>
#include "cli/cli.hpp"
#include "core/io.hpp"

namespace factlab::cli {

bool load_facts_arg(const Args& a, FactSet* out) {
    bool bad = false;
    std::string path = flag_value(a, "--facts", "", &bad);
    if (bad) return false;
    if (path.empty()) {
        const FactSet& fs = builtin_facts();
        if (fs.facts.empty()) { fail("the built-in facts did not parse (src/core/data/athletes.csv)"); return false; }
        *out = fs;
        return true;
    }
    ParseLimits limits;
    std::string text, err;
    if (!read_file(path, &text, &err, limits.max_bytes)) { fail(err); return false; }
    ParseResult r = parse_facts_csv(text, limits);
    for (const ParseIssue& w : r.warnings)
        std::fprintf(stderr, "%s:%d: warning: %s\n", path.c_str(), w.line, w.reason.c_str());
    if (!r.ok) {
        for (const ParseIssue& e : r.errors) {
            if (e.line > 0) std::fprintf(stderr, "%s:%d: %s\n", path.c_str(), e.line, e.reason.c_str());
            else std::fprintf(stderr, "%s: %s\n", path.c_str(), e.reason.c_str());
        }
        fail("could not load facts from " + path);
        return false;
    }
    *out = std::move(r.facts);
    return true;
}

bool load_model_arg(const Args& a, const FactSet& fs, Model* out) {
    bool bad = false;
    std::string dir = flag_value(a, "--model", "", &bad);
    if (bad) return false;
    if (!dir.empty()) {
        std::string err;
        if (!load_model(dir, out, &err)) { fail(err); return false; }
        return true;
    }
    long long d = 0, seed = 0;
    if (!int_flag(a, "--d", 256, 2, 4096, &d)) return false;
    if (!int_flag(a, "--seed", 1, 0, 9007199254740991LL, &seed)) return false;   // 2^53 − 1: exact in JS too
    CompileOptions opt;
    opt.d = int(d);
    opt.seed = uint64_t(seed);
    std::string act = flag_value(a, "--act", "relu", &bad);
    if (bad) return false;
    if (!activation_from_name(act.c_str(), &opt.act)) { fail("--act must be relu or gelu, got '" + act + "'"); return false; }
    // Keep the model within memory a browser tab (or node) can give us.
    double floats = (2.0 * double(fs.subjects.size()) + double(fs.tokens.size()) + double(fs.objects.size())) * double(d);
    if (floats > double(1u << 27)) {
        fail("model too large: " + std::to_string(fs.subjects.size()) + " neurons at d = " + std::to_string(d) +
             " needs more than 512 MB; use a smaller --d");
        return false;
    }
    *out = compile_model(fs, opt);
    return true;
}

}  // namespace factlab::cli
