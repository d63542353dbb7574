// train.hpp: learned storage. An MLP block learns the facts by gradient descent
// (Adam), in superposition: fewer hidden neurons than subjects.
//
// Dimension legend:
//   d = d_model, h = hidden neurons, n = subjects in a batch,
//   c = candidate objects of one relation, T = tokens, O = objects.
//
// The model, for every subject s with embedding E_s = Σ its token directions:
//   P   = W_up · X + b_up          (h, n)   X (d, n): one column E_s per subject
//   H   = act(P)                   (h, n)   the keys (post-activation)
//   OUT = X + W_down · H + b_down  (d, n)   the residual after the block
//   logits of relation r = objects[candidates of r] · OUT      (c, n)
// Loss = Σ over facts of the cross-entropy of the true object among its
// relation's candidates. Token and object directions stay fixed (they come
// from make_embedding); W_up, b_up, W_down (and b_down when asked) learn.
//
// Trainer is sliceable for the UI: reset() once, then step(n) a few Adam steps
// per frame; history() holds loss and accuracy per step; model() is always finite.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <Eigen/Core>
#include "core/facts.hpp"
#include "core/block/mlp.hpp"
#include "core/block/model.hpp"

namespace factlab {

// ---- data: the facts as matrices -------------------------------------------

struct TrainData {
    Mat X;                                        // (d, n) E for every subject of the fact set
    std::vector<Mat> objects;                     // per relation: (c, d) candidate directions
    std::vector<std::vector<int>> cand_object;    // per relation: model object id of each candidate row
    struct Target { int relation, row; };         // row: the true object's row in objects[relation]
    std::vector<std::vector<Target>> subject_facts;   // per subject: its facts
    int facts = 0;
    double bits = 0;                              // Σ over facts of log2(candidates of its relation)
};

// Matches the fact set to the model's vocabulary by name (tokens, relations,
// candidate objects). False with a message when a name is missing.
bool make_train_data(const Model& m, const FactSet& fs, TrainData* out, std::string* err);

// ---- loss and gradient -----------------------------------------------------

struct MlpGrads {
    Mat W_up;     // (h, d)
    Vec b_up;     // (h)
    Mat W_down;   // (d, h)
    Vec b_down;   // (d)
};

struct LossResult {
    double loss = 0;   // summed cross-entropy over the facts seen
    int facts = 0;     // facts seen
    int correct = 0;   // facts whose true object has the strictly largest logit
};

// Summed cross-entropy over the facts of `subjects` (all subjects when null)
// and, when g is given, its gradient with respect to every MLP weight.
LossResult loss_and_grad(const Mlp& mlp, const TrainData& data,
                         const std::vector<int>* subjects, MlpGrads* g);

// ---- sizes and bits ---------------------------------------------------------

// Trained weights: W_up (h·d) + b_up (h) + W_down (d·h) (+ b_down (d)).
long long trained_params(int d, int hidden, bool train_b_down);
// The compiled model's count, made the same way as a learned block's without
// b_down: one neuron per subject, subjects·(2d + 1) (W_up, b_up, W_down). Every
// view and command that compares the two, or shows the compiled count, uses this.
long long compiled_params(int subjects, int d);
// Σ over facts of log2(number of candidates of the fact's relation): the
// information in the facts when objects are uniform (an upper bound otherwise).
double fact_bits(const FactSet& fs);

// ---- the trainer ------------------------------------------------------------

enum class LrSchedule { Constant, Cosine };   // cosine: lr · ½(1 + cos(π·t/steps))

struct TrainConfig {
    int d = 256;                  // d_model
    int hidden = 128;             // neurons
    int steps = 2000;             // Adam step budget (and the cosine period)
    float lr = 0.02f;             // Adam learning rate
    uint64_t seed = 1;            // initial weights and mini-batch order
    uint64_t embed_seed = 1;      // token/object directions (CompileOptions' default: same directions)
    int batch = 0;                // subjects per mini-batch; 0 = full batch
    bool train_b_down = false;    // b_down learns too (else stays 0)
    Activation act = Activation::ReLU;
    LrSchedule schedule = LrSchedule::Constant;
    float init_scale = 1.0f;      // std of a typical pre-activation at init
    double stop_at_accuracy = 1.0;  // stop once full-set accuracy reaches it (> 1: never)
};

// Bounded validation with a readable message (d 2..4096, hidden 1..16384,
// steps 1..10^7, lr in (0, 1], batch 0..10^6, weights ≤ 2^26 floats).
bool validate_train_config(const TrainConfig& c, std::string* err);

struct TrainPoint {
    int step;          // Adam steps taken before this measurement
    double loss;       // mean cross-entropy per fact
    double accuracy;   // fraction of facts correct
    bool full;         // measured on every fact (false: one mini-batch)
};

// What a run has done so far, apart from the weights: a worker's run travels as this
// and the model's MLP (core/jobs_block.hpp), and the page's Trainer adopts both.
struct TrainerState {
    int steps_done = 0;
    double accuracy = 0, loss = 0, seconds = 0;
    bool done = true, failed = false, reached = false;
    std::string message;
    std::vector<TrainPoint> history;
};

class Trainer {
public:
    // Starts a run: directions from make_embedding(fs, d, embed_seed), or the
    // tokens/objects/weights of *init when given (continue from a model).
    bool reset(const TrainConfig& cfg, const FactSet& fs, std::string* err, const Model* init = nullptr);
    int step(int n);                              // up to n Adam steps; returns the number taken

    bool done() const { return done_; }           // budget spent, accuracy reached, or failed
    bool failed() const { return failed_; }       // stopped on a non-finite loss or gradient
    bool reached() const { return reached_; }     // stopped because stop_at_accuracy was reached
    const std::string& message() const { return message_; }
    int steps_done() const { return steps_done_; }
    double accuracy() const { return accuracy_; } // last full-set accuracy
    double loss() const { return loss_; }         // last full-set mean loss
    double seconds() const { return seconds_; }   // time spent inside step()
    const std::vector<TrainPoint>& history() const { return history_; }   // thinned past kMaxHistory points
    const Model& model() const { return model_; } // always finite: the last good weights
    const FactSet& facts() const { return facts_; }
    const TrainConfig& config() const { return cfg_; }
    const TrainData& data() const { return data_; }
    long long params() const { return trained_params(cfg_.d, cfg_.hidden, cfg_.train_b_down); }
    // Multiply-adds of one full-batch Adam step (5 products of h·d·n, plus the
    // readout and its gradient, 2·d·Σ candidates over facts): lets a caller turn
    // a time budget into a step count.
    double step_cost() const { return step_cost_; }
    int steps_for(double madds) const;            // steps that fit in `madds` multiply-adds, at least 1

    TrainerState state() const;
    // Mirrors a run made elsewhere (a worker's) on a trainer reset with the same facts
    // and config: its progress, and its weights when given (false, nothing changed,
    // when their shapes differ from this run's or a weight is not finite).
    // (false too when a number is not finite or the step count is out of range).
    bool adopt(TrainerState s, Mlp* weights);   // moves from *weights

private:
    static constexpr size_t kMaxHistory = 8192;
    void record(const TrainPoint& p, bool always);  // appends to history_, thinning it when long
    bool measure_full();                          // full forward; records; checks the stop rule
    bool adam_update(const MlpGrads& g);          // false (nothing changed) when a result is not finite
    void fail(const std::string& why);

    TrainConfig cfg_;
    FactSet facts_;
    TrainData data_;
    Model model_;
    MlpGrads m_, v_;                              // Adam moments, shaped like the weights
    MlpGrads g_;                                  // gradient workspace
    double beta1_t_ = 1.0, beta2_t_ = 1.0;        // β1^t, β2^t for Adam's bias correction
    std::vector<int> order_;                      // mini-batch order
    size_t order_pos_ = 0;
    uint64_t batch_rng_state_ = 0;
    std::vector<TrainPoint> history_;
    int history_stride_ = 1;
    double step_cost_ = 1;
    int steps_done_ = 0;
    double accuracy_ = 0, loss_ = 0, seconds_ = 0;
    bool done_ = true, failed_ = false, reached_ = false;
    std::string message_;
};

// Convenience: reset + step until done. Returns false (with *err) on bad config.
bool train_model(const TrainConfig& cfg, const FactSet& fs, Trainer* t, std::string* err);

}  // namespace factlab
