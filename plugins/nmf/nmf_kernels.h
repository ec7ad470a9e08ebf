// Kernels for the nmf solvers (internal to the nmf backend; also used by its tests): a small-K matrix
// product, the elementwise KL ratio and log, the Frobenius MU update of H, and coordinate descent for KL.
// Matrices in the vector lanes have their row count padded to a multiple of 2 kLanes with zero rows.
//
// Each kernel is written once on vectors of W doubles and built for every instruction-set level (generic, v2:
// W = 2; v3: W = 4; v4: W = 8; src/abi/sigstream_simd.h); table(level) gives one level's kernels. Every level gives
// the same bits: no fused multiply-adds (the file is compiled with -ffp-contract=off), each output entry summed in
// one fixed order, reductions over 8 fixed lanes. All matrices are column-major.
#ifndef SIGSTREAM_PLUGINS_NMF_KERNELS_H
#define SIGSTREAM_PLUGINS_NMF_KERNELS_H

#include <cstddef>

namespace sigstream::nmf::kernels {

inline constexpr int kLanes = 8;

// Rounds m up to a multiple of 2 kLanes (the kernels' row count).
inline int padded(int m) {
    return (m + 2 * kLanes - 1) / (2 * kLanes) * (2 * kLanes);
}

struct Table {
    // out[l + k ldo] = sum_{t < T} X[l + t ldx] Y[k sk + t st] for l < L (a multiple of 2 kLanes) and k < K,
    // each sum in the order t = 0, 1, …. A product with the data in the vector lanes and the other factor
    // broadcast: e.g. V H^T with X = V (padded), Y = H (sk = 1, st = K); or V^T W with X = V^T (padded), Y = W^T.
    void (*gemm)(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk, std::ptrdiff_t st,
                 int K, int T, double* out, std::ptrdiff_t ldo);

    // U <- V / max(U, 1e-300) elementwise over count entries (a multiple of kLanes); when lanes is non-null also
    // adds V log(max(V / U, DBL_MIN)) and U (the terms of the KL divergence) to lanes[0..7] and lanes[8..15], entry
    // i to lane i mod 8 (simd::lanes8_total gives each sum): calls on consecutive pieces give the bits of one call.
    void (*kl_ratio)(const double* V, double* U, std::ptrdiff_t count, double* lanes);

    // For the columns k < K of Ht, P, Den (n entries used, leading dimension ld): when Den is non-null,
    // Ht <- max(floor, Ht o P / Den) (the Frobenius MU rule on H^T); then H (K x n) <- Ht^T. Returns <P, Ht>.
    double (*mu_update_t)(double* Ht, const double* P, const double* Den, std::ptrdiff_t ld, int n, int K, double floor,
                          double* H);

    // Coordinate descent for KL with the independent problems in the vector lanes: problem l < L (a multiple
    // of 2 kLanes) is min_c KL(x_l || c D) over c >= 0 (K entries C[l + k ldc]), with D[t dt + k dk] (t < T)
    // fixed and dsum[k] = sum_t D[t dt + k dk]. X holds the x_l in panels of `panel` lanes (pack(): x_l(t) at
    // X[(l - l % panel) T + t panel + l % panel]), so that a panel's sweeps stay in cache; u (T x panel doubles)
    // is scratch for one panel's c D. Each c_k in turn gets `steps` safeguarded Newton steps (see nmf_core.cpp).
    void (*ccd_kl)(const double* X, int L, int T, const double* D, std::ptrdiff_t dk, std::ptrdiff_t dt, double* C,
                   std::ptrdiff_t ldc, int K, int steps, const double* dsum, double floor, double* u);

    // y[i] = log(x[i]) for i < n, positive finite x, as the kernels compute it (fdlibm's algorithm, < 1 ulp).
    void (*log)(const double* x, double* y, std::ptrdiff_t n);

    // Lanes per panel of ccd_kl's X: two vectors of the level (4 generic and v2, 8 v3, 16 v4).
    int panel;
};

// out <- A (L x T, column-major, leading dimension ld; L a multiple of P) in panels of P lanes: A(l, t) at
// out[(l - l % P) T + t P + l % P].
void pack(const double* A, std::ptrdiff_t ld, int L, int T, int P, double* out);

// The kernels of `level` (SIGSTREAM_ISA_GENERIC … SIGSTREAM_ISA_V4, src/abi/sigstream_isa.h), which the CPU
// must run (simd::supported).
const Table& table(int level);

}  // namespace sigstream::nmf::kernels

#endif
