// prompts.cpp: word-level tokenizer, vocabulary and templates (see prompts.hpp).
#include "core/gpt/prompts.hpp"

#include <algorithm>
#include <unordered_set>

namespace factlab {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_mark_char(char c) { return c == ',' || c == ';' || c == ':' || c == '?' || c == '!'; }

constexpr std::string_view kSubject = "{subject}";

// The built-in relations' templates: three to train on, the last held out.
struct Builtin {
    const char* relation;
    const char* templates[4];
};
const Builtin kBuiltins[] = {
    {"sport",
     {"{subject} plays the sport of", "The sport played by {subject} is", "{subject} is a professional player of",
      "{subject} is known for playing"}},
    {"team",
     {"{subject} played for the", "The team of {subject} is the", "{subject} is a player of the",
      "{subject} was a member of the"}},
    {"number",
     {"{subject} wore the number", "The jersey number of {subject} is", "{subject} played wearing the number",
      "The number on the shirt of {subject} was"}},
    {"occupation",
     {"{subject} works as", "The occupation of {subject} is", "{subject} earns a living as",
      "The job of {subject} is"}},
};

// A relation's name as words of a sentence: '_' and '-' read as spaces.
std::string relation_words(std::string_view relation) {
    std::string r(relation);
    for (char& c : r) if (c == '_' || c == '-') c = ' ';
    std::string out;
    for (const std::string& w : gpt_split_words(r)) out += (out.empty() ? "" : " ") + w;
    return out.empty() ? std::string("relation") : out;
}

// Tokens of `subject` and of the template around it; the template holds {subject} once.
struct Filled {
    std::vector<std::string> words;
    int subject_first = 0, subject_end = 0;
    std::string text;
};
Filled fill(const std::string& tmpl, const std::string& subject) {
    Filled f;
    size_t at = tmpl.find(kSubject);
    std::string before = tmpl.substr(0, at), after = tmpl.substr(at + kSubject.size());
    std::vector<std::string> a = gpt_split_words(before), s = gpt_split_words(subject), b = gpt_split_words(after);
    f.subject_first = int(a.size());
    f.subject_end = int(a.size() + s.size());
    f.words = a;
    f.words.insert(f.words.end(), s.begin(), s.end());
    f.words.insert(f.words.end(), b.begin(), b.end());
    f.text = before + subject + after;
    return f;
}

bool to_ids(const GptVocab& v, const std::vector<std::string>& words, std::vector<int>* ids, std::string* error) {
    std::vector<int> out;
    out.reserve(words.size());
    std::vector<std::string> unknown;
    for (const std::string& w : words) {
        int id = v.id(w);
        if (id < 0) {
            if (std::find(unknown.begin(), unknown.end(), w) == unknown.end()) unknown.push_back(w);
            continue;
        }
        out.push_back(id);
    }
    if (!unknown.empty()) {
        if (error) {
            std::string m = unknown.size() == 1 ? "unknown word " : "unknown words ";
            for (size_t i = 0; i < unknown.size() && i < 8; ++i) m += (i ? ", \"" : "\"") + unknown[i] + "\"";
            if (unknown.size() > 8) m += " and " + std::to_string(unknown.size() - 8) + " more";
            m += ": not in the model's vocabulary of " + std::to_string(v.size()) + " words";
            *error = m;
        }
        return false;
    }
    *ids = std::move(out);
    return true;
}

void add_word(GptVocab* v, const std::string& w) {
    if (v->ids.count(w)) return;
    v->ids.emplace(w, int(v->words.size()));
    v->words.push_back(w);
}

}  // namespace

// ---- words ------------------------------------------------------------------------------
std::vector<std::string> gpt_split_words(std::string_view text) {
    std::vector<std::string> out;
    size_t i = 0, n = text.size();
    while (i < n) {
        while (i < n && is_space(text[i])) ++i;
        size_t start = i;
        while (i < n && !is_space(text[i])) ++i;
        if (i == start) break;
        std::string_view w = text.substr(start, i - start);
        // Peel trailing marks off, keeping their order: "D.C.?!" -> D.C. | ? | !
        size_t core = w.size();
        while (core > 0 && is_mark_char(w[core - 1])) --core;
        if (core > 0) out.emplace_back(w.substr(0, core));
        for (size_t k = core; k < w.size(); ++k) out.emplace_back(1, w[k]);
    }
    return out;
}

bool gpt_is_mark(std::string_view word) { return word.size() == 1 && is_mark_char(word[0]); }

// ---- vocab ------------------------------------------------------------------------------
int GptVocab::id(std::string_view word) const {
    auto it = ids.find(std::string(word));
    return it == ids.end() ? -1 : it->second;
}

bool GptVocab::encode(std::string_view text, std::vector<int>* out, std::string* error) const {
    return to_ids(*this, gpt_split_words(text), out, error);
}

std::string GptVocab::decode(const int* t, int n) const {
    std::string s;
    for (int i = 0; i < n; ++i) {
        bool ok = t[i] >= 0 && t[i] < size();
        const std::string& w = ok ? words[size_t(t[i])] : std::string();
        std::string word = ok ? w : std::string("<?>");
        if (i > 0 && !gpt_is_mark(word)) s += ' ';
        s += word;
    }
    return s;
}

std::string GptVocab::decode(const std::vector<int>& t) const { return decode(t.data(), int(t.size())); }

bool gpt_vocab_from_words(std::vector<std::string> words, GptVocab* out, std::string* error) {
    auto bad = [&](const std::string& m) { if (error) *error = m; return false; };
    if (words.empty()) return bad("the vocabulary is empty");
    if (words.size() > 1000000) return bad("the vocabulary has " + std::to_string(words.size()) + " words (at most 1,000,000)");
    GptVocab v;
    v.end_id = -1;
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.empty()) return bad("vocabulary word " + std::to_string(i) + " is empty");
        if (w.size() > 200) return bad("vocabulary word " + std::to_string(i) + " is longer than 200 bytes");
        for (char c : w)
            if (is_space(c)) return bad("vocabulary word " + std::to_string(i) + " (\"" + w + "\") holds whitespace");
        if (!v.ids.emplace(w, int(i)).second) return bad("vocabulary word \"" + w + "\" appears twice");
        if (w == kGptEndToken) v.end_id = int(i);
    }
    if (v.end_id < 0) return bad(std::string("the vocabulary has no end token ") + kGptEndToken);
    v.words = std::move(words);
    *out = std::move(v);
    return true;
}

GptVocab gpt_make_vocab(const FactSet& fs) {
    GptVocab v;
    add_word(&v, kGptEndToken);
    v.end_id = 0;
    for (const std::string& r : fs.relations)
        for (const GptTemplate& t : gpt_templates(r))
            for (const std::string& w : fill(t.text, "").words) add_word(&v, w);
    for (const std::string& s : fs.subjects)
        for (const std::string& w : gpt_split_words(s)) add_word(&v, w);
    for (const std::string& o : fs.objects)
        for (const std::string& w : gpt_split_words(o)) add_word(&v, w);
    return v;
}

// ---- prompts ----------------------------------------------------------------------------
bool gpt_builtin_relation(std::string_view relation) {
    for (const Builtin& b : kBuiltins) if (relation == b.relation) return true;
    return false;
}

std::vector<GptTemplate> gpt_templates(std::string_view relation) {
    std::vector<GptTemplate> out;
    for (const Builtin& b : kBuiltins) {
        if (relation != b.relation) continue;
        for (int i = 0; i < 4; ++i) out.push_back({b.templates[i], i == 3});
        return out;
    }
    const std::string r = relation_words(relation);
    out.push_back({"The " + r + " of {subject} is", false});
    out.push_back({"{subject} has the " + r, false});
    out.push_back({"Asked for the " + r + " of {subject}, people say", false});
    out.push_back({"What is the " + r + " of {subject}? It is", true});
    return out;
}

bool gpt_make_prompt(const GptVocab& vocab, const std::string& subject, const std::string& relation,
                     const std::string& object, int template_id, GptPrompt* out, std::string* error) {
    std::vector<GptTemplate> ts = gpt_templates(relation);
    if (template_id < 0 || template_id >= int(ts.size())) {
        if (error) *error = "template " + std::to_string(template_id) + " does not exist for relation " + relation;
        return false;
    }
    if (gpt_split_words(subject).empty()) { if (error) *error = "the subject is empty"; return false; }
    if (gpt_split_words(object).empty()) { if (error) *error = "the object is empty"; return false; }
    Filled f = fill(ts[size_t(template_id)].text, subject);
    GptPrompt p;
    if (!to_ids(vocab, f.words, &p.tokens, error)) return false;
    if (!to_ids(vocab, gpt_split_words(object), &p.answer, error)) return false;
    p.answer.push_back(vocab.end_id);
    p.relation = relation;
    p.subject = subject;
    p.text = vocab.decode(p.tokens);
    p.answer_text = object;
    p.held_out = ts[size_t(template_id)].held_out;
    p.template_id = template_id;
    p.subject_first = f.subject_first;
    p.subject_end = f.subject_end;
    *out = std::move(p);
    return true;
}

bool gpt_build_prompts(const FactSet& fs, const GptVocab& vocab, std::vector<GptPrompt>* out, std::string* error) {
    std::vector<GptPrompt> all;
    for (size_t k = 0; k < fs.facts.size(); ++k) {
        const Fact& f = fs.facts[k];
        const int nt = int(gpt_templates(f.relation).size());
        for (int t = 0; t < nt; ++t) {
            GptPrompt p;
            std::string e;
            if (!gpt_make_prompt(vocab, f.subject, f.relation, f.object, t, &p, &e)) {
                if (error) *error = "fact " + std::to_string(k + 1) + " (" + f.subject + ", " + f.relation + "): " + e;
                return false;
            }
            p.fact = int(k);
            all.push_back(std::move(p));
        }
    }
    *out = std::move(all);
    return true;
}

void gpt_training_row(const GptPrompt& p, std::vector<int>* input, std::vector<int>* targets) {
    input->assign(p.tokens.begin(), p.tokens.end());
    if (!p.answer.empty()) input->insert(input->end(), p.answer.begin(), p.answer.end() - 1);
    targets->assign(input->size(), -1);
    const size_t T = p.tokens.size();
    for (size_t j = 0; j < p.answer.size() && T > 0; ++j) (*targets)[T - 1 + j] = p.answer[j];
}

int gpt_max_row_length(const std::vector<GptPrompt>& prompts) {
    size_t m = 0;
    for (const GptPrompt& p : prompts) m = std::max(m, p.tokens.size() + (p.answer.empty() ? 0 : p.answer.size() - 1));
    return int(m);
}

int gpt_find_subject(const FactSet& fs, const GptVocab& vocab, const std::vector<int>& tokens, int* first, int* end) {
    int best = -1, best_len = 0, best_at = 0;
    std::vector<int> ids;
    for (size_t s = 0; s < fs.subjects.size(); ++s) {
        if (!to_ids(vocab, gpt_split_words(fs.subjects[s]), &ids, nullptr) || ids.empty()) continue;
        const int n = int(ids.size()), T = int(tokens.size());
        if (n < best_len) continue;
        for (int at = 0; at + n <= T; ++at) {
            if (!std::equal(ids.begin(), ids.end(), tokens.begin() + at)) continue;
            if (n > best_len || (n == best_len && at < best_at)) { best = int(s); best_len = n; best_at = at; }
            break;
        }
    }
    if (best >= 0) { *first = best_at; *end = best_at + best_len; }
    return best;
}

bool gpt_locate_subject(const GptVocab& vocab, const std::vector<int>& tokens, std::string_view subject, int* first,
                        int* end, std::string* error) {
    std::vector<int> ids;
    if (!vocab.encode(subject, &ids, error)) return false;
    if (ids.empty()) { if (error) *error = "the subject is empty"; return false; }
    const int n = int(ids.size());
    for (int at = int(tokens.size()) - n; at >= 0; --at) {
        if (std::equal(ids.begin(), ids.end(), tokens.begin() + at)) {
            *first = at;
            *end = at + n;
            return true;
        }
    }
    if (error) *error = "the subject \"" + std::string(subject) + "\" is not in the prompt";
    return false;
}

}  // namespace factlab
