// superlab.hpp: the superposition lab's runtime state, shared by its views.
//
// Three optimiser jobs, each a core Superposer driven a slice per frame:
//   main    the experiment of the video (N vectors in d dims; default 2,000 × 100)
//   fit     quick worst-pair runs that measure how many vectors fit in d dims
//           within an angle tolerance (doubling, then bisection), cached
//   sphere  N vectors in d = 3, drawn on a sphere
// superlab_tick() runs once per frame and shares kFrameWorkMs between the jobs
// whose views were drawn in the previous frame (an embedded view runs only its own).
// Where the page has Web Workers, the main run's steps run in them (WorkerStep)
// and the page thread only sums, applies and measures.
//
// URL state (prefix sp_): sp_n, sp_d, sp_loss (video|exp), sp_lr, sp_steps, sp_seed,
// sp_logy, sp_fast (kFastWorkMs a frame for the main run, only where no Web Worker
// runs it); sp_tol, sp_fitwide ("how many
// fit"); sp3_n, sp3_seed (sphere).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>
#include "core/superpose/snapshot.hpp"
#include "core/superpose/superpose.hpp"
#include "ui/common/slice.hpp"

namespace factlab {

struct App;

// Steps per second over the last few seconds of wall time (steps can take
// longer than a frame, so a per-frame average would jump).
struct RateWindow {
    std::deque<std::pair<double, double>> samples;   // (ms, progress in steps)
    void clear() { samples.clear(); }
    void add(double ms, double progress) {
        samples.push_back({ms, progress});
        while (samples.size() > 2 && samples.front().first < ms - 8000) samples.pop_front();
    }
    double per_second() const {
        if (samples.size() < 2) return 0;
        double dt = samples.back().first - samples.front().first;
        return dt > 200 ? (samples.back().second - samples.front().second) * 1000.0 / dt : 0;
    }
};

// A step of the main run split into shares computed by Web Workers (one
// share per worker): the page sends the vectors, sums the partials in the
// order k = 0..K-1 and applies the step (Superposer::apply with the shares' loss
// parameters). A statistics pass (sliced, on the page thread) runs beside a step
// on the vectors its shares got; apply waits for it. K = 1 gives the sliced
// path's numbers exactly (the video loss; the exp loss's shift may differ where a
// statistics pass came at another step).
struct WorkerStep {
    bool in_flight = false;
    uint32_t id = 0;                  // replies to older requests are dropped
    std::vector<ShareRange> shares;   // plan_shares(K), once per reset
    std::vector<SharePartial> parts;
    std::vector<char> got;
    spk::LossParams lp;               // what the shares in flight were computed with
    int received = 0;
    double sent_ms = 0;
};

// The main experiment.
struct MainRun {
    Superposer sp;
    std::string key;                  // the config it was reset with
    std::string reset_error;          // config refused (sizes, memory)
    bool playing = true;
    bool has_first = false;
    SuperposeStats first;             // step 0: the random starting vectors
    std::vector<std::pair<int, double>> worst;   // (step, worst angle in [0, 90]) per stats pass
    int seen_stats_step = -2;
    double seen_stats_seconds = -1;
    double last_stats_ms = 0;         // wall time of the last finished stats pass
    bool stats_pending = false;
    int step_target = -1;             // "Step" while paused: finish up to this step, sliced
    RateWindow rate;
    // Time left, estimated once a step: a figure that moved every frame would make
    // every frame a new picture to paint (host::render_frame).
    int eta_step = -1;
    double eta_left_s = -1;
    double work_ms_frame = 0;         // work done in the last frame
    double run_wall_ms = 0;           // wall time while playing, since the reset
    double run_work_ms = 0;           // of which spent inside the optimiser
    double last_call_ms = 0;
    int run_frames = 0;               // frames drawn while it ran: the page's frame rate under load
    double fps_while_running() const { return run_wall_ms > 0 ? run_frames * 1000.0 / run_wall_ms : 0.0; }
    // Steps done plus the share of the step under way (a statistics pass is not a step).
    double progress() const { return sp.steps_done() + (stats_pending ? 0.0 : sp.pass_progress()); }
    int visible_frame = -10;
    WorkerStep ws;
    int workers = 0;                  // workers the last step ran on (0: the page thread)
    std::string replay_key;           // the reader pressed Replay on this config's snapshot: run it live
    float replay_rect[4] = {0, 0, 0, 0};   // where Replay was last drawn (x, y, w, h; device px): tests click it
};

// One quick trial of "how many fit".
struct FitPoint {
    int d = 0;
    int n_fit = 0;                    // largest N measured to fit (≥ d)
    bool finished = false;
    bool capped = false;              // stopped where trials got too costly for the page
    std::vector<FitTrial> trials;
};

struct FitJob {
    std::map<std::pair<int, int>, FitPoint> points;   // (d, tol in 0.1°) -> measurement
    // The trial under way.
    bool active = false;
    std::pair<int, int> cur{0, 0};
    int good = 0, bad = -1, n = 0;    // search bounds and the N being tried
    Superposer sp;
    bool waiting_stats = false;
    int visible_frame = -10;
};

struct SphereRun {
    Superposer sp;
    std::string key;
    bool playing = false;
    int visible_frame = -10;
    std::map<int, double> best;       // N -> best worst angle found at d = 3 (the table)
    int table_next = 2;               // next N the background table measures (2..16)
    Superposer table_sp;
    bool table_running = false;
};

struct SuperLab {
    MainRun main;
    FitJob fit;
    SphereRun sphere;
    Meter meter;
    int last_tick_frame = -1;
};

SuperLab& superlab(App& a);
void superlab_tick(App& a);                       // once per frame (later calls return at once)
SuperposeConfig superlab_config(const App& a);    // the main run's config from sp_*
void superlab_restart(App& a);                    // fresh random vectors, same config
// An embed of a long run shows its finished state (a snapshot shipped with the page,
// src/core/data/snapshots) until the reader presses Replay; null: show the live run.
const SuperposeSnapshot* superlab_snapshot(App& a);
void superlab_replay(App& a);                     // run the snapshot's config live, from step 0

// "How many fit": the tolerances offered and the widths measured.
const std::vector<int>& fit_dims();
const std::vector<float>& fit_tolerances();       // degrees: 1, 2, 5, 10, 15, 20, 30, 45
double fit_tol(const App& a);                     // sp_tol snapped to the nearest offered tolerance
int fit_tol_key(double tol_deg);                  // tol in 0.1° units
constexpr int kSphereTableMax = 16;

}  // namespace factlab
