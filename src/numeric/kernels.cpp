#include "numeric/kernels.h"

#include <cfloat>

#include "abi/sigstream_gemm.h"
#include "abi/sigstream_simd.h"
#include "core/isa.h"

// Compiled with -ffp-contract=off (CMakeLists.txt): every level gives the same bits.

namespace sigstream::kernels {
namespace {

using simd::load;
using simd::splat;
using simd::store;

template <int W>
SIGSTREAM_SIMD_INLINE void ratio_impl(const double* V, const double* X, double* R, std::ptrdiff_t n) {
    const simd::vd<W> tiny = splat<W>(1e-300);
    std::ptrdiff_t i = 0;
    for (; i + W <= n; i += W) store<W>(R + i, load<W>(V + i) / simd::max<W>(load<W>(X + i), tiny));
    for (; i < n; ++i) R[i] = V[i] / (X[i] > 1e-300 ? X[i] : 1e-300);
}

// The terms of 8 elements, as 8 / W vectors; lanes at or beyond `len` give 0. With R, also R = V / max(X, tiny)
// (the ratio the log is taken of, before its floor).
template <int W>
SIGSTREAM_SIMD_INLINE void kl_terms(const double* V, const double* X, double* R, int len, simd::Lanes8<W>& sum) {
    using Vd = simd::vd<W>;
    const Vd tiny = splat<W>(1e-300), dmin = splat<W>(DBL_MIN);
    for (int p = 0; p < 8 / W; ++p) {
        Vd v, x;
        if (len == 8) {
            v = load<W>(V + p * W);
            x = load<W>(X + p * W);
        } else {
            double vb[W], xb[W];
            for (int l = 0; l < W; ++l) {
                const bool in = p * W + l < len;
                vb[l] = in ? V[p * W + l] : 0.0;
                xb[l] = in ? X[p * W + l] : 0.0;
            }
            v = load<W>(vb);
            x = load<W>(xb);
        }
        x = simd::max<W>(x, tiny);
        const Vd r = v / x;
        if (R != nullptr) {
            if (len == 8) {
                store<W>(R + p * W, r);
            } else {
                for (int l = 0; l < W && p * W + l < len; ++l) R[p * W + l] = r[l];
            }
        }
        // v log(v / x): the log's argument floored at DBL_MIN keeps it finite where v = 0 (the factor v makes it 0).
        Vd term = v * simd::log<W>(simd::max<W>(r, dmin)) - v + x;
        if (len < 8) {
            simd::vi<W> lane;
            for (int l = 0; l < W; ++l) lane[l] = p * W + l;
            term = lane < len ? term : Vd{};
        }
        sum.add(p, term);
    }
}

// R may be null (the sum only).
template <int W>
SIGSTREAM_SIMD_INLINE double kl_sum_impl(const double* V, const double* X, double* R, std::ptrdiff_t n) {
    simd::Lanes8<W> sum;
    std::ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) kl_terms<W>(V + i, X + i, R == nullptr ? nullptr : R + i, 8, sum);
    if (i < n) kl_terms<W>(V + i, X + i, R == nullptr ? nullptr : R + i, static_cast<int>(n - i), sum);
    return sum.total();
}

struct Table {
    void (*ratio)(const double*, const double*, double*, std::ptrdiff_t);
    double (*kl_sum)(const double*, const double*, double*, std::ptrdiff_t);
    void (*gemm)(const double*, std::ptrdiff_t, int, const double*, std::ptrdiff_t, std::ptrdiff_t, int, int, double*,
                 std::ptrdiff_t);
};

#define SIGSTREAM_NUMERIC_LEVEL(L)                                                                               \
    SIGSTREAM_SIMD_TARGET_##L void ratio_##L(const double* V, const double* X, double* R, std::ptrdiff_t n) {    \
        ratio_impl<SIGSTREAM_SIMD_WIDTH_##L>(V, X, R, n);                                                        \
    }                                                                                                            \
    SIGSTREAM_SIMD_TARGET_##L double kl_sum_##L(const double* V, const double* X, double* R, std::ptrdiff_t n) { \
        return kl_sum_impl<SIGSTREAM_SIMD_WIDTH_##L>(V, X, R, n);                                                \
    }                                                                                                            \
    SIGSTREAM_SIMD_TARGET_##L void gemm_##L(const double* X, std::ptrdiff_t ldx, int L, const double* Y,         \
                                            std::ptrdiff_t sk, std::ptrdiff_t st, int K, int T, double* out,     \
                                            std::ptrdiff_t ldo) {                                                \
        SIGSTREAM_SIMD_GEMM(L, X, ldx, L, Y, sk, st, K, T, out, ldo);                                            \
    }                                                                                                            \
    const Table table_##L = {ratio_##L, kl_sum_##L, gemm_##L};

SIGSTREAM_NUMERIC_LEVEL(generic)
SIGSTREAM_NUMERIC_LEVEL(v2)
SIGSTREAM_NUMERIC_LEVEL(v3)
SIGSTREAM_NUMERIC_LEVEL(v4)
#undef SIGSTREAM_NUMERIC_LEVEL

const Table& table(int level) {
    return simd::pick(level, table_generic, table_v2, table_v3, table_v4);
}

const Table& table() {
    static const Table& chosen = table(kernel_level());
    return chosen;
}

}  // namespace

void ratio(const double* V, const double* X, double* R, std::ptrdiff_t n) {
    table().ratio(V, X, R, n);
}

double kl_sum(const double* V, const double* X, std::ptrdiff_t n) {
    return table().kl_sum(V, X, nullptr, n);
}

double kl_ratio(const double* V, const double* X, double* R, std::ptrdiff_t n) {
    return table().kl_sum(V, X, R, n);
}

void gemm(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk, std::ptrdiff_t st, int K,
          int T, double* out, std::ptrdiff_t ldo) {
    table().gemm(X, ldx, L, Y, sk, st, K, T, out, ldo);
}

void ratio(const double* V, const double* X, double* R, std::ptrdiff_t n, int level) {
    table(level).ratio(V, X, R, n);
}

double kl_sum(const double* V, const double* X, std::ptrdiff_t n, int level) {
    return table(level).kl_sum(V, X, nullptr, n);
}

double kl_ratio(const double* V, const double* X, double* R, std::ptrdiff_t n, int level) {
    return table(level).kl_sum(V, X, R, n);
}

void gemm(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk, std::ptrdiff_t st, int K,
          int T, double* out, std::ptrdiff_t ldo, int level) {
    table(level).gemm(X, ldx, L, Y, sk, st, K, T, out, ldo);
}

}  // namespace sigstream::kernels
