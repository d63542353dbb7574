// capacity.hpp: how many facts fit in an MLP block, and how interference grows
// as d shrinks. Both are sliceable: reset(), then step() once per frame (each
// call does about `work` multiply-adds: as many Adam steps as fit, at least
// one) and read progress() for a bar.
//
// Capacity, for each (d, hidden) size: synthetic facts (synthetic.hpp) with R
// relations of C candidates each, so a set of F facts holds F·log2(C) bits.
// The search trains one fresh model per fact count: it doubles the count while
// runs succeed (accuracy ≥ target), halves it while they fail, then bisects
// between the largest success and the smallest failure. For the largest count
// stored at ≥ target:
//   bits per parameter = F·log2(C) / (W_up + b_up + W_down (+ b_down) weights)
//   compiled construction: the same bits over one neuron per subject, n·(2d + 1)
//   Allen-Zhu & Li (2024) measured about 2 bits per parameter in real language
//   models: kAllenZhuLiBitsPerParam, a constant line for the plot.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include "core/facts.hpp"
#include "core/block/train.hpp"

namespace factlab {

constexpr double kAllenZhuLiBitsPerParam = 2.0;

struct CapacityConfig {
    std::vector<std::pair<int, int>> sizes = {{32, 8}, {32, 16}, {32, 32}};   // (d, hidden)
    int relations = 2;            // relations per subject
    int candidates = 64;          // objects per relation: 6 bits per fact
    double target = 0.99;         // a count is "stored" at accuracy ≥ target
    int max_runs = 10;            // training runs per size
    double resolution = 0.05;     // stop bisecting when (hi − lo) ≤ resolution·lo (or 1 subject)
    double work = 3e7;            // multiply-adds per step() call (~5 ms native, ~15 ms wasm); always at least one Adam step
    int max_subjects = 100000;    // the search never goes above this
    bool compare_compiled = true; // also compile the best set and measure its accuracy
    uint64_t seed = 1;            // synthetic facts; the training seed is train.seed
    TrainConfig train;            // steps, lr, schedule, ... (d and hidden come from `sizes`)
    CapacityConfig() {
        train.steps = 3000;
        train.lr = 0.01f;
        train.schedule = LrSchedule::Cosine;
    }
};

// One training run: one fact count at one size.
struct CapacityPoint {
    int d = 0, hidden = 0;
    int subjects = 0, facts = 0;
    double accuracy = 0;          // final (or first ≥ target) accuracy
    double bits = 0;              // facts × log2(candidates)
    long long params = 0;
    double bits_per_param = 0;    // bits / params (counted whether or not the run succeeded)
    int steps = 0;
    double seconds = 0;
    bool stored = false;          // accuracy ≥ target
};

struct CapacityResult {
    int d = 0, hidden = 0;
    long long params = 0;
    std::vector<CapacityPoint> runs;     // in the order trained
    int best_facts = 0;                  // largest count stored at ≥ target (0: none)
    int best_subjects = 0;
    double best_accuracy = 0;
    double best_bits = 0;
    double bits_per_param = 0;           // best_bits / params
    long long compiled_params = 0;       // one neuron per subject: subjects·(2d + 1)
    double compiled_bits_per_param = 0;  // best_bits / compiled_params
    double compiled_accuracy = -1;       // the compiled model on the best set (-1: not measured)
    bool finished = false;
};

bool validate_capacity_config(const CapacityConfig& c, std::string* err);

class CapacitySweep {
public:
    bool reset(const CapacityConfig& cfg, std::string* err);
    bool step();                                   // about cfg.work multiply-adds; returns !done()
    bool done() const { return done_; }
    double progress() const;                       // 0..1
    std::string status() const;                    // e.g. "d=64 h=16: 1024 facts, step 400/3000"
    const std::vector<CapacityResult>& results() const { return results_; }
    const Trainer* current() const { return running_ ? &trainer_ : nullptr; }
    const CapacityConfig& config() const { return cfg_; }
    double seconds() const { return seconds_; }
    const std::string& error() const { return error_; }

private:
    bool start_run();                              // picks the next count and resets the trainer
    void finish_run();
    void finish_size();

    CapacityConfig cfg_;
    std::vector<CapacityResult> results_;
    size_t size_ = 0;                              // index into cfg_.sizes
    int lo_ = 0, hi_ = 0;                          // largest stored / smallest failed subject count (0: unknown)
    int count_ = 0;                                // subjects in the current run
    FactSet facts_;
    Trainer trainer_;
    bool running_ = false, done_ = true;
    double seconds_ = 0;
    std::string error_;
};

// Accuracy of the compiled construction (compile_model, one neuron per
// subject) on fs at width d, measured with the training forward pass.
double compiled_accuracy(const FactSet& fs, int d, uint64_t embed_seed = 1);

// ---- interference ------------------------------------------------------------

struct InterferencePoint {
    int d = 0;
    double compiled_accuracy = 0;  // one neuron per subject, directions in d dims
    double learned_accuracy = -1;  // trained at the same d (-1: not trained)
    int learned_hidden = 0;
    int learned_steps = 0;
    double learned_seconds = 0;
};

class InterferenceSweep {
public:
    // ds: the widths to try (each 2..4096); learned.hidden/steps/lr... for the
    // learned model at each d (learned.d is ignored); with_learned false: compiled only.
    bool reset(const FactSet& fs, const std::vector<int>& ds, const TrainConfig& learned,
               bool with_learned, std::string* err);
    bool step(double work = 3e7);                  // about `work` multiply-adds; returns !done()
    bool done() const { return done_; }
    double progress() const;
    const std::vector<InterferencePoint>& points() const { return points_; }

private:
    FactSet facts_;
    std::vector<int> ds_;
    TrainConfig learned_;
    bool with_learned_ = true;
    std::vector<InterferencePoint> points_;
    size_t next_ = 0;
    Trainer trainer_;
    bool training_ = false, done_ = true;
};

// The whole interference series at once (the CLI and the tests).
std::vector<InterferencePoint> interference_series(const FactSet& fs, const std::vector<int>& ds,
                                                   const TrainConfig& learned, bool with_learned);

}  // namespace factlab
