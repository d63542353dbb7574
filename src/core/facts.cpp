// facts.cpp: fact sets, the facts CSV parser and writer, the built-in set.
//
// The parser is written for hostile input (it is fuzzed): it never throws,
// never reads past the text, and keeps memory bounded by ParseLimits.
// Decisions beyond RFC 4180, documented in docs/core.md:
//   - a line break inside a quoted field is an error: names are one line, and
//     it stops an unclosed quote from swallowing the rest of the file;
//   - leading/trailing spaces of every field are dropped (quoted or not);
//   - control characters (including TAB and NUL) and invalid UTF-8 are errors;
//   - a lone CR ends a line like LF and CRLF do; blank lines are skipped;
//   - an exact duplicate row is a warning (kept once); the same subject and
//     relation with another object is an error (one answer per question).
#include "core/facts.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>

extern const unsigned char builtin_facts_csv[];
extern const size_t builtin_facts_csv_size;

namespace factlab {

// [SECTION] helpers ---------------------------------------------------------

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
    size_t i = 0, n = s.size();
    while (i < n) {
        unsigned c = (unsigned char)s[i];
        if (c < 0x80) { ++i; continue; }
        size_t len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF)      { len = 2; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
        else return false;
        if (n - i < len) return false;
        for (size_t k = 1; k < len; ++k) {
            unsigned b = (unsigned char)s[i + k];
            if ((b & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
        if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
        i += len;
    }
    return true;
}

std::string join_tokens(const std::vector<std::string>& toks) {
    std::string s;
    for (size_t k = 0; k < toks.size(); ++k) { if (k) s += ' '; s += toks[k]; }
    return s;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}


// A field as it may appear in a message: short, printable, valid UTF-8.
std::string shown(std::string_view s, size_t max = 60) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        if (out.size() >= max) return out + "...";
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                   : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (len > 1 && s.size() - i >= len && valid_utf8(s.substr(i, len))) {
            out.append(s.substr(i, len));
            i += len;
            continue;
        }
        out += (len == 1 && c >= 0x20 && c != 0x7F) ? char(c) : '?';
        ++i;
    }
    return out;
}

const char* field_name(size_t k) {
    static const char* names[] = {"subject", "relation", "object"};
    return k < 3 ? names[k] : "field";
}

// One CSV record (a physical line: quoted line breaks are rejected).
struct Record {
    int line = 0;
    size_t nfields = 0;                // all fields seen (only the first 3 are kept)
    std::string field[3];
    bool too_long[3] = {false, false, false};
    bool blank = false;
    std::string error;                 // non-empty: the record is malformed
};

struct Reader {
    std::string_view t;
    size_t i = 0;
    int line = 1;
    size_t max_field;

    bool done() const { return i >= t.size(); }

    void eat_eol() {
        if (i < t.size() && t[i] == '\r') ++i;
        if (i < t.size() && t[i] == '\n') ++i;
        ++line;
    }
    void skip_line() {
        while (i < t.size() && t[i] != '\n' && t[i] != '\r') ++i;
        eat_eol();
    }

    // Reads the record starting at `i`; leaves `i` at the start of the next line.
    void read(Record& r) {
        r = Record{};
        r.line = line;
        bool any_quoted = false;
        std::string cur;
        bool long_field = false;
        auto append = [&](char c) {
            if (cur.size() <= max_field) cur += c; else long_field = true;
        };
        for (;;) {
            cur.clear();
            long_field = false;
            if (i < t.size() && t[i] == '"') {
                any_quoted = true;
                size_t open_line = size_t(line);
                ++i;
                for (;;) {
                    if (i >= t.size()) {
                        r.error = "unterminated quoted " + std::string(field_name(r.nfields)) + " (opened on line " +
                                  std::to_string(open_line) + ")";
                        return;
                    }
                    char c = t[i];
                    if (c == '"') {
                        if (i + 1 < t.size() && t[i + 1] == '"') { append('"'); i += 2; continue; }
                        ++i;
                        break;
                    }
                    if (c == '\n' || c == '\r') {
                        r.error = "line break inside the quoted " + std::string(field_name(r.nfields)) +
                                  " (names are one line; is a closing quote missing?)";
                        eat_eol();
                        return;
                    }
                    append(c);
                    ++i;
                }
                if (i < t.size() && t[i] != ',' && t[i] != '\n' && t[i] != '\r') {
                    r.error = "text after the closing quote of the " + std::string(field_name(r.nfields)) +
                              " (a field is either all quoted or not at all)";
                    skip_line();
                    return;
                }
            } else {
                while (i < t.size()) {
                    char c = t[i];
                    if (c == ',' || c == '\n' || c == '\r') break;
                    if (c == '"') {
                        r.error = "a quote inside the unquoted " + std::string(field_name(r.nfields)) +
                                  " (quote the whole field and double the inner quote)";
                        skip_line();
                        return;
                    }
                    append(c);
                    ++i;
                }
            }
            if (r.nfields < 3) { r.field[r.nfields] = cur; r.too_long[r.nfields] = long_field; }
            ++r.nfields;
            if (i < t.size() && t[i] == ',') { ++i; continue; }
            break;
        }
        if (i < t.size()) eat_eol();
        r.blank = r.nfields == 1 && !any_quoted && trim_spaces(r.field[0]).empty();
    }
};

// Checks one kept field: length, control characters, UTF-8. Empty: fine.
std::string field_problem(const Record& r, size_t k, size_t max_field) {
    const std::string& f = r.field[k];
    if (r.too_long[k] || f.size() > max_field)
        return "the " + std::string(field_name(k)) + " is longer than " + std::to_string(max_field) + " bytes";
    for (unsigned char c : f) {
        if (c == 0) return "a NUL byte in the " + std::string(field_name(k));
        if (c < 0x20 || c == 0x7F) {
            char buf[8];
            static const char hex[] = "0123456789ABCDEF";
            buf[0] = '0'; buf[1] = 'x'; buf[2] = hex[c >> 4]; buf[3] = hex[c & 15]; buf[4] = 0;
            return "control character " + std::string(buf) + " in the " + field_name(k);
        }
    }
    if (!valid_utf8(f)) return "invalid UTF-8 in the " + std::string(field_name(k));
    return "";
}

template <class V>
int index_of(const V& v, std::string_view name) {
    for (size_t k = 0; k < v.size(); ++k) if (v[k] == name) return int(k);
    return -1;
}

}  // namespace

// [SECTION] FactSet ---------------------------------------------------------

int FactSet::subject_id(std::string_view name) const {
    int k = index_of(subjects, name);
    if (k >= 0) return k;
    return index_of(subjects, join_tokens(split_tokens(name)));   // "Michael  Jordan " too
}
int FactSet::token_id(std::string_view name) const { return index_of(tokens, name); }
int FactSet::object_id(std::string_view name) const { return index_of(objects, name); }
int FactSet::relation_id(std::string_view name) const { return index_of(relations, name); }

int FactSet::object_of(int subject, int relation) const {
    for (size_t k = 0; k < facts.size() && k < fact_subject.size(); ++k)
        if (fact_subject[k] == subject && fact_relation[k] == relation) return fact_object[k];
    return -1;
}

std::vector<std::string> split_tokens(std::string_view subject) {
    std::vector<std::string> out;
    size_t i = 0, n = subject.size();
    while (i < n) {
        while (i < n && is_space(subject[i])) ++i;
        size_t start = i;
        while (i < n && !is_space(subject[i])) ++i;
        if (i > start) out.emplace_back(subject.substr(start, i - start));
    }
    return out;
}

FactSet make_fact_set(std::vector<Fact> facts) {
    FactSet fs;
    std::unordered_map<std::string, int> subj, tok, obj, rel;
    auto intern = [](std::unordered_map<std::string, int>& map, std::vector<std::string>& names,
                     const std::string& s) {
        auto it = map.find(s);
        if (it != map.end()) return it->second;
        int id = int(names.size());
        map.emplace(s, id);
        names.push_back(s);
        return id;
    };
    fs.fact_subject.reserve(facts.size());
    fs.fact_relation.reserve(facts.size());
    fs.fact_object.reserve(facts.size());
    for (Fact& f : facts) {
        std::vector<std::string> toks = split_tokens(f.subject);
        f.subject = join_tokens(toks);                 // one canonical spelling per subject
        size_t before = fs.subjects.size();
        int s = intern(subj, fs.subjects, f.subject);
        if (fs.subjects.size() > before) {
            std::vector<int> ids;
            for (const std::string& t : toks) ids.push_back(intern(tok, fs.tokens, t));
            fs.subject_tokens.push_back(std::move(ids));
        }
        int r = intern(rel, fs.relations, f.relation);
        int o = intern(obj, fs.objects, f.object);
        fs.fact_subject.push_back(s);
        fs.fact_relation.push_back(r);
        fs.fact_object.push_back(o);
    }
    fs.candidates.assign(fs.relations.size(), {});
    for (size_t k = 0; k < facts.size(); ++k) fs.candidates[fs.fact_relation[k]].push_back(fs.fact_object[k]);
    for (std::vector<int>& c : fs.candidates) {
        std::sort(c.begin(), c.end());
        c.erase(std::unique(c.begin(), c.end()), c.end());
    }
    fs.facts = std::move(facts);
    return fs;
}

// [SECTION] parser ----------------------------------------------------------

ParseResult parse_facts_csv(std::string_view text, const ParseLimits& L) {
    ParseResult res;
    const size_t kMaxIssues = 50;
    auto error = [&](int line, std::string reason) {
        if (res.errors.size() < kMaxIssues) res.errors.push_back({line, std::move(reason)});
    };
    auto warn = [&](int line, std::string reason) {
        if (res.warnings.size() < kMaxIssues) res.warnings.push_back({line, std::move(reason)});
    };

    if (text.size() > L.max_bytes) {
        error(0, "the file is " + std::to_string(text.size()) + " bytes; the limit is " + std::to_string(L.max_bytes));
        return res;
    }
    if (text.size() >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        text.remove_prefix(3);

    // The header is read with room for its own names, whatever max_field says.
    Reader rd{text, 0, 1, std::max<size_t>(L.max_field, 64)};
    Record rec;

    // Header: the first non-blank line.
    bool have_header = false;
    while (!rd.done()) {
        rd.read(rec);
        if (rec.blank && rec.error.empty()) continue;
        if (!rec.error.empty()) { error(rec.line, rec.error); return res; }
        bool good = rec.nfields == 3 && trim_spaces(rec.field[0]) == "subject" &&
                    trim_spaces(rec.field[1]) == "relation" && trim_spaces(rec.field[2]) == "object";
        if (!good) {
            std::string found;
            for (size_t k = 0; k < rec.nfields && k < 3; ++k) found += (k ? "," : "") + rec.field[k];
            if (rec.nfields > 3) found += ",...";
            error(rec.line, "expected the header 'subject,relation,object', found '" + shown(found) + "'");
            return res;
        }
        have_header = true;
        break;
    }
    if (!have_header) { error(0, "empty file: expected the header 'subject,relation,object'"); return res; }
    rd.max_field = L.max_field;

    std::vector<Fact> facts;
    std::vector<int> fact_line;
    // (subject, relation) -> index into `facts`, to find duplicates and conflicts.
    std::map<std::pair<std::string, std::string>, size_t> seen;
    std::unordered_set<std::string> subjects, objects;
    size_t rows = 0;

    while (!rd.done() && res.errors.size() < kMaxIssues) {
        rd.read(rec);
        if (rec.blank && rec.error.empty()) continue;
        if (++rows > L.max_rows) {
            error(rec.line, "more than " + std::to_string(L.max_rows) + " rows; the limit is " + std::to_string(L.max_rows));
            break;
        }
        if (!rec.error.empty()) { error(rec.line, rec.error); continue; }
        if (rec.nfields != 3) {
            error(rec.line, "expected 3 fields, found " + std::to_string(rec.nfields));
            continue;
        }
        std::string problem;
        for (size_t k = 0; k < 3 && problem.empty(); ++k) problem = field_problem(rec, k, L.max_field);
        if (!problem.empty()) { error(rec.line, problem); continue; }

        std::vector<std::string> toks = split_tokens(rec.field[0]);
        std::string relation(trim_spaces(rec.field[1])), object(trim_spaces(rec.field[2]));
        if (toks.empty()) { error(rec.line, "empty subject"); continue; }
        if (relation.empty()) { error(rec.line, "empty relation"); continue; }
        if (object.empty()) { error(rec.line, "empty object"); continue; }
        if (toks.size() > L.max_tokens) {
            error(rec.line, "the subject '" + shown(rec.field[0]) + "' has " + std::to_string(toks.size()) +
                                " tokens; at most " + std::to_string(L.max_tokens) + " are allowed");
            continue;
        }
        std::string subject = join_tokens(toks);

        auto key = std::make_pair(subject, relation);
        auto it = seen.find(key);
        if (it != seen.end()) {
            const Fact& prev = facts[it->second];
            int prev_line = fact_line[it->second];
            if (prev.object == object) {
                warn(rec.line, "duplicate of line " + std::to_string(prev_line) + " (kept once)");
            } else {
                error(rec.line, "'" + shown(subject) + "' already has " + shown(relation) + " '" + shown(prev.object) +
                                    "' (line " + std::to_string(prev_line) + "); found '" + shown(object) +
                                    "': one object per subject and relation");
            }
            continue;
        }
        if (subjects.insert(subject).second && subjects.size() > L.max_subjects) {
            error(rec.line, "more than " + std::to_string(L.max_subjects) + " subjects; the limit is " +
                                std::to_string(L.max_subjects));
            break;
        }
        if (objects.insert(object).second && objects.size() > L.max_objects) {
            error(rec.line, "more than " + std::to_string(L.max_objects) + " objects; the limit is " +
                                std::to_string(L.max_objects));
            break;
        }
        seen.emplace(std::move(key), facts.size());
        facts.push_back({std::move(subject), std::move(relation), std::move(object)});
        fact_line.push_back(rec.line);
    }

    if (res.errors.empty() && facts.empty()) error(0, "no facts: the file has a header but no rows");
    if (!res.errors.empty()) { res.warnings.clear(); return res; }

    res.facts = make_fact_set(std::move(facts));
    res.ok = true;

    // No warning for the same words in another order ("Jordan Michael" /
    // "Michael Jordan"): directions are bound to their place in the name
    // (token_role), so their E differ, and equal word sequences are one subject.
    return res;
}

// [SECTION] built-in set and writer -----------------------------------------

std::string_view builtin_facts_csv() {
    return std::string_view(reinterpret_cast<const char*>(::builtin_facts_csv), ::builtin_facts_csv_size);
}

const FactSet& builtin_facts() {
    static const FactSet fs = parse_facts_csv(builtin_facts_csv()).facts;   // empty if the file were broken
    return fs;
}

void append_csv_field(std::string& out, std::string_view f) {
    bool quote = f.empty() || f.front() == ' ' || f.back() == ' ' ||
                 f.find_first_of(",\"\r\n") != std::string::npos;
    if (!quote) { out += f; return; }
    out += '"';
    for (char c : f) { if (c == '"') out += '"'; out += c; }
    out += '"';
}

std::string facts_to_csv(const FactSet& fs) {
    std::string out = "subject,relation,object\n";
    for (const Fact& f : fs.facts) {
        append_csv_field(out, f.subject);
        out += ',';
        append_csv_field(out, f.relation);
        out += ',';
        append_csv_field(out, f.object);
        out += '\n';
    }
    return out;
}

}  // namespace factlab
