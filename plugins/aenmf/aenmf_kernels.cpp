#include "aenmf_kernels.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "sigstream_simd.h"

// Compiled with -ffp-contract=off (see CMakeLists.txt): a * b + c stays a rounded product and a rounded
// sum at every level, so the levels agree bit for bit (and with -fno-math-errno, so that the square
// roots vectorise; sqrt and division are correctly rounded at every level).

namespace sigstream::aenmf::kernels {

namespace {

#define AENMF_INLINE SIGSTREAM_SIMD_INLINE

// C[0 : RB*W, 0 : CB] = (first ? 0 : C) + A[0 : RB*W, q0 : q1] B[q0 : q1, 0 : CB], times alpha when last.
// W doubles per vector (GCC vector extension, so the same source becomes SSE2, AVX2 or AVX-512 code in
// the caller it is inlined into).
template <int W, int RB, int CB>
AENMF_INLINE void block(std::ptrdiff_t q0, std::ptrdiff_t q1, bool first, bool last, double alpha, const double* A,
                        std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {
    typedef double vec __attribute__((vector_size(W * sizeof(double))));
    vec acc[RB][CB];
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r)
#pragma GCC unroll 8
        for (int j = 0; j < CB; ++j) {
            if (first)
                acc[r][j] = vec{};
            else
                std::memcpy(&acc[r][j], C + r * W + j * ldc, sizeof(vec));
        }
    for (std::ptrdiff_t k = q0; k < q1; ++k) {
        vec a[RB];
#pragma GCC unroll 8
        for (int r = 0; r < RB; ++r) std::memcpy(&a[r], A + r * W + k * lda, sizeof(vec));
#pragma GCC unroll 8
        for (int j = 0; j < CB; ++j) {
            const double b = B[k + j * ldb];
#pragma GCC unroll 8
            for (int r = 0; r < RB; ++r) acc[r][j] += a[r] * b;
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < RB; ++r)
#pragma GCC unroll 8
        for (int j = 0; j < CB; ++j) {
            if (last) acc[r][j] *= alpha;
            std::memcpy(C + r * W + j * ldc, &acc[r][j], sizeof(vec));
        }
}

// The last `rem` (< CB) columns of a strip together.
template <int W, int RB, int R>
AENMF_INLINE void tail(std::ptrdiff_t rem, std::ptrdiff_t q0, std::ptrdiff_t q1, bool first, bool last, double alpha,
                       const double* A, std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, double* C,
                       std::ptrdiff_t ldc) {
    if constexpr (R >= 1) {
        if (rem == R)
            block<W, RB, R>(q0, q1, first, last, alpha, A, lda, B, ldb, C, ldc);
        else
            tail<W, RB, R - 1>(rem, q0, q1, first, last, alpha, A, lda, B, ldb, C, ldc);
    }
}

// One strip of RB*W rows over all columns: blocks of CB columns, then the remaining columns together.
template <int W, int RB, int CB>
AENMF_INLINE void strip(std::ptrdiff_t c, std::ptrdiff_t q0, std::ptrdiff_t q1, bool first, bool last, double alpha,
                        const double* A, std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, double* C,
                        std::ptrdiff_t ldc) {
    std::ptrdiff_t j = 0;
    for (; j + CB <= c; j += CB)
        block<W, RB, CB>(q0, q1, first, last, alpha, A, lda, B + j * ldb, ldb, C + j * ldc, ldc);
    tail<W, RB, CB - 1>(c - j, q0, q1, first, last, alpha, A, lda, B + j * ldb, ldb, C + j * ldc, ldc);
}

template <int W, int RB, int CB>
AENMF_INLINE void gemm_impl(std::ptrdiff_t p, std::ptrdiff_t q, std::ptrdiff_t c, double alpha, const double* A,
                            std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {
    if (p <= 0 || c <= 0) return;
    if (q <= 0) {
        for (std::ptrdiff_t j = 0; j < c; ++j)
            for (std::ptrdiff_t i = 0; i < p; ++i) C[i + j * ldc] = 0.0;
        return;
    }
    // Blocks of the inner dimension keep a strip of A in cache while it meets every column of B; the
    // partial sums wait in C, so the order of the additions does not depend on the block size.
    constexpr std::ptrdiff_t kDepth = 512;
    for (std::ptrdiff_t q0 = 0; q0 < q; q0 += kDepth) {
        const std::ptrdiff_t q1 = q - q0 > kDepth ? q0 + kDepth : q;
        const bool first = q0 == 0, last = q1 == q;
        std::ptrdiff_t i = 0;
        for (; i + RB * W <= p; i += RB * W)
            strip<W, RB, CB>(c, q0, q1, first, last, alpha, A + i, lda, B, ldb, C + i, ldc);
        for (; i + W <= p; i += W) strip<W, 1, CB>(c, q0, q1, first, last, alpha, A + i, lda, B, ldb, C + i, ldc);
        for (; i < p; ++i)  // the last rows, one at a time, in the same order
            for (std::ptrdiff_t j = 0; j < c; ++j) {
                double s = first ? 0.0 : C[i + j * ldc];
                for (std::ptrdiff_t k = q0; k < q1; ++k) s += A[i + k * lda] * B[k + j * ldb];
                C[i + j * ldc] = last ? s * alpha : s;
            }
    }
}

AENMF_INLINE void adam_impl(std::ptrdiff_t size, const AdamStep& s, const double* __restrict g, double* __restrict m,
                            double* __restrict v, double* __restrict theta) {
    const double b1 = s.beta1, c1 = 1.0 - s.beta1, b2 = s.beta2, c2 = 1.0 - s.beta2;
    const double step = s.step, isb = s.inv_sqrt_bc2, eps = s.eps;
    if (s.project) {
        for (std::ptrdiff_t i = 0; i < size; ++i) {
            const double gi = g[i];
            const double mi = b1 * m[i] + c1 * gi;
            const double vi = b2 * v[i] + c2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            const double t = theta[i] - step * mi / (__builtin_sqrt(vi) * isb + eps);
            theta[i] = t > 0.0 ? t : 0.0;
        }
    } else {
        for (std::ptrdiff_t i = 0; i < size; ++i) {
            const double gi = g[i];
            const double mi = b1 * m[i] + c1 * gi;
            const double vi = b2 * v[i] + c2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            theta[i] = theta[i] - step * mi / (__builtin_sqrt(vi) * isb + eps);
        }
    }
}

AENMF_INLINE void abs_impl(std::ptrdiff_t size, const double* __restrict theta, double* __restrict x) {
    for (std::ptrdiff_t i = 0; i < size; ++i) x[i] = __builtin_fabs(theta[i]);
}

AENMF_INLINE void chain_abs_impl(std::ptrdiff_t size, const double* __restrict theta, double* __restrict g) {
    for (std::ptrdiff_t i = 0; i < size; ++i) g[i] = theta[i] < 0.0 ? -g[i] : g[i];
}

// ---- C = alpha A^T B with 4 fixed lanes.
typedef double v4d __attribute__((vector_size(32)));

// Columns [0, JB) of A against columns [0, CB) of B.
template <int JB, int CB>
AENMF_INLINE void tn_block(std::ptrdiff_t m, double alpha, const double* A, std::ptrdiff_t lda, const double* B,
                           std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {
    v4d acc[JB][CB];
#pragma GCC unroll 8
    for (int j = 0; j < JB; ++j)
#pragma GCC unroll 8
        for (int k = 0; k < CB; ++k) acc[j][k] = v4d{};
    std::ptrdiff_t i = 0;
    for (; i + 4 <= m; i += 4) {
        v4d b[CB];
#pragma GCC unroll 8
        for (int k = 0; k < CB; ++k) std::memcpy(&b[k], B + i + k * ldb, sizeof(v4d));
#pragma GCC unroll 8
        for (int j = 0; j < JB; ++j) {
            v4d a;
            std::memcpy(&a, A + i + j * lda, sizeof(v4d));
#pragma GCC unroll 8
            for (int k = 0; k < CB; ++k) acc[j][k] += a * b[k];
        }
    }
    if (i < m) {  // the last rows in their lanes, the others adding zeros (x + 0 = x exactly)
        v4d b[CB], a;
#pragma GCC unroll 8
        for (int k = 0; k < CB; ++k) {
            b[k] = v4d{};
            for (std::ptrdiff_t r = i; r < m; ++r) b[k][r - i] = B[r + k * ldb];
        }
#pragma GCC unroll 8
        for (int j = 0; j < JB; ++j) {
            a = v4d{};
            for (std::ptrdiff_t r = i; r < m; ++r) a[r - i] = A[r + j * lda];
#pragma GCC unroll 8
            for (int k = 0; k < CB; ++k) acc[j][k] += a * b[k];
        }
    }
#pragma GCC unroll 8
    for (int j = 0; j < JB; ++j)
#pragma GCC unroll 8
        for (int k = 0; k < CB; ++k)
            C[j + k * ldc] = ((acc[j][k][0] + acc[j][k][1]) + (acc[j][k][2] + acc[j][k][3])) * alpha;
}

template <int JB, int R>
AENMF_INLINE void tn_tail(std::ptrdiff_t rem, std::ptrdiff_t m, double alpha, const double* A, std::ptrdiff_t lda,
                          const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {
    if constexpr (R >= 1) {
        if (rem == R)
            tn_block<JB, R>(m, alpha, A, lda, B, ldb, C, ldc);
        else
            tn_tail<JB, R - 1>(rem, m, alpha, A, lda, B, ldb, C, ldc);
    }
}

template <int JB, int CB>
AENMF_INLINE void tn_strip(std::ptrdiff_t m, std::ptrdiff_t c, double alpha, const double* A, std::ptrdiff_t lda,
                           const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {
    std::ptrdiff_t k = 0;
    for (; k + CB <= c; k += CB) tn_block<JB, CB>(m, alpha, A, lda, B + k * ldb, ldb, C + k * ldc, ldc);
    tn_tail<JB, CB - 1>(c - k, m, alpha, A, lda, B + k * ldb, ldb, C + k * ldc, ldc);
}

template <int JB, int CB>
AENMF_INLINE void gemm_tn_impl(std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t c, double alpha, const double* A,
                               std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {
    std::ptrdiff_t j = 0;
    for (; j + JB <= n; j += JB) tn_strip<JB, CB>(m, c, alpha, A + j * lda, lda, B, ldb, C + j, ldc);
    for (; j < n; ++j) tn_strip<1, CB>(m, c, alpha, A + j * lda, lda, B, ldb, C + j, ldc);
}

// 8 doubles, whatever the level (GCC splits them into 4 SSE2, 2 AVX2 or 1 AVX-512 register), so the
// lanes, and the order of the sums in them, are the same everywhere.
typedef simd::vd<8> v8d;
typedef simd::vi<8> v8i;

// Lanes [0, len) of one chunk of up to 8 rows: terms added to acc, r overwritten with 1 - v / mu.
AENMF_INLINE void poisson_chunk(int len, const double* v, double delta, double* r, v8d& acc) {
    v8d vv = {}, rr = {};
    std::memcpy(&vv, v, sizeof(double) * static_cast<std::size_t>(len));
    std::memcpy(&rr, r, sizeof(double) * static_cast<std::size_t>(len));
    const v8d mu = rr + delta;
    const v8d q = vv / mu;
    const v8d lq = simd::log<8>(q);  // q is finite: mu >= delta > 0 and V is finite
    const v8i positive = vv > 0.0;
    v8d term = (mu - vv) + (positive ? vv * lq : v8d{});
    v8i lane = {0, 1, 2, 3, 4, 5, 6, 7};
    term = lane < len ? term : v8d{};
    acc += term;
    const v8d gamma = 1.0 - q;
    std::memcpy(r, &gamma, sizeof(double) * static_cast<std::size_t>(len));
}

AENMF_INLINE double poisson_impl(std::ptrdiff_t rows, std::ptrdiff_t cols, const double* V, std::ptrdiff_t ldv,
                                 double delta, double* R) {
    v8d acc = {};
    for (std::ptrdiff_t j = 0; j < cols; ++j) {
        const double* v = V + j * ldv;
        double* r = R + j * rows;
        std::ptrdiff_t i = 0;
        for (; i + 8 <= rows; i += 8) poisson_chunk(8, v + i, delta, r + i, acc);
        if (i < rows) poisson_chunk(static_cast<int>(rows - i), v + i, delta, r + i, acc);
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

AENMF_INLINE void log8_impl(const double* x, double* y) {
    simd::store<8>(y, simd::log<8>(simd::load<8>(x)));
}

// One level's kernels: functions compiled for the level that run the templates with its block sizes.
#define AENMF_LEVEL(L, W, RB, CB, TJ, TC)                                                                             \
    SIGSTREAM_SIMD_TARGET_##L void gemm_##L(std::ptrdiff_t p, std::ptrdiff_t q, std::ptrdiff_t c, double alpha,       \
                                            const double* A, std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, \
                                            double* C, std::ptrdiff_t ldc) {                                          \
        gemm_impl<W, RB, CB>(p, q, c, alpha, A, lda, B, ldb, C, ldc);                                                 \
    }                                                                                                                 \
    SIGSTREAM_SIMD_TARGET_##L void gemm_tn_##L(std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t c, double alpha,    \
                                               const double* A, std::ptrdiff_t lda, const double* B,                  \
                                               std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {                   \
        gemm_tn_impl<TJ, TC>(m, n, c, alpha, A, lda, B, ldb, C, ldc);                                                 \
    }                                                                                                                 \
    SIGSTREAM_SIMD_TARGET_##L void adam_##L(std::ptrdiff_t size, const AdamStep& s, const double* g, double* m,       \
                                            double* v, double* theta) {                                               \
        adam_impl(size, s, g, m, v, theta);                                                                           \
    }                                                                                                                 \
    SIGSTREAM_SIMD_TARGET_##L void abs_##L(std::ptrdiff_t size, const double* theta, double* x) {                     \
        abs_impl(size, theta, x);                                                                                     \
    }                                                                                                                 \
    SIGSTREAM_SIMD_TARGET_##L void chain_abs_##L(std::ptrdiff_t size, const double* theta, double* g) {               \
        chain_abs_impl(size, theta, g);                                                                               \
    }                                                                                                                 \
    SIGSTREAM_SIMD_TARGET_##L double poisson_##L(std::ptrdiff_t rows, std::ptrdiff_t cols, const double* V,           \
                                                 std::ptrdiff_t ldv, double delta, double* R) {                       \
        return poisson_impl(rows, cols, V, ldv, delta, R);                                                            \
    }                                                                                                                 \
    SIGSTREAM_SIMD_TARGET_##L void log8_##L(const double* x, double* y) {                                             \
        log8_impl(x, y);                                                                                              \
    }                                                                                                                 \
    const Table table_##L = {gemm_##L, gemm_tn_##L, adam_##L, abs_##L, chain_abs_##L, poisson_##L, log8_##L};

struct Table {
    void (*gemm)(std::ptrdiff_t, std::ptrdiff_t, std::ptrdiff_t, double, const double*, std::ptrdiff_t, const double*,
                 std::ptrdiff_t, double*, std::ptrdiff_t);
    void (*gemm_tn)(std::ptrdiff_t, std::ptrdiff_t, std::ptrdiff_t, double, const double*, std::ptrdiff_t,
                    const double*, std::ptrdiff_t, double*, std::ptrdiff_t);
    void (*adam)(std::ptrdiff_t, const AdamStep&, const double*, double*, double*, double*);
    void (*absolute)(std::ptrdiff_t, const double*, double*);
    void (*chain_abs)(std::ptrdiff_t, const double*, double*);
    double (*poisson)(std::ptrdiff_t, std::ptrdiff_t, const double*, std::ptrdiff_t, double, double*);
    void (*log8)(const double*, double*);
};

// Block sizes: rows per vector W, row vectors RB and columns CB per block of gemm; columns JB and CB per block
// of gemm_tn (its 4 lanes are fixed).
AENMF_LEVEL(generic, 2, 4, 2, 2, 2)
AENMF_LEVEL(v2, 2, 4, 2, 2, 2)
#ifdef SIGSTREAM_ISA_X86
AENMF_LEVEL(v3, 4, 3, 4, 4, 3)
AENMF_LEVEL(v4, 8, 4, 6, 4, 4)
#else
AENMF_LEVEL(v3, 2, 4, 2, 2, 2)
AENMF_LEVEL(v4, 2, 4, 2, 2, 2)
#endif
#undef AENMF_LEVEL

const Table& at(Isa isa) {
    return simd::pick(isa, table_generic, table_v2, table_v3, table_v4);
}

}  // namespace

Isa best_isa() {
    return simd::level();
}

bool supported(Isa isa) {
    return simd::supported(isa);
}

const char* name(Isa isa) {
    return simd::name(isa);
}

void gemm(Isa isa, std::ptrdiff_t p, std::ptrdiff_t q, std::ptrdiff_t c, double alpha, const double* A,
          std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {
    at(isa).gemm(p, q, c, alpha, A, lda, B, ldb, C, ldc);
}

void gemm(std::ptrdiff_t p, std::ptrdiff_t q, std::ptrdiff_t c, double alpha, const double* A, std::ptrdiff_t lda,
          const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {
    gemm(best_isa(), p, q, c, alpha, A, lda, B, ldb, C, ldc);
}

void adam(Isa isa, std::ptrdiff_t size, const AdamStep& s, const double* g, double* m, double* v, double* theta) {
    at(isa).adam(size, s, g, m, v, theta);
}

void absolute(Isa isa, std::ptrdiff_t size, const double* theta, double* x) {
    at(isa).absolute(size, theta, x);
}

void chain_abs(Isa isa, std::ptrdiff_t size, const double* theta, double* g) {
    at(isa).chain_abs(size, theta, g);
}

double poisson_pass(Isa isa, std::ptrdiff_t rows, std::ptrdiff_t cols, const double* V, std::ptrdiff_t ldv,
                    double delta, double* R) {
    return at(isa).poisson(rows, cols, V, ldv, delta, R);
}

void log8(Isa isa, const double* x, double* y) {
    at(isa).log8(x, y);
}

void gemm_tn(Isa isa, std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t c, double alpha, const double* A,
             std::ptrdiff_t lda, const double* B, std::ptrdiff_t ldb, double* C, std::ptrdiff_t ldc) {
    at(isa).gemm_tn(m, n, c, alpha, A, lda, B, ldb, C, ldc);
}

}  // namespace sigstream::aenmf::kernels
