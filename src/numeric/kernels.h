// Elementwise passes and small-K products of the library's iterative methods (the minimum-volume refinement),
// vectorised for every instruction-set level (abi/sigstream_simd.h; the level of core/isa.h), with the same bits at
// every level.
#pragma once

#include <cstddef>

namespace sigstream::kernels {

// R[i] = V[i] / max(X[i], 1e-300) for i < n.
void ratio(const double* V, const double* X, double* R, std::ptrdiff_t n);

// The sum over i < n of v log(v / x) - v + x with v = V[i], x = max(X[i], 1e-300) and 0 log 0 = 0 (the terms of
// the generalised KL divergence), element i summed in lane i mod 8, the lanes added in a fixed order.
double kl_sum(const double* V, const double* X, std::ptrdiff_t n);

// kl_sum(V, X, n), and R[i] = V[i] / max(X[i], 1e-300) as ratio() gives it, in one pass.
double kl_ratio(const double* V, const double* X, double* R, std::ptrdiff_t n);

// out[l + k ldo] = sum_{t < T} X[l + t ldx] Y[k sk + t st] for l < L, k < K, each sum in the order t = 0, 1, …
// (abi/sigstream_gemm.h: the nmf backend's product). E.g. W H: gemm(W, m, m, H, K, 1, n, K, out, m).
void gemm(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk, std::ptrdiff_t st, int K,
          int T, double* out, std::ptrdiff_t ldo);

// The same at a given level (SIGSTREAM_ISA_GENERIC … SIGSTREAM_ISA_V4; the CPU must have it): for tests.
void ratio(const double* V, const double* X, double* R, std::ptrdiff_t n, int level);
double kl_sum(const double* V, const double* X, std::ptrdiff_t n, int level);
double kl_ratio(const double* V, const double* X, double* R, std::ptrdiff_t n, int level);
void gemm(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk, std::ptrdiff_t st, int K,
          int T, double* out, std::ptrdiff_t ldo, int level);

}  // namespace sigstream::kernels
