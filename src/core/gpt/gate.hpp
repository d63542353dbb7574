// gate.hpp: the AND gate in the wild, for one prompt (docs/gpt.md, "The AND gate in the wild").
//
// The cartoon stores "Michael Jordan plays basketball" in one neuron that fires for first name
// Michael AND last name Jordan. Here we look for the trained transformer's closest thing, at
// the subject's last token p of the prompt, over every MLP neuron (layer l, neuron n):
//
//   activation a(name)  = mlp_post[l](p, n) when the prompt's subject is replaced by `name`
//   margin              = a(subject) − max over the near misses of a(near miss)
//   contribution        = logit_answer(clean) − logit_answer(that one neuron set to 0 at p)
//   best neuron         = the largest max(margin, 0) · max(contribution, 0): it fires more for
//                         the subject than for every near miss AND pushes the answer
//                         (when no neuron does both: the largest contribution)
//
// Near misses: every subject of the facts sharing a word with the subject, in any place
// (Michael Phelps, Michael B. Jordan, DeAndre Jordan, Jordan Spieth), plus the subject's
// words swapped ("Jordan Michael") when that is not itself a subject. Each is placed on the
// gate's 2-D picture by x = "its first word is the subject's first word", y = "its last word
// is the subject's last word": the four combinations of an AND's inputs. The answer is the
// clean run's top token. The ablation curve: neurons ranked by contribution (largest first,
// every layer), the k first switched off together at p, k = 0..K; p(answer) after each.
#pragma once
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"

namespace factlab {

struct GptGateNeuron {
    int layer = 0, neuron = 0;        // neuron: column of mlp.c_fc, row of mlp.c_proj
    float subject = 0.f;              // activation for the subject at p
    float near_max = 0.f;             // highest activation over the near misses (0 when none)
    float margin = 0.f;               // subject − near_max
    float contribution = 0.f;         // drop of the answer's logit with this neuron alone at 0
};

struct GptGateName {
    std::string name;
    bool first = false;               // its first word is the subject's first word
    bool last = false;                // its last word is the subject's last word
    std::string shares;               // "subject", "first", "last", "both", "swapped", "other place"
    bool in_facts = true;             // a subject of the facts (the swapped name is not)
    int position = 0;                 // its last token in its prompt
    float activation = 0.f;           // the best neuron's activation there
    int top = -1;                     // the model's top next token for its prompt
    float p_top = 0.f;                // its probability
    float p_answer = 0.f;             // probability of the subject's answer
};

struct GptGate {
    std::vector<int> tokens;          // (T) the prompt
    int subject_first = 0, subject_end = 0, position = 0;   // position = subject_end − 1
    std::string subject;
    int answer = -1;                  // the clean run's top token
    float p_clean = 0.f, logit_clean = 0.f;
    GptGateNeuron best;
    std::vector<GptGateName> names;   // [0] the subject, then the near misses
    int unrelated = 0;                // subjects sharing no word: their count,
    float unrelated_mean = 0.f, unrelated_max = 0.f;   // the best neuron's mean and highest activation
    std::string unrelated_max_name;
    std::vector<GptGateNeuron> ranked;   // (K) by contribution, largest first
    std::vector<float> ablation;      // (K + 1) p(answer) with the k first of `ranked` off at p
    int flip = -1;                    // the fewest off for the top token to change; -1: not within K
};

struct GptGateOptions {
    int top = 32;                     // K: neurons in the ranking and the ablation curve (clamped to L·F)
    bool naive = false;               // whole forwards instead of gpt_forward_from (tests)
};

// The prompt with its subject [subject_first, subject_end) replaced by `name`'s words; false
// with a message when a word is not in the vocabulary or the prompt gets too long.
bool gpt_replace_subject(const GptWeights& w, const GptVocab& vocab, const std::vector<int>& tokens, int subject_first,
                         int subject_end, const std::string& name, std::vector<int>* out, int* name_end,
                         std::string* error);

// The gate for `tokens` with its subject at [subject_first, subject_end) (gpt_find_subject).
// `fs` gives the near misses. False with a message (and *out untouched) on bad input.
bool gpt_and_gate(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::vector<int>& tokens,
                  int subject_first, int subject_end, const GptGateOptions& opt, GptGate* out, std::string* error);

}  // namespace factlab

namespace factlab {
// The gate as the JSON `factlab-cli gpt gate --json` prints (and factlab.gpt.gate returns):
// {"prompt", "tokens", "subject", "subject_range": [first, end), "position", "answer", "p_clean",
//  "logit_clean", "best": NEURON, "names": [{"name", "first", "last", "shares", "in_facts",
//  "activation", "top", "p_top", "p_answer"}], "unrelated": {"count", "mean", "max", "max_name"},
//  "ranked": [NEURON], "ablation": [p], "flip"}, NEURON = {"layer", "neuron", "subject",
//  "near_max", "margin", "contribution"}.
std::string gpt_gate_json(const GptVocab& v, const GptGate& g);
}  // namespace factlab
