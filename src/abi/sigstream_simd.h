// Vector kernels written once for every instruction-set level (sigstream_isa.h): the plugins' kernels and the
// library's. Header-only C++ (the plugins see it beside the backend ABI; so may a third-party backend).
//
// A kernel is a template on W, the doubles per vector (GCC/Clang vector extensions: the same source becomes SSE2,
// AVX2 or AVX-512 code), instantiated in one function per level, each compiled for its level:
//
//     level     target                  W
//     generic   the build's baseline    2   (SSE2 on x86-64; NEON on aarch64)
//     v2        arch=x86-64-v2          2
//     v3        arch=x86-64-v3          4   (AVX2)
//     v4        arch=x86-64-v4          8   (AVX-512)
//
// (SIGSTREAM_SIMD_LEVEL(L) gives L's target attribute and width), and a table of the per-level functions picks
// one per call site from the level chosen at run time (level(): the CPU's, or SIGSTREAM_ISA's). Off x86-64 every
// level is the generic code.
//
// The same bits at every level: a kernel file is compiled with -ffp-contract=off (a * b + c stays a rounded
// product and a rounded sum: no fused multiply-add at v3/v4), and every sum runs in an order that does not depend
// on W — elementwise work, sums within a lane, and reductions over 8 fixed lanes (Lanes8: element i in lane
// i mod 8, the lanes added in one fixed tree). Division and square root are correctly rounded everywhere, and the
// logarithm is computed by the same operations at every width (log()).
//
// Including it silences -Wpsabi in the including file (see below).
#ifndef SIGSTREAM_SIMD_H
#define SIGSTREAM_SIMD_H

#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "sigstream_isa.h"

// The helpers pass 32- and 64-byte vectors by value; they are always inlined into a function of one level, so
// the calling-convention note GCC gives for such vectors (-Wpsabi) never concerns a real call.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#define SIGSTREAM_SIMD_INLINE inline __attribute__((always_inline))

#ifdef SIGSTREAM_ISA_X86
#define SIGSTREAM_SIMD_TARGET_generic
#define SIGSTREAM_SIMD_TARGET_v2 __attribute__((target("arch=x86-64-v2")))
#define SIGSTREAM_SIMD_TARGET_v3 __attribute__((target("arch=x86-64-v3")))
#define SIGSTREAM_SIMD_TARGET_v4 __attribute__((target("arch=x86-64-v4")))
#define SIGSTREAM_SIMD_WIDTH_generic 2
#define SIGSTREAM_SIMD_WIDTH_v2 2
#define SIGSTREAM_SIMD_WIDTH_v3 4
#define SIGSTREAM_SIMD_WIDTH_v4 8
#else
#define SIGSTREAM_SIMD_TARGET_generic
#define SIGSTREAM_SIMD_TARGET_v2
#define SIGSTREAM_SIMD_TARGET_v3
#define SIGSTREAM_SIMD_TARGET_v4
#define SIGSTREAM_SIMD_WIDTH_generic 2
#define SIGSTREAM_SIMD_WIDTH_v2 2
#define SIGSTREAM_SIMD_WIDTH_v3 2
#define SIGSTREAM_SIMD_WIDTH_v4 2
#endif

namespace sigstream::simd {

// ---------------------------------------------------------------- levels

inline constexpr int kLevels[] = {SIGSTREAM_ISA_GENERIC, SIGSTREAM_ISA_V2, SIGSTREAM_ISA_V3, SIGSTREAM_ISA_V4};

inline const char* name(int level) {
    return sigstream_isa_name(level);
}

// Whether this CPU runs `level`.
inline bool supported(int level) {
    return level >= SIGSTREAM_ISA_GENERIC && level <= sigstream_isa_cpu();
}

// The level kernels run at: the CPU's highest, or the one SIGSTREAM_ISA names. Throws std::runtime_error when
// SIGSTREAM_ISA names no level or one this CPU lacks (a plugin's fit reports it as a failure).
inline int level() {
    static const int chosen = sigstream_isa_chosen();
    if (chosen == 0) {
        const char* forced = std::getenv("SIGSTREAM_ISA");
        const int cpu = sigstream_isa_cpu();
        const int asked = sigstream_isa_parse(forced);
        throw std::runtime_error(asked == 0 ? "SIGSTREAM_ISA=" + std::string(forced ? forced : "") +
                                                  " is not a level — use generic, v2, v3 or v4, or unset it"
                                            : "SIGSTREAM_ISA=" + std::string(forced) + " (" +
                                                  sigstream_isa_description(asked) +
                                                  ") is beyond this CPU, which runs up to " + sigstream_isa_name(cpu) +
                                                  " — unset SIGSTREAM_ISA or give a lower level");
    }
    return chosen;
}

// The one of four things (a kernel table, say) that belongs to `level`.
template <typename T>
const T& pick(int level, const T& generic, const T& v2, const T& v3, const T& v4) {
    switch (level) {
        case SIGSTREAM_ISA_V4:
            return v4;
        case SIGSTREAM_ISA_V3:
            return v3;
        case SIGSTREAM_ISA_V2:
            return v2;
        default:
            return generic;
    }
}

// ---------------------------------------------------------------- vectors of W doubles

template <int W>
struct Vec;
template <>
struct Vec<2> {
    typedef double d __attribute__((vector_size(16)));
    typedef std::int64_t i __attribute__((vector_size(16)));
    typedef std::uint64_t u __attribute__((vector_size(16)));
};
template <>
struct Vec<4> {
    typedef double d __attribute__((vector_size(32)));
    typedef std::int64_t i __attribute__((vector_size(32)));
    typedef std::uint64_t u __attribute__((vector_size(32)));
};
template <>
struct Vec<8> {
    typedef double d __attribute__((vector_size(64)));
    typedef std::int64_t i __attribute__((vector_size(64)));
    typedef std::uint64_t u __attribute__((vector_size(64)));
};

template <int W>
using vd = typename Vec<W>::d;
template <int W>
using vi = typename Vec<W>::i;
template <int W>
using vu = typename Vec<W>::u;

template <int W>
SIGSTREAM_SIMD_INLINE vd<W> load(const double* p) {
    vd<W> v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <int W>
SIGSTREAM_SIMD_INLINE void store(double* p, vd<W> v) {
    std::memcpy(p, &v, sizeof v);
}
template <int W>
SIGSTREAM_SIMD_INLINE vd<W> splat(double x) {
    return vd<W>{} + x;
}
template <int W>
SIGSTREAM_SIMD_INLINE vd<W> max(vd<W> a, vd<W> b) {
    return a > b ? a : b;
}
// Reinterprets the bits (memcpy compiles to nothing; std::bit_cast trips GCC 12's UBSan on vector types).
template <typename To, typename From>
SIGSTREAM_SIMD_INLINE To bits(const From& from) {
    static_assert(sizeof(To) == sizeof(From));
    To to;
    std::memcpy(&to, &from, sizeof to);
    return to;
}

// ---------------------------------------------------------------- sums in 8 fixed lanes

// The total of 8 lanes in Lanes8's fixed tree.
inline double lanes8_total(const double* l) {
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

// A sum whose order does not depend on W: element i of a stream of values goes to lane i mod 8, each lane adds
// in stream order, and total() adds the lanes as ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7)).
template <int W>
struct Lanes8 {
    static_assert(8 % W == 0);
    vd<W> lane[8 / W] = {};
    // Adds 8 consecutive values of the stream, as 8 / W vectors x[0], x[1], ….
    SIGSTREAM_SIMD_INLINE void add(int part, vd<W> x) { lane[part] += x; }
    SIGSTREAM_SIMD_INLINE double total() const {
        double l[8];
        store(l);
        return lanes8_total(l);
    }
    // The 8 lanes to and from memory (l[i] = lane i), so that a sum can run over several calls.
    SIGSTREAM_SIMD_INLINE void store(double* l) const {
        for (int p = 0; p < 8 / W; ++p) std::memcpy(l + p * W, &lane[p], sizeof(vd<W>));
    }
    SIGSTREAM_SIMD_INLINE void load(const double* l) {
        for (int p = 0; p < 8 / W; ++p) std::memcpy(&lane[p], l + p * W, sizeof(vd<W>));
    }
};

// ---------------------------------------------------------------- log

// fdlibm's __ieee754_log (Sun Microsystems, 1993) on W values at once, for positive finite x (normal or
// subnormal: fdlibm's scaling by 2^54), branch-free: x = 2^k m with m in [sqrt(2)/2, sqrt(2)), f = m - 1,
// s = f / (2 + f), log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))), R a minimax polynomial (error < 2^-58.45), then
// + k ln 2 in two parts. fdlibm switches to an algebraically equal form for some m; the one form here is within
// 2 ulp everywhere (tested). Element by element the same operations at every W, so the same bits. Shifts are
// logical (x > 0): AVX2 and SSE2 have no 64-bit arithmetic shift.
template <int W>
SIGSTREAM_SIMD_INLINE vd<W> log(vd<W> x_in) {
    constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                     Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                     Lg7 = 1.479819860511658591e-01;
    const vi<W> subnormal = x_in < std::numeric_limits<double>::min();
    const vd<W> x = subnormal ? x_in * 18014398509481984.0 : x_in;  // 2^54
    const vu<W> xbits = bits<vu<W>>(x);
    // The bits of x with its mantissa moved to [sqrt(2)/2, sqrt(2)): subtracting the bits of sqrt(2)/2 leaves the
    // exponent k in the top 12 bits (k may be negative: the subtraction wraps, as in two's complement).
    const vu<W> tmp = xbits - 0x3fe6a09e667f3bcdULL;
    const vu<W> mbits = xbits - (tmp & 0xfff0000000000000ULL);
    const vi<W> k = bits<vi<W>>((tmp >> 52) | ((0 - (tmp >> 63)) & 0xfffffffffffff000ULL)) + (subnormal & -54);
    const vd<W> f = bits<vd<W>>(mbits) - 1.0;
    // (double) k, exactly: the bits of 1.5 * 2^52 + k, minus 1.5 * 2^52 (|k| < 2^51).
    const vd<W> dk = bits<vd<W>>(k + 0x4338000000000000LL) - 6755399441055744.0;
    const vd<W> s = f / (2.0 + f);
    const vd<W> z = s * s;
    const vd<W> w = z * z;
    const vd<W> t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    const vd<W> t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    const vd<W> R = t2 + t1;
    const vd<W> hfsq = 0.5 * f * f;
    return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
}

}  // namespace sigstream::simd

#endif
