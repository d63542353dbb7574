// superpose.hpp: pack N unit vectors in d dimensions as nearly perpendicular as possible.
//
// The second half of 3Blue1Brown's "How might LLMs store facts": in high dimensions far
// more than d directions can be nearly perpendicular. The video optimises 10,000 vectors
// in 100 dimensions with Adam (lr 0.01, 250 steps) on
//     L = sum_{i,j} relu(|G_ij - I_ij| - 0.01) + N sum_i (G_ii - 1)^2,   G = V V^T
// and claims all pairs end between 89 and 91 degrees: impossible (Welch, Levenshtein in
// bounds.hpp). `video` is that run exactly (no renormalisation); `exp` aims at the worst
// pair: the soft maximum (1/t) log sum_{i<j} exp(t cos_ij^2), t annealed, then sharpened
// with tiny steps (the polish), vectors kept on the sphere.
//
// Never holds the N x N Gram matrix: passes walk pairs i <= j in tiles (superpose_kernels.hpp).
// A UI drives it in slices: work(budget_ms) does at most that much and returns, a step
// being ~N^2/2/(tile_rows*tile_cols) tiles; step() and compute_stats() are the blocking forms.
//
// Dimension legend: N vectors (n), d dimensions; V is (N, d), one vector per row.
//
//   factlab::SuperposeConfig cfg;                 // 10,000 x 100, the video's loss, 250 steps
//   factlab::Superposer sp;
//   std::string err;
//   if (!sp.reset(cfg, &err)) ...;                // seeded Gaussian, normalised
//   sp.run(cfg.steps);                            // or, per frame: sp.work(8.0)
//   const factlab::SuperposeStats& s = sp.compute_stats();
//
// ---- One step split into shares (native threads; Web Workers by message passing) ----
// A gradient pass is a fixed list of tiles (superpose_tiles). plan_shares(K) cuts it into
// K contiguous runs of about equal work. A share's partial (gradient (N, d) and loss) is a
// pure function of (N, d, kernel, vectors, loss parameters, range): SuperposeShare computes
// it anywhere, without a Superposer and without threads. Summing the K partials in the
// fixed order k = 0, 1, ..., K-1 (add_partial) and handing the sum to apply() makes one
// Adam step. So a given K gives the same numbers however the shares ran (one thread, K
// threads, K workers), and K = 1 is the unsplit pass bit for bit. cfg.threads = K makes
// step()/run() do exactly this on K native threads, and work() (the sliced UI path) run
// the same K shares one after another, with the same result.
//
//   // main thread (has the Superposer sp), K workers (each has a SuperposeShare w):
//   std::vector<factlab::ShareRange> shares = sp.plan_shares(K);        // once per reset
//   w.setup(n, d, kernel, &err);                                        // each worker, once
//   for (;;) {                                                          // one step
//       spk::LossParams lp = sp.step_params();
//       // send (V = sp.vectors(), lp, shares[k]) to worker k; worker k runs
//       //   w.set_vectors(V.data(), d); w.compute(lp, shares[k], &part);   and sends part back
//       factlab::SharePartial sum = part[0];
//       for (int k = 1; k < K; ++k) factlab::add_partial(&sum, part[k]);   // in this order
//       int r = sp.apply(sum);  // 1: stepped; 0: redo the shares with the new step_params()
//       if (r != 0) break;      // (exp loss: a better shift); -1: error() says why
//   }
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <Eigen/Core>
#include "core/superpose/bounds.hpp"
#include "core/superpose/superpose_kernels.hpp"

namespace factlab {

enum class SuperposeLoss { video, exp };
const char* superpose_loss_name(SuperposeLoss loss);                 // "video", "exp"
bool parse_superpose_loss(const std::string& name, SuperposeLoss* out);

struct SuperposeConfig {
    int n = 10000;                       // N vectors, 2..200,000
    int d = 100;                         // dimensions, 2..4,096
    int steps = 250;                     // planned steps: the schedules of `exp` span them
    SuperposeLoss loss = SuperposeLoss::video;
    float lr = 0.01f;                    // Adam learning rate (betas 0.9/0.999, eps 1e-8 as PyTorch)
    uint64_t seed = 1;
    // exp loss only: t goes geometrically from t_start to t_end over `steps`, the learning
    // rate from lr to lr * lr_end_ratio (cosine). Tuned on 10,000 x 100 (docs/superpose.md):
    // a soft start spreads the whole body first; t_end 8,000 gains 0.03 deg but 11,000
    // already collapses (too few pairs carry the gradient), so the default keeps a margin.
    float t_start = 5.f, t_end = 4000.f, lr_end_ratio = 0.01f;
    // Then the polish: the last `polish` share of the steps sharpens t from t_end to
    // t_polish while the rate falls a further 100x (Adam restarted). A nearly hard
    // maximum with tiny steps evens out the few hundred pairs per vector that sit within
    // 0.004 of the worst: 77.96 -> 78.01 deg at 10,000 x 100. 0 turns it off.
    float polish = 0.1f, t_polish = 1e5f;
    // The gradient pass is split into this many shares (1..64), run on as many native
    // threads by step()/run() (one after another by work(), and always so on WebAssembly).
    // Results depend on this count only, never on which thread ran a share: 1 is the
    // unsplit pass; more change only the order the partial gradients are summed in.
    int threads = 1;
    // exp loss, step() only: once t is large, most pairs sit e^-30 below the worst and
    // the pass drops them anyway. The pair list keeps the pairs with t cos^2 within
    // 30 + list_margin of the worst (found by a Gram pass) and steps on those alone while
    // a bound proves every other pair still below the kernel's own e^-30 cut: a pair
    // left out had |cos| < c_thr at the build, and has moved by at most D_i + D_j since
    // (D = |v_i - v_i(build)|), so |cos| <= c_thr + D_1 + D_2 (the two largest D); the
    // list is rebuilt when t (c_thr + D_1 + D_2)^2 - shift > -30. A list over
    // list_max_share of all pairs is not worth it: then full passes go on until t has
    // grown by a quarter. Off by default (the page's sliced work() has no list).
    bool pair_list = false;
    float list_margin = 25.f;
    double list_max_share = 0.04;
    int stats_every = 0;                 // work() queues a statistics pass every k steps (0: only on request)
    spk::KernelKind kernel = spk::KernelKind::simd;
    double memory_cap_bytes = 1024.0 * 1024 * 1024;                 // refuse larger runs
};

constexpr int kZoomBins = 200;           // 80..100 deg by 0.1 deg, like the video's plot
constexpr int kFullBins = 360;           // 0..180 deg by 0.5 deg, so the tails show

// Statistics of one set of vectors (all pairs i < j, cosines of the normalised vectors).
struct SuperposeStats {
    int step = -1;                       // updates applied to the measured vectors (-1: none yet)
    int n = 0, d = 0;
    double loss = 0;                     // the run's loss for these vectors (exp: soft max of cos^2)
    uint64_t pairs = 0;                  // n(n-1)/2
    double min_angle_deg = 0, max_angle_deg = 0;   // over pairs; the worst pair is the one nearer 0 or 180
    double worst_abs_cos = 0;            // largest |cos|
    double worst_angle_deg = 0;          // 90 - asin(worst_abs_cos): the worst pair as an angle in [0, 90]
    int min_pair[2] = {-1, -1}, max_pair[2] = {-1, -1};   // (i, j) of the smallest / largest angle
    double within1 = 0, within5 = 0;     // share of pairs with |angle - 90| <= 1, 5 degrees
    std::vector<uint64_t> hist_fine;     // 1800: pairs with angle in [k/10, (k+1)/10) degrees
    std::vector<uint64_t> hist_zoom;     // kZoomBins: [80 + k/10, 80 + (k+1)/10)
    std::vector<uint64_t> hist_full;     // kFullBins: [k/2, (k+1)/2)
    // Limits and baseline for this N and d (bounds.hpp).
    double welch = 0, levenshtein = 0;   // lower bounds on worst_abs_cos; levenshtein NaN if not applicable
    double limit_angle_deg = 90;         // no arrangement's worst pair is nearer 90 than this
    double random_angle_std_deg = 0;     // (180/pi)/sqrt(d)
    double random_worst_abs_cos = 0;     // expected worst |cos| of N random vectors
    double seconds = 0;                  // time the pass took
};

// Largest memory a run holds (vectors, Adam state, gradient, tiles; each share beyond the
// first adds a gradient and a tile), in bytes.
double superpose_bytes_needed(int n, int d, spk::KernelKind kernel = spk::KernelKind::simd, int shares = 1);

// ---- shares of a gradient pass ----------------------------------------------------------
struct PairTile {                        // rows [i0, i1) against columns [j0, j1), j0 >= i0
    int i0 = 0, i1 = 0, j0 = 0, j1 = 0;
};
struct ShareRange {                      // tiles [tile_begin, tile_end) of the pass, in order
    int tile_begin = 0, tile_end = 0;
    double cells = 0;                    // pairs (i, j) its tiles cover, the measure of its work
};
struct SharePartial {
    spk::RowMatrixXf grad;               // (N, d) sum over the share's pairs of w_ij v_j (unscaled)
    spk::GradSums sums;                  // its loss (video) or Z (exp), largest cos^2
};
// The tiles of one pass over n vectors with kernel k, in the order a pass visits them.
std::vector<PairTile> superpose_tiles(int n, const spk::KernelImpl& k);
// K contiguous runs of `tiles` with about equal cells each (some empty when K > tiles).
std::vector<ShareRange> plan_shares(const std::vector<PairTile>& tiles, int K);
// acc += p (gradients and losses; the largest cos^2 is a max). Sum k = 0, 1, ... in order.
// False (acc untouched) when p's gradient is not acc's shape (a worker's reply is checked here).
bool add_partial(SharePartial* acc, const SharePartial& p);

// Computes shares for one set of vectors: the piece a worker (or thread) runs. Owns padded
// copies of the vectors and its own gradient buffers; no Superposer, no threads.
class SuperposeShare {
public:
    SuperposeShare();
    ~SuperposeShare();
    SuperposeShare(const SuperposeShare&) = delete;
    SuperposeShare& operator=(const SuperposeShare&) = delete;
    bool setup(int n, int d, spk::KernelKind kernel, std::string* err);   // sizes as superpose_validate
    bool set_vectors(const float* V, int ld);   // (N, d), rows ld >= d floats apart; copied
    // The partial of tiles `r` (from plan_shares over tiles()) for the vectors last set.
    void compute(const spk::LossParams& lp, const ShareRange& r, SharePartial* out);
    const std::vector<PairTile>& tiles() const;
private:
    struct Impl;
    Impl* m_;
};
// Checks sizes and memory; on failure a message a person can act on.
bool superpose_validate(const SuperposeConfig& cfg, std::string* err);

class Superposer {
public:
    using ConstRowMap = Eigen::Map<const spk::RowMatrixXf, 0, Eigen::OuterStride<>>;

    Superposer();
    ~Superposer();
    Superposer(const Superposer&) = delete;
    Superposer& operator=(const Superposer&) = delete;

    // ---- set up ----
    bool reset(const SuperposeConfig& cfg, std::string* err);     // validate, allocate, seed
    bool set_vectors(const Eigen::Ref<const Eigen::MatrixXf>& V, std::string* err);   // (N, d), finite

    // ---- blocking ----
    bool step();                          // one Adam step; false on error (error() says why)
    bool run(int steps);                  // `steps` more steps
    const SuperposeStats& compute_stats();   // statistics of the current vectors

    // ---- sliced, for a UI frame: no call runs much longer than budget_ms ----
    // Runs queued statistics passes and steps until the budget is spent, `max_steps`
    // steps finished, or the planned steps are done. Returns the steps finished, -1 on error.
    int work(double budget_ms, int max_steps = 1 << 30);
    void request_stats();                 // a statistics pass runs before the next step
    double pass_progress() const;         // 0..1 through the pass under way
    bool done() const { return step_ >= cfg_.steps; }

    // ---- split steps: the shares run elsewhere (see the top of this file) ----
    std::vector<ShareRange> plan_shares(int K) const;   // K balanced runs of this run's tiles
    spk::LossParams step_params() const;  // what every share of the next step uses
    // Finishes the step from the sum of its K partials (add_partial, in order k = 0..K-1):
    // guards, Adam. 1: a step; 0: redo the shares with the new step_params(); -1: error.
    int apply(const SharePartial& sum);
    // The same with the loss parameters the shares were computed with (step_params() when
    // they were sent): a statistics pass that ran meanwhile may have moved the exp loss's
    // shift, and the step must finish with the shift its partials used.
    int apply(const SharePartial& sum, const spk::LossParams& lp);
    // The gradient pass of the current vectors as cfg.threads shares, summed, on threads;
    // no step (tests compare it with the reference before Adam).
    bool gradient(SharePartial* out);

    // ---- state ----
    const SuperposeConfig& config() const { return cfg_; }
    int steps_done() const { return step_; }
    ConstRowMap vectors() const;          // (N, d) view, valid until the next reset
    const std::vector<float>& loss_history() const { return loss_history_; }   // loss at the start of each step
    const SuperposeStats& stats() const { return stats_; }   // the last finished statistics pass
    const std::string& error() const { return error_; }
    double last_step_seconds() const { return last_step_seconds_; }   // the whole last step
    struct ListCounts {                   // exp pair list (cfg.pair_list): what it did so far
        long long list_steps = 0, full_steps = 0, builds = 0, refused = 0;
        long long pairs = 0;              // pairs in the current list
        double bound_arg = 0;             // last list step: t c_up^2 - shift (< -30 proves the skip)
    };
    const ListCounts& list_counts() const { return list_counts_; }
    double last_finish_seconds() const { return last_finish_seconds_; }   // its unsliced end (gradient, Adam)
    float current_t() const;              // exp: the sharpness of the next step
    float current_lr() const;             // the learning rate of the next step
    int polish_start() const;             // exp: the first step of the polish (steps if none)
    const char* kernel_name() const;
    double bytes() const;                 // memory held

private:
    struct Impl;
    int finish_step_();
    int threaded_step_();
    int list_step_();
    bool in_polish_(double* fraction) const;
    Impl* m_;
    SuperposeConfig cfg_;
    int step_ = 0;
    std::vector<float> loss_history_;
    SuperposeStats stats_;
    std::string error_;
    double last_step_seconds_ = 0;
    double last_finish_seconds_ = 0;
    ListCounts list_counts_;
public:
    // Tests only: when set and returning true, reset() behaves as if an allocation failed.
    static inline bool (*alloc_fail_hook_)() = nullptr;
};

// ---- "how many fit": a measured point for the curves of bounds.hpp ---------------------
struct FitTrial {
    int n = 0, d = 0;
    double worst_angle_deg = 0;           // after the run
    bool ok = false;                      // every pair within tolerance
};
// One short exp-loss run of n vectors in d dimensions; ok when its worst pair is within tol.
FitTrial try_fit(int n, int d, double tol_deg, int steps = 200, uint64_t seed = 1);
// The largest N (d < N <= max_n) a short run fits within tol: doubling, then bisection.
// Cheap sizes only: stops before a trial would cost more than max_pair_dims = N^2 d / 2.
int measure_fit(int d, double tol_deg, int max_n, std::vector<FitTrial>* trials = nullptr, int steps = 200,
                uint64_t seed = 1, double max_pair_dims = 2e9);

}  // namespace factlab
