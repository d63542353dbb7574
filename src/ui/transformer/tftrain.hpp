// tftrain.hpp: training a fresh transformer on a facts set in the page, for the
// lab's train view: in a Web Worker of its own when one starts (the page only
// draws the snapshots), else a few Adam steps per frame on the page thread.
//
// Either way the work is core/jobs_gpt.hpp's GptTrainJob: the built-in recipe
// (gpt_builtin_recipe: 2 layers, d_model 64, 4 heads, MLP 256, batch 256, lr 3e-3,
// GptTrainer's Adam and batches, weights rounded to float16 at the end) on the
// prompts of the facts, exactly what `factlab-cli gpt train` runs, so the built-in
// facts with the default steps and seed give the built-in model bit for bit, in a
// worker or not. A fact counts as known when greedy decoding returns the whole
// object and then the end token (gpt_evaluate).
#pragma once
#include <cstdint>
#include <string>
#include "core/facts.hpp"
#include "core/gpt/builtin.hpp"
#include "core/jobs_gpt.hpp"
#include "ui/common/slice.hpp"
#include "ui/common/worker_job.hpp"

namespace factlab {

struct App;

struct TfTrainConfig {
    int steps = 400;                  // the recipe's
    uint64_t seed = 1;
};

class TfTrainer {
public:
    // Prepares the facts' prompts and starts the job (in a worker when one starts).
    // False with a message (and nothing running) on a problem.
    bool reset(const FactSet& facts, const TfTrainConfig& c, std::string* error);
    // This frame's share: the worker's new snapshots (and more chunks granted while
    // playing), or about budget_ms of steps on the page thread. Returns true when
    // something changed.
    bool tick(bool playing, double budget_ms);
    void stop();                                     // cancel: ends the worker
    const GptTrainProgress& progress() const { return page_ ? job_.progress() : progress_; }
    bool done() const { return progress().done; }
    // The weights at the step progress() shows (a worker sends them on a pause and at the end;
    // right after Pause, until they arrive, the older weights the page holds do not count).
    bool has_weights() const { return page_ || (has_w_ && w_step_ == progress_.steps_done); }
    const GptWeights& weights() const { return page_ ? job_.weights() : w_; }
    const GptVocab& vocab() const { return set_.vocab; }
    const FactSet& facts() const { return facts_; }
    // Where the run goes: "page", "worker" (kept after the worker ends with the run), or "".
    const char* where() const { return page_ ? "page" : in_worker_ ? "worker" : ""; }
    double wall_ms() const;                          // since the start

private:
    bool start_page(std::string* error);
    FactSet facts_;
    GptTrainingSet set_;
    GptTrainJobSpec spec_;
    GptTrainJob job_;                                // the page thread's run
    bool page_ = false;
    WorkerJob worker_;
    bool in_worker_ = false;                         // the run started in a worker
    GptTrainProgress progress_;                      // the worker's last snapshot
    GptWeights w_;
    bool has_w_ = false;
    int w_step_ = -1;                                // the step w_ is from
    double started_ms_ = 0;
};

// The train view's state: a fresh model trained in the page.
struct TfTraining {
    TfTrainer trainer;
    bool active = false;                // started and not yet finished or stopped
    bool playing = false;
    std::string error;
    std::string note;                   // why training stopped (settings changed)
    std::string source;                 // which facts ("built-in athletes", a file name)
    std::string key;                    // facts and settings it started with
    Meter meter;
    int last_tick_frame = -1;
};

// Once per frame (later calls in the same frame return at once): this frame's
// share of training, and the trained model into the lab when it finishes.
void tflab_tick(App& a);
// Starts training a fresh model on the app's current facts.
void tflab_start_training(App& a);
// Puts the trainer's current weights into the lab (every view then shows them).
void tflab_use_trained(App& a);

}  // namespace factlab
