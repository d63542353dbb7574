// superpose_kernels.cpp: the instruction sets of the tiled pair pass, the Eigen tiled
// pass (portable), the plain reference, and the run-time choice between them.
//
// The SIMD body (superpose_kernels.inl) is included once per instruction set, each time
// inside a namespace whose `Ops` maps the few vector operations it needs:
//   x86-64: avx512 (AVX-512F, 16 floats), avx2 (AVX2 + FMA, 8 floats), sse2 (4 floats,
//           every x86-64 CPU), picked with __builtin_cpu_supports; the binary itself is
//           built for plain x86-64 (no -march), the wider code is switched on per function.
//   wasm:   wasm128 (SIMD128, 4 floats, multiply then add: the page has no FMA).
// This file is core math, not platform code: the #ifs below only pick an instruction set.
#include "core/superpose/superpose_kernels.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define SPK_X86 1
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's own avx512fintrin.h trips this warning (its _mm512_undefined_ps self-initialises).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#endif

#define FL_INLINE __attribute__((always_inline)) static inline

namespace factlab::spk {

void StatsSums::clear() { *this = StatsSums(); }

void StatsSums::merge_hist(uint64_t out[kHistBins]) const {
    for (int b = 0; b < kHistBins; ++b) {
        uint64_t s = 0;
        for (int l = 0; l < kHistLanes; ++l) s += hist[l][b];
        out[b] = s;
    }
}

// ---- [SECTION] one float: the ends of rows, and the Eigen kernel's epilogue ----------
struct Scalar {
    using V = float;
    static constexpr int W = 1;
    FL_INLINE V zero() { return 0.f; }
    FL_INLINE V set1(float x) { return x; }
    FL_INLINE V load(const float* p) { return *p; }
    FL_INLINE void store(float* p, V v) { *p = v; }
    FL_INLINE V bcast(const float* p) { return *p; }
    FL_INLINE V add(V a, V b) { return a + b; }
    FL_INLINE V sub(V a, V b) { return a - b; }
    FL_INLINE V mul(V a, V b) { return a * b; }
    FL_INLINE V fma(V a, V b, V c) { return a * b + c; }
    FL_INLINE V max(V a, V b) { return a > b ? a : b; }
    FL_INLINE V min(V a, V b) { return a < b ? a : b; }
    FL_INLINE V abs(V a) { return std::fabs(a); }
    FL_INLINE V sqrt(V a) { return std::sqrt(a); }
    FL_INLINE V gt(V a, V b, V x, V y) { return a > b ? x : y; }
    FL_INLINE V le(V a, V b, V x, V y) { return a <= b ? x : y; }
    FL_INLINE V round(V a) { return std::nearbyint(a); }
    FL_INLINE V pow2(V n) {
        const int32_t bits = (int32_t(n) + 127) << 23;
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
    }
    FL_INLINE void to_int(int* out, V a) { *out = int(a); }
    FL_INLINE float hsum(V a) { return a; }
    FL_INLINE float hmax(V a) { return a; }
    FL_INLINE float hmin(V a) { return a; }
    FL_INLINE void pin(V&) {}
    FL_INLINE unsigned nonzero_mask(V a) { return a != 0.f ? 1u : 0u; }
};

namespace scalar {
using Ops = Scalar;
#define SPK_EPILOGUE_ONLY
#include "core/superpose/superpose_kernels.inl"
#undef SPK_EPILOGUE_ONLY
}  // namespace scalar

float acos_tenth_deg(float c) { return scalar::acos_tenth_ops<Scalar>(c); }

// ---- [SECTION] WebAssembly SIMD128 -----------------------------------------------------
#if defined(__wasm_simd128__)
namespace wasm128 {
struct Ops {
    using V = v128_t;
    static constexpr int W = 4;
    // 16 registers in V8's x64 code: 3 x 3 accumulators + 3 loads + broadcast + product.
    static constexpr int MR_G = 3, NV_G = 3, MR_T = 3, NV_T = 3, MR_R = 3, NV_R = 3, MR_P = 3, NV_P = 3, KB_R = 64, KB_T = 64;
    FL_INLINE V zero() { return wasm_f32x4_splat(0.f); }
    FL_INLINE V set1(float x) { return wasm_f32x4_splat(x); }
    FL_INLINE V load(const float* p) { return wasm_v128_load(p); }
    FL_INLINE void store(float* p, V v) { wasm_v128_store(p, v); }
    FL_INLINE V bcast(const float* p) { return wasm_v128_load32_splat(p); }
    FL_INLINE V add(V a, V b) { return wasm_f32x4_add(a, b); }
    FL_INLINE V sub(V a, V b) { return wasm_f32x4_sub(a, b); }
    FL_INLINE V mul(V a, V b) { return wasm_f32x4_mul(a, b); }
    FL_INLINE V fma(V a, V b, V c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
    FL_INLINE V max(V a, V b) { return wasm_f32x4_pmax(a, b); }
    FL_INLINE V min(V a, V b) { return wasm_f32x4_pmin(a, b); }
    FL_INLINE V abs(V a) { return wasm_f32x4_abs(a); }
    FL_INLINE V sqrt(V a) { return wasm_f32x4_sqrt(a); }
    FL_INLINE V gt(V a, V b, V x, V y) { return wasm_v128_bitselect(x, y, wasm_f32x4_gt(a, b)); }
    FL_INLINE V le(V a, V b, V x, V y) { return wasm_v128_bitselect(x, y, wasm_f32x4_le(a, b)); }
    FL_INLINE V round(V a) { return wasm_f32x4_nearest(a); }
    FL_INLINE V pow2(V n) {
        return wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
    }
    FL_INLINE void to_int(int* out, V a) { wasm_v128_store(out, wasm_i32x4_trunc_sat_f32x4(a)); }
    FL_INLINE float hsum(V a) {
        return (wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1)) +
               (wasm_f32x4_extract_lane(a, 2) + wasm_f32x4_extract_lane(a, 3));
    }
    FL_INLINE float hmax(V a) {
        return std::max(std::max(wasm_f32x4_extract_lane(a, 0), wasm_f32x4_extract_lane(a, 1)),
                        std::max(wasm_f32x4_extract_lane(a, 2), wasm_f32x4_extract_lane(a, 3)));
    }
    FL_INLINE float hmin(V a) {
        return std::min(std::min(wasm_f32x4_extract_lane(a, 0), wasm_f32x4_extract_lane(a, 1)),
                        std::min(wasm_f32x4_extract_lane(a, 2), wasm_f32x4_extract_lane(a, 3)));
    }
    FL_INLINE void pin(V&) {}
    FL_INLINE unsigned nonzero_mask(V a) { return wasm_i32x4_bitmask(wasm_f32x4_ne(a, wasm_f32x4_splat(0.f))); }
};
#include "core/superpose/superpose_kernels.inl"
}  // namespace wasm128
#endif

// ---- [SECTION] x86-64: AVX-512, AVX2 + FMA, SSE2 ---------------------------------------
#if defined(SPK_X86)
#define SPK_PRAGMA(x) _Pragma(#x)
#if defined(__clang__)
#define SPK_TARGET_BEGIN(isa) SPK_PRAGMA(clang attribute push(__attribute__((target(isa))), apply_to = function))
#define SPK_TARGET_END _Pragma("clang attribute pop")
#else
#define SPK_TARGET_BEGIN(isa) _Pragma("GCC push_options") SPK_PRAGMA(GCC target(isa))
#define SPK_TARGET_END _Pragma("GCC pop_options")
#endif

SPK_TARGET_BEGIN("avx512f,avx512dq,avx2,fma")
namespace avx512 {
struct Ops {
    using V = __m512;
    static constexpr int W = 16;
    // 32 registers: 24 accumulators + loads.
    static constexpr int MR_G = 6, NV_G = 4, MR_T = 4, NV_T = 6, MR_R = 3, NV_R = 8, MR_P = 4, NV_P = 4, KB_R = 48, KB_T = 64;
    FL_INLINE V zero() { return _mm512_setzero_ps(); }
    FL_INLINE V set1(float x) { return _mm512_set1_ps(x); }
    FL_INLINE V load(const float* p) { return _mm512_loadu_ps(p); }
    FL_INLINE void store(float* p, V v) { _mm512_storeu_ps(p, v); }
    FL_INLINE V bcast(const float* p) { return _mm512_set1_ps(*p); }
    FL_INLINE V add(V a, V b) { return _mm512_add_ps(a, b); }
    FL_INLINE V sub(V a, V b) { return _mm512_sub_ps(a, b); }
    FL_INLINE V mul(V a, V b) { return _mm512_mul_ps(a, b); }
    FL_INLINE V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
    FL_INLINE V max(V a, V b) { return _mm512_max_ps(a, b); }
    FL_INLINE V min(V a, V b) { return _mm512_min_ps(a, b); }
    FL_INLINE V abs(V a) { return _mm512_abs_ps(a); }
    FL_INLINE V sqrt(V a) { return _mm512_sqrt_ps(a); }
    FL_INLINE V gt(V a, V b, V x, V y) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GT_OQ), y, x); }
    FL_INLINE V le(V a, V b, V x, V y) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LE_OQ), y, x); }
    FL_INLINE V round(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
    FL_INLINE V pow2(V n) {
        const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
        return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
    }
    FL_INLINE void to_int(int* out, V a) { _mm512_storeu_si512(out, _mm512_cvttps_epi32(a)); }
    FL_INLINE float hsum(V a) { return _mm512_reduce_add_ps(a); }
    FL_INLINE float hmax(V a) { return _mm512_reduce_max_ps(a); }
    FL_INLINE float hmin(V a) { return _mm512_reduce_min_ps(a); }
    FL_INLINE void pin(V& v) { __asm__("" : "+v"(v)); }
    FL_INLINE unsigned nonzero_mask(V a) { return _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_NEQ_UQ); }
};
#include "core/superpose/superpose_kernels.inl"
}  // namespace avx512
SPK_TARGET_END

SPK_TARGET_BEGIN("avx2,fma")
namespace avx2 {
struct Ops {
    using V = __m256;
    static constexpr int W = 8;
    // 16 registers: 6 x 2 accumulators + 2 loads + broadcast.
    static constexpr int MR_G = 6, NV_G = 2, MR_T = 6, NV_T = 2, MR_R = 6, NV_R = 2, MR_P = 2, NV_P = 4, KB_R = 64, KB_T = 64;
    FL_INLINE V zero() { return _mm256_setzero_ps(); }
    FL_INLINE V set1(float x) { return _mm256_set1_ps(x); }
    FL_INLINE V load(const float* p) { return _mm256_loadu_ps(p); }
    FL_INLINE void store(float* p, V v) { _mm256_storeu_ps(p, v); }
    FL_INLINE V bcast(const float* p) { return _mm256_broadcast_ss(p); }
    FL_INLINE V add(V a, V b) { return _mm256_add_ps(a, b); }
    FL_INLINE V sub(V a, V b) { return _mm256_sub_ps(a, b); }
    FL_INLINE V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    FL_INLINE V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    FL_INLINE V max(V a, V b) { return _mm256_max_ps(a, b); }
    FL_INLINE V min(V a, V b) { return _mm256_min_ps(a, b); }
    FL_INLINE V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.f), a); }
    FL_INLINE V sqrt(V a) { return _mm256_sqrt_ps(a); }
    FL_INLINE V gt(V a, V b, V x, V y) { return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_GT_OQ)); }
    FL_INLINE V le(V a, V b, V x, V y) { return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LE_OQ)); }
    FL_INLINE V round(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
    FL_INLINE V pow2(V n) {
        const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
        return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
    }
    FL_INLINE void to_int(int* out, V a) { _mm256_storeu_si256((__m256i*)out, _mm256_cvttps_epi32(a)); }
    FL_INLINE __m128 half_sum(V a) { return _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1)); }
    FL_INLINE float hsum(V a) {
        __m128 s = half_sum(a);
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, 1)));
    }
    FL_INLINE float hmax(V a) {
        __m128 s = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        s = _mm_max_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_max_ss(s, _mm_shuffle_ps(s, s, 1)));
    }
    FL_INLINE float hmin(V a) {
        __m128 s = _mm_min_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        s = _mm_min_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_min_ss(s, _mm_shuffle_ps(s, s, 1)));
    }
    FL_INLINE void pin(V& v) { __asm__("" : "+x"(v)); }
    FL_INLINE unsigned nonzero_mask(V a) { return unsigned(_mm256_movemask_ps(_mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_NEQ_UQ))); }
};
#include "core/superpose/superpose_kernels.inl"
}  // namespace avx2
SPK_TARGET_END

namespace sse2 {
struct Ops {
    using V = __m128;
    static constexpr int W = 4;
    static constexpr int MR_G = 4, NV_G = 2, MR_T = 4, NV_T = 2, MR_R = 4, NV_R = 2, MR_P = 2, NV_P = 4, KB_R = 64, KB_T = 64;
    FL_INLINE V zero() { return _mm_setzero_ps(); }
    FL_INLINE V set1(float x) { return _mm_set1_ps(x); }
    FL_INLINE V load(const float* p) { return _mm_loadu_ps(p); }
    FL_INLINE void store(float* p, V v) { _mm_storeu_ps(p, v); }
    FL_INLINE V bcast(const float* p) { return _mm_load1_ps(p); }
    FL_INLINE V add(V a, V b) { return _mm_add_ps(a, b); }
    FL_INLINE V sub(V a, V b) { return _mm_sub_ps(a, b); }
    FL_INLINE V mul(V a, V b) { return _mm_mul_ps(a, b); }
    FL_INLINE V fma(V a, V b, V c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
    FL_INLINE V max(V a, V b) { return _mm_max_ps(a, b); }
    FL_INLINE V min(V a, V b) { return _mm_min_ps(a, b); }
    FL_INLINE V abs(V a) { return _mm_andnot_ps(_mm_set1_ps(-0.f), a); }
    FL_INLINE V sqrt(V a) { return _mm_sqrt_ps(a); }
    FL_INLINE V sel(V m, V x, V y) { return _mm_or_ps(_mm_and_ps(m, x), _mm_andnot_ps(m, y)); }
    FL_INLINE V gt(V a, V b, V x, V y) { return sel(_mm_cmpgt_ps(a, b), x, y); }
    FL_INLINE V le(V a, V b, V x, V y) { return sel(_mm_cmple_ps(a, b), x, y); }
    FL_INLINE V round(V a) { return _mm_cvtepi32_ps(_mm_cvtps_epi32(a)); }
    FL_INLINE V pow2(V n) {
        const __m128i e = _mm_add_epi32(_mm_cvtps_epi32(n), _mm_set1_epi32(127));
        return _mm_castsi128_ps(_mm_slli_epi32(e, 23));
    }
    FL_INLINE void to_int(int* out, V a) { _mm_storeu_si128((__m128i*)out, _mm_cvttps_epi32(a)); }
    FL_INLINE float hsum(V s) {
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, 1)));
    }
    FL_INLINE float hmax(V s) {
        s = _mm_max_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_max_ss(s, _mm_shuffle_ps(s, s, 1)));
    }
    FL_INLINE float hmin(V s) {
        s = _mm_min_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_min_ss(s, _mm_shuffle_ps(s, s, 1)));
    }
    FL_INLINE void pin(V& v) { __asm__("" : "+x"(v)); }
    FL_INLINE unsigned nonzero_mask(V a) { return unsigned(_mm_movemask_ps(_mm_cmpneq_ps(a, _mm_setzero_ps()))); }
};
#include "core/superpose/superpose_kernels.inl"
}  // namespace sse2
#endif

// ---- [SECTION] the Eigen tiled pass: Eigen products, the scalar epilogue --------------
namespace {
using ConstRowMap = Eigen::Map<const RowMatrixXf, 0, Eigen::OuterStride<>>;
using RowMap = Eigen::Map<RowMatrixXf, 0, Eigen::OuterStride<>>;

void eigen_grad_tile(const PairData& p, const LossParams& lp, int i0, int i1, int j0, int j1, float* tile,
                     GradSums* sums) {
    const int r = i1 - i0, cv = std::min(p.n - j0, j1 - j0);
    const ConstRowMap VI(p.V + ptrdiff_t(i0) * p.dp, r, p.d, Eigen::OuterStride<>(p.dp));    // (r, d)
    const ConstRowMap VJ(p.V + ptrdiff_t(j0) * p.dp, cv, p.d, Eigen::OuterStride<>(p.dp));   // (cv, d)
    RowMap T(tile, cv, r, Eigen::OuterStride<>(r));                                          // (cv, r) = G^T
    T.noalias() = VJ * VI.transpose();
    scalar::epilogue<false>(p, lp, i0, r, r, j0, cv, tile, r, sums, nullptr);
    RowMap gJ(p.g_row + ptrdiff_t(j0) * p.dp, cv, p.d, Eigen::OuterStride<>(p.dp));          // (cv, d)
    gJ.noalias() += T * VI;
    RowMap gI(p.g_row + ptrdiff_t(i0) * p.dp, r, p.d, Eigen::OuterStride<>(p.dp));           // (r, d)
    gI.noalias() += T.transpose() * VJ;
}

void eigen_stats_tile(const PairData& p, const LossParams& lp, int i0, int i1, int j0, int j1, float* tile,
                      StatsSums* sums) {
    const int r = i1 - i0, cv = std::min(p.n - j0, j1 - j0);
    const ConstRowMap VI(p.V + ptrdiff_t(i0) * p.dp, r, p.d, Eigen::OuterStride<>(p.dp));    // (r, d)
    const ConstRowMap VJ(p.V + ptrdiff_t(j0) * p.dp, cv, p.d, Eigen::OuterStride<>(p.dp));   // (cv, d)
    RowMap T(tile, cv, r, Eigen::OuterStride<>(r));                                          // (cv, r) = G^T
    T.noalias() = VJ * VI.transpose();
    scalar::epilogue<true>(p, lp, i0, r, r, j0, cv, tile, r, nullptr, sums);
}

void eigen_collect_tile(const PairData& p, float thr_c2, int i0, int i1, int j0, int j1, float* tile,
                        std::vector<uint64_t>* out) {
    const int r = i1 - i0, cv = std::min(p.n - j0, j1 - j0);
    const ConstRowMap VI(p.V + ptrdiff_t(i0) * p.dp, r, p.d, Eigen::OuterStride<>(p.dp));    // (r, d)
    const ConstRowMap VJ(p.V + ptrdiff_t(j0) * p.dp, cv, p.d, Eigen::OuterStride<>(p.dp));   // (cv, d)
    RowMap T(tile, cv, r, Eigen::OuterStride<>(r));                                          // (cv, r) = G^T
    T.noalias() = VJ * VI.transpose();
    scalar::collect_span(i0, r, j0, cv, thr_c2, tile, r, out);
}

// The Eigen kernel has no list loop of its own: the SSE2 one natively, SIMD128 on wasm,
// else plain loops.
void eigen_list_grad(const PairData& p, const LossParams& lp, const uint64_t* pairs, size_t count, GradSums* sums) {
#if defined(__wasm_simd128__)
    wasm128::list_grad(p, lp, pairs, count, sums);
#elif defined(SPK_X86)
    sse2::list_grad(p, lp, pairs, count, sums);
#else
    scalar::list_grad(p, lp, pairs, count, sums);
#endif
}

const KernelImpl kEigen{"eigen", 4, 64, 256, eigen_grad_tile, eigen_stats_tile, eigen_collect_tile, eigen_list_grad, nullptr};
#if defined(__wasm_simd128__)
const KernelImpl kWasm{"wasm-simd128", 4, 48, 192, wasm128::grad_tile, wasm128::stats_tile, wasm128::collect_tile,
                     wasm128::list_grad, wasm128::peak_gflops};
#endif
#if defined(SPK_X86)
const KernelImpl kAvx512{"avx512", 16, 192, 576, avx512::grad_tile, avx512::stats_tile, avx512::collect_tile, avx512::list_grad, avx512::peak_gflops};
const KernelImpl kAvx2{"avx2", 8, 96, 256, avx2::grad_tile, avx2::stats_tile, avx2::collect_tile, avx2::list_grad, avx2::peak_gflops};
const KernelImpl kSse2{"sse2", 4, 64, 256, sse2::grad_tile, sse2::stats_tile, sse2::collect_tile, sse2::list_grad, sse2::peak_gflops};
#endif

const KernelImpl& simd_impl() {
#if defined(__wasm_simd128__)
    return kWasm;
#elif defined(SPK_X86)
    static const KernelImpl* best = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return &kAvx512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &kAvx2;
        return &kSse2;
    }();
    return *best;
#else
    return kEigen;
#endif
}
}  // namespace

const KernelImpl& kernel_impl(KernelKind kind) { return kind == KernelKind::simd ? simd_impl() : kEigen; }
const char* simd_kernel_name() { return simd_impl().name; }

const std::vector<const KernelImpl*>& kernel_impls() {
    static const std::vector<const KernelImpl*> all = [] {
        std::vector<const KernelImpl*> v{&kEigen};
#if defined(__wasm_simd128__)
        v.push_back(&kWasm);
#elif defined(SPK_X86)
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) v.push_back(&kAvx512);
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) v.push_back(&kAvx2);
        v.push_back(&kSse2);
#endif
        return v;
    }();
    return all;
}

size_t tile_floats(const KernelImpl& k) { return size_t(k.tile_rows + kTilePad) * (k.tile_cols + kTilePad); }

int padded_dim(int d, const KernelImpl& k) { return (d + k.row_pad - 1) / k.row_pad * k.row_pad; }

int padded_count(int n, const KernelImpl& k) {
    int np = (n + k.row_pad - 1) / k.row_pad * k.row_pad;
    if (np % 1024 == 0) np += 16;
    return np;
}

// ---- [SECTION] whole passes for tests and benchmarks ----------------------------------
void PairBuffers::setup(const KernelImpl& kernel, const Eigen::Ref<const RowMatrixXf>& V0) {
    k = &kernel;
    const int n = int(V0.rows()), d = int(V0.cols());
    const int dp = padded_dim(d, kernel), np = padded_count(n, kernel);
    ncols = (n + kernel.row_pad - 1) / kernel.row_pad * kernel.row_pad;
    V.assign(size_t(n) * dp, 0.f);
    g_row.assign(size_t(n) * dp, 0.f);
    VT.assign(size_t(d) * np, 0.f);
    gT.assign(size_t(d) * np, 0.f);
    rnorm.assign(np, 0.f);
    tile.assign(tile_floats(kernel), 0.f);
    for (int i = 0; i < n; ++i) {
        double s = 0;
        for (int c = 0; c < d; ++c) {
            V[size_t(i) * dp + c] = VT[size_t(c) * np + i] = V0(i, c);
            s += double(V0(i, c)) * V0(i, c);
        }
        rnorm[i] = s > 0 ? float(1.0 / std::sqrt(s)) : 0.f;
    }
    pd = PairData{n, d, dp, np, V.data(), VT.data(), g_row.data(), gT.data(), rnorm.data()};
}

void PairBuffers::grad_rows(const LossParams& lp, GradSums* sums, int row0, int row1) {
    const int R = k->tile_rows, C = k->tile_cols;
    for (int i0 = row0; i0 < row1; i0 += R)
        for (int j0 = i0; j0 < ncols; j0 += C)
            k->grad_tile(pd, lp, i0, std::min(i0 + R, row1), j0, std::min(j0 + C, ncols), tile.data(), sums);
}

void PairBuffers::grad_pass(const LossParams& lp, GradSums* sums, RowMatrixXf* grad) {
    std::fill(g_row.begin(), g_row.end(), 0.f);
    std::fill(gT.begin(), gT.end(), 0.f);
    grad_rows(lp, sums, 0, pd.n);
    grad->resize(pd.n, pd.d);
    for (int i = 0; i < pd.n; ++i)
        for (int c = 0; c < pd.d; ++c)
            (*grad)(i, c) = g_row[size_t(i) * pd.dp + c] + gT[size_t(c) * pd.np + i];
}

void PairBuffers::stats_pass(const LossParams& lp, StatsSums* sums) {
    const int R = k->tile_rows, C = k->tile_cols;
    for (int i0 = 0; i0 < pd.n; i0 += R)
        for (int j0 = i0; j0 < ncols; j0 += C)
            k->stats_tile(pd, lp, i0, std::min(i0 + R, pd.n), j0, std::min(j0 + C, ncols), tile.data(), sums);
}

// ---- [SECTION] the reference: every pair, full Gram matrix, double ---------------------
void pairs_grad_reference(RowMatrixXd* grad, GradSums* sums, const Eigen::Ref<const RowMatrixXf>& V,
                          const LossParams& lp) {
    const int n = int(V.rows());
    const RowMatrixXd Vd = V.cast<double>();                // (N, d)
    RowMatrixXd G(n, n);                                    // (N, N)
    G.noalias() = Vd * Vd.transpose();
    RowMatrixXd Wt = RowMatrixXd::Zero(n, n);               // (N, N) weights w_ij
    double loss = 0;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            const double g = G(i, j);
            if (lp.kind == LossKind::video) {
                const double x = i == j ? g - 1.0 : g, ax = std::fabs(x);
                const double sg = ax > lp.thr ? (x > 0 ? 1.0 : -1.0) : 0.0;
                loss += ax > lp.thr ? ax - lp.thr : 0.0;
                Wt(i, j) = 2.0 * sg;
                if (i == j) {
                    loss += double(lp.n_weight) * x * x;
                    Wt(i, j) += 4.0 * double(lp.n_weight) * x;
                }
            } else if (i < j) {
                const double arg = double(lp.t) * g * g - double(lp.shift);
                const double e = arg > -30 ? std::exp(arg) : 0.0;  // as the kernels cut it
                loss += e;
                Wt(i, j) = Wt(j, i) = 2.0 * g * e;
                sums->max_c2 = std::max(sums->max_c2, float(g * g));
            }
        }
    }
    grad->resize(n, V.cols());
    grad->noalias() = Wt * Vd;
    sums->loss += loss;
}

void pairs_stats_reference(StatsSums* sums, const Eigen::Ref<const RowMatrixXf>& V, const LossParams& lp) {
    const int n = int(V.rows());
    const RowMatrixXd Vd = V.cast<double>();                // (N, d)
    const Eigen::VectorXd norms = Vd.rowwise().norm();      // (N)
    for (int i = 0; i < n; ++i) {
        for (int j = i + 1; j < n; ++j) {
            const double c = Vd.row(i).dot(Vd.row(j)) / (norms(i) * norms(j));
            const float cf = float(c);
            int b = int(std::min(acos_tenth_deg(cf), float(kHistBins) - 0.5f));
            ++sums->hist[0][b];
            ++sums->pairs;
            if (std::fabs(c) <= std::sin(M_PI / 180.0)) ++sums->within1;
            if (std::fabs(c) <= std::sin(5.0 * M_PI / 180.0)) ++sums->within5;
            if (cf > sums->cmax) { sums->cmax = cf; sums->imax = i; sums->jmax = j; }
            if (cf < sums->cmin) { sums->cmin = cf; sums->imin = i; sums->jmin = j; }
        }
    }
    RowMatrixXd grad;
    pairs_grad_reference(&grad, &sums->loss, V, lp);
}

}  // namespace factlab::spk
