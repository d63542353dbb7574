// caplab.hpp: the capacity lab's runtime state, shared by its views (training,
// sweep, interference, activations, ablation, editing).
//
// Two models store the same facts (App::facts) with the same token and object
// directions (same d, same seed):
//   compiled  one AND neuron per subject (compile_model): h = subjects
//   learned   trained by Adam with fewer neurons than subjects: h = cap_h
// The learned model trains in a worker of its own (the page's Trainer mirrors its
// snapshots), or sliced per frame where no worker starts; the views read whichever
// model they show through model(kind). The interference series and the capacity
// sweep run the same way, each in its own worker.
//
// URL state (keys start with cap_):
//   cap_d, cap_h, cap_steps, cap_lr, cap_seed   the learned model's run
//   cap_sizes, cap_cand, cap_rel                 the capacity sweep
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "core/block/capacity.hpp"
#include "core/block/edit.hpp"
#include "core/block/train.hpp"
#include "core/jobs_block.hpp"
#include "core/jobs_capacity.hpp"
#include "ui/common/slice.hpp"
#include "ui/common/worker_job.hpp"

namespace factlab {

struct App;

// The learned run's defaults: 32 neurons for the 277 built-in subjects (8.7 per
// neuron) learn all 505 facts in a few dozen Adam steps, and a ROME edit there
// keeps 99.6% of the other facts (the naive edit 96.2%). Fewer neurons or a
// smaller d store more bits per parameter but make every edit spill over.
constexpr int kCapD = 128, kCapH = 32, kCapSteps = 3000;
constexpr float kCapLr = 0.02f;

// What one view may build on the page (issue 10: a 20,000-subject file made
// 1.6 GB matrices and froze the page). Past these bounds a view works on the
// first subjects only, or refuses, and says so on screen; small sets (the
// built-in 277 subjects) are far inside them and come out exactly as before.
constexpr long long kMaxCells = 1LL << 24;   // floats in one matrix a view builds (64 MB)
constexpr double kMaxWork = 5e8;             // multiply-adds a view spends at once (~0.1 s as wasm)
constexpr int kMaxRomeHidden = 2048;         // ROME factorises an h × h covariance (16 MB, once per model)
constexpr int kMaxGridNeurons = 4096;        // cells drawn in the ablation grid

enum ModelKind { kCompiled = 0, kLearned = 1 };
inline const char* model_kind_name(int k) { return k == kCompiled ? "compiled" : "learned"; }

// Neuron activations of one model for every subject of its facts.
// Only the first `shown` subjects when all of them would pass kMaxCells or kMaxWork.
struct Activations {
    Mat H;                        // (h, shown) post-activation, column s = subject s
    int shown = 0, total = 0;     // subjects in H, subjects in the facts
    uint64_t key = 0;             // changes whenever H does
};

struct CapLab {
    // ---- learned model: in a worker (trainer mirrors it) or sliced Adam here ----
    Trainer trainer;
    WorkerJob train_job;          // the worker's run
    std::string train_where;      // "worker", "page", or "pending" (a worker starts once the settings rest)
    double train_pending_ms = 0;  // when the settings last changed
    std::string trainer_key;      // facts + config the trainer was reset with
    std::string train_error;
    bool playing = true;          // runs until done (100% or the step budget)
    unsigned learned_version = 0; // bumps after every step and reset
    Meter meter;                  // frame rate, Adam steps per second

    // ---- compiled model at the same d and seed ----
    Model compiled;
    std::string compiled_key;
    unsigned compiled_version = 0;

    // ---- capacity sweep: in a worker of its own, or sliced here ----
    CapacitySweep sweep;          // the page thread's run (where no worker starts)
    WorkerJob sweep_job;          // the worker's run
    CapacityConfig sweep_cfg;     // what it runs (to start again on the page if the worker stops)
    CapacitySnapshot sweep_snap;  // what the view draws, from either
    std::string sweep_where;      // "worker", "page" or ""
    double sweep_started_ms = 0, sweep_wall_ms = 0;
    bool sweep_running = false;   // false: paused or finished
    bool sweep_started = false;
    bool sweep_auto_started = false;  // the first visit starts it once, by itself
    std::string sweep_error;
    std::string sweep_key;        // the config it was started with

    // ---- interference series: in a worker of its own, or sliced here ----
    InterferenceSweep interf;     // the page thread's run
    WorkerJob interf_job;         // the worker's run
    InterferenceSpec interf_spec; // what it runs
    InterferenceSnapshot interf_snap;  // what the view draws, from either
    std::string interf_where;     // "worker", "page" or ""
    unsigned interf_facts_version = 0;  // the facts it runs on
    bool interf_running = false, interf_started = false;
    std::string interf_error;

    // ---- ROME's key covariance, factorised once per model ----
    KeyCovariance cov[2];
    std::string cov_key[2];
    std::string cov_error[2];

    // ---- activations cache ----
    Activations acts[2];
    std::string acts_key[2];

    int last_tick_frame = -1;
};

CapLab& caplab(App& a);
// Once per frame (any view may call it; later calls in the same frame return
// at once): follows the state (rebuilds/resets on a change) and runs this
// frame's share of training, sweep and interference work.
void caplab_tick(App& a);

TrainConfig caplab_train_config(const App& a);           // from cap_d, cap_h, ...
const Model& caplab_model(App& a, int kind);              // kCompiled or kLearned
uint64_t caplab_model_key(App& a, int kind);              // changes with the weights
const Activations& caplab_activations(App& a, int kind);  // (h, n) for every subject, or the first ones
// How many subjects a job may take when each costs `per_subject` floats and
// multiply-adds: at most kMaxCells / cells and kMaxWork / work, at least 1.
int caplab_subject_bound(double cells_per_subject, double work_per_subject);
// ROME's factorised key covariance for the model of `kind` (made once per model
// and ridge); nullptr with *why when the page cannot hold it.
const KeyCovariance* caplab_covariance(App& a, int kind, float ridge, std::string* why);
// Starts the capacity sweep (in a worker when one starts; cancels a running one);
// false with L.sweep_error on bad settings. Clear cancels it and forgets the results.
bool caplab_start_sweep(App& a, const CapacityConfig& cfg);
void caplab_clear_sweep(App& a);
// Restarts the learned model's training from fresh weights.
void caplab_restart(App& a);
// One more Adam step of a paused run (in its worker, or here).
void caplab_step_once(App& a);
// Starts the interference series on the lab's facts (in a worker when one starts).
bool caplab_start_interference(App& a, const InterferenceSpec& spec);

// Sweep sizes as "64x16,64x32": parsed with bounds; empty result on bad text.
std::vector<std::pair<int, int>> parse_sizes(const std::string& text);

}  // namespace factlab
