// The products with V that dominate an AE-NMF step, C = alpha A B with a long inner dimension and a
// narrow B (2K columns), written for that shape: vectorised across the rows of A and C, register-blocked,
// built for every instruction-set level (src/abi/sigstream_simd.h: generic and v2 with 2 doubles per vector, v3
// with 4, v4 with 8) and chosen at run time (the CPU's level, or SIGSTREAM_ISA's).
//
// Every entry of C is summed in the same order whatever the level, without fused multiply-adds:
//   C(i, j) = alpha * ((((0 + A(i,0) B(0,j)) + A(i,1) B(1,j)) + ...) + A(i,q-1) B(q-1,j)),
// so the result is bitwise identical on every CPU (and does not depend on cache sizes, unlike a general
// GEMM's blocking).
//
// No Eigen here (an Eigen compiled for AVX in one function and for SSE2 in another would break the one-
// definition rule); plain column-major arrays.
#ifndef SIGSTREAM_PLUGINS_AENMF_KERNELS_H
#define SIGSTREAM_PLUGINS_AENMF_KERNELS_H

#include <cstddef>

namespace sigstream::aenmf::kernels {

// An instruction-set level: SIGSTREAM_ISA_GENERIC … SIGSTREAM_ISA_V4 (src/abi/sigstream_isa.h).
using Isa = int;

// The level the kernels run at by default: the CPU's highest, or SIGSTREAM_ISA's (simd::level(); throws
// std::runtime_error when SIGSTREAM_ISA names no level or one the CPU lacks).
Isa best_isa();
bool supported(Isa isa);
const char* name(Isa isa);

// C (p x c) = alpha * A (p x q) * B (q x c); column-major with leading dimensions lda >= p, ldb >= q,
// ldc >= p. C must not overlap A or B. Uses best_isa().
void gemm(std::ptrdiff_t p, std::ptrdiff_t q, std::ptrdiff_t c, double alpha, const double* A, std::ptrdiff_t lda,
          const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc);
// The same at a given level (which must be supported: tests compare them).
void gemm(Isa isa, std::ptrdiff_t p, std::ptrdiff_t q, std::ptrdiff_t c, double alpha, const double* A,
          std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc);

// C (n x c) = alpha * A^T B, A (m x n, leading dimension lda), B (m x c, ldb), C (ldc): the sum over the
// m rows runs in 4 fixed lanes (row i in lane i mod 4, in increasing order), added as
// (lane0 + lane1) + (lane2 + lane3), then times alpha, whatever the level.
void gemm_tn(Isa isa, std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t c, double alpha, const double* A,
             std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc);

// Elementwise steps of the optimiser over `size` entries (vectorised by the compiler at each level;
// the same operations in the same order, so again the same results at every level).
struct AdamStep {
    double beta1, beta2;
    double step;          // lr / (1 - beta1^t)
    double inv_sqrt_bc2;  // 1 / sqrt(1 - beta2^t)
    double eps;
    bool project;  // clamp at 0 afterwards
};
// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  theta -= step m / (sqrt(v) inv_sqrt_bc2 + eps).
void adam(Isa isa, std::ptrdiff_t size, const AdamStep& s, const double* g, double* m, double* v, double* theta);
// x = |theta|.
void absolute(Isa isa, std::ptrdiff_t size, const double* theta, double* x);
// g = g * sign(theta), with +1 at theta == 0 (the chain rule through |.|).
void chain_abs(Isa isa, std::ptrdiff_t size, const double* theta, double* g);

// The Poisson loss pass over a rows x cols block R holding V^ (column-major, leading dimension rows) and V
// (leading dimension ldv): with mu = V^ + delta, returns sum(mu - V + V log(V / mu)) (0 log 0 = 0) and
// overwrites R with Gamma = 1 - V / mu. The logarithm is fdlibm's (< 1 ulp), vectorised, and the sum
// is accumulated in 8 fixed lanes (row i in lane i mod 8) whatever the level.
double poisson_pass(Isa isa, std::ptrdiff_t rows, std::ptrdiff_t cols, const double* V, std::ptrdiff_t ldv,
                    double delta, double* R);
// fdlibm's log on 8 positive values at once, as used by poisson_pass (for tests).
void log8(Isa isa, const double* x, double* y);

}  // namespace sigstream::aenmf::kernels

#endif
