// Portable binomial variates (see binomial.h). Every floating-point expression here is evaluated as written,
// one IEEE 754 rounding per operation (CMakeLists.txt compiles this file with -ffp-contract=off);
// tests/numeric/binomial_reference.py repeats each one in the same order.
#include "numeric/binomial.h"

#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>

#include "core/errors.h"
#include "core/format.h"

static_assert(std::numeric_limits<double>::is_iec559, "binomial.cpp needs IEEE 754 doubles");
static_assert(FLT_EVAL_METHOD == 0,
              "binomial.cpp needs every double operation rounded to double (no x87 excess precision): "
              "build for SSE2 or a 64-bit platform");

namespace sigstream {

namespace {

constexpr double kTwoToMinus53 = 0x1.0p-53;
constexpr double kSqrt2 = 0x1.6a09e667f3bcdp+0;  // √2 rounded to double
// ln 2 = kLn2Hi + kLn2Lo, kLn2Hi with 32 significant bits (e · kLn2Hi is exact for every exponent e).
constexpr double kLn2Hi = 0x1.62e42fee00000p-1;
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;

// 2 atanh(s) = 2s + s·z·(2/3 + 2z/5 + … + 2z⁹/21), z = s², for |s| ≤ 3 − 2√2 ≈ 0.1716 (the first term left
// out, 2|s|·z¹¹/23, is below 2^-57 of the sum).
double two_atanh(double s) {
    const double z = s * s;
    double r = 2.0 / 21.0;
    r = r * z + 2.0 / 19.0;
    r = r * z + 2.0 / 17.0;
    r = r * z + 2.0 / 15.0;
    r = r * z + 2.0 / 13.0;
    r = r * z + 2.0 / 11.0;
    r = r * z + 2.0 / 9.0;
    r = r * z + 2.0 / 7.0;
    r = r * z + 2.0 / 5.0;
    r = r * z + 2.0 / 3.0;
    return 2.0 * s + (s * z) * r;
}

// ln(k!) − [(k + ½) ln(k + 1) − (k + 1) + ½ ln 2π] for k = 0 … 15, computed to 60 digits and rounded.
constexpr double kStirlingTable[16] = {
    0x1.4c071bcda0a5bp-4, 0x1.52a9b923ea649p-5, 0x1.c579a268d80b3p-6, 0x1.54a2662fd78a9p-6,
    0x1.10b4e513fcbedp-6, 0x1.c6b167bebdf36p-7, 0x1.85d4d612e4a86p-7, 0x1.552805e7b3076p-7,
    0x1.2f4871b12ab64p-7, 0x1.10f9d4c0743a7p-7, 0x1.f0593088014f8p-8, 0x1.c7018733aa9c6p-8,
    0x1.a40514700f36cp-8, 0x1.86076c002d4a7p-8, 0x1.6c08f6f194a10p-8, 0x1.5549f7dd113bcp-8,
};

// The same correction for any k: the table, or the Stirling series 1/12z − 1/360z³ + 1/1260z⁵ − 1/1680z⁷ +
// 1/1188z⁹ with z = k + 1 ≥ 17 (the next term, 691/360360z¹¹, is below 6e-17).
double stirling_correction(std::uint64_t k) {
    if (k < 16) return kStirlingTable[k];
    const double z = static_cast<double>(k) + 1.0;
    const double z2 = z * z;
    return (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - (1.0 / 1188.0) / z2) / z2) / z2) / z2) / z;
}

// A uniform double in (0, 1]: (top 53 bits + 1) × 2^-53.
double uniform_positive(std::mt19937_64& engine) {
    return static_cast<double>((engine() >> 11) + 1) * kTwoToMinus53;
}

// Binomial(n, p) for 0 < p ≤ ½ and n p < 10 by waiting times: the gaps between successes are geometric,
// P(gap > g) = q^g, drawn as ⌊log U / log q⌋ + 1 (U in (0, 1]); the draw is the number of gaps that fit in n.
std::uint64_t waiting_times(std::uint64_t n, double p, std::mt19937_64& engine) {
    const double log_q = portable_log1p(-p);
    if (!(log_q < 0)) return 0;  // p = the smallest subnormal: log(1 − p) rounds to 0; P(any success) < 1e-307
    std::uint64_t successes = 0, left = n;
    for (;;) {
        const double gap = portable_log(uniform_positive(engine)) / log_q;  // ≥ 0; trials before the next success
        if (!(gap < static_cast<double>(left))) return successes;
        left -= static_cast<std::uint64_t>(gap) + 1;  // gap < left ≤ 2^53: the conversion is exact ⌊gap⌋
        ++successes;
    }
}

// Binomial(n, p) for 0 < p ≤ ½ and n p ≥ 10 by BTRD (Hörmann 1993; steps numbered as in the paper).
std::uint64_t btrd(std::uint64_t n, double p, std::mt19937_64& engine) {
    const double nd = static_cast<double>(n);
    const double q = 1.0 - p;
    const double npq = nd * p * q;
    const double spq = std::sqrt(npq);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = nd * p + 0.5;
    const double alpha = (2.83 + 5.1 / b) * spq;
    const double vr = 0.92 - 4.2 / b;
    const double urvr = 0.86 * vr;
    const double r = p / q;
    const double nr = (nd + 1.0) * r;
    const auto m = static_cast<std::uint64_t>(std::floor((nd + 1.0) * p));  // the mode; m ≤ n as p ≤ ½
    const double dm = static_cast<double>(m);

    for (;;) {
        // 1: immediate acceptance, one uniform (a share 0.86 v_r of the tries: 79 % for large n p, 26 % at n p = 10).
        double v = uniform_unit(engine);
        double u;
        if (v <= urvr) {
            u = v / vr - 0.43;
            const double kd = std::floor((2.0 * a / (0.5 - std::fabs(u)) + b) * u + c);
            // Inside [0, n] whenever n p ≥ 10 (c ∓ 0.735 b stays in range); checked all the same.
            if (kd >= 0.0 && kd <= nd) return static_cast<std::uint64_t>(kd);
            continue;
        }
        // 2: a point (u, v) uniform on the rest of the hat's rectangle.
        if (v >= vr) {
            u = uniform_unit(engine) - 0.5;
        } else {
            u = v / vr - 0.93;
            u = (u < 0.0 ? -0.5 : 0.5) - u;
            v = uniform_unit(engine) * vr;
        }
        // 3.0: the candidate k (out of range, or ±inf at |u| = ½: rejected).
        const double us = 0.5 - std::fabs(u);
        const double kd = std::floor((2.0 * a / us + b) * u + c);
        if (!(kd >= 0.0 && kd <= nd)) continue;
        const auto k = static_cast<std::uint64_t>(kd);
        v = v * alpha / (a / (us * us) + b);
        const std::uint64_t km = k > m ? k - m : m - k;
        if (km <= 15) {
            // 3.1: f(k)/f(m) as a product of pmf ratios f(i)/f(i−1) = (n+1)r/i − r.
            double f = 1.0;
            if (m < k) {
                for (std::uint64_t i = m + 1; i <= k; ++i) f = f * (nr / static_cast<double>(i) - r);
            } else if (m > k) {
                for (std::uint64_t i = k + 1; i <= m; ++i) v = v * (nr / static_cast<double>(i) - r);
            }
            if (v <= f) return k;
            continue;
        }
        // 3.2: squeeze on log v.
        v = portable_log(v);
        const double kmd = static_cast<double>(km);
        const double rho = (kmd / npq) * (((kmd / 3.0 + 0.625) * kmd + 1.0 / 6.0) / npq + 0.5);
        const double t = -(kmd * kmd) / (2.0 * npq);
        if (v < t - rho) return k;
        if (v > t + rho) continue;
        // 3.3: the exact test, v ≤ log f(k)/f(m), rearranged (binomial.h) so that no term grows with n.
        const double dk = static_cast<double>(k);
        const double d = dk - dm;         // exact: both below 2^53
        const double nm = nd - dm + 1.0;  // n − m + 1, exact
        const double nk = nd - dk + 1.0;  // n − k + 1, exact
        double log_ratio = stirling_correction(m) + stirling_correction(n - m);
        log_ratio = log_ratio - stirling_correction(k);
        log_ratio = log_ratio - stirling_correction(n - k);
        log_ratio = log_ratio - (dm + 0.5) * portable_log1p(d / (dm + 1.0));
        log_ratio = log_ratio - (nd - dm + 0.5) * portable_log1p(-d / nm);
        log_ratio = log_ratio + d * portable_log(nk * r / (dk + 1.0));
        if (v <= log_ratio) return k;
    }
}

}  // namespace

double uniform_unit(std::mt19937_64& engine) {
    return static_cast<double>(engine() >> 11) * kTwoToMinus53;
}

double portable_log(double x) {
    if (std::isnan(x) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
    if (x == 0.0) return -std::numeric_limits<double>::infinity();
    if (std::isinf(x)) return x;
    // x = f · 2^e with f in [1, 2), read off the bits (a subnormal x is first scaled by 2^54, exactly).
    int e = 0;
    if (x < DBL_MIN) {
        x = x * 0x1.0p54;
        e = -54;
    }
    const auto bits = std::bit_cast<std::uint64_t>(x);
    e += static_cast<int>(bits >> 52) - 1023;
    double f = std::bit_cast<double>((bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1023} << 52));
    if (f >= kSqrt2) {  // to [√½, √2): |s| ≤ 3 − 2√2 below
        f = f * 0.5;
        ++e;
    }
    const double s = (f - 1.0) / (f + 1.0);  // f − 1 is exact
    const double de = static_cast<double>(e);
    return de * kLn2Hi + (two_atanh(s) + de * kLn2Lo);
}

double portable_log1p(double x) {
    if (x > -0.25 && x < 0.25) return two_atanh(x / (2.0 + x));  // log(1+x) = 2 atanh(x/(2+x)), |s| < 1/7
    const double u = 1.0 + x;
    if (!(x > 0.0)) return portable_log(u);  // x ≤ −¼: 1 + x is exact; also −1, below and NaN
    if (std::isinf(x)) return x;
    // u = 1 + x − e, with the rounding error e recovered exactly (Fast2Sum, larger term first); log(1 + x) ≈
    // log u + e/u.
    const double e = x < 1.0 ? x - (u - 1.0) : 1.0 - (u - x);
    return portable_log(u) + e / u;
}

std::uint64_t binomial(std::uint64_t n, double p, std::mt19937_64& engine) {
    if (!(p >= 0.0 && p <= 1.0))
        throw DataError("", 0, "a binomial draw with success probability " + exact_number(p),
                        "the probability must be in [0, 1]");
    if (n > kBinomialMaxTrials)
        throw DataError("", 0, "a binomial draw of " + std::to_string(n) + " trials",
                        "at most 2^53 - 1 = " + std::to_string(kBinomialMaxTrials) + " trials can be drawn exactly");
    if (n == 0 || p == 0.0) return 0;
    if (p == 1.0) return n;
    const bool flip = p > 0.5;
    const double pp = flip ? 1.0 - p : p;  // exact for p in [½, 1]
    const std::uint64_t x = static_cast<double>(n) * pp < 10.0 ? waiting_times(n, pp, engine) : btrd(n, pp, engine);
    return flip ? n - x : x;
}

}  // namespace sigstream
