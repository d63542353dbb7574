// edit.hpp: rewrite one fact with a rank-one change of W_down (ROME, Meng et al.
// 2022), and measure what else moved.
//
// Dimension legend: d = d_model, h = hidden, n = stored subjects.
//
//   k*  (h)     the key: the edited subject's hidden activation, act(W_up·E + b_up)
//   K   (h, n)  the keys of every stored subject;  C = K·Kᵀ + λ·I  (h, h)
//   δ   (d)     the change the subject's output must get (see below)
//   v*  (d)     = W_down·k* + δ, the value the key must now produce
//   ROME:   W_down' = W_down + Λ·(C⁻¹k*)ᵀ,   Λ = (v* − W_down·k*) / ((C⁻¹k*)ᵀ·k*)
//   so W_down'·k* = v* exactly, and among all such changes this one disturbs the
//   stored keys least (least squares over K, weighted by C). The ridge λ = ridge ·
//   trace(K·Kᵀ)/h keeps C invertible when neurons are dead or keys are collinear;
//   it is tiny next to the keys that matter, so C⁻¹ acts on them almost exactly.
//
// The target δ. The new object o* must beat every other candidate of the
// relation. The smallest change that makes o* beat the current answer o_ref by
// a margin m is a multiple of (o* − o_ref) (the gradient of that one
// constraint), so δ = g·(o* − o_ref), with the least g for which o* also beats
// every third candidate by m. m defaults to the margin the old answer had
// (at least 1): the edited fact is about as confident as the one it replaces.
//
// The naive edits, for comparison:
//   Column:  pick the subject's most active neuron j and change only its W_down
//            column, by δ / k*_j. Exact for a compiled model (one neuron per
//            subject); in a learned model that neuron also serves other subjects.
//   Plain:   W_down += δ·k*ᵀ / ‖k*‖²: rank-one, but without the key covariance.
#pragma once
#include <string>
#include <vector>
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include "core/facts.hpp"
#include "core/block/model.hpp"

namespace factlab {

enum class EditMethod { Rome, Column, Plain };
const char* edit_method_name(EditMethod m);                  // "rome" / "column" / "plain"
bool edit_method_from_name(const std::string& s, EditMethod* out);

struct EditRequest {
    std::string subject, relation, object;                   // object: the new answer
    EditMethod method = EditMethod::Rome;
    float ridge = 1e-3f;     // λ = ridge · trace(K Kᵀ) / h
    float margin = 0.0f;     // logit lead of o* over the runner-up; 0: the old answer's lead, at least 1
    // Bound on the facts compared before and after (0: every subject). Past it,
    // the edited subject, then the subjects sharing a token with it, then the
    // first subjects of the set are evaluated, up to this many subjects.
    int max_eval_subjects = 0;
};

// The key covariance of one model over one fact set, factorised once (it does
// not depend on the edit) and reused by every edit of that model.
struct KeyCovariance {
    Eigen::LDLT<Mat> ldlt;                                    // of C = K Kᵀ + λI  (h, h)
    float lambda = 0, ridge = 0;
    int hidden = 0;
    bool ok = false;
};

// One fact, before and after.
struct FactChange {
    int fact = -1;                                            // index into the FactSet
    std::string subject, relation, object;                    // the stored (expected) fact
    std::string answer_before, answer_after;
    bool correct_before = false, correct_after = false;
};

struct EditReport {
    bool ok = false;
    std::string error;
    EditMethod method = EditMethod::Rome;
    int subject = -1, relation = -1;                          // FactSet ids
    int fact = -1;                                            // the edited fact's index (-1: a new fact)
    std::string old_object, new_object;                      // old: the model's answer before
    bool edited_correct = false;                              // the model now answers new_object
    float probability_before = 0, probability_after = 0;     // of new_object
    float margin_target = 0, margin_after = 0;                // logit lead of new_object
    float lambda = 0;                                         // the ridge used
    int neuron = -1;                                          // Column: the neuron changed
    float key_norm = 0, delta_norm = 0, update_norm = 0;      // ‖k*‖, ‖δ‖, ‖ΔW_down‖_F

    std::vector<FactChange> same_subject;                     // the subject's other facts
    std::vector<FactChange> near_misses;                      // facts of subjects sharing a token (word and role)
    std::vector<FactChange> flipped;                          // every other fact whose correctness changed
    int others = 0, others_correct_before = 0, others_correct_after = 0;
    int subjects_evaluated = 0, subjects_total = 0;           // < total: bounded by max_eval_subjects
    double others_accuracy_before() const { return others ? double(others_correct_before) / others : 0.0; }
    double others_accuracy_after() const { return others ? double(others_correct_after) / others : 0.0; }
};

// The key k* (h) for an embedding E (d): the post-activation hidden vector.
Vec subject_key(const Mlp& mlp, const Eigen::Ref<const Vec>& E);
// K (h, n): the keys of every subject of the fact set (E from the model's tokens).
Mat subject_keys(const Model& m, const FactSet& fs);
// C = K Kᵀ + λ I  (h, h), λ = ridge · trace(K Kᵀ) / h (reported through *lambda).
Mat key_covariance(const Eigen::Ref<const Mat>& K, float ridge, float* lambda);
// C for m over fs, summed over chunks of subjects so that K (h, n) is never
// whole in memory (one chunk, K·Kᵀ exactly as key_covariance, while h·n fits
// max_cells), then factorised. False with *err when h² is over max_cells.
bool key_covariance_factor(const Model& m, const FactSet& fs, float ridge, KeyCovariance* out, std::string* err,
                           long long max_cells = 1LL << 28);
// The ROME update in place: W_down += Λ (C⁻¹k)ᵀ, Λ = (v − W_down k) / ((C⁻¹k)ᵀ k).
// False when (C⁻¹k)ᵀk is not positive (a zero key: the subject fires no neuron).
bool rome_update(Mat& W_down, const Eigen::Ref<const Mat>& C, const Eigen::Ref<const Vec>& k,
                 const Eigen::Ref<const Vec>& v_star);
bool rome_update(Mat& W_down, const Eigen::LDLT<Mat>& C_ldlt, const Eigen::Ref<const Vec>& k,
                 const Eigen::Ref<const Vec>& v_star);

// Edits a copy of `m` into *edited and reports the effects on the facts of fs
// (the facts the model stores; see EditRequest::max_eval_subjects). ROME uses
// *cov when given (made by key_covariance_factor for m, fs and req.ridge), else
// makes its own. Never throws; ok == false with error on bad input.
EditReport edit_fact(const Model& m, const FactSet& fs, const EditRequest& req, Model* edited,
                     const KeyCovariance* cov = nullptr);

}  // namespace factlab
