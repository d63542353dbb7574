// edit_eval.hpp: how a rewritten fact is scored, after CounterFact (Meng et al. 2022),
// scoped to the word-level transformer of src/core/gpt. Each number is a fraction of greedy
// continuations (the whole object, then the end token, as "known" is everywhere here) or a
// probability of a whole object (the product of its words' probabilities, fed the object's
// earlier words; the end token not counted):
//   efficacy     the edit prompt (the relation's template 0) says the new object; and p(new)
//   paraphrase   the relation's other templates (the held-out one included) say it too; and
//                their mean p(new)
//   specificity  the neighbours' prompts (the subject's near misses with the same relation,
//                every template; with no near miss, the first 10 other subjects that have
//                it) continue exactly as before the edit; and the drop: the mean over those
//                prompts of p(stored object) before minus after (0 when nothing moved)
// CounterFact compares p(new) with p(true) per prompt; with greedy continuations the toy's
// numbers read "does it say it", which is what the page shows.
#pragma once
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"

namespace factlab {

struct GptEditScores {
    float efficacy = 0.f, paraphrase = 0.f, specificity = 0.f;
    int n_paraphrase = 0, n_specificity = 0;
    float p_new = 0.f;                // the new object's first word's probability on the edit prompt
    float p_edit = 0.f;               // p(the whole new object | the edit prompt)
    float p_paraphrase = 0.f;         // mean p(the whole new object) over the paraphrases
    float specificity_drop = 0.f;     // mean over neighbour prompts of p(stored) before - after
    std::vector<int> changed;         // neighbour prompts whose continuation changed (indices)
    std::vector<std::vector<int>> neighbours_now;   // each neighbour prompt's greedy continuation
};

// The prompts an edit is scored on, and what the unedited model said on them.
struct GptEditProbe {
    GptPrompt edit;                                  // template 0, answer = the new object
    std::vector<GptPrompt> paraphrase;               // templates 1.., answer = the new object
    std::vector<GptPrompt> neighbours;               // other subjects, same relation, answer = their object
    std::vector<std::vector<int>> neighbours_before; // greedy continuations before the edit
    std::vector<float> neighbours_p_before;          // p(their object) before the edit
};

// The edit's prompts (no model run). False with a message when a word is not in `vocab`.
bool gpt_edit_prompts(const GptVocab& vocab, const FactSet& fs, const std::string& subject, const std::string& relation,
                      const std::string& new_object, GptEditProbe* out, std::string* error);

// p(the answer's words except the end token | the prompt), one forward.
bool gpt_object_probability(const GptWeights& w, const GptPrompt& p, float* out, std::string* error);

// Neighbour i's greedy continuation and p(object) (the unit of work a sliced caller runs).
bool gpt_edit_neighbour(const GptWeights& w, const GptVocab& vocab, const GptPrompt& p, std::vector<int>* continuation,
                        float* prob, std::string* error);

// Efficacy and paraphrase (and their probabilities) of `w` on the probe; specificity is left.
bool gpt_edit_score_prompts(const GptWeights& w, const GptVocab& vocab, const GptEditProbe& pr, GptEditScores* s,
                            std::string* error);
// Specificity and its drop from the neighbours' continuations and probabilities after the edit.
void gpt_edit_score_neighbours(const GptEditProbe& pr, const std::vector<std::vector<int>>& now,
                               const std::vector<float>& p_now, GptEditScores* s);

}  // namespace factlab
