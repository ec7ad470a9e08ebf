#include "nmf_kernels.h"

#include <cfloat>
#include <cstddef>

#include "sigstream_gemm.h"
#include "sigstream_simd.h"

// Compiled with -ffp-contract=off (CMakeLists.txt): the levels agree bit for bit (sigstream_simd.h).

namespace sigstream::nmf::kernels {
namespace {

using simd::load;
using simd::splat;
using simd::store;

template <int W>
SIGSTREAM_SIMD_INLINE void kl_ratio_impl(const double* V, double* U, std::ptrdiff_t count, double* lanes) {
    using Vd = simd::vd<W>;
    const Vd tiny = splat<W>(1e-300), dmin = splat<W>(DBL_MIN);
    simd::Lanes8<W> slog, su;
    if (lanes != nullptr) {
        slog.load(lanes);
        su.load(lanes + 8);
    }
    for (std::ptrdiff_t i = 0; i < count; i += kLanes)
        for (int p = 0; p < kLanes / W; ++p) {
            double* u = U + i + p * W;
            const Vd uu = load<W>(u), vv = load<W>(V + i + p * W);
            const Vd rr = vv / simd::max<W>(uu, tiny);
            store<W>(u, rr);
            if (lanes != nullptr) {
                slog.add(p, vv * simd::log<W>(simd::max<W>(rr, dmin)));
                su.add(p, uu);
            }
        }
    if (lanes != nullptr) {
        slog.store(lanes);
        su.store(lanes + 8);
    }
}

template <int W>
SIGSTREAM_SIMD_INLINE double mu_update_t_impl(double* Ht, const double* P, const double* Den, std::ptrdiff_t ld, int n,
                                              int K, double floor, double* H) {
    using Vd = simd::vd<W>;
    const int n8 = n / kLanes * kLanes;
    const Vd vfloor = splat<W>(floor);
    simd::Lanes8<W> cv;
    double c = 0;
    for (int k = 0; k < K; ++k) {
        double* h = Ht + k * ld;
        const double* p = P + k * ld;
        if (Den != nullptr) {  // (HALS passes none: no offset of a null pointer is even formed)
            const double* d = Den + k * ld;
            for (int j = 0; j < n8; j += W)
                store<W>(h + j, simd::max<W>(load<W>(h + j) * load<W>(p + j) / load<W>(d + j), vfloor));
            for (int j = n8; j < n; ++j) {
                const double next = h[j] * p[j] / d[j];
                h[j] = next > floor ? next : floor;
            }
        }
        for (int j = 0; j < n8; j += kLanes)
            for (int q = 0; q < kLanes / W; ++q) cv.add(q, load<W>(p + j + q * W) * load<W>(h + j + q * W));
        for (int j = n8; j < n; ++j) c += p[j] * h[j];
    }
    for (int j = 0; j < n; ++j)
        for (int k = 0; k < K; ++k) H[k + static_cast<std::ptrdiff_t>(j) * K] = Ht[j + k * ld];
    return cv.total() + c;
}

// ccd_kl's steps at one t: u there (2 vectors at u), with the pending update u += d a_t (pa: the pending a,
// or null) made, floored and stored.
template <int W>
SIGSTREAM_SIMD_INLINE void ccd_current(double* u, const double* pa, std::ptrdiff_t at, simd::vd<W> d0, simd::vd<W> d1,
                                       simd::vd<W> ufloor, simd::vd<W>& u0, simd::vd<W>& u1) {
    u0 = load<W>(u);
    u1 = load<W>(u + W);
    if (pa != nullptr) {
        const double pt = pa[at];
        u0 = simd::max<W>(u0 + d0 * pt, ufloor);
        u1 = simd::max<W>(u1 + d1 * pt, ufloor);
        store<W>(u, u0);
        store<W>(u + W, u1);
    }
}
// … and the sums p += x r, q += x r^2 with r = a_t / u_t (x: 2 vectors).
template <int W>
SIGSTREAM_SIMD_INLINE void ccd_add(const double* x, simd::vd<W> r0, simd::vd<W> r1, simd::vd<W>& p0, simd::vd<W>& p1,
                                   simd::vd<W>& q0, simd::vd<W>& q1) {
    const simd::vd<W> y0 = load<W>(x) * r0, y1 = load<W>(x + W) * r1;
    p0 += y0;
    p1 += y1;
    q0 += y0 * r0;
    q1 += y1 * r1;
}

template <int W>
SIGSTREAM_SIMD_INLINE void ccd_kl_impl(const double* X, int L, int T, const double* D, std::ptrdiff_t dk,
                                       std::ptrdiff_t dt, double* C, std::ptrdiff_t ldc, int K, int steps,
                                       const double* dsum, double floor, double* u) {
    using Vd = simd::vd<W>;
    constexpr int P = 2 * W;  // lanes per panel
    const Vd ufloor = splat<W>(floor * floor), vfloor = splat<W>(floor);
    for (int l = 0; l < L; l += P) {
        const double* x = X + static_cast<std::ptrdiff_t>(l) * T;  // this panel: x[t P + lane]
        // u <- max(c D, floor^2) for the panel, each entry summed over k in order from 0 (as gemm sums W H).
        for (int t = 0; t < T; ++t) {
            Vd s0 = {}, s1 = {};
            for (int k = 0; k < K; ++k) {
                const double a = D[t * dt + k * dk];
                s0 += load<W>(C + l + k * ldc) * a;
                s1 += load<W>(C + l + k * ldc + W) * a;
            }
            store<W>(u + t * P, simd::max<W>(s0, ufloor));
            store<W>(u + t * P + W, simd::max<W>(s1, ufloor));
        }
        // The update of u by the last step (u += d a, floored) is made in the pass that sums for the next step,
        // element by element as a pass of its own would: one pass over u per step instead of two.
        const double* pending_a = nullptr;  // a of the step whose update is pending
        Vd pending0 = {}, pending1 = {};    // its d
        for (int k = 0; k < K; ++k) {
            double* c = C + l + k * ldc;
            Vd c0 = load<W>(c), c1 = load<W>(c + W);
            const double* a = D + k * dk;
            const double ds = dsum[k];
            for (int step = 0; step < steps; ++step) {
                Vd p0 = {}, p1 = {}, q0 = {}, q1 = {};
                // Two t at a time with one division (the divisions bound this loop): with i = 1 / (u_t u_t+1),
                // a_t / u_t = (a_t u_t+1) i and a_t+1 / u_t+1 = (a_t+1 u_t) i. u >= floor^2 = 1e-32 and the
                // products of counts stay far from overflow, so i is finite and within a few ulp of the quotients.
                // Lane by lane in a fixed order: the same bits at every vector width.
                int t = 0;
                for (; t + 1 < T; t += 2) {
                    Vd ua0, ua1, ub0, ub1;
                    ccd_current<W>(u + t * P, pending_a, t * dt, pending0, pending1, ufloor, ua0, ua1);
                    ccd_current<W>(u + (t + 1) * P, pending_a, (t + 1) * dt, pending0, pending1, ufloor, ub0, ub1);
                    const Vd i0 = 1.0 / (ua0 * ub0), i1 = 1.0 / (ua1 * ub1);
                    const double at = a[t * dt], bt = a[(t + 1) * dt];
                    ccd_add<W>(x + t * P, (at * ub0) * i0, (at * ub1) * i1, p0, p1, q0, q1);
                    ccd_add<W>(x + (t + 1) * P, (bt * ua0) * i0, (bt * ua1) * i1, p0, p1, q0, q1);
                }
                if (t < T) {
                    Vd u0, u1;
                    ccd_current<W>(u + t * P, pending_a, t * dt, pending0, pending1, ufloor, u0, u1);
                    const double at = a[t * dt];
                    ccd_add<W>(x + t * P, at / u0, at / u1, p0, p1, q0, q1);
                }
                // The safeguarded Newton step (see nmf_core.cpp) on 2 W independent problems at once.
                const Vd g0 = ds - p0, g1 = ds - p1;
                const Vd mm0 = c0 * (p0 / ds), mm1 = c1 * (p1 / ds);
                const Vd nt0 = q0 > 0 ? c0 - g0 / q0 : mm0, nt1 = q1 > 0 ? c1 - g1 / q1 : mm1;
                Vd n0 = g0 < 0 ? nt0 : simd::max<W>(nt0, mm0), n1 = g1 < 0 ? nt1 : simd::max<W>(nt1, mm1);
                n0 = g0 == 0 ? c0 : simd::max<W>(n0, vfloor);
                n1 = g1 == 0 ? c1 : simd::max<W>(n1, vfloor);
                pending0 = n0 - c0;
                pending1 = n1 - c1;
                pending_a = a;
                c0 = n0;
                c1 = n1;
            }
            store<W>(c, c0);
            store<W>(c + W, c1);
        }
        // The last pending update of u is not made: u is the panel's scratch.
    }
}

template <int W>
SIGSTREAM_SIMD_INLINE void log_impl(const double* x, double* y, std::ptrdiff_t n) {
    std::ptrdiff_t i = 0;
    for (; i + W <= n; i += W) store<W>(y + i, simd::log<W>(load<W>(x + i)));
    if (i < n) {
        double in[W], out[W];
        for (int j = 0; j < W; ++j) in[j] = i + j < n ? x[i + j] : 1.0;
        store<W>(out, simd::log<W>(load<W>(in)));
        for (int j = 0; i + j < n; ++j) y[i + j] = out[j];
    }
}

// One level's kernels: each a function compiled for the level that runs the template at its width.
#define SIGSTREAM_NMF_LEVEL(L)                                                                                     \
    SIGSTREAM_SIMD_TARGET_##L void gemm_##L(const double* X, std::ptrdiff_t ldx, int Lr, const double* Y,          \
                                            std::ptrdiff_t sk, std::ptrdiff_t st, int K, int T, double* out,       \
                                            std::ptrdiff_t ldo) {                                                  \
        SIGSTREAM_SIMD_GEMM(L, X, ldx, Lr, Y, sk, st, K, T, out, ldo);                                             \
    }                                                                                                              \
    SIGSTREAM_SIMD_TARGET_##L void kl_ratio_##L(const double* V, double* U, std::ptrdiff_t count, double* lanes) { \
        kl_ratio_impl<SIGSTREAM_SIMD_WIDTH_##L>(V, U, count, lanes);                                               \
    }                                                                                                              \
    SIGSTREAM_SIMD_TARGET_##L double mu_update_t_##L(double* Ht, const double* P, const double* Den,               \
                                                     std::ptrdiff_t ld, int n, int K, double floor, double* H) {   \
        return mu_update_t_impl<SIGSTREAM_SIMD_WIDTH_##L>(Ht, P, Den, ld, n, K, floor, H);                         \
    }                                                                                                              \
    SIGSTREAM_SIMD_TARGET_##L void ccd_kl_##L(const double* X, int Lr, int T, const double* D, std::ptrdiff_t dk,  \
                                              std::ptrdiff_t dt, double* C, std::ptrdiff_t ldc, int K, int steps,  \
                                              const double* dsum, double floor, double* u) {                       \
        ccd_kl_impl<SIGSTREAM_SIMD_WIDTH_##L>(X, Lr, T, D, dk, dt, C, ldc, K, steps, dsum, floor, u);              \
    }                                                                                                              \
    SIGSTREAM_SIMD_TARGET_##L void log_##L(const double* x, double* y, std::ptrdiff_t n) {                         \
        log_impl<SIGSTREAM_SIMD_WIDTH_##L>(x, y, n);                                                               \
    }                                                                                                              \
    const Table table_##L = {gemm_##L,   kl_ratio_##L, mu_update_t_##L,                                            \
                             ccd_kl_##L, log_##L,      2 * SIGSTREAM_SIMD_WIDTH_##L};

SIGSTREAM_NMF_LEVEL(generic)
SIGSTREAM_NMF_LEVEL(v2)
SIGSTREAM_NMF_LEVEL(v3)
SIGSTREAM_NMF_LEVEL(v4)
#undef SIGSTREAM_NMF_LEVEL

}  // namespace

void pack(const double* A, std::ptrdiff_t ld, int L, int T, int P, double* out) {
    for (int l = 0; l < L; l += P)
        for (int t = 0; t < T; ++t)
            for (int r = 0; r < P; ++r)
                out[static_cast<std::ptrdiff_t>(l) * T + static_cast<std::ptrdiff_t>(t) * P + r] = A[l + r + t * ld];
}

const Table& table(int level) {
    return simd::pick(level, table_generic, table_v2, table_v3, table_v4);
}

}  // namespace sigstream::nmf::kernels
