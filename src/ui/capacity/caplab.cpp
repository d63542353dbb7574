// caplab.cpp: see caplab.hpp.
//
// [SECTION] State: the learned run's config, the sweep's sizes
// [SECTION] Models: compiled (rebuilt on change) and learned (reset on change)
// [SECTION] Tick: the frame's share of work
// [SECTION] Activations
#include "ui/capacity/caplab.hpp"

#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "platform/platform.hpp"
#include "ui/common/app.hpp"

namespace factlab {

CapLab& caplab(App& a) { return a.ext<CapLab>(); }

//-----------------------------------------------------------------------------
// [SECTION] State
//-----------------------------------------------------------------------------
TrainConfig caplab_train_config(const App& a) {
    TrainConfig c;
    c.d = int(a.state.get_int("cap_d", kCapD, 8, 512));
    c.hidden = int(a.state.get_int("cap_h", kCapH, 2, 1024));
    c.steps = int(a.state.get_int("cap_steps", kCapSteps, 10, 20000));
    c.lr = float(a.state.get_float("cap_lr", kCapLr, 0.001, 0.2));
    c.seed = uint64_t(a.state.get_int("cap_seed", 1, 0, 999));
    c.embed_seed = c.seed;   // the compiled model uses the same directions
    return c;
}

std::vector<std::pair<int, int>> parse_sizes(const std::string& text) {
    std::vector<std::pair<int, int>> out;
    size_t i = 0;
    while (i < text.size() && out.size() < 8) {
        size_t j = text.find(',', i);
        if (j == std::string::npos) j = text.size();
        int d = 0, h = 0;
        std::string item = text.substr(i, j - i);
        if (std::sscanf(item.c_str(), "%dx%d", &d, &h) != 2 || d < 4 || d > 1024 || h < 1 || h > 1024) return {};
        out.push_back({d, h});
        i = j + 1;
    }
    return out;
}

//-----------------------------------------------------------------------------
// [SECTION] Models
//-----------------------------------------------------------------------------
static void ensure_facts(App& a) {
    if (a.facts.facts.empty()) a.model();   // loads the built-in set on first use
}

static void sync_compiled(App& a, CapLab& L) {
    TrainConfig c = caplab_train_config(a);
    std::string key = std::to_string(a.facts_version) + "/" + std::to_string(c.d) + "/" + std::to_string(c.embed_seed);
    if (key == L.compiled_key) return;
    CompileOptions opt;
    opt.d = c.d;
    opt.seed = c.embed_seed;
    L.compiled = compile_model(a.facts, opt);
    L.compiled_key = key;
    ++L.compiled_version;
}

static std::string train_key(const App& a, const TrainConfig& c) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%u/%d/%d/%d/%g/%llu", a.facts_version, c.d, c.hidden, c.steps, double(c.lr),
                  (unsigned long long)c.seed);
    return buf;
}

constexpr int kJobSlotCapacity = 1;       // platform::job_* slots: the sweep's job,
constexpr int kJobSlotTrain = 2;          // the learned model's training,
constexpr int kJobSlotInterference = 3;   // the interference series

// try_worker false: the page thread runs it (a worker that failed): the same numbers.
static void reset_trainer(App& a, CapLab& L, bool try_worker = true) {
    TrainConfig c = caplab_train_config(a);
    L.trainer_key = train_key(a, c);
    L.train_error.clear();
    L.train_job.stop();
    L.train_where.clear();
    ++L.learned_version;
    if (!L.trainer.reset(c, a.facts, &L.train_error)) { L.playing = false; return; }
    // A slider dragged changes the settings every frame: the worker (a module load and
    // every fact in a message) starts once they have rested for kSettleMs.
    L.train_where = try_worker && platform::jobs_may_start() ? "pending" : "page";
    L.train_pending_ms = platform::now_ms();
}

constexpr double kSettleMs = 300;

static void start_train_worker(App& a, CapLab& L) {
    if (platform::now_ms() - L.train_pending_ms < kSettleMs) { platform::keep_awake(); return; }
    L.train_where = L.train_job.start(kJobSlotTrain, encode_block_train_job(L.trainer.config(), a.facts)) ? "worker" : "page";
}

static void sync_trainer(App& a, CapLab& L) {
    if (train_key(a, caplab_train_config(a)) == L.trainer_key) return;
    reset_trainer(a, L);
    L.playing = L.train_error.empty();
}

void caplab_restart(App& a) {
    CapLab& L = caplab(a);
    reset_trainer(a, L);
    L.playing = L.train_error.empty();
}

void caplab_step_once(App& a) {
    CapLab& L = caplab(a);
    L.playing = false;
    if (L.train_where == "worker") L.train_job.step_once();
    else if (L.train_where == "page" && L.trainer.step(1) > 0) ++L.learned_version;
}

// The worker's snapshots, mirrored by the page's trainer; more chunks granted while
// the run plays and a capacity view is drawn.
static void tick_train_worker(App& a, CapLab& L) {
    if (!L.train_job.failed().empty()) {
        const bool playing = L.playing;
        reset_trainer(a, L, false);
        L.playing = playing && L.train_error.empty();
        return;
    }
    std::string bytes, err;
    while (L.train_job.next(&bytes)) {
        TrainerState st;
        Mlp w;
        bool has_weights = false;
        if (jobs::job_error_text(bytes, &err) || !decode_block_train_snapshot(bytes, &st, &w, &has_weights, &err) ||
            !L.trainer.adopt(std::move(st), has_weights ? &w : nullptr)) {
            // A worker that answers wrongly (an old cached module, a bug) is a failed one:
            // the run starts again on the page thread, with the same numbers.
            const bool playing = L.playing;
            reset_trainer(a, L, false);
            L.playing = playing && L.train_error.empty();
            return;
        }
        if (has_weights) ++L.learned_version;
    }
    L.train_job.pace(L.trainer.done(), L.playing);
}

const Model& caplab_model(App& a, int kind) {
    CapLab& L = caplab(a);
    caplab_tick(a);
    return kind == kCompiled ? L.compiled : L.trainer.model();
}

uint64_t caplab_model_key(App& a, int kind) {
    CapLab& L = caplab(a);
    return kind == kCompiled ? (uint64_t(L.compiled_version) << 1) : ((uint64_t(L.learned_version) << 1) | 1);
}

//-----------------------------------------------------------------------------
// [SECTION] Tick
//-----------------------------------------------------------------------------
bool caplab_start_sweep(App& a, const CapacityConfig& cfg) {
    CapLab& L = caplab(a);
    L.sweep_job.stop();
    L.sweep_error.clear();
    L.sweep_snap = CapacitySnapshot{};
    L.sweep_started = L.sweep_running = false;
    L.sweep_where.clear();
    if (!validate_capacity_config(cfg, &L.sweep_error)) return false;
    L.sweep_cfg = cfg;
    L.sweep_started_ms = platform::now_ms();
    L.sweep_wall_ms = 0;
    if (L.sweep_job.start(kJobSlotCapacity, encode_capacity_job(cfg))) {
        L.sweep_where = "worker";
        L.sweep = CapacitySweep();
    } else {
        if (!L.sweep.reset(cfg, &L.sweep_error)) return false;
        L.sweep_where = "page";
        L.sweep_snap = capacity_snapshot_of(L.sweep);
    }
    L.sweep_started = L.sweep_running = true;
    return true;
}

void caplab_clear_sweep(App& a) {
    CapLab& L = caplab(a);
    L.sweep_job.stop();
    L.sweep = CapacitySweep();
    L.sweep_snap = CapacitySnapshot{};
    L.sweep_where.clear();
    L.sweep_started = L.sweep_running = false;
}

// The worker's snapshots in order; more chunks granted while the sweep plays and a
// capacity view is drawn (this runs from their tick), none otherwise.
static void tick_sweep_worker(CapLab& L) {
    if (!L.sweep_job.failed().empty()) {          // same numbers, from the start, on the page
        L.sweep_job.stop();
        L.sweep_where = "page";
        if (!L.sweep.reset(L.sweep_cfg, &L.sweep_error)) L.sweep_running = false;
        L.sweep_started_ms = platform::now_ms();
        return;
    }
    std::string bytes, err;
    while (L.sweep_job.next(&bytes)) {
        CapacitySnapshot snap;
        if (jobs::job_error_text(bytes, &err) || !decode_capacity_snapshot(bytes, &snap, &err)) {
            L.sweep_error = err;
            L.sweep_running = false;
            L.sweep_job.stop();
            return;
        }
        L.sweep_snap = std::move(snap);
        L.sweep_wall_ms = platform::now_ms() - L.sweep_started_ms;
    }
    if (L.sweep_snap.done) {
        L.sweep_running = false;
        if (L.sweep_error.empty()) L.sweep_error = L.sweep_snap.error;
    }
    L.sweep_job.pace(L.sweep_snap.done, L.sweep_running);
}

bool caplab_start_interference(App& a, const InterferenceSpec& spec) {
    CapLab& L = caplab(a);
    L.interf_job.stop();
    L.interf_error.clear();
    L.interf_snap = InterferenceSnapshot{};
    L.interf_spec = spec;
    L.interf_facts_version = a.facts_version;
    L.interf_started = true;
    L.interf_running = false;
    L.interf_where.clear();
    if (!L.interf.reset(a.facts, spec.ds, spec.learned, spec.with_learned, &L.interf_error)) {
        L.interf_snap.done = true;
        return false;
    }
    if (L.interf_job.start(kJobSlotInterference, encode_interference_job(spec, a.facts))) {
        L.interf_where = "worker";
        L.interf = InterferenceSweep();
    } else {
        L.interf_where = "page";
    }
    L.interf_running = true;
    return true;
}

static void tick_interf_worker(App& a, CapLab& L) {
    if (!L.interf_job.failed().empty()) {        // the same numbers, from the start, on the page
        L.interf_job.stop();
        L.interf_where = "page";
        L.interf_snap = InterferenceSnapshot{};
        if (a.facts_version != L.interf_facts_version) {   // not these facts' series: it stops
            L.interf_running = false;
            L.interf_snap.done = true;
            L.interf_where.clear();
        } else if (!L.interf.reset(a.facts, L.interf_spec.ds, L.interf_spec.learned, L.interf_spec.with_learned,
                            &L.interf_error)) {
            L.interf_running = false;
            L.interf_snap.done = true;
        }
        return;
    }
    std::string bytes, err;
    while (L.interf_job.next(&bytes)) {
        InterferenceSnapshot snap;
        if (jobs::job_error_text(bytes, &err) || !decode_interference_snapshot(bytes, &snap, &err)) {
            L.interf_error = err;
            L.interf_running = false;
            L.interf_snap.done = true;
            L.interf_job.stop();
            return;
        }
        L.interf_snap = std::move(snap);
    }
    if (L.interf_snap.done) L.interf_running = false;
    L.interf_job.pace(L.interf_snap.done, L.interf_running);
}

void caplab_tick(App& a) {
    CapLab& L = caplab(a);
    int frame = ImGui::GetFrameCount();
    if (L.last_tick_frame == frame) return;
    L.last_tick_frame = frame;
    L.meter.tick();
    ensure_facts(a);
    sync_compiled(a, L);
    sync_trainer(a, L);

    if (L.playing && L.trainer.done()) L.playing = false;
    if (L.train_where == "pending") start_train_worker(a, L);
    if (L.train_where == "worker") tick_train_worker(a, L);
    if (L.sweep_where == "worker") tick_sweep_worker(L);
    if (L.interf_where == "worker") tick_interf_worker(a, L);
    bool train = L.train_where == "page" && L.playing && !L.trainer.done();
    bool sweep = L.sweep_where == "page" && L.sweep_running && !L.sweep.done();
    bool interf = L.interf_where == "page" && L.interf_running && !L.interf.done();
    int jobs = int(train) + int(sweep) + int(interf);
    if (jobs == 0) return;
    platform::keep_awake();                        // work in frames: the page must keep drawing
    // Each running job gets an equal share of the frame's budget; each does
    // small units of work (one Adam step) and checks the clock between them.
    double t0 = platform::now_ms();
    double share = L.meter.budget() / jobs;
    if (train) {
        Budget b(share);
        int steps = 0;
        while (!b.over() && !L.trainer.done()) steps += L.trainer.step(1);
        L.meter.add(steps, 0);   // the time is added for all jobs below
        if (steps > 0) ++L.learned_version;
    }
    if (sweep) {
        Budget b(share);
        while (!b.over() && L.sweep.step()) {}
        L.sweep_snap = capacity_snapshot_of(L.sweep);
        L.sweep_wall_ms = platform::now_ms() - L.sweep_started_ms;
        if (L.sweep.done()) {
            L.sweep_running = false;
            L.sweep_error = L.sweep.error();
        }
    }
    if (interf) {
        Budget b(share);
        while (!b.over() && L.interf.step(1e6)) {}   // ~1e6 multiply-adds (at least one Adam step) per call
        L.interf_snap = {L.interf.points(), L.interf.progress(), L.interf.done()};
        if (L.interf.done()) L.interf_running = false;
    }
    L.meter.add(0, platform::now_ms() - t0);
}

//-----------------------------------------------------------------------------
// [SECTION] Activations
//-----------------------------------------------------------------------------
int caplab_subject_bound(double cells_per_subject, double work_per_subject) {
    double n = std::min(double(kMaxCells) / std::max(1.0, cells_per_subject), kMaxWork / std::max(1.0, work_per_subject));
    return int(std::max(1.0, std::min(n, 1e9)));
}

const Activations& caplab_activations(App& a, int kind) {
    CapLab& L = caplab(a);
    caplab_tick(a);
    uint64_t key = caplab_model_key(a, kind);
    Activations& act = L.acts[kind];
    if (act.key == key && act.H.size() > 0) return act;
    const Model& m = kind == kCompiled ? L.compiled : L.trainer.model();
    TrainData data;
    std::string err;
    const Mat* X = nullptr;
    if (kind == kLearned) {
        X = &L.trainer.data().X;
    } else if (make_train_data(m, a.facts, &data, &err)) {
        X = &data.X;
    }
    if (!X || X->cols() == 0 || m.mlp.W_up.cols() != X->rows()) {
        act.H.resize(0, 0);
        act.shown = act.total = 0;
        act.key = key;
        return act;
    }
    // h floats and h·d multiply-adds per subject: the compiled model of 20,000
    // subjects has 20,000 neurons, so all of them would be 1.6 GB.
    const int h = m.mlp.hidden(), n = int(X->cols());
    act.total = n;
    act.shown = std::min(n, caplab_subject_bound(h, double(h) * m.d()));
    Mat OUT;
    if (act.shown == n) mlp_forward_batch(m.mlp, *X, act.H, OUT);   // H (h, n), OUT (d, n)
    else mlp_forward_batch(m.mlp, X->leftCols(act.shown), act.H, OUT);
    // Compiled: neuron s is subject s's AND gate, so the first subjects' own neurons
    // are the rows worth showing (the other rows are silent for them).
    if (kind == kCompiled && act.shown < n && h == n) act.H = Mat(act.H.topRows(act.shown));
    act.key = key;
    return act;
}

const KeyCovariance* caplab_covariance(App& a, int kind, float ridge, std::string* why) {
    CapLab& L = caplab(a);
    const Model& m = caplab_model(a, kind);
    std::string key = std::to_string(caplab_model_key(a, kind)) + "/" + std::to_string(a.facts_version) + "/" +
                      std::to_string(ridge);
    if (L.cov_key[kind] != key) {
        L.cov_key[kind] = key;
        L.cov_error[kind].clear();
        L.cov[kind].ok = false;
        if (m.mlp.hidden() > kMaxRomeHidden) {
            char buf[240];
            std::snprintf(buf, sizeof buf, "ROME needs this model's %d × %d key covariance: more than the page factorises "
                          "(at most %d neurons). The naive edit still works.", m.mlp.hidden(), m.mlp.hidden(),
                          kMaxRomeHidden);
            L.cov_error[kind] = buf;
        } else {
            key_covariance_factor(m, a.facts, ridge, &L.cov[kind], &L.cov_error[kind], kMaxCells);
        }
    }
    if (why) *why = L.cov_error[kind];
    return L.cov[kind].ok ? &L.cov[kind] : nullptr;
}

}  // namespace factlab
