#include "nmf_kernels.h"

#include <cfloat>
#include <cstddef>
#include <cstring>
#include <vector>

// Function multi-versioning: GCC on x86-64 builds each kernel for the base ISA, x86-64-v3 and x86-64-v4
// and picks one when the plugin is loaded (an ifunc). Elsewhere the kernels are built once.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(SIGSTREAM_NMF_NO_CLONES)
#define SIGSTREAM_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define SIGSTREAM_CLONES
#endif
#define SIGSTREAM_ALWAYS_INLINE inline __attribute__((always_inline))

// The vector helpers below pass 64-byte vectors by value; they are internal and always inlined, so the
// calling-convention difference GCC warns about (-Wpsabi: "AVX512F vector return without AVX512F
// enabled changes the ABI") never crosses a function boundary.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace sigstream::nmf::kernels {
namespace {

static_assert(kLanes == 8, "the vector types below hold 8 doubles");
typedef double vd __attribute__((vector_size(64)));
typedef long long vi __attribute__((vector_size(64)));

SIGSTREAM_ALWAYS_INLINE vd load(const double* p) {
    vd v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
SIGSTREAM_ALWAYS_INLINE void store(double* p, vd v) {
    std::memcpy(p, &v, sizeof v);
}
// Reinterprets the bits (std::bit_cast trips GCC 12's UBSan on vector types; memcpy compiles to nothing).
template <typename To, typename From>
SIGSTREAM_ALWAYS_INLINE To bits(const From& from) {
    static_assert(sizeof(To) == sizeof(From));
    To to;
    std::memcpy(&to, &from, sizeof to);
    return to;
}
SIGSTREAM_ALWAYS_INLINE vd splat(double x) {
    return vd{} + x;
}
SIGSTREAM_ALWAYS_INLINE vd vmax(vd a, vd b) {
    return a > b ? a : b;
}
SIGSTREAM_ALWAYS_INLINE double hsum(vd v) {
    return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

// fdlibm's __ieee754_log (Sun Microsystems, 1993) on vectors, for positive finite normal x:
// x = 2^k z with z in [sqrt(1/2), sqrt(2)), f = z - 1, s = f / (2 + f),
// log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))), R a minimax polynomial (error < 2^-58.45).
SIGSTREAM_ALWAYS_INLINE vd vlog(vd x) {
    const vi ix = bits<vi>(x);
    const vi tmp = ix - 0x3fe6a09e667f3bcdLL;  // bits of sqrt(1/2)
    const vi k = tmp >> 52;                    // arithmetic shift: the exponent, with sign
    const vi iz = ix - (tmp & -(1LL << 52));
    const vd z = bits<vd>(iz);
    const vd magic = splat(0x1.8p52);
    const vi kbits = bits<vi>(magic) + k;
    const vd kd = bits<vd>(kbits) - magic;  // (double) k, exactly
    constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                     Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                     Lg7 = 1.479819860511658591e-01;
    constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const vd f = z - 1.0;
    const vd s = f / (2.0 + f);
    const vd zz = s * s;
    const vd w = zz * zz;
    const vd t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    const vd t2 = zz * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    const vd R = t2 + t1;
    const vd hfsq = 0.5 * f * f;
    return kd * ln2_hi - ((hfsq - (s * (hfsq + R) + kd * ln2_lo)) - f);
}

// out[l + k ldo] = sum_t X[l + t ldx] Y[k sk + t st] for l < L (a multiple of 2 kLanes) and k < KB: a
// register-blocked product (2 x KB vector accumulators, one broadcast per FMA).
template <int KB>
SIGSTREAM_ALWAYS_INLINE void micro(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk,
                                   std::ptrdiff_t st, int T, double* out, std::ptrdiff_t ldo) {
    for (int l = 0; l < L; l += 2 * kLanes) {
        vd a0[KB], a1[KB];
        for (int k = 0; k < KB; ++k) a0[k] = a1[k] = vd{};
        const double* x = X + l;
        const double* y = Y;
        for (int t = 0; t < T; ++t, x += ldx, y += st) {
            const vd x0 = load(x), x1 = load(x + kLanes);
            for (int k = 0; k < KB; ++k) {
                const double yk = y[k * sk];
                a0[k] += x0 * yk;
                a1[k] += x1 * yk;
            }
        }
        for (int k = 0; k < KB; ++k) {
            store(out + l + k * ldo, a0[k]);
            store(out + l + k * ldo + kLanes, a1[k]);
        }
    }
}

}  // namespace

SIGSTREAM_CLONES void gemm(const double* X, std::ptrdiff_t ldx, int L, const double* Y, std::ptrdiff_t sk,
                           std::ptrdiff_t st, int K, int T, double* out, std::ptrdiff_t ldo) {
    int k = 0;
    for (; k + 6 <= K; k += 6) micro<6>(X, ldx, L, Y + k * sk, sk, st, T, out + k * ldo, ldo);
    const double* y = Y + k * sk;
    double* o = out + k * ldo;
    switch (K - k) {
        case 1:
            micro<1>(X, ldx, L, y, sk, st, T, o, ldo);
            break;
        case 2:
            micro<2>(X, ldx, L, y, sk, st, T, o, ldo);
            break;
        case 3:
            micro<3>(X, ldx, L, y, sk, st, T, o, ldo);
            break;
        case 4:
            micro<4>(X, ldx, L, y, sk, st, T, o, ldo);
            break;
        case 5:
            micro<5>(X, ldx, L, y, sk, st, T, o, ldo);
            break;
        default:
            break;
    }
}

SIGSTREAM_CLONES double log(double x) {
    const vd v = vlog(splat(x));
    return v[0];
}

SIGSTREAM_CLONES void kl_ratio(const double* V, double* U, std::ptrdiff_t count, double* sums) {
    const vd tiny = splat(1e-300), dmin = splat(DBL_MIN);
    vd slog = {}, su = {};
    for (std::ptrdiff_t i = 0; i < count; i += kLanes) {
        const vd uu = load(U + i), vv = load(V + i);
        const vd rr = vv / vmax(uu, tiny);
        store(U + i, rr);
        if (sums != nullptr) {
            slog += vv * vlog(vmax(rr, dmin));
            su += uu;
        }
    }
    if (sums != nullptr) {
        sums[0] += hsum(slog);
        sums[1] += hsum(su);
    }
}

SIGSTREAM_CLONES double mu_update_t(double* Ht, const double* P, const double* Den, std::ptrdiff_t ld, int n, int K,
                                    double floor, double* H) {
    const int n8 = n / kLanes * kLanes;
    const vd vfloor = splat(floor);
    vd cv = {};
    double c = 0;
    for (int k = 0; k < K; ++k) {
        double* h = Ht + k * ld;
        const double* p = P + k * ld;
        const double* d = Den + k * ld;
        if (Den != nullptr) {
            for (int j = 0; j < n8; j += kLanes) store(h + j, vmax(load(h + j) * load(p + j) / load(d + j), vfloor));
            for (int j = n8; j < n; ++j) {
                const double next = h[j] * p[j] / d[j];
                h[j] = next > floor ? next : floor;
            }
        }
        for (int j = 0; j < n8; j += kLanes) cv += load(p + j) * load(h + j);
        for (int j = n8; j < n; ++j) c += p[j] * h[j];
    }
    for (int j = 0; j < n; ++j)
        for (int k = 0; k < K; ++k) H[k + static_cast<std::ptrdiff_t>(j) * K] = Ht[j + k * ld];
    return hsum(cv) + c;
}

SIGSTREAM_CLONES void ccd_kl_lanes(const double* X, std::ptrdiff_t ld, int L, int T, const double* D, std::ptrdiff_t dk,
                                   std::ptrdiff_t dt, double* C, std::ptrdiff_t ldc, double* U, int K, int steps,
                                   const double* dsum, double floor) {
    const vd ufloor = splat(floor * floor), vfloor = splat(floor);
    for (int l = 0; l < L; l += 2 * kLanes) {
        double* u = U + l;
        const double* x = X + l;
        for (int t = 0; t < T; ++t) {
            store(u + t * ld, vmax(load(u + t * ld), ufloor));
            store(u + t * ld + kLanes, vmax(load(u + t * ld + kLanes), ufloor));
        }
        for (int k = 0; k < K; ++k) {
            double* c = C + l + k * ldc;
            vd c0 = load(c), c1 = load(c + kLanes);
            const double* a = D + k * dk;
            const double ds = dsum[k];
            for (int step = 0; step < steps; ++step) {
                vd p0 = {}, p1 = {}, q0 = {}, q1 = {};
                for (int t = 0; t < T; ++t) {
                    const double at = a[t * dt];
                    const vd r0 = at / load(u + t * ld), r1 = at / load(u + t * ld + kLanes);
                    const vd y0 = load(x + t * ld) * r0, y1 = load(x + t * ld + kLanes) * r1;
                    p0 += y0;
                    p1 += y1;
                    q0 += y0 * r0;
                    q1 += y1 * r1;
                }
                // The safeguarded Newton step (see nmf_core.cpp) on 2 x kLanes independent problems at once.
                const vd g0 = ds - p0, g1 = ds - p1;
                const vd mm0 = c0 * (p0 / ds), mm1 = c1 * (p1 / ds);
                const vd nt0 = q0 > 0 ? c0 - g0 / q0 : mm0, nt1 = q1 > 0 ? c1 - g1 / q1 : mm1;
                vd n0 = g0 < 0 ? nt0 : vmax(nt0, mm0), n1 = g1 < 0 ? nt1 : vmax(nt1, mm1);
                n0 = g0 == 0 ? c0 : vmax(n0, vfloor);
                n1 = g1 == 0 ? c1 : vmax(n1, vfloor);
                const vd d0 = n0 - c0, d1 = n1 - c1;
                for (int t = 0; t < T; ++t) {
                    const double at = a[t * dt];
                    store(u + t * ld, vmax(load(u + t * ld) + d0 * at, ufloor));
                    store(u + t * ld + kLanes, vmax(load(u + t * ld + kLanes) + d1 * at, ufloor));
                }
                c0 = n0;
                c1 = n1;
            }
            store(c, c0);
            store(c + kLanes, c1);
        }
    }
}

}  // namespace sigstream::nmf::kernels
