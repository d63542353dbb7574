// superpose_kernels.hpp: the tiled pair kernels behind superpose (internal to src/core).
//
// One "pass" walks the pairs (i, j), i <= j, of N vectors in tiles and never holds the
// N x N Gram matrix. A tile is rows [i0, i1) against columns [j0, j1), j0 >= i0:
//   (a) G = V_I V_J^T                       the tile of dot products           (r, c)
//   (b) an epilogue turns G into weights S  (entries with j < i are zeroed)    (r, c)
//       and adds up the loss / statistics
//   (c) gT_J  += (S^T V_I)^T                gradient of the columns' vectors   (d, c)
//   (d) g_I   += S V_J                      gradient of the rows' vectors      (r, dp)
// so that, after the pass, grad_i = g_row[i] + gT[:, i] = sum_j w_ij v_j with w symmetric.
// A pair i < j is visited once and feeds both vectors; a diagonal weight is stored
// halved because (c) and (d) both add it.
//
// Dimension legend
//   N   number of vectors            d   dimensions of a vector
//   dp  row stride of V and g_row (d rounded up to the SIMD width)
//   np  row stride of VT and gT (N rounded up to the SIMD width, nudged off powers of 2)
//   r, c  rows and columns of one tile (r <= tile_rows, c <= tile_cols)
//
// Kernels: `reference` (plain loops over the full Gram matrix in double, for tests),
// `eigen` (the tiled pass with Eigen products: the portable path), and `simd`
// (hand-written register-blocked micro-kernels: AVX-512 or AVX2+FMA or SSE2 on x86,
// chosen at run time; SIMD128 on WebAssembly).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>
#include <Eigen/Core>

namespace factlab::spk {

enum class LossKind { video, exp };

constexpr int kHistBins = 1800;          // angle histogram of a pass: 0.1 degree bins over 0..180
constexpr int kHistLanes = 4;            // interleaved copies, so runs of one bin do not stall
constexpr int kMaxTileRows = 512;        // tile_rows of any kernel is at most this
constexpr int kTilePad = 16;             // a tile row is padded by this many floats (off powers of 2)

// What a pass reads and writes. The buffers belong to the caller (Superposer or a test).
struct PairData {
    int n = 0, d = 0;                    // vectors, dimensions
    int dp = 0;                          // row stride of V and g_row
    int np = 0;                          // row stride of VT and gT
    const float* V = nullptr;            // (N, dp) row-major, zero padded
    const float* VT = nullptr;           // (d, np) V transposed, zero padded
    float* g_row = nullptr;              // (N, dp) gradient accumulated along rows
    float* gT = nullptr;                 // (d, np) gradient accumulated along columns, transposed
    const float* rnorm = nullptr;        // (np) 1/|v_i|, zero padded; stats passes only
};

// The loss the epilogue evaluates.
//   video: L = sum_{i,j} relu(|G_ij - I_ij| - thr) + n_weight * sum_i (G_ii - 1)^2
//          w_ij = 2 sign(G_ij)[|G_ij| > thr] (i != j), w_ii = 2 (sign(x)[|x| > thr] + 2 n_weight x), x = G_ii - 1
//   exp:   Z = sum_{i<j} exp(t G_ij^2 - shift);  w_ij = 2 G_ij exp(t G_ij^2 - shift), w_ii = 0
//          (w = dZ/dG_ij / t; terms with t G^2 - shift < -30 count as 0)
//          (the caller divides by Z: the gradient of the soft maximum (shift + log Z) / t)
struct LossParams {
    LossKind kind = LossKind::video;
    float thr = 0.01f;                   // video: dead zone of the relu
    float n_weight = 0.f;                // video: weight of the norm term (the video uses N)
    float t = 30.f;                      // exp: sharpness
    float shift = 0.f;                   // exp: subtracted inside exp() to stay in range
    // A tile whose nonzero weights are fewer than this share of its entries takes the
    // sparse update (a multiply-add per nonzero and coordinate, but scattered) instead of
    // the two dense products.
    double sparse_share = 1.0 / 3.0;
};

// Sums a gradient pass adds up (double, across tiles).
struct GradSums {
    double loss = 0;                     // video: the loss; exp: Z (shifted)
    float max_c2 = 0;                    // largest G_ij^2 over pairs i < j
};

// What a statistics pass adds up; cosines are normalised: c_ij = G_ij / (|v_i| |v_j|).
struct StatsSums {
    uint64_t hist[kHistLanes][kHistBins] = {};   // counts of pairs by floor(angle / 0.1 deg)
    uint64_t pairs = 0;                  // pairs i < j seen
    uint64_t within1 = 0, within5 = 0;   // pairs with |c| <= sin(1 deg), sin(5 deg)
    float cmax = -2.f, cmin = 2.f;       // largest and smallest c
    int imax = -1, jmax = -1, imin = -1, jmin = -1;
    GradSums loss;                       // the loss of the same vectors (no gradient)
    void clear();
    void merge_hist(uint64_t out[kHistBins]) const;
};

enum class KernelKind { reference, eigen, simd };

// One instruction-set implementation of the tiled pass.
struct KernelImpl {
    const char* name;                    // "avx512", "avx2", "sse2", "wasm-simd128", "eigen"
    int row_pad;                         // dp and np are multiples of this
    int tile_rows, tile_cols;            // r and c of a tile
    // Gradient pass over one tile; `tile` is scratch of tile_floats(k) floats.
    void (*grad_tile)(const PairData& p, const LossParams& lp, int i0, int i1, int j0, int j1,
                      float* tile, GradSums* sums);
    // Statistics pass over one tile (also adds the loss, no gradient).
    void (*stats_tile)(const PairData& p, const LossParams& lp, int i0, int i1, int j0, int j1,
                       float* tile, StatsSums* sums);
    // Pairs i < j of one tile with G_ij^2 >= thr_c2 (thr_c2 > 0), appended to `out` as
    // i * 2^32 + j in tile order (the pair list of the exp loss at large t).
    void (*collect_tile)(const PairData& p, float thr_c2, int i0, int i1, int j0, int j1, float* tile,
                         std::vector<uint64_t>* out);
    // The exp loss over a list of pairs (i << 32 | j) only: G_ij, the weight as the
    // epilogue computes it, and both gradient updates into g_row (gT untouched).
    void (*list_grad)(const PairData& p, const LossParams& lp, const uint64_t* pairs, size_t count, GradSums* sums);
    // Measured multiply-add peak of this instruction set, one thread, GFLOP/s (2 flops per
    // multiply-add), from independent accumulators in registers for about `seconds`.
    // `sink` keeps the result alive. nullptr for the Eigen kernel.
    double (*peak_gflops)(double seconds, float* sink);
};

const KernelImpl& kernel_impl(KernelKind kind);   // kind != reference
const char* simd_kernel_name();                    // what `simd` resolves to on this CPU
// Every implementation this CPU can run (eigen first, then each instruction set), so
// tests can force each one, not only the one `simd` picks.
const std::vector<const KernelImpl*>& kernel_impls();

// Row strides for a kernel: dp = d rounded up to row_pad, np = N rounded up to row_pad
// and moved off multiples of 1024 floats (rows a power of two apart share cache sets).
int padded_dim(int d, const KernelImpl& k);
size_t tile_floats(const KernelImpl& k);          // scratch a tile needs
int padded_count(int n, const KernelImpl& k);

using RowMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Allocates on 64-byte boundaries (a cache line, one AVX-512 vector): a vector load
// that straddles two lines costs two.
template <class T>
struct Aligned64 {
    using value_type = T;
    Aligned64() = default;
    template <class U>
    Aligned64(const Aligned64<U>&) {}
    T* allocate(size_t n) {
        void* p = std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64);
        if (!p) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, size_t) { std::free(p); }
    template <class U>
    bool operator==(const Aligned64<U>&) const { return true; }
    template <class U>
    bool operator!=(const Aligned64<U>&) const { return false; }
};
using AlignedFloats = std::vector<float, Aligned64<float>>;

// Whole passes outside the Superposer (tests, benchmarks): owns padded copies of V.
struct PairBuffers {
    const KernelImpl* k = nullptr;
    AlignedFloats V, g_row;              // (N, dp)
    AlignedFloats VT, gT;                // (d, np)
    AlignedFloats rnorm;                 // (np)
    AlignedFloats tile;                  // tile_floats(k)
    PairData pd;
    int ncols = 0;                       // columns the tiles cover: N rounded up to row_pad

    void setup(const KernelImpl& kernel, const Eigen::Ref<const RowMatrixXf>& V0);   // V0 (N, d)
    // All tiles of a gradient pass; grad (N, d) = g_row + gT^T (unscaled weights w_ij).
    void grad_pass(const LossParams& lp, GradSums* sums, RowMatrixXf* grad);
    // All tiles of a gradient pass with rows [row0, row1) only (benchmarks time a slice).
    void grad_rows(const LossParams& lp, GradSums* sums, int row0, int row1);
    void stats_pass(const LossParams& lp, StatsSums* sums);
};

// ---- reference: full Gram matrix, double accumulation, no tiles ----------------

// grad (N, d) = sum_j w_ij v_j and sums->loss as defined for LossParams.
void pairs_grad_reference(RowMatrixXd* grad, GradSums* sums, const Eigen::Ref<const RowMatrixXf>& V,
                          const LossParams& lp);
// Statistics of normalised pairs, bin by bin as the fast kernels do (hist lane 0 only).
void pairs_stats_reference(StatsSums* sums, const Eigen::Ref<const RowMatrixXf>& V, const LossParams& lp);

// Angle of a cosine in units of 0.1 degree, as the kernels compute it (max error ~1e-5 units).
float acos_tenth_deg(float c);

}  // namespace factlab::spk
