// prompts.hpp: the transformer's word-level tokenizer and the prompts built from a facts file.
//
// [SECTION] words    how text splits into words (whitespace; trailing , ; : ? ! split off)
// [SECTION] vocab    GptVocab: word <-> id, encode with a message naming unknown words
// [SECTION] prompts  templates per relation (one held out), GptPrompt, the training rows
//
// Tokens are whole words, case-sensitive. Text splits on whitespace; then a word that ENDS
// in one of , ; : ? ! gives that mark as a token of its own ("Washington, D.C." -> Washington
// | , | D.C.). A mark inside a word stays ("1,000", "D.C.", "Jr.", "St."): only the end of a
// word splits, so numbers and initials keep their meaning. Decoding joins words with one
// space and none before a mark, so every name of a facts file round-trips exactly when it
// is written with single spaces (facts.cpp already collapses runs of spaces in subjects).
//
// The vocabulary of a facts file: id 0 is the end token "<|endoftext|>" (GPT-2's name),
// then the template words, the subject words, the object words, each in first-appearance
// order. No padding token: the trainer packs prompts one after another (GptBatch).
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include "core/facts.hpp"

namespace factlab {

// ---- [SECTION] words ------------------------------------------------------------------
// The words of `text` by the rule above; never empty strings.
std::vector<std::string> gpt_split_words(std::string_view text);
// True for the marks that split off the end of a word: , ; : ? !
bool gpt_is_mark(std::string_view word);

// ---- [SECTION] vocab ------------------------------------------------------------------
constexpr const char* kGptEndToken = "<|endoftext|>";

struct GptVocab {
    std::vector<std::string> words;                 // (V) id -> word; words[end_id] is the end token
    std::unordered_map<std::string, int> ids;       // word -> id
    int end_id = 0;

    int size() const { return int(words.size()); }
    int id(std::string_view word) const;            // -1 when absent
    // Words of `text` as ids. False, *ids untouched, and a message naming every unknown word
    // (`unknown word(s) "Jordon", "plays": not in the model's vocabulary of 612 words`).
    bool encode(std::string_view text, std::vector<int>* ids, std::string* error) const;
    // Ids back to text (the end token shows as "<|endoftext|>"); ids out of range show as "<?>".
    std::string decode(const std::vector<int>& ids) const;
    std::string decode(const int* ids, int n) const;
};

// Builds a vocabulary from its words (vocab.json order). False with a message when a word
// is empty, repeated, has whitespace, or the end token is missing; *out is then untouched.
bool gpt_vocab_from_words(std::vector<std::string> words, GptVocab* out, std::string* error);
// The vocabulary of a facts file (see the top of this file).
GptVocab gpt_make_vocab(const FactSet& fs);

// ---- [SECTION] prompts ----------------------------------------------------------------
struct GptTemplate {
    std::string text;                               // "{subject} plays the sport of"
    bool held_out = false;                          // never trained on; accuracy reported apart
};
// The templates of a relation: the built-in relations (sport, team, number, occupation) have
// their own; any other relation gets generic ones built from its name ("capital" -> "The
// capital of {subject} is", ...; '_' and '-' in a name read as spaces). Always 4: three to
// train on, the last held out. Every template holds "{subject}" exactly once.
std::vector<GptTemplate> gpt_templates(std::string_view relation);
bool gpt_builtin_relation(std::string_view relation);

struct GptPrompt {
    std::vector<int> tokens;                        // (T) the prompt, ends before the answer
    std::vector<int> answer;                        // the object's tokens, then the end token
    std::string relation, subject, text, answer_text;  // text: the prompt; answer_text: the object
    bool held_out = false;
    int template_id = 0;                            // index into gpt_templates(relation)
    int fact = -1;                                  // index into FactSet::facts
    int subject_first = 0, subject_end = 0;         // tokens[subject_first, subject_end) are the subject
};

// Every (fact, template) prompt of `fs`, fact by fact, templates in order. False with the
// encoder's message when a word is not in `vocab` (a model trained on another file).
bool gpt_build_prompts(const FactSet& fs, const GptVocab& vocab, std::vector<GptPrompt>* out,
                       std::string* error);
// One prompt from a template (for a fact not in the file, e.g. a ROME edit's new object).
bool gpt_make_prompt(const GptVocab& vocab, const std::string& subject, const std::string& relation,
                     const std::string& object, int template_id, GptPrompt* out, std::string* error);

// A training row: input = prompt + answer without its last token; targets[i] is the id to
// predict after input[0..i], or -1 (no loss): the loss falls on the answer tokens only.
void gpt_training_row(const GptPrompt& p, std::vector<int>* input, std::vector<int>* targets);
// Longest input of gpt_training_row over `prompts` (the context a model needs).
int gpt_max_row_length(const std::vector<GptPrompt>& prompts);

// Finds a subject of `fs` inside `tokens`: the longest match, the earliest on ties ("New York
// City" wins over "New York"). Returns the subject id and sets [*first, *end), or -1.
int gpt_find_subject(const FactSet& fs, const GptVocab& vocab, const std::vector<int>& tokens,
                     int* first, int* end);
// Finds `subject` (text) inside `tokens`: its last occurrence (the one nearest the answer).
// False with a message when the subject's words are unknown or absent from the prompt.
bool gpt_locate_subject(const GptVocab& vocab, const std::vector<int>& tokens, std::string_view subject,
                        int* first, int* end, std::string* error);

}  // namespace factlab
