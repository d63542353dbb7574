// fuzz_facts.cpp: libFuzzer target for the facts CSV parser (src/core/facts.hpp).
//
// Properties checked on every input, beyond "no crash, no sanitizer report":
//   - a failed parse has no facts and at least one error; every error and
//     warning names a line within the file (0 = the whole file);
//   - a successful parse has facts, no errors, and tables that agree with
//     each other (ids in range, tokens per subject within the limit);
//   - round trip: facts_to_csv of the result parses again, with no errors,
//     to exactly the same facts and tables, and writes back the same text.
// Run: tests/fuzz/run.sh, or build/fuzz/fuzz_facts tests/fuzz/corpus/facts
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include "core/facts.hpp"

using namespace factlab;

#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "fuzz_facts: property failed: %s\n  ", #cond);          \
            std::fprintf(stderr, __VA_ARGS__);                                           \
            std::fprintf(stderr, "\n");                                                  \
            std::abort();                                                                \
        }                                                                                \
    } while (0)

static int count_lines(std::string_view t) {
    int n = 1;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '\r') { if (i + 1 < t.size() && t[i + 1] == '\n') ++i; ++n; }
        else if (t[i] == '\n') ++n;
    }
    return n;
}

static void check_tables(const FactSet& fs, const ParseLimits& L) {
    size_t n = fs.facts.size();
    FUZZ_CHECK(fs.fact_subject.size() == n && fs.fact_relation.size() == n && fs.fact_object.size() == n,
               "per-fact id arrays have the wrong size");
    FUZZ_CHECK(fs.subject_tokens.size() == fs.subjects.size(), "subject_tokens size");
    FUZZ_CHECK(fs.candidates.size() == fs.relations.size(), "candidates size");
    for (size_t k = 0; k < n; ++k) {
        int s = fs.fact_subject[k], r = fs.fact_relation[k], o = fs.fact_object[k];
        FUZZ_CHECK(s >= 0 && size_t(s) < fs.subjects.size(), "subject id out of range");
        FUZZ_CHECK(r >= 0 && size_t(r) < fs.relations.size(), "relation id out of range");
        FUZZ_CHECK(o >= 0 && size_t(o) < fs.objects.size(), "object id out of range");
        FUZZ_CHECK(fs.subjects[size_t(s)] == fs.facts[k].subject, "fact %zu subject mismatch", k);
        FUZZ_CHECK(fs.object_of(s, r) == o, "object_of disagrees for fact %zu", k);
        FUZZ_CHECK(fs.subject_id(fs.facts[k].subject) == s, "subject_id lookup fails for fact %zu", k);
        FUZZ_CHECK(!fs.facts[k].relation.empty() && !fs.facts[k].object.empty(), "empty relation/object kept");
    }
    for (size_t s = 0; s < fs.subjects.size(); ++s) {
        FUZZ_CHECK(!fs.subject_tokens[s].empty() && fs.subject_tokens[s].size() <= L.max_tokens,
                   "subject %zu has %zu tokens", s, fs.subject_tokens[s].size());
        for (int t : fs.subject_tokens[s]) FUZZ_CHECK(t >= 0 && size_t(t) < fs.tokens.size(), "token id out of range");
    }
    FUZZ_CHECK(fs.subjects.size() <= L.max_subjects && fs.objects.size() <= L.max_objects, "limits exceeded");
    FUZZ_CHECK(n <= L.max_rows, "more facts than max_rows");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    // Small limits so the fuzzer reaches every limit check with short inputs.
    ParseLimits L;
    L.max_bytes = 1u << 16;
    L.max_rows = 64;
    L.max_field = 48;
    L.max_tokens = 4;
    L.max_subjects = 24;
    L.max_objects = 24;

    const int lines = count_lines(text);
    ParseResult r = parse_facts_csv(text, L);
    FUZZ_CHECK(r.errors.size() <= 50 && r.warnings.size() <= 50, "too many issues kept");
    for (const ParseIssue& e : r.errors) {
        FUZZ_CHECK(e.line >= 0 && e.line <= lines, "error line %d outside 0..%d: %s", e.line, lines, e.reason.c_str());
        FUZZ_CHECK(!e.reason.empty(), "error without a reason");
    }
    for (const ParseIssue& w : r.warnings)
        FUZZ_CHECK(w.line >= 0 && w.line <= lines, "warning line %d outside 0..%d", w.line, lines);
    if (!r.ok) {
        FUZZ_CHECK(!r.errors.empty(), "failed parse without an error");
        FUZZ_CHECK(r.facts.facts.empty(), "failed parse kept %zu facts", r.facts.facts.size());
        return 0;
    }
    FUZZ_CHECK(r.errors.empty(), "ok parse with errors");
    FUZZ_CHECK(!r.facts.facts.empty(), "ok parse without facts");
    check_tables(r.facts, L);

    // Round trip through the writer, with default limits (the writer may quote).
    std::string csv = facts_to_csv(r.facts);
    ParseResult again = parse_facts_csv(csv, L);
    if (!again.ok) {
        std::fprintf(stderr, "re-parse of facts_to_csv failed, line %d: %s\n--- csv ---\n%s\n",
                     again.errors.empty() ? -1 : again.errors[0].line,
                     again.errors.empty() ? "?" : again.errors[0].reason.c_str(), csv.c_str());
    }
    FUZZ_CHECK(again.ok, "facts_to_csv output does not parse");
    const FactSet &a = r.facts, &b = again.facts;
    FUZZ_CHECK(a.facts.size() == b.facts.size(), "round trip: %zu facts became %zu", a.facts.size(), b.facts.size());
    for (size_t k = 0; k < a.facts.size(); ++k) {
        FUZZ_CHECK(a.facts[k].subject == b.facts[k].subject && a.facts[k].relation == b.facts[k].relation &&
                       a.facts[k].object == b.facts[k].object,
                   "round trip changed fact %zu: (%s|%s|%s) -> (%s|%s|%s)", k, a.facts[k].subject.c_str(),
                   a.facts[k].relation.c_str(), a.facts[k].object.c_str(), b.facts[k].subject.c_str(),
                   b.facts[k].relation.c_str(), b.facts[k].object.c_str());
    }
    FUZZ_CHECK(a.subjects == b.subjects && a.tokens == b.tokens && a.objects == b.objects &&
                   a.relations == b.relations && a.candidates == b.candidates && a.subject_tokens == b.subject_tokens,
               "round trip changed the derived tables");
    FUZZ_CHECK(facts_to_csv(b) == csv, "facts_to_csv is not stable");
    return 0;
}
