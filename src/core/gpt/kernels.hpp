// kernels.hpp: the transformer's few hot loops, written so that every build rounds alike.
//
// Every output element is computed by the same sequence of IEEE float operations on every
// machine and in wasm: products summed in k order with a separate multiply and add (no FMA;
// the project builds with -ffp-contract=off), exp by our own polynomial (no libm). SIMD
// (AVX-512 / AVX2 / SSE2 chosen at run time natively, SIMD128 in wasm) only runs many such
// elements side by side, so native and wasm training give the same weights bit for bit.
// Eigen cannot promise that (its kernels differ per ISA, and the core is built for SSE2).
#pragma once
#include <cstdint>

namespace factlab::gptk {

// C (M, N) = [C +] sum_k A(i, k) B(k, j), k in order.
//   A(i, k) = a[i * a_rs + k * a_cs] (a row-major matrix, or a transposed one)
//   B (K, N) row-major with row stride ldb; C row-major with row stride ldc.
// accumulate: start each sum from C's value instead of 0.
void gemm(int M, int N, int K, const float* a, int64_t a_rs, int64_t a_cs, const float* b, int64_t ldb, float* c,
          int64_t ldc, bool accumulate);

// C (M, N) = A B^T for row-major A (M, K), B (N, K): each element a dot product in a fixed
// order (16 partial sums over k mod 16, added lane by lane, then the tail). For a few rows
// against a large B (the logits of one prompt) without transposing B.
void gemm_abt(int M, int N, int K, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc);

// exp(x) for float, relative error about 2e-7, the same bits everywhere; x <= -87 gives
// exp(-87) (about 1.6e-38, never 0: callers zero masked entries themselves), x >= 88 gives exp(88).
float exp_fixed(float x);
void exp_inplace(float* x, int64_t n);
// GELU, tanh form (GPT-2's "gelu_new"): y = 0.5 x (1 + t), t = tanh(sqrt(2/pi) (x + 0.044715 x^3)),
// t saved for the backward pass; gelu_backward: dx[i] *= gelu'(x[i]) from x and that t.
void gelu(const float* x, float* y, float* t, int64_t n);
void gelu_backward(const float* x, const float* t, float* dx, int64_t n);

const char* isa_name();   // the SIMD width the kernels run with here ("avx512", "avx2", "sse2", "wasm simd128", "scalar")

}  // namespace factlab::gptk
