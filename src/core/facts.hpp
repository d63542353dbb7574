// facts.hpp: fact sets (subject, relation, object), the CSV parser, the built-in set.
//
// A subject is a name split on spaces into 1..4 tokens ("Michael Jordan" ->
// {Michael, Jordan}). Objects are the answers ("basketball", "Chicago Bulls",
// "23"). A relation's candidates are every object that appears with it.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace factlab {

struct Fact {
    std::string subject, relation, object;
};

// Everything derived from a list of facts, with stable ids (first appearance order).
struct FactSet {
    std::vector<Fact> facts;
    std::vector<std::string> subjects;                  // unique subjects
    std::vector<std::vector<int>> subject_tokens;       // per subject: token ids (with repeats)
    std::vector<std::string> tokens;                    // token vocabulary
    std::vector<std::string> objects;                   // object vocabulary
    std::vector<std::string> relations;                 // relation names
    std::vector<std::vector<int>> candidates;           // per relation: object ids, sorted
    // per fact: ids, parallel to `facts`
    std::vector<int> fact_subject, fact_relation, fact_object;

    int subject_id(std::string_view name) const;        // -1 when absent
    int token_id(std::string_view name) const;          // -1 when absent
    int object_id(std::string_view name) const;         // -1 when absent
    int relation_id(std::string_view name) const;       // -1 when absent
    int object_of(int subject, int relation) const;     // -1 when the subject has no such fact
};

struct ParseLimits {
    size_t max_bytes = 8u << 20;      // whole file
    size_t max_rows = 100000;
    size_t max_field = 200;           // bytes per field
    size_t max_tokens = 4;            // tokens per subject
    size_t max_subjects = 20000;
    size_t max_objects = 20000;
};

struct ParseIssue {
    int line;                         // 1-based line in the file (0: whole file)
    std::string reason;
};

struct ParseResult {
    bool ok = false;                  // false: `facts` is empty and `errors` says why
    FactSet facts;
    std::vector<ParseIssue> errors;   // at most 50 kept, the first ones
    std::vector<ParseIssue> warnings; // e.g. a duplicate row (kept once)
};

// Splits a subject into tokens on runs of spaces; trims the ends.
std::vector<std::string> split_tokens(std::string_view subject);

// Parses CSV text: UTF-8 (BOM accepted), header `subject,relation,object`,
// RFC 4180 quoting, LF or CRLF line ends. Never throws.
ParseResult parse_facts_csv(std::string_view text, const ParseLimits& limits = {});

// Builds the derived tables from a list of facts (the parser calls this).
FactSet make_fact_set(std::vector<Fact> facts);

// The built-in athletes set (src/core/data/athletes.csv, embedded at build time).
std::string_view builtin_facts_csv();
const FactSet& builtin_facts();

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF
// (the one check for files, links and messages alike).
bool valid_utf8(std::string_view s);
// Tokens joined by single spaces: a subject's one canonical spelling.
std::string join_tokens(const std::vector<std::string>& toks);
// One CSV field, RFC 4180: quoted when it holds , " CR LF, is empty or has
// edge spaces; quotes inside doubled. Every CSV factlab writes uses it.
void append_csv_field(std::string& out, std::string_view field);
// Facts as CSV text (round-trips through parse_facts_csv).
std::string facts_to_csv(const FactSet& fs);

}  // namespace factlab
