// A small-K matrix product written once for every instruction-set level (sigstream_simd.h), shared by the library
// and the plugins (the nmf backend's products, the library's minimum-volume refinement):
//
//     out[l + k ldo] = sum_{t < T} X[l + t ldx] Y[k sk + t st]      for l < L and k < K, column-major,
//
// each sum in the order t = 0, 1, … — the data in the vector lanes (X's rows), the other factor broadcast. E.g.
// W H with X = W, Y = H (sk = K, st = 1); V H^T with X = V, Y = H (sk = 1, st = K). Rows below the largest multiple
// of 16 of L run in the vector lanes, the rest one by one in the same order: every level and every row gives the same
// bits (include it only in a file compiled with -ffp-contract=off). SIGSTREAM_SIMD_GEMM(L, …) runs level L's
// blocking inside a function compiled for L.
#ifndef SIGSTREAM_GEMM_H
#define SIGSTREAM_GEMM_H

#include <cstddef>

#include "sigstream_simd.h"

namespace sigstream::simd::gemm {

// How many values of t ahead long sums prefetch their rows of X: where X's column stride is large (V^T with a column
// per channel is 8 KB apart at 1000 samples) the hardware prefetchers miss them.
inline constexpr int kPrefetch = 8;

// Asks for the line(s) of a row block of X kPrefetch values of t ahead, while there are some.
template <int W, int RB>
SIGSTREAM_SIMD_INLINE void prefetch_ahead(const double* x, std::ptrdiff_t ldx, int t, int T) {
    if (t + kPrefetch < T) {
        __builtin_prefetch(x + kPrefetch * ldx);
        __builtin_prefetch(x + kPrefetch * ldx + RB * W - 1);
    }
}

// out[l + k ldo] = sum_t X[l + t ldx] Y[k sk + t st] for l < L (a multiple of RB W) and k < KB: a register-blocked
// product (RB x KB vector accumulators; per t, RB loads and KB broadcasts), prefetching X when Prefetch.
template <int W, int RB, int KB, bool Prefetch>
SIGSTREAM_SIMD_INLINE void micro(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk,
                                 std::ptrdiff_t st, int T, double* out, std::ptrdiff_t ldo) {
    using V = simd::vd<W>;
    for (int l = 0; l < L; l += RB * W) {
        V acc[RB][KB];
        for (int r = 0; r < RB; ++r)
            for (int k = 0; k < KB; ++k) acc[r][k] = V{};
        const double* x = X + l;
        const double* y = Y;
        for (int t = 0; t < T; ++t, x += ldx, y += st) {
            if constexpr (Prefetch) prefetch_ahead<W, RB>(x, ldx, t, T);
            V xr[RB];
            for (int r = 0; r < RB; ++r) xr[r] = load<W>(x + r * W);
            for (int k = 0; k < KB; ++k) {
                const double yk = y[k * sk];
                for (int r = 0; r < RB; ++r) acc[r][k] += xr[r] * yk;
            }
        }
        for (int k = 0; k < KB; ++k)
            for (int r = 0; r < RB; ++r) store<W>(out + l + k * ldo + r * W, acc[r][k]);
    }
}

// The same product with Y's entries broadcast beforehand into a buffer, kTc values of t at a time: where a
// broadcast costs a shuffle besides its load (SSE2, the generic level, has no movddup), the inner loop then
// multiplies by vectors loaded from memory. The accumulators go through out between the chunks of t, which
// leaves every sum in the same order (t = 0, 1, …) and so the same bits.
inline constexpr int kTc = 128;
// Below this many values of t (e.g. W H with t over K, in coordinate descent) broadcasting beforehand costs more than
// it saves, and so does prefetching.
inline constexpr int kLongT = 32;

template <int W, int RB, int KB>
SIGSTREAM_SIMD_INLINE void micro_packed(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk,
                                        std::ptrdiff_t st, int T, double* out, std::ptrdiff_t ldo) {
    using V = simd::vd<W>;
    V yb[kTc * KB];
    for (int t0 = 0; t0 < T; t0 += kTc) {
        const int tn = T - t0 < kTc ? T - t0 : kTc;
        for (int t = 0; t < tn; ++t)
            for (int k = 0; k < KB; ++k) yb[t * KB + k] = splat<W>(Y[k * sk + (t0 + t) * st]);
        for (int l = 0; l < L; l += RB * W) {
            V acc[RB][KB];
            for (int r = 0; r < RB; ++r)
                for (int k = 0; k < KB; ++k) acc[r][k] = t0 == 0 ? V{} : load<W>(out + l + k * ldo + r * W);
            const double* x = X + l + t0 * ldx;
            const V* y = yb;
            for (int t = 0; t < tn; ++t, x += ldx, y += KB) {
                prefetch_ahead<W, RB>(x, ldx, t0 + t, T);
                V xr[RB];
                for (int r = 0; r < RB; ++r) xr[r] = load<W>(x + r * W);
                for (int k = 0; k < KB; ++k)
                    for (int r = 0; r < RB; ++r) acc[r][k] += xr[r] * y[k];
            }
            for (int k = 0; k < KB; ++k)
                for (int r = 0; r < RB; ++r) store<W>(out + l + k * ldo + r * W, acc[r][k]);
        }
    }
    if (T == 0)
        for (int l = 0; l < L; l += RB * W)
            for (int k = 0; k < KB; ++k)
                for (int r = 0; r < RB; ++r) store<W>(out + l + k * ldo + r * W, V{});
}

// How a block is summed: plainly, prefetching X, or on broadcasts made beforehand (and prefetching X).
enum Mode { kPlain, kPrefetchX, kPacked };

template <int W, int RB, int KB, int M>
SIGSTREAM_SIMD_INLINE void block(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk,
                                 std::ptrdiff_t st, int T, double* out, std::ptrdiff_t ldo) {
    if constexpr (M == kPacked)
        micro_packed<W, RB, KB>(X, ldx, L, Y, sk, st, T, out, ldo);
    else
        micro<W, RB, KB, M == kPrefetchX>(X, ldx, L, Y, sk, st, T, out, ldo);
}

// The columns k in blocks of KB, then the rest together.
template <int W, int RB, int KB, int M, int R>
SIGSTREAM_SIMD_INLINE void gemm_tail(int rest, const double* X, std::ptrdiff_t ldx, int L, const double* Y,
                                     std::ptrdiff_t sk, std::ptrdiff_t st, int T, double* out, std::ptrdiff_t ldo) {
    if constexpr (R >= 1) {
        if (rest == R)
            block<W, RB, R, M>(X, ldx, L, Y, sk, st, T, out, ldo);
        else
            gemm_tail<W, RB, KB, M, R - 1>(rest, X, ldx, L, Y, sk, st, T, out, ldo);
    }
}

template <int W, int RB, int KB, int M>
SIGSTREAM_SIMD_INLINE void gemm_impl(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk,
                                     std::ptrdiff_t st, int K, int T, double* out, std::ptrdiff_t ldo) {
    int k = 0;
    for (; k + KB <= K; k += KB) block<W, RB, KB, M>(X, ldx, L, Y + k * sk, sk, st, T, out + k * ldo, ldo);
    gemm_tail<W, RB, KB, M, KB - 1>(K - k, X, ldx, L, Y + k * sk, sk, st, T, out + k * ldo, ldo);
}

// A level's gemm: blocks RB x KB; sums over T >= kLongT prefetch X, and with PRB > 0 run in blocks PRB x PKB on
// broadcasts made beforehand.
template <int W, int RB, int KB, int PRB, int PKB>
SIGSTREAM_SIMD_INLINE void gemm_level(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk,
                                      std::ptrdiff_t st, int K, int T, double* out, std::ptrdiff_t ldo) {
    if (T < kLongT) return gemm_impl<W, RB, KB, kPlain>(X, ldx, L, Y, sk, st, K, T, out, ldo);
    if constexpr (PRB > 0)
        gemm_impl<W, PRB, PKB, kPacked>(X, ldx, L, Y, sk, st, K, T, out, ldo);
    else
        gemm_impl<W, RB, KB, kPrefetchX>(X, ldx, L, Y, sk, st, K, T, out, ldo);
}

// L rows in all: the vector blocks on the first multiple of 16, the remaining rows one at a time in the same order.
template <int W, int RB, int KB, int PRB, int PKB>
SIGSTREAM_SIMD_INLINE void product(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk,
                                   std::ptrdiff_t st, int K, int T, double* out, std::ptrdiff_t ldo) {
    const int Lv = L / 16 * 16;
    if (Lv > 0) gemm_level<W, RB, KB, PRB, PKB>(X, ldx, Lv, Y, sk, st, K, T, out, ldo);
    for (int l = Lv; l < L; ++l)
        for (int k = 0; k < K; ++k) {
            double s = 0;
            for (int t = 0; t < T; ++t) s += X[l + t * ldx] * Y[k * sk + t * st];
            out[l + k * ldo] = s;
        }
}

}  // namespace sigstream::simd::gemm

// gemm's blocks (row vectors x columns; RB W divides 16), chosen by measurement of nmf solver=mu (96 x 1000,
// K = 5 to 20, CPU time; bench/backends_speed.sh): generic and v2 12 accumulators of the 16 vector registers, at W = 2
// taller blocks (8 rows) saving broadcasts at generic; v3 10 accumulators, so that K = 10 takes two equal passes
// over X instead of 6 + 4 (2-12 % less time for Frobenius MU at K = 8 to 20, KL within 4 % either way); v4 20 of the
// 32 registers, so that any K <= 10 takes one pass over X (12 % less time for Frobenius MU, 15 % for KL at K = 10;
// less at every K from 5 to 20). Generic, whose broadcasts cost a load and a shuffle (SSE2), takes sums over
// T >= kLongT on broadcasts made beforehand, in 2 x 5 blocks (8-14 % less time for Frobenius MU at K = 8 to 20;
// KL MU and ccd as before); v2 has movddup, and gains nothing from them. Long sums prefetch X (kPrefetch): 10 % less
// time for Frobenius MU at v2 to v4, 4 % at generic, KL MU 0-3 %. The blocks change speed only: each output entry is
// summed in the same order.
#define SIGSTREAM_GEMM_BLOCKS_generic 4, 3, 2, 5
#define SIGSTREAM_GEMM_BLOCKS_v2 2, 6, 0, 0
#define SIGSTREAM_GEMM_BLOCKS_v3 2, 5, 0, 0
#define SIGSTREAM_GEMM_BLOCKS_v4 2, 10, 0, 0
#define SIGSTREAM_SIMD_GEMM(L, ...) \
    ::sigstream::simd::gemm::product<SIGSTREAM_SIMD_WIDTH_##L, SIGSTREAM_GEMM_BLOCKS_##L>(__VA_ARGS__)

#endif
