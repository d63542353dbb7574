// kernels.cpp: see kernels.hpp. GCC vector extensions (16 floats) so that one source
// compiles to AVX-512, AVX2, SSE2 (target_clones, picked at load time on x86-64 with GCC) or
// wasm SIMD128; each lane does exactly what the scalar tail does.
#include "core/gpt/kernels.hpp"
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define GPTK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GPTK_CLONES
#endif
// Inlined 64-byte vectors cross no call boundary: the ABI note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
#define GPTK_INLINE __attribute__((always_inline)) inline

namespace factlab::gptk {
namespace {

typedef float vf __attribute__((vector_size(64)));                         // 16 floats
typedef float vfu __attribute__((vector_size(64), aligned(4), may_alias));  // unaligned access
GPTK_INLINE vf load(const float* p) { return *reinterpret_cast<const vfu*>(p); }
GPTK_INLINE void store(float* p, vf v) { *reinterpret_cast<vfu*>(p) = v; }

// R rows of C from row i, every column, sums over k in [k0, k1).
template <int R>
GPTK_INLINE void rows_tile(int i, int N, int k0, int k1, const float* a, int64_t a_rs, int64_t a_cs, const float* b,
                           int64_t ldb, float* c, int64_t ldc, bool from_c) {
    int j = 0;
    for (; j + 32 <= N; j += 32) {
        vf c0[R], c1[R];
        for (int r = 0; r < R; ++r) {
            float* cr = c + (i + r) * ldc + j;
            c0[r] = from_c ? load(cr) : vf{};
            c1[r] = from_c ? load(cr + 16) : vf{};
        }
        for (int k = k0; k < k1; ++k) {
            const vf b0 = load(b + k * ldb + j), b1 = load(b + k * ldb + j + 16);
            for (int r = 0; r < R; ++r) {
                const float x = a[(i + r) * a_rs + k * a_cs];
                c0[r] = c0[r] + x * b0;
                c1[r] = c1[r] + x * b1;
            }
        }
        for (int r = 0; r < R; ++r) {
            store(c + (i + r) * ldc + j, c0[r]);
            store(c + (i + r) * ldc + j + 16, c1[r]);
        }
    }
    for (; j + 16 <= N; j += 16) {
        vf c0[R];
        for (int r = 0; r < R; ++r) c0[r] = from_c ? load(c + (i + r) * ldc + j) : vf{};
        for (int k = k0; k < k1; ++k) {
            const vf b0 = load(b + k * ldb + j);
            for (int r = 0; r < R; ++r) c0[r] = c0[r] + a[(i + r) * a_rs + k * a_cs] * b0;
        }
        for (int r = 0; r < R; ++r) store(c + (i + r) * ldc + j, c0[r]);
    }
    for (; j < N; ++j)
        for (int r = 0; r < R; ++r) {
            float s = from_c ? c[(i + r) * ldc + j] : 0.f;
            for (int k = k0; k < k1; ++k) s = s + a[(i + r) * a_rs + k * a_cs] * b[k * ldb + j];
            c[(i + r) * ldc + j] = s;
        }
}

}  // namespace

GPTK_CLONES
void gemm(int M, int N, int K, const float* a, int64_t a_rs, int64_t a_cs, const float* b, int64_t ldb, float* c,
          int64_t ldc, bool accumulate) {
    if (K == 0) {
        if (!accumulate)
            for (int i = 0; i < M; ++i) std::memset(c + i * ldc, 0, sizeof(float) * size_t(N));
        return;
    }
    constexpr int KC = 256;   // a k-slice of B stays in L2 while every row tile passes over it
    for (int k0 = 0; k0 < K; k0 += KC) {
        const int k1 = K - k0 < KC ? K : k0 + KC;
        const bool from_c = accumulate || k0 > 0;
        int i = 0;
        for (; i + 4 <= M; i += 4) rows_tile<4>(i, N, k0, k1, a, a_rs, a_cs, b, ldb, c, ldc, from_c);
        for (; i < M; ++i) rows_tile<1>(i, N, k0, k1, a, a_rs, a_cs, b, ldb, c, ldc, from_c);
    }
}

GPTK_CLONES
void gemm_abt(int M, int N, int K, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc) {
    const int K16 = K - K % 16;
    for (int i = 0; i < M; ++i) {
        const float* ar = a + i * lda;
        for (int j = 0; j < N; ++j) {
            const float* br = b + j * ldb;
            vf acc{};
            for (int k = 0; k < K16; k += 16) acc = acc + load(ar + k) * load(br + k);
            float s = 0.f;
            for (int l = 0; l < 16; ++l) s = s + acc[l];
            for (int k = K16; k < K; ++k) s = s + ar[k] * br[k];
            c[i * ldc + j] = s;
        }
    }
}

// Cody-Waite reduction x = n ln2 + r, |r| <= ln2 / 2, then a degree-6 Taylor polynomial.
GPTK_INLINE float exp_body(float x) {
    x = x < -87.f ? -87.f : x;
    x = x > 88.f ? 88.f : x;
    const float t = x * 1.44269504088896341f + 12582912.f;   // 1.5 * 2^23: rounds to an integer
    const float n = t - 12582912.f;
    float r = x - n * 0.693145751953125f;                      // ln2 split: hi part exact in n * hi
    r = r - n * 1.428606765330187045e-06f;
    float p = 1.f / 720.f;
    p = p * r + 1.f / 120.f;
    p = p * r + 1.f / 24.f;
    p = p * r + 1.f / 6.f;
    p = p * r + 0.5f;
    p = p * r + 1.f;
    p = p * r + 1.f;
    const int32_t bits = (int32_t(n) + 127) << 23;             // 2^n, n in [-126, 127]
    float scale;
    std::memcpy(&scale, &bits, 4);
    return p * scale;
}

float exp_fixed(float x) { return exp_body(x); }

GPTK_CLONES
void exp_inplace(float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = exp_body(x[i]);
}

namespace {
constexpr float kGeluC = 0.7978845608028654f;   // sqrt(2 / pi)
constexpr float kGeluA = 0.044715f;
GPTK_INLINE float tanh_body(float u) {          // through exp; |u| >= 9 is +-1 in float
    u = u > 9.f ? 9.f : u;
    u = u < -9.f ? -9.f : u;
    const float e = exp_body(2.f * u);
    return (e - 1.f) / (e + 1.f);
}
}  // namespace

GPTK_CLONES
void gelu(const float* x, float* y, float* t, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        const float th = tanh_body(kGeluC * (v + kGeluA * v * v * v));
        t[i] = th;
        y[i] = 0.5f * v * (1.f + th);
    }
}

GPTK_CLONES
void gelu_backward(const float* x, const float* t, float* dx, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const float v = x[i], th = t[i];
        dx[i] = dx[i] * (0.5f * (1.f + th) + 0.5f * v * (1.f - th * th) * kGeluC * (1.f + 3.f * kGeluA * v * v));
    }
}

const char* isa_name() {
#if defined(__wasm_simd128__)
    return "wasm simd128";
#elif defined(__wasm__)
    return "scalar";
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return "avx512";
    if (__builtin_cpu_supports("avx2")) return "avx2";
    return "sse2";
#else
    return "sse2 (no run-time dispatch in this build)";
#endif
}

}  // namespace factlab::gptk
