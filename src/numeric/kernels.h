// Elementwise passes of the library's iterative methods (the minimum-volume refinement), vectorised for every
// instruction-set level (abi/sigstream_simd.h; the level of core/isa.h), with the same bits at every level.
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

// The same at a given level (SIGSTREAM_ISA_GENERIC … SIGSTREAM_ISA_V4; the CPU must have it): for tests.
void ratio(const double* V, const double* X, double* R, std::ptrdiff_t n, int level);
double kl_sum(const double* V, const double* X, std::ptrdiff_t n, int level);
double kl_ratio(const double* V, const double* X, double* R, std::ptrdiff_t n, int level);

}  // namespace sigstream::kernels
