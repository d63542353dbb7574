// superpose.cpp: the Superposer (buffers, tiled passes in slices, Adam, guards) and
// the measured "how many fit" points.
//
// Dimension legend: N vectors, d dimensions, dp = padded row stride of V, np = padded
// row stride of VT (see superpose_kernels.hpp).
#include "core/superpose/superpose.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace factlab {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxN = 200000, kMaxD = 4096;

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// A float buffer aligned to 64 bytes (a cache line, an AVX-512 vector), zero filled.
class Floats {
public:
    Floats() = default;
    Floats(const Floats&) = delete;
    Floats& operator=(const Floats&) = delete;
    ~Floats() { std::free(p_); }
    bool resize(size_t n) {
        std::free(p_);
        p_ = nullptr;
        n_ = 0;
        if (n == 0) return true;
        const size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
        p_ = static_cast<float*>(std::aligned_alloc(64, bytes));
        if (!p_) return false;
        std::memset(p_, 0, bytes);
        n_ = n;
        return true;
    }
    void zero() { if (p_) std::memset(p_, 0, n_ * sizeof(float)); }
    void swap(Floats& o) { std::swap(p_, o.p_); std::swap(n_, o.n_); }
    float* data() { return p_; }
    const float* data() const { return p_; }
    size_t size() const { return n_; }
private:
    float* p_ = nullptr;
    size_t n_ = 0;
};

bool all_finite(const float* p, size_t n) {
    uint32_t bad = 0;                    // an all-ones exponent is NaN or Inf
    for (size_t i = 0; i < n; ++i) {
        uint32_t b;
        std::memcpy(&b, p + i, 4);
        bad |= uint32_t((b & 0x7f800000u) == 0x7f800000u);
    }
    return bad == 0;
}

constexpr int kBlock = 32;               // transposes go by 32 x 32 blocks, both sides in L1

// dst (cols, ldd) = src (rows, lds)^T for rows x cols; `add` adds src^T into dst instead.
void transpose_block(float* dst, ptrdiff_t ldd, const float* src, ptrdiff_t lds, int rows, int cols, bool add) {
    for (int r0 = 0; r0 < rows; r0 += kBlock)
        for (int c0 = 0; c0 < cols; c0 += kBlock) {
            const int r1 = std::min(rows, r0 + kBlock), c1 = std::min(cols, c0 + kBlock);
            for (int c = c0; c < c1; ++c)
                for (int r = r0; r < r1; ++r) {
                    if (add) dst[c * ldd + r] += src[r * lds + c];
                    else dst[c * ldd + r] = src[r * lds + c];
                }
        }
}

}  // namespace

const char* superpose_loss_name(SuperposeLoss loss) { return loss == SuperposeLoss::video ? "video" : "exp"; }

bool parse_superpose_loss(const std::string& name, SuperposeLoss* out) {
    if (name == "video") { *out = SuperposeLoss::video; return true; }
    if (name == "exp") { *out = SuperposeLoss::exp; return true; }
    return false;
}

double superpose_bytes_needed(int n, int d, spk::KernelKind kernel, int shares) {
    const spk::KernelImpl& k = spk::kernel_impl(kernel);
    const double dp = spk::padded_dim(d, k), np = spk::padded_count(n, k);
    const double extra = std::max(0, shares - 1);
    const double floats = (5.0 + extra) * n * dp  // V, V_prev, g_row, Adam m and v   (N, dp); g_row per share
                          + (2.0 + extra) * d * np   // VT, gT                         (d, np); gT per share
                          + np                    // 1/|v_i|
                          + (1.0 + extra) * double(spk::tile_floats(k));
    return floats * sizeof(float) + sizeof(spk::StatsSums);
}

bool superpose_validate(const SuperposeConfig& c, std::string* err) {
    auto fail = [&](const std::string& m) { if (err) *err = m; return false; };
    if (c.n < 2 || c.n > kMaxN) return fail("n must be between 2 and 200,000 vectors, got " + std::to_string(c.n));
    if (c.d < 2 || c.d > kMaxD) return fail("d must be between 2 and 4,096 dimensions, got " + std::to_string(c.d));
    if (c.steps < 0 || c.steps > 10000000) return fail("steps must be between 0 and 10,000,000");
    if (!(c.lr > 0.f && c.lr <= 10.f)) return fail("lr must be in (0, 10]");
    if (!(c.t_start > 0.f && c.t_start <= 1e5f && c.t_end > 0.f && c.t_end <= 1e5f))
        return fail("t_start and t_end must be in (0, 100000]");
    if (!(c.lr_end_ratio > 0.f && c.lr_end_ratio <= 1.f)) return fail("lr_end_ratio must be in (0, 1]");
    if (!(c.polish >= 0.f && c.polish <= 0.9f)) return fail("polish must be in [0, 0.9] (a share of the steps)");
    if (!(c.t_polish >= c.t_end && c.t_polish <= 1e5f)) return fail("t_polish must be in [t_end, 100000]");
    if (c.stats_every < 0) return fail("stats_every must be >= 0");
    if (c.threads < 1 || c.threads > 64) return fail("threads must be between 1 and 64, got " + std::to_string(c.threads));
    if (c.kernel == spk::KernelKind::reference) return fail("the reference kernel is for tests only (no tiles)");
    const double need = superpose_bytes_needed(c.n, c.d, c.kernel, c.threads);
    if (need > c.memory_cap_bytes) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "%d x %d needs %.0f MB, over the %.0f MB this build allows", c.n, c.d,
                      need / 1048576.0, c.memory_cap_bytes / 1048576.0);
        return fail(buf);
    }
    return true;
}

// ---- [SECTION] tiles and shares ---------------------------------------------------------
std::vector<PairTile> superpose_tiles(int n, const spk::KernelImpl& k) {
    const int R = k.tile_rows, C = k.tile_cols;
    const int ncols = (n + k.row_pad - 1) / k.row_pad * k.row_pad;
    std::vector<PairTile> t;
    for (int i0 = 0; i0 < n; i0 += R)
        for (int j0 = i0; j0 < ncols; j0 += C) t.push_back({i0, std::min(i0 + R, n), j0, std::min(j0 + C, ncols)});
    return t;
}

std::vector<ShareRange> plan_shares(const std::vector<PairTile>& tiles, int K) {
    K = std::max(1, K);
    std::vector<double> before(tiles.size() + 1, 0.0);       // cells of the tiles before tile t
    for (size_t t = 0; t < tiles.size(); ++t)
        before[t + 1] = before[t] + double(tiles[t].i1 - tiles[t].i0) * (tiles[t].j1 - tiles[t].j0);
    const double total = before.back();
    std::vector<ShareRange> out(static_cast<size_t>(K));
    int t = 0;
    for (int k = 0; k < K; ++k) {
        out[k].tile_begin = t;
        // the boundary nearest to (k + 1) / K of the cells; the last share takes the rest
        const double goal = total * (k + 1) / K;
        if (k == K - 1) t = int(tiles.size());
        else
            while (t < int(tiles.size()) && std::fabs(before[t + 1] - goal) <= std::fabs(before[t] - goal)) ++t;
        out[k].tile_end = t;
        out[k].cells = before[t] - before[out[k].tile_begin];
    }
    return out;
}

bool add_partial(SharePartial* acc, const SharePartial& p) {
    if (acc->grad.rows() != p.grad.rows() || acc->grad.cols() != p.grad.cols()) return false;
    acc->grad += p.grad;
    acc->sums.loss += p.sums.loss;
    acc->sums.max_c2 = std::max(acc->sums.max_c2, p.sums.max_c2);
    return true;
}

namespace {

// The gradient buffers of one share: its tiles add into g_row and gT; after the pass,
// finish() folds gT^T into g_row, which then holds the share's partial (N, dp).
struct ShareBuf {
    Floats g_row;                        // (N, dp)
    Floats gT;                           // (d, np)
    Floats tile;                         // scratch of the kernel's tile
    spk::GradSums sums;
    bool alloc(size_t rows, size_t cols, size_t tile_n) {
        Floats a, b, c;
        if (!a.resize(rows) || !b.resize(cols) || !c.resize(tile_n)) return false;
        g_row.swap(a);
        gT.swap(b);
        tile.swap(c);
        return true;
    }
    void clear() {
        g_row.zero();
        gT.zero();
        sums = spk::GradSums();
    }
    void finish(int n, int d, int dp, int np) { transpose_block(g_row.data(), dp, gT.data(), np, d, n, true); }
};

// Sizes shared by the Superposer and SuperposeShare.
struct Layout {
    const spk::KernelImpl* k = nullptr;
    int n = 0, d = 0, dp = 0, np = 0;
    void set(int n_, int d_, spk::KernelKind kind) {
        k = &spk::kernel_impl(kind);
        n = n_;
        d = d_;
        dp = spk::padded_dim(d, *k);
        np = spk::padded_count(n, *k);
    }
    spk::PairData pair_data(const float* V, const float* VT, ShareBuf* b, const float* rnorm) const {
        return spk::PairData{n, d, dp, np, V, VT, b->g_row.data(), b->gT.data(), rnorm};
    }
};

void run_tiles(const Layout& L, const spk::PairData& pd, const spk::LossParams& lp, const std::vector<PairTile>& tiles,
               int t0, int t1, ShareBuf* b) {
    for (int t = t0; t < t1; ++t) {
        const PairTile& q = tiles[size_t(t)];
        L.k->grad_tile(pd, lp, q.i0, q.i1, q.j0, q.j1, b->tile.data(), &b->sums);
    }
}

}  // namespace

// ---- [SECTION] SuperposeShare: one share, anywhere ----------------------------------------
struct SuperposeShare::Impl {
    Layout L;
    Floats V, VT;                        // (N, dp), (d, np)
    ShareBuf buf;
    std::vector<PairTile> tiles;
};

SuperposeShare::SuperposeShare() : m_(new Impl) {}
SuperposeShare::~SuperposeShare() { delete m_; }
const std::vector<PairTile>& SuperposeShare::tiles() const { return m_->tiles; }

bool SuperposeShare::setup(int n, int d, spk::KernelKind kernel, std::string* err) {
    SuperposeConfig c;
    c.n = n;
    c.d = d;
    c.kernel = kernel;
    if (!superpose_validate(c, err)) return false;
    Layout L;
    L.set(n, d, kernel);
    Floats V, VT;
    ShareBuf b;
    if (!V.resize(size_t(n) * L.dp) || !VT.resize(size_t(d) * L.np) ||
        !b.alloc(size_t(n) * L.dp, size_t(d) * L.np, spk::tile_floats(*L.k))) {
        if (err) *err = "out of memory allocating a share of " + std::to_string(n) + " x " + std::to_string(d);
        return false;
    }
    Impl& x = *m_;                       // commit only once everything is allocated
    x.L = L;
    x.V.swap(V);
    x.VT.swap(VT);
    x.buf.g_row.swap(b.g_row);
    x.buf.gT.swap(b.gT);
    x.buf.tile.swap(b.tile);
    x.tiles = superpose_tiles(n, *L.k);
    return true;
}

bool SuperposeShare::set_vectors(const float* V, int ld) {
    Impl& x = *m_;
    if (!x.L.k || ld < x.L.d) return false;
    for (int i = 0; i < x.L.n; ++i)
        std::memcpy(x.V.data() + size_t(i) * x.L.dp, V + size_t(i) * ld, size_t(x.L.d) * sizeof(float));
    transpose_block(x.VT.data(), x.L.np, x.V.data(), x.L.dp, x.L.n, x.L.d, false);
    return true;
}

void SuperposeShare::compute(const spk::LossParams& lp, const ShareRange& r, SharePartial* out) {
    Impl& x = *m_;
    const Layout& L = x.L;
    x.buf.clear();
    const int t0 = std::max(0, r.tile_begin), t1 = std::min(int(x.tiles.size()), r.tile_end);
    run_tiles(L, L.pair_data(x.V.data(), x.VT.data(), &x.buf, nullptr), lp, x.tiles, t0, t1, &x.buf);
    x.buf.finish(L.n, L.d, L.dp, L.np);
    out->grad.resize(L.n, L.d);
    for (int i = 0; i < L.n; ++i)
        std::memcpy(out->grad.data() + size_t(i) * L.d, x.buf.g_row.data() + size_t(i) * L.dp, size_t(L.d) * sizeof(float));
    out->sums = x.buf.sums;
}

// ---- [SECTION] the state behind a Superposer -------------------------------------------
struct Superposer::Impl {
    Layout L;
    const spk::KernelImpl* k = nullptr;
    int n = 0, d = 0, dp = 0, np = 0;
    Floats V, V_prev, m, v;              // (N, dp)
    Floats VT;                           // (d, np)
    Floats rnorm;                        // (np)
    std::vector<ShareBuf> share;         // cfg.threads of them; share[0] ends as the summed gradient
    std::vector<PairTile> tiles;         // one pass, in order
    std::vector<ShareRange> ranges;      // the gradient pass's shares
    spk::PairData pd;                    // share[0]'s view (the stats pass uses it too)

    enum class Pass { none, grad, stats };
    Pass pass = Pass::none;
    int t = 0;                           // the next tile
    int s = 0;                           // the share it belongs to (grad)
    double cells_done = 0, cells_total = 0;
    double pass_start_ms = 0;
    spk::LossParams lp;
    spk::StatsSums ssum;
    bool stats_requested = false;
    bool retried = false;                // exp: the pass is a redo with a better shift
    float max_c2_prev = -1.f;            // exp: largest cos^2 seen by the last pass (-1: unknown)

    // exp pair list (cfg.pair_list)
    std::vector<uint64_t> list;          // pairs i << 32 | j, i < j, in tile order
    std::vector<std::vector<uint64_t>> list_parts;   // per share while collecting
    Floats V_list;                       // (N, dp) the vectors when the list was built
    float c_thr = 0.f;                   // pairs left out had |cos| < c_thr then
    bool list_ok = false;
    float t_no_list_below = 0.f;         // a list was too long at a smaller t: wait for this t

    float* g() { return share[0].g_row.data(); }   // (N, dp) the gradient, once summed
    spk::GradSums& gsum() { return share[0].sums; }
    void refresh_transpose() {           // VT (d, np) <- V (N, dp)^T
        transpose_block(VT.data(), np, V.data(), dp, n, d, false);
    }
    void begin(Pass p) {
        pass = p;
        t = 0;
        s = 0;
        cells_done = 0;
        cells_total = 0;
        for (const PairTile& q : tiles) cells_total += double(q.i1 - q.i0) * (q.j1 - q.j0);
        pass_start_ms = now_ms();
        if (p == Pass::grad) {
            for (ShareBuf& b : share) b.clear();
        } else {
            ssum.clear();
            for (int i = 0; i < n; ++i) {
                const float* row = V.data() + size_t(i) * dp;
                double sq = 0;
                for (int k2 = 0; k2 < d; ++k2) sq += double(row[k2]) * row[k2];
                rnorm.data()[i] = sq > 0 ? float(1.0 / std::sqrt(sq)) : 0.f;
            }
        }
    }
    spk::PairData share_data(int k2) { return L.pair_data(V.data(), VT.data(), &share[size_t(k2)], rnorm.data()); }
    // One tile of the pass under way; true when the pass is done.
    bool do_tile() {
        const PairTile& q = tiles[size_t(t)];
        if (pass == Pass::grad) {
            while (t >= ranges[size_t(s)].tile_end) ++s;
            const spk::PairData p = share_data(s);
            k->grad_tile(p, lp, q.i0, q.i1, q.j0, q.j1, share[size_t(s)].tile.data(), &share[size_t(s)].sums);
        } else {
            k->stats_tile(pd, lp, q.i0, q.i1, q.j0, q.j1, share[0].tile.data(), &ssum);
        }
        cells_done += double(q.i1 - q.i0) * (q.j1 - q.j0);
        return ++t >= int(tiles.size());
    }
    // Every share of a gradient pass on its own thread (or in turn: the same numbers).
    void grad_shares_threaded() {
        parallel_for(int(share.size()), int(share.size()), [&](int k2) {
            const spk::PairData p = share_data(k2);
            run_tiles(L, p, lp, tiles, ranges[size_t(k2)].tile_begin, ranges[size_t(k2)].tile_end, &share[size_t(k2)]);
        });
        cells_done = cells_total;
    }
    // The pass's partials, each g_row + gT^T, summed into share[0] in the order 0, 1, ...
    // (what add_partial does with SuperposeShare's partials, to the bit).
    void sum_shares() {
        for (ShareBuf& b : share) b.finish(n, d, dp, np);
        float* g0 = g();
        for (size_t k2 = 1; k2 < share.size(); ++k2) {
            const float* gk = share[k2].g_row.data();
            for (int i = 0; i < n; ++i)
                for (int c = 0; c < d; ++c) g0[size_t(i) * dp + c] += gk[size_t(i) * dp + c];
            share[0].sums.loss += share[k2].sums.loss;
            share[0].sums.max_c2 = std::max(share[0].sums.max_c2, share[k2].sums.max_c2);
        }
    }
};

Superposer::Superposer() : m_(new Impl) {}
Superposer::~Superposer() { delete m_; }

int Superposer::polish_start() const {
    if (cfg_.loss != SuperposeLoss::exp || cfg_.polish <= 0.f) return cfg_.steps;
    const int p = int(std::lround(double(cfg_.polish) * cfg_.steps));
    return std::max(cfg_.steps - p, std::min(cfg_.steps, 1));   // the main phase keeps >= 1 step
}

// Where the next step sits in its phase: 0 at the phase's first step, 1 at its last.
static double phase_fraction(int step, int first, int last) {
    const int s = std::min(std::max(step, first), last);
    return last > first ? double(s - first) / (last - first) : 1.0;
}

// The next step's phase and where it sits in it; past the plan without a polish is main.
bool Superposer::in_polish_(double* f) const {
    const int ps = polish_start();
    const bool polish = ps < cfg_.steps && step_ >= ps;
    *f = polish ? phase_fraction(step_, ps, cfg_.steps - 1) : phase_fraction(step_, 0, ps - 1);
    return polish;
}

float Superposer::current_t() const {
    double f = 0;
    if (!in_polish_(&f)) return float(cfg_.t_start * std::pow(double(cfg_.t_end) / cfg_.t_start, f));
    return float(cfg_.t_end * std::pow(double(cfg_.t_polish) / cfg_.t_end, f));   // t_end -> t_polish
}

float Superposer::current_lr() const {
    if (cfg_.loss == SuperposeLoss::video) return cfg_.lr;
    double hi = cfg_.lr, lo = double(cfg_.lr) * cfg_.lr_end_ratio, f = 0;
    if (in_polish_(&f)) {                // polish: a further 100x down, cosine again
        hi = lo;
        lo *= 0.01;
    }
    return float(lo + (hi - lo) * 0.5 * (1.0 + std::cos(kPi * f)));
}

const char* Superposer::kernel_name() const { return m_->k ? m_->k->name : "none"; }

double Superposer::bytes() const {
    const Impl& x = *m_;
    double f = double(x.V.size() + x.V_prev.size() + x.m.size() + x.v.size() + x.VT.size() + x.rnorm.size());
    for (const ShareBuf& b : x.share) f += double(b.g_row.size() + b.gT.size() + b.tile.size());
    return 4.0 * f + sizeof(Impl);
}

Superposer::ConstRowMap Superposer::vectors() const {
    return ConstRowMap(m_->V.data(), m_->n, m_->d, Eigen::OuterStride<>(std::max(m_->dp, 1)));
}

double Superposer::pass_progress() const {
    return m_->pass == Impl::Pass::none || m_->cells_total <= 0 ? 0.0 : m_->cells_done / m_->cells_total;
}

void Superposer::request_stats() { m_->stats_requested = true; }

bool Superposer::reset(const SuperposeConfig& cfg, std::string* err) {
    if (!superpose_validate(cfg, err)) return false;
    // Allocate everything first; only then touch the current run (a failed allocation
    // leaves it as it was).
    Layout L;
    L.set(cfg.n, cfg.d, cfg.kernel);
    const size_t rows = size_t(L.n) * L.dp, cols = size_t(L.d) * L.np;
    Floats V, V_prev, m, v, VT, rnorm;
    std::vector<ShareBuf> share(static_cast<size_t>(cfg.threads));
    bool ok = V.resize(rows) && V_prev.resize(rows) && m.resize(rows) && v.resize(rows) && VT.resize(cols) &&
              rnorm.resize(size_t(L.np));
    for (ShareBuf& b : share) ok = ok && b.alloc(rows, cols, spk::tile_floats(*L.k));
    // The pass's tiles and shares too: a failure here must also keep the old run.
    std::vector<PairTile> tiles;
    std::vector<ShareRange> ranges;
    if (ok) {
        tiles = superpose_tiles(L.n, *L.k);
        ranges = factlab::plan_shares(tiles, cfg.threads);
        ok = !tiles.empty() && int(ranges.size()) == cfg.threads;
    }
    if (!ok || (alloc_fail_hook_ && alloc_fail_hook_())) {
        if (err) *err = "out of memory allocating " + std::to_string(cfg.n) + " x " + std::to_string(cfg.d) +
                        "; the previous run is kept";
        return false;
    }
    Impl& x = *m_;
    cfg_ = cfg;
    step_ = 0;
    loss_history_.clear();
    stats_ = SuperposeStats();
    error_.clear();
    last_step_seconds_ = 0;
    x.L = L;
    x.k = L.k;
    x.n = L.n;
    x.d = L.d;
    x.dp = L.dp;
    x.np = L.np;
    x.V.swap(V);
    x.V_prev.swap(V_prev);
    x.m.swap(m);
    x.v.swap(v);
    x.VT.swap(VT);
    x.rnorm.swap(rnorm);
    x.share.swap(share);
    x.tiles.swap(tiles);
    x.ranges.swap(ranges);
    x.pd = x.share_data(0);
    // Seeded Gaussian vectors, normalised (like torch.randn(N, d) / norm).
    Rng rng(cfg.seed);
    for (int i = 0; i < x.n; ++i) {
        float* row = x.V.data() + size_t(i) * x.dp;
        double s = 0;
        for (int k = 0; k < x.d; ++k) {
            row[k] = float(rng.normal());
            s += double(row[k]) * row[k];
        }
        const float inv = float(1.0 / std::sqrt(s));
        for (int k = 0; k < x.d; ++k) row[k] *= inv;
    }
    x.refresh_transpose();
    x.pass = Impl::Pass::none;
    x.stats_requested = false;
    x.retried = false;
    x.max_c2_prev = -1.f;
    x.list_ok = false;
    x.list.clear();
    x.t_no_list_below = 0.f;
    list_counts_ = ListCounts();
    return true;
}

bool Superposer::set_vectors(const Eigen::Ref<const Eigen::MatrixXf>& Vin, std::string* err) {
    Impl& x = *m_;
    if (!x.k || Vin.rows() != x.n || Vin.cols() != x.d) {
        if (err) *err = "set_vectors wants (" + std::to_string(x.n) + ", " + std::to_string(x.d) + ")";
        return false;
    }
    if (!Vin.allFinite()) {
        if (err) *err = "set_vectors: the vectors contain NaN or Inf";
        return false;
    }
    for (int i = 0; i < x.n; ++i) {
        float* row = x.V.data() + size_t(i) * x.dp;
        double s = 0;
        for (int k = 0; k < x.d; ++k) s += double(Vin(i, k)) * Vin(i, k);
        const float inv = cfg_.loss == SuperposeLoss::exp && s > 0 ? float(1.0 / std::sqrt(s)) : 1.f;
        for (int k = 0; k < x.d; ++k) row[k] = Vin(i, k) * inv;
    }
    x.refresh_transpose();
    x.m.zero();
    x.v.zero();
    x.pass = Impl::Pass::none;
    x.retried = false;
    x.max_c2_prev = -1.f;
    x.list_ok = false;
    x.t_no_list_below = 0.f;
    error_.clear();
    return true;
}

// ---- [SECTION] finishing a pass ------------------------------------------------------
namespace {

// The loss parameters of a pass at sharpness t; exp shifts by t * (largest cos^2 last seen)
// so that exp() stays in float range: arguments <= ~0 for the worst pair, and a guess
// that keeps every argument <= 80 for unit vectors when nothing was seen yet.
spk::LossParams loss_params(const SuperposeConfig& c, float t, float max_c2_prev) {
    spk::LossParams lp;
    lp.kind = c.loss == SuperposeLoss::video ? spk::LossKind::video : spk::LossKind::exp;
    lp.thr = 0.01f;
    lp.n_weight = float(c.n);
    lp.t = t;
    lp.shift = max_c2_prev >= 0 ? t * max_c2_prev : std::max(0.f, t - 80.f);
    return lp;
}

double soft_max_c2(const spk::LossParams& lp, double z, float max_c2) {
    return z > 0 && std::isfinite(z) ? (lp.shift + std::log(z)) / lp.t : double(max_c2);
}

void fill_stats(SuperposeStats* s, const spk::StatsSums& ss, const spk::LossParams& lp, int n, int d) {
    s->n = n;
    s->d = d;
    s->pairs = ss.pairs;
    s->loss = lp.kind == spk::LossKind::video ? ss.loss.loss : soft_max_c2(lp, ss.loss.loss, ss.loss.max_c2);
    const double cmax = std::min(1.0, double(ss.cmax)), cmin = std::max(-1.0, double(ss.cmin));
    s->min_angle_deg = std::acos(cmax) * 180.0 / kPi;
    s->max_angle_deg = std::acos(cmin) * 180.0 / kPi;
    s->worst_abs_cos = std::max(cmax, -cmin);
    s->worst_angle_deg = std::acos(s->worst_abs_cos) * 180.0 / kPi;
    s->min_pair[0] = ss.imax; s->min_pair[1] = ss.jmax;
    s->max_pair[0] = ss.imin; s->max_pair[1] = ss.jmin;
    s->within1 = ss.pairs ? double(ss.within1) / ss.pairs : 0.0;
    s->within5 = ss.pairs ? double(ss.within5) / ss.pairs : 0.0;
    s->hist_fine.assign(spk::kHistBins, 0);
    ss.merge_hist(s->hist_fine.data());
    s->hist_zoom.assign(s->hist_fine.begin() + 800, s->hist_fine.begin() + 800 + kZoomBins);
    s->hist_full.assign(kFullBins, 0);
    for (int b = 0; b < spk::kHistBins; ++b) s->hist_full[b / 5] += s->hist_fine[b];
    s->welch = welch_bound(n, d);
    s->levenshtein = levenshtein_bound(n, d);
    s->limit_angle_deg = worst_angle_limit_deg(n, d);
    s->random_angle_std_deg = random_angle_std_deg(d);
    s->random_worst_abs_cos = random_worst_abs_cos(n, d);
}

}  // namespace

// ---- [SECTION] the slice loop ---------------------------------------------------------
int Superposer::work(double budget_ms, int max_steps) {
    if (!error_.empty() || !m_->k) return -1;
    Impl& x = *m_;
    const double start = now_ms();
    int steps = 0;
    for (;;) {
        if (x.pass == Impl::Pass::none) {
            if (x.stats_requested) {
                x.lp = loss_params(cfg_, current_t(), x.max_c2_prev);
                x.begin(Impl::Pass::stats);
            } else if (steps >= max_steps || (max_steps > 1 && done())) {
                break;
            } else {
                x.lp = loss_params(cfg_, current_t(), x.max_c2_prev);
                x.retried = false;
                x.begin(Impl::Pass::grad);
            }
        }
        if (x.do_tile()) {
            if (x.pass == Impl::Pass::grad) x.sum_shares();
            const Impl::Pass finished = x.pass;
            x.pass = Impl::Pass::none;
            if (finished == Impl::Pass::stats) {
                x.stats_requested = false;
                fill_stats(&stats_, x.ssum, x.lp, x.n, x.d);
                stats_.step = step_;
                stats_.seconds = (now_ms() - x.pass_start_ms) / 1000.0;
                if (x.ssum.loss.max_c2 > 0) x.max_c2_prev = x.ssum.loss.max_c2;
            } else {
                const int r = finish_step_();
                if (r < 0) return -1;
                if (r == 0) x.begin(Impl::Pass::grad);          // exp: redo with the better shift
                if (r > 0) {
                    ++steps;
                    if (cfg_.stats_every > 0 && step_ % cfg_.stats_every == 0) x.stats_requested = true;
                }
            }
        }
        if (now_ms() - start >= budget_ms) break;
    }
    return steps;
}

// Gradient pass done and summed (share[0] holds g_row + gT^T of every share): guards,
// Adam. Returns 1 (a step), 0 (redo the pass with x.lp's better shift), -1 (error).
int Superposer::finish_step_() {
    Impl& x = *m_;
    const double finish_start = now_ms();
    const int n = x.n, d = x.d, dp = x.dp;
    float* g = x.g();
    const spk::GradSums gs = x.gsum();
    const bool is_exp = cfg_.loss == SuperposeLoss::exp;
    double loss = gs.loss;
    float gscale = 1.f;
    if (is_exp) {
        const double z = gs.loss;
        const bool bad_shift = !(z > 0) || !std::isfinite(z) || x.lp.t * gs.max_c2 - x.lp.shift > 60.f;
        if (bad_shift && !x.retried && std::isfinite(gs.max_c2)) {     // redo with a good shift
            x.retried = true;
            x.lp.shift = x.lp.t * gs.max_c2;
            return 0;
        }
        loss = soft_max_c2(x.lp, z, gs.max_c2);
        gscale = float(1.0 / z);
        x.max_c2_prev = gs.max_c2;
    }
    // exp: the soft maximum's gradient, on the sphere.
    for (int i = 0; i < n; ++i) {
        float* gi = g + size_t(i) * dp;
        if (gscale != 1.f)
            for (int k = 0; k < d; ++k) gi[k] *= gscale;
        if (is_exp) {
            const float* vi = x.V.data() + size_t(i) * dp;
            float dot = 0.f;
            for (int k = 0; k < d; ++k) dot += gi[k] * vi[k];
            for (int k = 0; k < d; ++k) gi[k] -= dot * vi[k];
        }
    }
    if (!std::isfinite(loss) || !all_finite(g, size_t(n) * dp)) {
        error_ = "step " + std::to_string(step_ + 1) + ": the loss or gradient is not finite (NaN/Inf); "
                 "stopped, the vectors are those of step " + std::to_string(step_);
        return -1;
    }
    // Adam, as PyTorch: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
    // V <- V - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    // Adam restarts (fresh moments) when the polish begins: its steps are 100x finer.
    const int ps = polish_start();
    double unused = 0;
    const bool polishing = in_polish_(&unused);
    if (polishing && step_ == ps) {
        x.m.zero();
        x.v.zero();
    }
    const int t = step_ + 1 - (polishing ? ps : 0);
    const float bc1 = float(1.0 - std::pow(0.9, t)), bc2_sqrt = float(std::sqrt(1.0 - std::pow(0.999, t)));
    const float step_size = current_lr() / bc1;
    std::memcpy(x.V_prev.data(), x.V.data(), x.V.size() * sizeof(float));
    for (int i = 0; i < n; ++i) {
        float* vi = x.V.data() + size_t(i) * dp;
        float* mi = x.m.data() + size_t(i) * dp;
        float* si = x.v.data() + size_t(i) * dp;
        const float* gi = g + size_t(i) * dp;
        for (int k = 0; k < d; ++k) {
            mi[k] = b1 * mi[k] + (1.f - b1) * gi[k];
            si[k] = b2 * si[k] + (1.f - b2) * gi[k] * gi[k];
            vi[k] -= step_size * mi[k] / (std::sqrt(si[k]) / bc2_sqrt + eps);
        }
        if (is_exp) {                    // back onto the sphere
            double s = 0;
            for (int k = 0; k < d; ++k) s += double(vi[k]) * vi[k];
            const float inv = float(1.0 / std::sqrt(s));
            for (int k = 0; k < d; ++k) vi[k] *= inv;
        }
    }
    if (!all_finite(x.V.data(), x.V.size())) {
        std::memcpy(x.V.data(), x.V_prev.data(), x.V.size() * sizeof(float));
        error_ = "step " + std::to_string(step_ + 1) + ": the vectors became NaN/Inf; stopped and restored "
                 "those of step " + std::to_string(step_);
        return -1;
    }
    x.refresh_transpose();
    x.retried = false;
    loss_history_.push_back(float(loss));
    ++step_;
    last_step_seconds_ = (now_ms() - x.pass_start_ms) / 1000.0;
    last_finish_seconds_ = (now_ms() - finish_start) / 1000.0;
    return 1;
}

// One whole step with its shares on threads (a pass under way or a queued statistics
// pass go the sliced way first). Same numbers as work() for the same cfg.threads.
int Superposer::threaded_step_() {
    Impl& x = *m_;
    x.lp = loss_params(cfg_, current_t(), x.max_c2_prev);
    x.retried = false;
    for (;;) {
        x.begin(Impl::Pass::grad);
        x.grad_shares_threaded();
        x.sum_shares();
        x.pass = Impl::Pass::none;
        const int r = finish_step_();
        if (r != 0) return r;
    }
}

// ---- [SECTION] the exp loss's pair list -------------------------------------------------
namespace {
constexpr double kCut = -30.0;           // the epilogue drops weights below e^-30 of the shift
constexpr double kCosSlack = 1e-5;       // float rounding of a listed G (d 2^-24 for d <= 4096, and more)
}  // namespace

// One exp step on the pair list when the bound allows it (building the list when needed).
// 1: stepped; 0: not now (the caller makes a full step); -1: error.
int Superposer::list_step_() {
    Impl& x = *m_;
    const float t = current_t();
    if (x.max_c2_prev < 0 || t < x.t_no_list_below) return 0;
    const spk::LossParams lp = loss_params(cfg_, t, x.max_c2_prev);
    const int n = x.n, d = x.d, dp = x.dp;
    auto bound_arg = [&](double c_up) { return double(lp.t) * c_up * c_up - double(lp.shift); };
    double c_up = 2.0;
    if (x.list_ok) {                     // |cos| of a pair left out <= c_thr + D_1 + D_2
        double d1 = 0, d2 = 0;
        for (int i = 0; i < n; ++i) {
            const float* a = x.V.data() + size_t(i) * dp;
            const float* b = x.V_list.data() + size_t(i) * dp;
            double sq = 0;
            for (int k2 = 0; k2 < d; ++k2) sq += (double(a[k2]) - b[k2]) * (double(a[k2]) - b[k2]);
            const double D = std::sqrt(sq);
            if (D > d1) { d2 = d1; d1 = D; }
            else if (D > d2) d2 = D;
        }
        c_up = (x.c_thr + d1 + d2) * (1.0 + 1e-6);            // |v| = 1 to float rounding
    }
    if (!x.list_ok || !(bound_arg(c_up) < kCut)) {            // (re)build: one Gram pass
        x.list_ok = false;
        const double c2 = (double(lp.shift) + kCut - cfg_.list_margin) / double(lp.t);
        if (!(c2 > 0)) {
            x.t_no_list_below = t * 1.25f;
            return 0;
        }
        const size_t cap = size_t(cfg_.list_max_share * 0.5 * double(n) * (n - 1)) + 1;
        const int K = int(x.share.size());
        x.list_parts.resize(size_t(K));
        std::vector<char> over(size_t(K), 0);
        parallel_for(K, K, [&](int k2) {
            std::vector<uint64_t>& part = x.list_parts[size_t(k2)];
            part.clear();
            const spk::PairData p = x.share_data(k2);
            for (int q = x.ranges[size_t(k2)].tile_begin; q < x.ranges[size_t(k2)].tile_end && !over[size_t(k2)]; ++q) {
                const PairTile& tl = x.tiles[size_t(q)];
                x.k->collect_tile(p, float(c2), tl.i0, tl.i1, tl.j0, tl.j1, x.share[size_t(k2)].tile.data(), &part);
                if (part.size() > cap) over[size_t(k2)] = 1;
            }
        });
        size_t total = 0;
        bool too_many = false;
        for (int k2 = 0; k2 < K; ++k2) {
            total += x.list_parts[size_t(k2)].size();
            too_many = too_many || over[size_t(k2)];
        }
        if (too_many || total > cap) {
            ++list_counts_.refused;
            x.t_no_list_below = t * 1.25f;
            for (auto& part : x.list_parts) std::vector<uint64_t>().swap(part);
            return 0;
        }
        x.list.clear();
        x.list.reserve(total);
        for (auto& part : x.list_parts) x.list.insert(x.list.end(), part.begin(), part.end());
        if (x.V_list.size() != x.V.size() && !x.V_list.resize(x.V.size())) return 0;
        std::memcpy(x.V_list.data(), x.V.data(), x.V.size() * sizeof(float));
        x.c_thr = float(std::sqrt(c2) + kCosSlack);
        x.list_ok = true;
        ++list_counts_.builds;
        list_counts_.pairs = (long long)x.list.size();
        c_up = x.c_thr;
        if (!(bound_arg(c_up) < kCut)) {                       // margin too small to prove anything
            x.list_ok = false;
            return 0;
        }
    }
    // The gradient from the listed pairs, split like a pass: share k takes a run of the list.
    x.lp = lp;
    x.retried = false;
    x.begin(Impl::Pass::grad);
    x.pass = Impl::Pass::none;
    const int K = int(x.share.size());
    const size_t m = x.list.size();
    parallel_for(K, K, [&](int k2) {
        const size_t a = m * size_t(k2) / size_t(K), b = m * size_t(k2 + 1) / size_t(K);
        const spk::PairData p = x.share_data(k2);
        x.k->list_grad(p, x.lp, x.list.data() + a, b - a, &x.share[size_t(k2)].sums);
    });
    x.sum_shares();
    list_counts_.bound_arg = bound_arg(c_up);
    int r = finish_step_();
    while (r == 0) {                     // the shift was off: a full pass settles it
        x.list_ok = false;
        x.begin(Impl::Pass::grad);
        x.grad_shares_threaded();
        x.sum_shares();
        x.pass = Impl::Pass::none;
        r = finish_step_();
    }
    if (r > 0) ++list_counts_.list_steps;
    return r;
}

bool Superposer::step() {
    if (!error_.empty() || !m_->k) return false;
    if (cfg_.pair_list && cfg_.loss == SuperposeLoss::exp && m_->pass == Impl::Pass::none && !m_->stats_requested) {
        const int r = list_step_();
        if (r < 0) return false;
        if (r > 0) {
            if (cfg_.stats_every > 0 && step_ % cfg_.stats_every == 0) m_->stats_requested = true;
            return true;
        }
        ++list_counts_.full_steps;
    }
    if (cfg_.threads > 1 && m_->pass == Impl::Pass::none && !m_->stats_requested) {
        if (threaded_step_() < 0) return false;
        if (cfg_.stats_every > 0 && step_ % cfg_.stats_every == 0) m_->stats_requested = true;
        return true;
    }
    return work(std::numeric_limits<double>::infinity(), 1) == 1;
}

// ---- [SECTION] split steps -------------------------------------------------------------
std::vector<ShareRange> Superposer::plan_shares(int K) const { return factlab::plan_shares(m_->tiles, K); }

spk::LossParams Superposer::step_params() const {
    return m_->retried ? m_->lp : loss_params(cfg_, current_t(), m_->max_c2_prev);
}

int Superposer::apply(const SharePartial& sum) { return apply(sum, step_params()); }

int Superposer::apply(const SharePartial& sum, const spk::LossParams& lp) {
    Impl& x = *m_;
    if (!error_.empty() || !x.k) return -1;
    if (sum.grad.rows() != x.n || sum.grad.cols() != x.d) {
        error_ = "apply: the summed partial gradient is not (" + std::to_string(x.n) + ", " + std::to_string(x.d) + ")";
        return -1;
    }
    if (x.pass != Impl::Pass::none) {
        error_ = "apply: a sliced pass is under way on these vectors";
        return -1;
    }
    x.lp = lp;
    float* g = x.g();
    for (int i = 0; i < x.n; ++i)
        std::memcpy(g + size_t(i) * x.dp, sum.grad.data() + size_t(i) * x.d, size_t(x.d) * sizeof(float));
    x.gsum() = sum.sums;
    x.pass_start_ms = now_ms();
    return finish_step_();
}

bool Superposer::gradient(SharePartial* out) {
    Impl& x = *m_;
    if (!error_.empty() || !x.k || x.pass != Impl::Pass::none) return false;
    x.lp = step_params();
    x.begin(Impl::Pass::grad);
    x.grad_shares_threaded();
    x.sum_shares();
    x.pass = Impl::Pass::none;
    out->grad.resize(x.n, x.d);
    for (int i = 0; i < x.n; ++i)
        std::memcpy(out->grad.data() + size_t(i) * x.d, x.g() + size_t(i) * x.dp, size_t(x.d) * sizeof(float));
    out->sums = x.gsum();
    return true;
}

bool Superposer::run(int steps) {
    for (int s = 0; s < steps; ++s)
        if (!step()) return false;
    return true;
}

const SuperposeStats& Superposer::compute_stats() {
    if (!m_->k) return stats_;
    Impl& x = *m_;
    if (x.pass == Impl::Pass::grad) step();          // a sliced step under way: finish it first
    x.stats_requested = true;
    const double inf = std::numeric_limits<double>::infinity();
    while (x.stats_requested && error_.empty()) work(inf, 0);
    return stats_;
}

// ---- [SECTION] how many fit: measured points --------------------------------------------
FitTrial try_fit(int n, int d, double tol_deg, int steps, uint64_t seed) {
    FitTrial f;
    f.n = n;
    f.d = d;
    SuperposeConfig c;
    c.n = n;
    c.d = d;
    c.steps = steps;
    c.loss = SuperposeLoss::exp;
    c.seed = seed;
    Superposer sp;
    std::string err;
    if (!sp.reset(c, &err)) return f;
    sp.run(steps);
    const SuperposeStats& s = sp.compute_stats();
    f.worst_angle_deg = s.worst_angle_deg;
    f.ok = s.worst_angle_deg >= 90.0 - tol_deg;
    return f;
}

int measure_fit(int d, double tol_deg, int max_n, std::vector<FitTrial>* trials, int steps, uint64_t seed,
                double max_pair_dims) {
    auto affordable = [&](int n) { return n <= max_n && n <= kMaxN && 0.5 * double(n) * n * d <= max_pair_dims; };
    auto trial = [&](int n) {
        FitTrial f = try_fit(n, d, tol_deg, steps, seed);
        if (trials) trials->push_back(f);
        return f.ok;
    };
    int good = d, bad = -1;               // d orthonormal vectors always fit
    for (int n = 2 * d; affordable(n); n *= 2) {
        if (trial(n)) good = n;
        else { bad = n; break; }
    }
    if (bad < 0) return good;
    while (bad - good > std::max(1, good / 16)) {      // bisect to ~6 %
        const int mid = good + (bad - good) / 2;
        if (trial(mid)) good = mid;
        else bad = mid;
    }
    return good;
}

}  // namespace factlab
