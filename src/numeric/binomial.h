// Portable, exact binomial random variates: for the same engine state, the same draws on every platform.
//
// binomial(n, p, engine) draws from Binomial(n, p) exactly (no normal or Poisson approximation), in expected
// O(1) time for every n, and returns the same value for the same engine state whatever the compiler, the
// standard library or the maths library — which std::binomial_distribution does not (its algorithm is
// implementation-defined, so libstdc++ and libc++ builds drew different bootstraps).
//
// The algorithm (p′ = min(p, 1 − p); for p > ½ the draw is n − Binomial(n, 1 − p), and 1 − p is exact):
//  * n p′ < 10: the waiting-time method — geometric gaps between successes, each ⌊log U / log(1 − p′)⌋ + 1
//    with U uniform on (0, 1], counted until they pass n trials: n p′ + 1 engine outputs on average.
//  * n p′ ≥ 10: Hörmann's BTRD, transformed rejection with decomposition ("The generation of binomial random
//    variates", J. Stat. Comput. Simul. 46, 1993): 1.4 engine outputs per draw for large n p′, 2.5 at
//    n p′ = 10 (measured). Its final acceptance test is the paper's rearranged (equal in exact arithmetic) so
//    that no term grows with n: log f(k)/f(m) is summed as −(m+½) log1p(d/(m+1)) − (n−m+½) log1p(−d/(n−m+1))
//    + d log((n−k+1) r/(k+1)) plus Stirling corrections, with d = k − m and r = p/q; the paper's
//    (n+1) log(nm/nk) loses every digit for n near 1e16. Stirling corrections: a table for k < 16 (60-digit
//    values, tests/numeric/binomial_reference.py --constants), the series to z⁻⁹ above (error below 6e-17).
//
// Portability: every number is computed with +, −, ×, ÷ and sqrt, which IEEE 754 rounds exactly, each in a
// fixed order, and with exact operations (integer arithmetic, conversion of integers below 2^53, floor,
// fabs, splitting a double into exponent and significand). No libm function: std::log, std::exp and
// std::lgamma are accurate but not bit-identical across libms, and an accept/reject test on them would go the
// other way now and then. The logarithm is portable_log below. Words become doubles as the top 53 bits
// × 2^-53, and the engine is std::mt19937_64, whose output sequence the C++ standard specifies. Limits:
//  * binomial.cpp is compiled with -ffp-contract=off (a fused multiply-add rounds once where the code
//    rounds twice) and refuses to compile where FLT_EVAL_METHOD ≠ 0 (x87 excess precision). -ffast-math, or
//    any flag that lets the compiler reorder floating-point arithmetic, breaks the guarantee.
//  * Exact up to floating point: the log-density in BTRD's final test is off by about |k − m| × 2^-52 (against
//    60-digit arithmetic: 1e-14 for n = 100, 4e-9 for n = 1e12, 3e-7 for n = 2^53 − 1 at 12 sd from the
//    mode), as much as one ulp of p itself moves it; the bias is far below anything a test could detect.
//  * A draw takes a variable number of engine outputs (none for n = 0, p = 0 or p = 1). Draws are not those
//    of any other library's binomial generator.
//
// tests/numeric/binomial_reference.py is an independent Python implementation (its own mt19937_64); its draws
// are checked by tests/numeric/binomial_test.cpp.
#pragma once

#include <cstdint>
#include <random>

namespace sigstream {

// The most trials binomial() accepts, 2^53 − 1: every count it handles, and n + 1, is an exact double.
inline constexpr std::uint64_t kBinomialMaxTrials = (std::uint64_t{1} << 53) - 1;

// A draw from Binomial(n, p): the number of successes in n independent trials of success probability p.
// Throws DataError when p is not in [0, 1] (or NaN) or n > kBinomialMaxTrials.
std::uint64_t binomial(std::uint64_t n, double p, std::mt19937_64& engine);

// A uniform double in [0, 1): the top 53 bits of one engine output × 2^-53.
double uniform_unit(std::mt19937_64& engine);

// The natural logarithm from +, −, ×, ÷ in a fixed order (the argument reduced to √½ ≤ f < √2 by its
// exponent, then the series 2 atanh((f−1)/(f+1)) to its 21st power): within 3 ulp of the true value (at most 2
// measured over 3 million arguments; not correctly rounded) and bit-identical on every IEEE 754 platform. log(0) =
// −inf; log(x < 0) and log(NaN) = NaN; log(+inf) = +inf.
double portable_log(double x);

// log(1 + x), accurate also for tiny x (the same series on x/(2+x) for |x| < ¼; above, log of the rounded 1 + x
// plus the rounding error over it), within 3 ulp (3 measured), as portable as portable_log.
double portable_log1p(double x);

}  // namespace sigstream
