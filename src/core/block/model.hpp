// model.hpp: a fact-storing model = named directions + one MLP block, and lookup.
//
//   tokens  (T, d)  one unit direction per (word, role): "first name Michael",
//                   "last name Jordan" are two rows, and so are the first-name
//                   "Jordan" of Jordan Spieth and the last-name "Jordan"
//   objects (O, d)  one unit direction per object ("basketball", "Chicago Bulls")
//   E(subject) = Σ tokens[(word_i, role_i)] over the subject's words  (the video's E ≈ M + J)
//   answer(relation) = argmax over the relation's candidates o of objects[o] · out
//   probability = softmax of those dot products over the candidates
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include "core/facts.hpp"
#include "core/block/mlp.hpp"

namespace factlab {

// A word's role is its place in the subject (see token_role): "only" for a
// one-word name, else "first", "middle", "middle2", ..., "last".
struct Vocab {
    std::vector<std::string> tokens;                    // rows of Model::tokens: the word
    std::vector<std::string> roles;                     // parallel to tokens: the word's role
    std::vector<std::string> objects;                   // rows of Model::objects
    std::vector<std::string> relations;
    std::vector<std::vector<int>> candidates;           // per relation: object ids
};

struct Model {
    Vocab vocab;
    Mat tokens;                                         // (T, d) unit rows
    Mat objects;                                        // (O, d) unit rows
    Mlp mlp;
    std::vector<std::string> neuron_labels;             // (h) e.g. the subject a compiled neuron serves; may be empty
    int d() const { return int(tokens.cols()); }
};

// Seeded, nearly orthogonal unit directions: n rows in R^d. Gaussian rows,
// normalised, then a few steps that push the closest pairs apart.
Mat random_directions(int n, int d, uint64_t seed);

struct CompileOptions {
    int d = 256;                  // d_model of the toy model
    uint64_t seed = 1;            // for the named directions
    float gate_scale = 2.0f;      // W_up row = gate_scale · (Σ own tokens − Σ tokens of supersets' extras)
    float write_scale = 6.0f;     // W_down column = write_scale · Σ the subject's objects
    Activation act = Activation::ReLU;
};

// The role of the word at `position` (0-based) of a `count`-word subject:
// count 1 -> "only"; else position 0 -> "first", count−1 -> "last", and the
// k-th word in between (k = 1, 2, ...) -> "middle", "middle2", "middle3", ...
// So "New York" is first New + last York, "New York City" first New + middle
// York + last City, and "Jordan Michael" is not "Michael Jordan".
std::string token_role(int position, int count);
// "first name", "middle name", "2nd middle name", "last name", "one-word name".
std::string role_label(const std::string& role);
// "first name Michael": the row's role and word, as the views print it.
std::string token_label(const Model& m, int row);
// The row of (word, role) in m.tokens, or −1.
int token_row(const Model& m, std::string_view word, std::string_view role);
// Per subject of `fs`: the rows of its words in their roles (−1: not in the model).
std::vector<std::vector<int>> subject_rows(const Model& m, const FactSet& fs);

// Builds the directions for a fact set's vocabulary (shared by compile and train):
// one row per (word, role) in the order the subjects first use them.
Model make_embedding(const FactSet& fs, int d, uint64_t seed);

// Compiled storage, as in the video: one AND neuron per subject. The neuron
// fires (≈1) only when all the subject's tokens are present and no token that
// would make it a longer name (Michael B. Jordan ⊃ Michael Jordan) is.
Model compile_model(const FactSet& fs, const CompileOptions& opt = {});

// E of a subject given as its words in order (roles from their positions);
// a (word, role) the model lacks is skipped and reported; `rows` gets each
// word's row (−1 when skipped).
Vec embed_tokens(const Model& m, const std::vector<std::string>& toks,
                 std::vector<std::string>* unknown = nullptr, std::vector<int>* rows = nullptr);

struct RankedObject { int object; float logit, probability; };
struct RelationAnswer {
    int relation;
    std::vector<RankedObject> ranking;                  // all candidates, best first
};
struct LookupResult {
    std::string subject;
    std::vector<std::string> tokens, unknown_tokens;
    std::vector<std::string> roles;                     // parallel to tokens (token_role)
    std::vector<int> rows;                              // parallel to tokens: row in m.tokens, −1 unknown
    Trace trace;
    std::vector<RelationAnswer> answers;                // one per relation, in vocab order
};

// Full lookup of a subject: tokens -> E -> MLP -> answers for every relation.
LookupResult lookup(const Model& m, std::string_view subject,
                    const std::vector<unsigned char>* ablate = nullptr);
// Answers for a residual that has already been run through the block.
RelationAnswer answer_relation(const Model& m, const Eigen::Ref<const Vec>& out, int relation);

struct EvalResult {
    int facts = 0, correct = 0;
    std::vector<int> wrong;                             // indices into fs.facts
    double accuracy() const { return facts ? double(correct) / facts : 0.0; }
};
// Checks every fact of `fs` against the model (relations/objects matched by name).
EvalResult evaluate(const Model& m, const FactSet& fs,
                    const std::vector<unsigned char>* ablate = nullptr);

// Parameter counts (video: GPT-3 d_model 12,288, hidden 49,152, 96 layers).
// per_block and all_mlps count weights only (the video's 1.2 B and 116 B);
// the *_with_biases fields add b_up and b_down, so a UI can show both honestly.
struct ParamCount {
    double per_matrix, biases_per_block, per_block, all_mlps;
    double per_block_with_biases = 0, all_mlps_with_biases = 0;
};
ParamCount count_mlp_params(double d_model, double hidden, double layers);

}  // namespace factlab
