// model.hpp: a fact-storing model = named directions + one MLP block, and lookup.
//
//   tokens  (T, d)  one unit direction per subject token ("Michael", "Jordan")
//   objects (O, d)  one unit direction per object ("basketball", "Chicago Bulls")
//   E(subject) = Σ tokens[t] over the subject's tokens        (the video's E ≈ M + J)
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

struct Vocab {
    std::vector<std::string> tokens;                    // rows of Model::tokens
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

// Builds the directions for a fact set's vocabulary (shared by compile and train).
Model make_embedding(const FactSet& fs, int d, uint64_t seed);

// Compiled storage, as in the video: one AND neuron per subject. The neuron
// fires (≈1) only when all the subject's tokens are present and no token that
// would make it a longer name (Michael B. Jordan ⊃ Michael Jordan) is.
Model compile_model(const FactSet& fs, const CompileOptions& opt = {});

// E for a list of token strings; unknown tokens are skipped and reported.
Vec embed_tokens(const Model& m, const std::vector<std::string>& toks,
                 std::vector<std::string>* unknown = nullptr);

struct RankedObject { int object; float logit, probability; };
struct RelationAnswer {
    int relation;
    std::vector<RankedObject> ranking;                  // all candidates, best first
};
struct LookupResult {
    std::string subject;
    std::vector<std::string> tokens, unknown_tokens;
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
