// superlab.cpp: see superlab.hpp.
//
// [SECTION] Config from the URL state
// [SECTION] Main run: reset on change, statistics policy, sliced work
// [SECTION] How many fit: doubling then bisection, one sliced trial at a time
// [SECTION] Sphere (d = 3): the reader's run and the background table
// [SECTION] Tick
#include "ui/superposition/superlab.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "core/jobs.hpp"
#include "platform/platform.hpp"
#include "ui/common/app.hpp"

// The video's run, finished (src/core/data/snapshots/superposition-video.txt, embedded by cmake/app.cmake).
extern const unsigned char snapshot_superposition_video[];
extern const size_t snapshot_superposition_video_size;

namespace factlab {

SuperLab& superlab(App& a) { return a.ext<SuperLab>(); }

//-----------------------------------------------------------------------------
// [SECTION] Config
//-----------------------------------------------------------------------------
SuperposeConfig superlab_config(const App& a) {
    SuperposeConfig c;
    c.n = int(a.state.get_int("sp_n", 2000, 2, 20000));
    c.d = int(a.state.get_int("sp_d", 100, 2, 1000));
    SuperposeLoss loss = SuperposeLoss::video;
    if (!parse_superpose_loss(a.state.get("sp_loss", "video"), &loss)) loss = SuperposeLoss::video;
    c.loss = loss;
    c.lr = float(a.state.get_float("sp_lr", 0.01, 0.0005, 0.2));
    c.steps = int(a.state.get_int("sp_steps", 250, 1, 5000));
    c.seed = uint64_t(a.state.get_int("sp_seed", 1, 0, 999));
    c.memory_cap_bytes = 256.0 * 1024 * 1024;   // the page's heap grows; keep a run well under it
    c.threads = platform::threads();            // desktop: steps on threads (the page: 1, workers instead)
    return c;
}

static std::string config_key(const SuperposeConfig& c) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%d/%d/%s/%g/%d/%llu", c.n, c.d, superpose_loss_name(c.loss), double(c.lr), c.steps,
                  (unsigned long long)c.seed);
    return buf;
}

//-----------------------------------------------------------------------------
// [SECTION] Main run
//-----------------------------------------------------------------------------
static void reset_main(MainRun& M, const SuperposeConfig& c) {
    M.key = config_key(c);
    M.reset_error.clear();
    M.has_first = false;
    M.worst.clear();
    M.seen_stats_step = -2;
    M.seen_stats_seconds = -1;
    M.rate.clear();
    M.stats_pending = false;
    M.run_wall_ms = M.run_work_ms = 0;
    M.last_call_ms = 0;
    M.run_frames = 0;
    M.ws.in_flight = false;
    M.ws.shares.clear();
    ++M.ws.id;                     // replies still on their way belong to the old run
    if (!M.sp.reset(c, &M.reset_error)) {
        M.playing = false;
        return;
    }
    M.sp.request_stats();          // the random starting vectors: the baseline histogram
    M.stats_pending = true;
    M.last_stats_ms = platform::now_ms();
}

// The finished runs shipped with the page (`factlab-cli superpose ... --snapshot`, docs/superpose.md).
static const std::vector<SuperposeSnapshot>& builtin_snapshots() {
    static std::vector<SuperposeSnapshot> all = [] {
        std::vector<SuperposeSnapshot> v;
        SuperposeSnapshot s;
        std::string err;
        std::string text(reinterpret_cast<const char*>(snapshot_superposition_video), snapshot_superposition_video_size);
        if (snapshot_decode(text, &s, &err)) v.push_back(std::move(s));
        else std::fprintf(stderr, "factlab: %s\n", err.c_str());   // a broken build: the live run still works
        return v;
    }();
    return all;
}

const SuperposeSnapshot* superlab_snapshot(App& a) {
    if (!a.state.get_bool("embed", false)) return nullptr;
    std::string key = config_key(superlab_config(a));
    if (superlab(a).main.replay_key == key) return nullptr;
    for (const SuperposeSnapshot& s : builtin_snapshots())
        if (snapshot_key(s.config) == key) return &s;
    return nullptr;
}

void superlab_replay(App& a) {
    SuperLab& L = superlab(a);
    L.main.replay_key = config_key(superlab_config(a));
    superlab_restart(a);
}

void superlab_restart(App& a) {
    SuperLab& L = superlab(a);
    reset_main(L.main, superlab_config(a));
    L.main.playing = L.main.reset_error.empty();
}

// Records a statistics pass that has just finished.
static void take_stats(MainRun& M) {
    const SuperposeStats& s = M.sp.stats();
    if (s.step == M.seen_stats_step && s.seconds == M.seen_stats_seconds) return;
    M.seen_stats_step = s.step;
    M.seen_stats_seconds = s.seconds;
    if (s.step < 0) return;
    M.stats_pending = false;
    M.last_stats_ms = platform::now_ms();
    if (s.step == 0) {
        M.first = s;
        M.has_first = true;
    }
    if (M.worst.empty() || M.worst.back().first != s.step) M.worst.push_back({s.step, s.worst_angle_deg});
}

// Worker mode, one call per frame: take the replies; once all K are in (and no
// statistics pass is under way on these vectors) sum them in order and apply the
// step with the loss parameters the shares used; then send the next step's shares
// at once. A statistics pass due then runs sliced here on the vectors just sent,
// while the workers compute: the workers never wait for it unless it is still
// going when their replies are in. Returns the steps applied.
static int work_workers(MainRun& M, int K, int max_steps, double stats_gap_ms) {
    WorkerStep& W = M.ws;
    if (int(W.shares.size()) != K) {
        W.shares = M.sp.plan_shares(K);
        W.in_flight = false;
        ++W.id;
    }
    std::string bytes, err;
    for (int k = 0; k < K; ++k) {
        while (platform::worker_take(k, &bytes)) {
            uint32_t id = 0;
            SharePartial part;
            bool ok = jobs::decode_share_reply(bytes, &id, &part, &err);
            // An error about an older step (its id is in the reply) is not this run's.
            if (!ok && W.in_flight && (bytes.size() < 8 || id == W.id)) { M.reset_error = err; M.playing = false; W.in_flight = false; return 0; }
            if (!W.in_flight || id != W.id || W.got[k]) continue;          // an old step's reply
            W.parts[k] = std::move(part);
            W.got[k] = 1;
            ++W.received;
        }
    }
    int steps = 0;
    if (W.in_flight && W.received == K && !M.stats_pending) {
        SharePartial& sum = W.parts[0];
        bool shapes = true;
        for (int k = 1; k < K; ++k) shapes = shapes && add_partial(&sum, W.parts[k]);   // the fixed order
        W.in_flight = false;
        if (!shapes) { M.reset_error = "a worker's share has the wrong shape"; M.playing = false; W.parts.clear(); return 0; }
        int r = M.sp.apply(sum, W.lp);
        W.parts.clear();
        if (r < 0) { M.playing = false; return 0; }
        if (r > 0) steps = 1;                  // 0: the exp loss redoes the step with a new shift
        else max_steps = std::max(max_steps, 1);
    }
    // (A statistics pass under way does not hold the shares back: the vectors change
    // only in apply, which waits for it.)
    if (!W.in_flight && steps < max_steps && !M.sp.done()) {
        ++W.id;
        W.lp = M.sp.step_params();
        Superposer::ConstRowMap V = M.sp.vectors();     // (N, d)
        W.parts.assign(size_t(K), SharePartial{});
        W.got.assign(size_t(K), 0);
        W.received = 0;
        W.in_flight = true;
        W.sent_ms = platform::now_ms();
        const size_t reply_cap = jobs::share_reply_max_bytes(int(V.rows()), int(V.cols()));
        for (int k = 0; k < K; ++k)
            platform::worker_post(k, jobs::encode_share_request(W.id, V.data(), int(V.rows()), int(V.cols()),
                                                                int(V.outerStride()), M.sp.config().kernel, W.lp, W.shares[k]),
                                  reply_cap);
    }
    // Statistics due: they run (sliced, on the page thread) on the vectors just sent.
    if (steps > 0 && !M.stats_pending && platform::now_ms() - M.last_stats_ms >= stats_gap_ms) {
        M.sp.request_stats();
        M.stats_pending = true;
    }
    return steps;
}

// The workers failed (worker_count() went to 0): the step in flight is dropped, the
// page thread takes over from the vectors of the last step applied, and replies
// already in (from workers that did not fail) are taken and dropped.
static void drop_worker_step(MainRun& M) {
    WorkerStep& W = M.ws;
    std::string bytes;
    for (int k = 0; k < int(W.shares.size()); ++k)
        while (platform::worker_take(k, &bytes)) {}
    W.in_flight = false;
    W.parts.clear();
    W.shares.clear();
    ++W.id;
}

constexpr double kWorkerWaitFrameMs = 80.0;  // waiting on the workers: a frame at least this often
constexpr double kFitYieldMs = 1.5;          // "How many fit" a frame beside a run in the workers
constexpr double kStatsCatchUpMs = 120.0;   // a statistics pass the workers wait for: slice per frame
constexpr double kThreadedStepMaxS = 0.15;   // a blocking threaded step may hold a frame this long

static void work_main(MainRun& M, double budget_ms, bool fast) {
    double t0 = platform::now_ms();
    if (!M.reset_error.empty() || !M.sp.error().empty()) { M.playing = false; return; }
    const int K = platform::worker_count();
    if (K == 0 && !M.ws.shares.empty()) drop_worker_step(M);   // the workers failed: the page thread takes over
    if (K > 0) fast = false;                                 // the frame budget no longer limits the run
    const int done_steps = M.sp.steps_done();
    // Statistics cost a pass as long as a step: refresh them about every
    // 300 ms, but spend at most a quarter of the time on them ("fast": a tenth).
    const SuperposeStats& s = M.sp.stats();
    // With workers the pass runs beside the step (see work_workers), on the page
    // thread, whose core the workers would use: every 4 s at least, at most a
    // seventh of the page's time.
    double gap = K > 0 ? std::max(4000.0, 6000.0 * s.seconds) : std::max(300.0, (fast ? 9000.0 : 3000.0) * s.seconds);
    // Paused or finished: measure the vectors on screen once. (With workers, a step's
    // vectors change only once its statistics pass is over: apply waits for it.)
    bool want = done_steps > s.step && (!M.playing || M.sp.done() || t0 - M.last_stats_ms >= gap);
    if (want && !M.stats_pending) { M.sp.request_stats(); M.stats_pending = true; }

    int max_steps = 0;
    if (M.playing) max_steps = 1 << 30;
    else if (M.step_target > done_steps) max_steps = M.step_target - done_steps;
    if (K > 0) {
        // Replies in and a statistics pass still under way: the workers wait for it,
        // so it gets a longer slice (a frame gap stays well under 250 ms).
        const bool waited_on = M.ws.in_flight && M.ws.received == K;
        if (M.stats_pending && M.sp.work(waited_on ? std::max(budget_ms, kStatsCatchUpMs) : budget_ms, 0) < 0)
            M.playing = false;
        take_stats(M);
        if (M.playing || max_steps > 0 || M.ws.in_flight) work_workers(M, K, max_steps, gap);
        take_stats(M);
        M.workers = K;
    } else if (M.sp.config().threads > 1 && max_steps > 0 && !M.stats_pending && !M.sp.done() &&
               M.sp.pass_progress() == 0 && M.sp.last_step_seconds() < kThreadedStepMaxS) {
        // Desktop, several threads: a whole step on them (step() blocks; work() would run
        // its shares one after another). Steps slower than a few frames stay sliced.
        if (!M.sp.step()) M.playing = false;
        M.workers = 0;
    } else if (max_steps > 0 || M.stats_pending) {
        if (M.sp.work(budget_ms, max_steps) < 0) M.playing = false;
        take_stats(M);
        M.workers = 0;
    }
    if (M.step_target >= 0 && M.sp.steps_done() >= M.step_target) M.step_target = -1;
    if (M.sp.done() && !M.stats_pending && M.sp.stats().step == M.sp.steps_done()) M.playing = false;
    double now = platform::now_ms();
    M.work_ms_frame = now - t0;
    M.run_work_ms += now - t0;
    if (M.last_call_ms > 0 && now - M.last_call_ms < 1000) {
        M.run_wall_ms += now - M.last_call_ms;
        ++M.run_frames;
    }
    M.last_call_ms = now;
    if (M.playing) M.rate.add(now, M.progress());
    else M.rate.clear();
}

//-----------------------------------------------------------------------------
// [SECTION] How many fit
//-----------------------------------------------------------------------------
const std::vector<int>& fit_dims() {
    static const std::vector<int> ds = {2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64};
    return ds;
}
const std::vector<float>& fit_tolerances() {
    static const std::vector<float> t = {1, 2, 5, 10, 15, 20, 30, 45};
    return t;
}
double fit_tol(const App& a) {
    double want = a.state.get_float("sp_tol", 10.0, 0.5, 45.0), best = 10.0;
    for (float t : fit_tolerances())
        if (std::fabs(t - want) < std::fabs(best - want)) best = t;
    return best;
}
int fit_tol_key(double tol_deg) { return int(std::lround(tol_deg * 10)); }

constexpr int kFitSteps = 200;             // per trial, the worst-pair loss
constexpr double kFitPairDims = 4e7;       // N²d/2 above which a trial costs the page too much
constexpr int kFitMaxN = 20000;

static bool fit_affordable(int n, int d) { return n <= kFitMaxN && 0.5 * double(n) * n * d <= kFitPairDims; }

static void fit_start_trial(FitJob& F) {
    SuperposeConfig c;
    c.n = F.n;
    c.d = F.cur.first;
    c.steps = kFitSteps;
    c.loss = SuperposeLoss::exp;
    c.seed = 1;
    std::string err;
    F.waiting_stats = false;
    if (!F.sp.reset(c, &err)) {
        FitPoint& p = F.points[F.cur];
        p.finished = p.capped = true;
        F.active = false;
    }
}

// Picks the next width without a measurement at this tolerance.
static bool fit_next(FitJob& F, int tol10) {
    for (int d : fit_dims()) {
        auto key = std::make_pair(d, tol10);
        FitPoint& p = F.points[key];
        if (p.finished) continue;
        p.d = d;
        p.n_fit = d;                        // d orthonormal vectors always fit
        F.cur = key;
        F.good = d;
        F.bad = -1;
        F.n = 2 * d;
        if (!fit_affordable(F.n, d)) { p.finished = p.capped = true; continue; }
        F.active = true;
        fit_start_trial(F);
        return F.active;
    }
    return false;
}

static void fit_result(FitJob& F) {
    FitPoint& p = F.points[F.cur];
    const int d = F.cur.first;
    const double tol = F.cur.second / 10.0;
    FitTrial t;
    t.n = F.n;
    t.d = d;
    t.worst_angle_deg = F.sp.stats().worst_angle_deg;
    t.ok = t.worst_angle_deg >= 90.0 - tol;
    p.trials.push_back(t);
    if (t.ok) F.good = F.n; else F.bad = F.n;
    p.n_fit = F.good;
    int next;
    if (F.bad < 0) {
        next = F.n * 2;
        if (!fit_affordable(next, d)) { p.finished = p.capped = true; F.active = false; return; }
    } else {
        if (F.bad - F.good <= std::max(1, F.good / 16)) { p.finished = true; F.active = false; return; }
        next = F.good + (F.bad - F.good) / 2;
    }
    F.n = next;
    fit_start_trial(F);
}

static bool fit_pending(App& a, const FitJob& F) {
    if (F.active) return true;
    int tol10 = fit_tol_key(fit_tol(a));
    for (int d : fit_dims()) {
        auto it = F.points.find({d, tol10});
        if (it == F.points.end() || !it->second.finished) return true;
    }
    return false;
}

static void work_fit(App& a, FitJob& F, double budget_ms) {
    int tol10 = fit_tol_key(fit_tol(a));
    if (F.active && F.cur.second != tol10) F.active = false;    // the tolerance changed: drop the trial
    Budget b(budget_ms);
    while (!b.over()) {
        if (!F.active && !fit_next(F, tol10)) return;
        if (!F.active) continue;
        if (!F.waiting_stats) {
            if (F.sp.work(b.left(), 1 << 30) < 0) { F.points[F.cur].finished = F.points[F.cur].capped = true; F.active = false; continue; }
            if (F.sp.done()) { F.sp.request_stats(); F.waiting_stats = true; }
        } else {
            F.sp.work(b.left(), 0);
            if (F.sp.stats().step == F.sp.steps_done()) fit_result(F);
        }
    }
}

//-----------------------------------------------------------------------------
// [SECTION] Sphere
//-----------------------------------------------------------------------------
static SuperposeConfig sphere_config(int n, uint64_t seed) {
    SuperposeConfig c;
    c.n = n;
    c.d = 3;
    c.steps = 400;
    c.loss = SuperposeLoss::exp;
    c.lr = 0.01f;
    c.seed = seed;
    return c;
}

static void sync_sphere(App& a, SphereRun& S) {
    int n = int(a.state.get_int("sp3_n", 6, 2, 200));
    int seed = int(a.state.get_int("sp3_seed", 1, 0, 1000000));
    std::string key = std::to_string(n) + "/" + std::to_string(seed);
    if (key == S.key) return;
    S.key = key;
    std::string err;
    S.sp.reset(sphere_config(n, uint64_t(seed)), &err);
    S.sp.compute_stats();
    S.playing = true;
}

static void work_sphere(SphereRun& S, double budget_ms, double frame_ms) {
    Budget b(budget_ms);
    if (S.playing) {
        // Spread over about 3 s, whatever the frame rate, so the reader sees the
        // points move apart (all at once when the reader asked for reduced motion).
        int per_frame = platform::prefers_reduced_motion()
                            ? (1 << 30)
                            : std::max(1, int(std::ceil(S.sp.config().steps * frame_ms / 3000.0)));
        if (S.sp.work(b.left(), per_frame) < 0) S.playing = false;
        const SuperposeStats& st = S.sp.compute_stats();
        if (S.sp.done()) {
            S.playing = false;
            double& best = S.best[st.n];
            best = std::max(best, st.worst_angle_deg);
        }
    }
    // The table: the best worst angle for N = 2 .. 16, measured once in the background.
    while (!b.over() && S.table_next <= kSphereTableMax) {
        if (!S.table_running) {
            std::string err;
            S.table_sp.reset(sphere_config(S.table_next, 1), &err);
            S.table_running = true;
        }
        S.table_sp.work(b.left(), 1 << 30);
        if (S.table_sp.done()) {
            const SuperposeStats& st = S.table_sp.compute_stats();
            double& best = S.best[S.table_next];
            best = std::max(best, st.worst_angle_deg);
            S.table_running = false;
            ++S.table_next;
        }
    }
}

//-----------------------------------------------------------------------------
// [SECTION] Tick
//-----------------------------------------------------------------------------
void superlab_tick(App& a) {
    SuperLab& L = superlab(a);
    int frame = ImGui::GetFrameCount();
    if (L.last_tick_frame == frame) return;
    L.last_tick_frame = frame;
    L.meter.tick();

    MainRun& M = L.main;
    SuperposeConfig c = superlab_config(a);
    const bool snapshot = superlab_snapshot(a) != nullptr;   // a finished run is shown: nothing to compute
    if (snapshot) M.playing = false;
    if (!snapshot && config_key(c) != M.key) {
        reset_main(M, c);
        M.playing = M.reset_error.empty();
    }
    sync_sphere(a, L.sphere);

    // Jobs whose views were drawn last frame share the budget; the main run,
    // the one the reader watches most, gets the larger share.
    bool stale = M.reset_error.empty() && M.sp.error().empty() && M.sp.stats().step != M.sp.steps_done();
    bool main_on = !snapshot && M.visible_frame >= frame - 1 && (M.playing || M.stats_pending || M.step_target >= 0 || stale);
    bool fit_on = L.fit.visible_frame >= frame - 1 && fit_pending(a, L.fit);
    bool sphere_on = L.sphere.visible_frame >= frame - 1 &&
                     (L.sphere.playing || L.sphere.table_next <= kSphereTableMax);
    double w_main = main_on ? 3 : 0, w_fit = fit_on ? 1 : 0, w_sphere = sphere_on ? 0.5 : 0;
    double total = w_main + w_fit + w_sphere;
    if (total <= 0) return;
    double budget = L.meter.budget(), t0 = platform::now_ms();
    const bool fast = a.state.get_bool("sp_fast", false);
    if (main_on) work_main(M, fast ? kFastWorkMs : budget * w_main / total, fast);
    // A run in the workers has every core: "How many fit" (a side figure) yields,
    // with a thin slice a frame, until the run pauses or ends.
    const bool run_in_workers = main_on && M.workers > 0 && M.playing;
    if (fit_on) work_fit(a, L.fit, run_in_workers ? kFitYieldMs : budget * w_fit / total);
    if (sphere_on) work_sphere(L.sphere, budget * w_sphere / total, L.meter.frame_ms);
    L.meter.add(0, platform::now_ms() - t0);
    // Work in frames needs every frame. A step in the workers needs none: their
    // replies and the reader's input wake the page at once, and a frame every 80 ms
    // keeps it above 10 frames/s while the cores go to the step.
    // (wake_within also lets frames with the same picture go unpainted, so it is asked
    // for while a statistics pass runs in frames beside the workers too.)
    const bool step_in_workers = main_on && M.workers > 0 && M.ws.in_flight;
    if (step_in_workers) platform::wake_within(kWorkerWaitFrameMs);
    if (!step_in_workers || sphere_on || M.stats_pending) platform::keep_awake();
}

}  // namespace factlab
