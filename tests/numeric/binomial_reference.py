#!/usr/bin/env python3
"""Independent reference implementation of sigstream's portable binomial sampler (src/numeric/binomial.h).

Pure Python: its own 64-bit Mersenne Twister (mt19937_64, as the C++ standard defines it), its own splitmix64,
the logarithm from + - * / only, the waiting-time method for n p' < 10 and Hörmann's BTRD (1993) for n p' >= 10,
written from the algorithms' descriptions. Python floats are IEEE 754 doubles and every operation is rounded
once, so evaluating each expression in the same order as the C++ gives the same bits.

Known values generated once by this script are committed in the C++ unit tests, each block between
"// BEGIN binomial_reference.py: NAME" and "// END binomial_reference.py: NAME" lines: the sampler's draws
(`draws`, tests/numeric/binomial_test.cpp), a bootstrap_counts draw (`bootstrap`, tests/numeric/resample_test.cpp)
and a binomial_halves split (`halves`, tests/evaluate/crossval_test.cpp). CTest's `numeric.binomial_reference`
runs `--check` on those files, so the C++ tests' constants and this implementation cannot drift apart:

  binomial_reference.py                  print every block (C++ source)
  binomial_reference.py --check FILE...  exit 1 unless each block found in the FILEs equals the printed one
                                         (and each block is found somewhere)
  binomial_reference.py --constants      recompute ln 2 (hi/lo) and the Stirling-correction table to 60 digits
"""

import argparse
import math
import struct
import sys
from decimal import Decimal, getcontext

MASK64 = (1 << 64) - 1


class MT19937_64:
    """The 64-bit Mersenne Twister with the parameters of C++ [rand.predef] mt19937_64."""

    N, M = 312, 156
    MATRIX_A = 0xB5026F5AA96619E9
    UPPER, LOWER = 0xFFFFFFFF80000000, 0x7FFFFFFF

    def __init__(self, seed=5489):
        self.mt = [0] * self.N
        self.mt[0] = seed & MASK64
        for i in range(1, self.N):
            prev = self.mt[i - 1]
            self.mt[i] = (6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK64
        self.index = self.N

    def _twist(self):
        mt = self.mt
        for i in range(self.N):
            y = (mt[i] & self.UPPER) | (mt[(i + 1) % self.N] & self.LOWER)
            mt[i] = mt[(i + self.M) % self.N] ^ (y >> 1) ^ (self.MATRIX_A if y & 1 else 0)
        self.index = 0

    def __call__(self):
        if self.index >= self.N:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK64


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def replicate_seed(root, stream, index):
    h = splitmix64(root)
    h = splitmix64(h ^ ((stream & 0xFFFFFFFF) << 32))
    return splitmix64(h ^ (index & 0xFFFFFFFF))


# ---------------------------------------------------------------- the logarithm from + - * /

SQRT2 = math.sqrt(2.0)
LN2_HI = float.fromhex("0x1.62e42fee00000p-1")
LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")
DBL_MIN = float.fromhex("0x1p-1022")


def two_atanh(s):
    """2 atanh(s) = 2s + s z (2/3 + 2z/5 + ... + 2z^9/21), z = s^2, by Horner from the highest power."""
    z = s * s
    r = 2.0 / 21.0
    for odd in (19.0, 17.0, 15.0, 13.0, 11.0, 9.0, 7.0, 5.0, 3.0):
        r = r * z + 2.0 / odd
    return 2.0 * s + (s * z) * r


def log_(x):
    if math.isnan(x) or x < 0.0:
        return math.nan
    if x == 0.0:
        return -math.inf
    if math.isinf(x):
        return x
    e = 0
    if x < DBL_MIN:
        x = x * 2.0**54
        e = -54
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    e += (bits >> 52) - 1023
    f = struct.unpack("<d", struct.pack("<Q", (bits & ((1 << 52) - 1)) | (1023 << 52)))[0]  # in [1, 2)
    if f >= SQRT2:
        f = f * 0.5
        e += 1
    s = (f - 1.0) / (f + 1.0)
    de = float(e)
    return de * LN2_HI + (two_atanh(s) + de * LN2_LO)


def log1p_(x):
    if -0.25 < x < 0.25:
        return two_atanh(x / (2.0 + x))
    u = 1.0 + x
    if not x > 0.0:
        return log_(u)
    if math.isinf(x):
        return x
    e = x - (u - 1.0) if x < 1.0 else 1.0 - (u - x)
    return log_(u) + e / u


# ---------------------------------------------------------------- the sampler

STIRLING_TABLE = [float.fromhex(h) for h in (
    "0x1.4c071bcda0a5bp-4", "0x1.52a9b923ea649p-5", "0x1.c579a268d80b3p-6", "0x1.54a2662fd78a9p-6",
    "0x1.10b4e513fcbedp-6", "0x1.c6b167bebdf36p-7", "0x1.85d4d612e4a86p-7", "0x1.552805e7b3076p-7",
    "0x1.2f4871b12ab64p-7", "0x1.10f9d4c0743a7p-7", "0x1.f0593088014f8p-8", "0x1.c7018733aa9c6p-8",
    "0x1.a40514700f36cp-8", "0x1.86076c002d4a7p-8", "0x1.6c08f6f194a10p-8", "0x1.5549f7dd113bcp-8")]


def stirling(k):
    """ln k! - [(k + 1/2) ln(k + 1) - (k + 1) + ln(2 pi)/2]: the table below 16, else the series to z^-9."""
    if k < 16:
        return STIRLING_TABLE[k]
    z = float(k) + 1.0
    z2 = z * z
    return (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - (1.0 / 1188.0) / z2) / z2) / z2) / z2) / z


def unit(engine):
    """[0, 1): top 53 bits times 2^-53."""
    return float(engine() >> 11) * 2.0**-53


def unit_positive(engine):
    """(0, 1]: (top 53 bits + 1) times 2^-53."""
    return float((engine() >> 11) + 1) * 2.0**-53


def waiting_times(n, p, engine):
    log_q = log1p_(-p)
    if not log_q < 0.0:
        return 0
    successes, left = 0, n
    while True:
        gap = log_(unit_positive(engine)) / log_q
        if not gap < float(left):
            return successes
        left -= math.floor(gap) + 1
        successes += 1


def btrd(n, p, engine):
    nd = float(n)
    q = 1.0 - p
    npq = nd * p * q
    spq = math.sqrt(npq)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = nd * p + 0.5
    alpha = (2.83 + 5.1 / b) * spq
    vr = 0.92 - 4.2 / b
    urvr = 0.86 * vr
    r = p / q
    nr = (nd + 1.0) * r
    m = math.floor((nd + 1.0) * p)
    dm = float(m)
    while True:
        v = unit(engine)
        if v <= urvr:
            u = v / vr - 0.43
            kd = math.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c)
            if 0 <= kd <= n:
                return kd
            continue
        if v >= vr:
            u = unit(engine) - 0.5
        else:
            u = v / vr - 0.93
            u = (-0.5 if u < 0.0 else 0.5) - u
            v = unit(engine) * vr
        us = 0.5 - abs(u)
        if us == 0.0:
            continue  # the C++ gets +-inf here and rejects it as out of range
        x = (2.0 * a / us + b) * u + c
        if math.isnan(x) or math.isinf(x):
            continue
        k = math.floor(x)
        if not 0 <= k <= n:
            continue
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15:
            f = 1.0
            if m < k:
                for i in range(m + 1, k + 1):
                    f = f * (nr / float(i) - r)
            elif m > k:
                for i in range(k + 1, m + 1):
                    v = v * (nr / float(i) - r)
            if v <= f:
                return k
            continue
        v = log_(v)
        kmd = float(km)
        rho = (kmd / npq) * (((kmd / 3.0 + 0.625) * kmd + 1.0 / 6.0) / npq + 0.5)
        t = -(kmd * kmd) / (2.0 * npq)
        if v < t - rho:
            return k
        if v > t + rho:
            continue
        dk = float(k)
        d = dk - dm
        nm = nd - dm + 1.0
        nk = nd - dk + 1.0
        lr = stirling(m) + stirling(n - m)
        lr = lr - stirling(k)
        lr = lr - stirling(n - k)
        lr = lr - (dm + 0.5) * log1p_(d / (dm + 1.0))
        lr = lr - (nd - dm + 0.5) * log1p_(-d / nm)
        lr = lr + d * log_(nk * r / (dk + 1.0))
        if v <= lr:
            return k


def binomial(n, p, engine):
    assert 0.0 <= p <= 1.0 and 0 <= n < 2**53
    if n == 0 or p == 0.0:
        return 0
    if p == 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    x = waiting_times(n, pp, engine) if float(n) * pp < 10.0 else btrd(n, pp, engine)
    return n - x if flip else x


# ---------------------------------------------------------------- the callers (src/numeric/resample.cpp,
# src/evaluate/crossval.cpp), on small matrices given as lists of columns

def column_engine(seed, j):
    return MT19937_64(splitmix64(seed ^ splitmix64(j)))


def bootstrap_counts(columns, seed):
    out = []
    for j, col in enumerate(columns):
        total = 0.0
        for v in col:  # Eigen's sum of a short column: left to right (these test values are exact anyway)
            total += v
        remaining = int(math.floor(total + 0.5))
        drawn = [0] * len(col)
        if remaining > 0:
            engine = column_engine(seed, j)
            mass = total
            for i, pv in enumerate(col):
                if remaining <= 0:
                    break
                if pv <= 0:
                    continue
                if i + 1 == len(col) or pv >= mass:
                    draw = remaining
                else:
                    draw = binomial(remaining, min(1.0, pv / mass), engine)
                drawn[i] = draw
                remaining -= draw
                mass -= pv
        out.append(drawn)
    return out


def binomial_halves(columns, seed):
    out = []
    for j, col in enumerate(columns):
        engine = column_engine(seed, j)
        half = []
        for v in col:
            half.append(binomial(math.floor(min(v, 9e15)), 0.5, engine) if v >= 1 else 0)
        out.append(half)
    return out


# ---------------------------------------------------------------- the table of known draws

# (n, p, seed, draws): spans both methods, both sides of p = 1/2, the exact limits and n up to 2^53 - 1.
CASES = [
    (0, 0.3, 1, 3),
    (10, 0.0, 1, 3),
    (10, 1.0, 1, 3),
    (1, 0.5, 7, 12),
    (20, 0.25, 11, 12),
    (19, 0.5, 12, 12),        # n p = 9.5: waiting times
    (20, 0.5, 13, 12),        # n p = 10: BTRD
    (1000, 0.001, 3, 12),
    (1000, 0.3, 5, 12),
    (1000, 0.97, 6, 12),      # p > 1/2, n (1 - p) = 30: BTRD on 0.03
    (1000000, 0.999995, 8, 12),  # p > 1/2, n (1 - p) = 5: waiting times
    (12345, 1e-7, 9, 8),
    (1000000000000, 0.5, 42, 12),
    (1000000000000, 0.3, 43, 12),
    (1000000000000, 1e-11, 44, 12),   # n p = 10
    (1000000000000, 1.5e-12, 45, 12),  # n p = 1.5
    (9000000000000000, 0.5, 46, 12),
    (2**53 - 1, 0.7, 47, 12),
    (2**53 - 1, 1e-300, 48, 4),
]

BOOTSTRAP_MATRIX = [[5.0, 0.0, 3.0, 12.0, 1.0, 0.0, 7.0, 2.0], [1000.0, 250.0, 0.0, 4000.0, 1.0, 1.0, 0.0, 3.0],
                    [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]]
BOOTSTRAP_SEED = 2024
HALVES_MATRIX = [[0.0, 1.0, 2.0, 19.0, 20.0, 1000.0], [3.0, 0.4, 1e12, 9e15, 2.5, 64.0]]
HALVES_SEED = 77


BLOCKS = ("draws", "bootstrap", "halves")


def block(name):
    """The C++ text of one block of known values, between its BEGIN and END lines."""
    lines = [f"// BEGIN binomial_reference.py: {name} (generated by tests/numeric/binomial_reference.py; do not edit)",
             "// clang-format off"]
    if name == "draws":
        lines.append("const KnownDraws kKnownDraws[] = {")
        for n, p, seed, count in CASES:
            engine = MT19937_64(seed)
            draws = ", ".join("%dull" % binomial(n, p, engine) for _ in range(count))
            lines.append("    {%dull, %s, %dull, {%s}}," % (n, float(p).hex(), seed, draws))
        lines.append("};")
    else:  # the input matrix (as columns), the seed and the expected draw (as columns)
        matrix, seed = (BOOTSTRAP_MATRIX, BOOTSTRAP_SEED) if name == "bootstrap" else (HALVES_MATRIX, HALVES_SEED)
        drawn = bootstrap_counts(matrix, seed) if name == "bootstrap" else binomial_halves(matrix, seed)
        title = name.capitalize()
        for what, columns, fmt in (("Input", matrix, repr), ("Expected", drawn, str)):
            lines.append("const std::vector<std::vector<double>> k%s%s = {" % (title, what))
            for col in columns:
                lines.append("    {%s}," % ", ".join(fmt(v) for v in col))
            lines.append("};")
        lines.append("constexpr std::uint64_t k%sSeed = %d;" % (title, seed))
    lines.append("// clang-format on")
    lines.append(f"// END binomial_reference.py: {name}")
    return "\n".join(lines) + "\n"


def find_block(text, name):
    begin = text.find(f"// BEGIN binomial_reference.py: {name} ")
    end_line = f"// END binomial_reference.py: {name}"
    end = text.find(end_line)
    if begin < 0 or end < 0:
        return None
    return text[begin:end + len(end_line)] + "\n"


def self_test():
    # C++ [rand.predef]: the 10000th output of a default-constructed mt19937_64 is 9981545732273789042.
    engine = MT19937_64()
    for _ in range(9999):
        engine()
    assert engine() == 9981545732273789042, "mt19937_64 does not match the C++ standard"
    for x in (1e-310, 1e-300, 0.3, 0.7071, 1.0 - 2.0**-53, 1.0, 1.0 + 2.0**-52, 2.0, 10.0, 1e300):
        assert abs(log_(x) - math.log(x)) <= 4 * math.ulp(math.log(x)) + 1e-300, x
    for x in (-0.9, -0.24, -1e-10, 1e-300, 1e-10, 0.1, 0.2499, 0.3, 100.0):
        assert abs(log1p_(x) - math.log1p(x)) <= 4 * math.ulp(math.log1p(x)), x
    for k in range(16, 40):  # the series continues the table
        assert abs(stirling(k) - (math.lgamma(k + 1) - (k + 0.5) * math.log(k + 1) + k + 1 -
                                  0.5 * math.log(2 * math.pi))) < 1e-13, k


def constants():
    getcontext().prec = 60
    ln2 = Decimal(2).ln()
    hi = math.ldexp(math.floor(math.ldexp(float(ln2), 32)), -32)  # 32 significant bits
    print("ln2 hi", hi.hex(), "lo", float(ln2 - Decimal(hi)).hex())
    pi = Decimal("3.14159265358979323846264338327950288419716939937510582097494459")
    half_log_2pi = (2 * pi).ln() / 2
    for k in range(16):
        log_factorial = sum((Decimal(i).ln() for i in range(2, k + 1)), Decimal(0))
        fc = log_factorial - (Decimal(k) + Decimal("0.5")) * Decimal(k + 1).ln() + (k + 1) - half_log_2pi
        print(k, float(fc).hex())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", metavar="FILE", nargs="+")
    ap.add_argument("--constants", action="store_true")
    args = ap.parse_args()
    self_test()
    if args.constants:
        constants()
        return 0
    if not args.check:
        for name in BLOCKS:
            sys.stdout.write(block(name) + "\n")
        return 0
    texts = {path: open(path, encoding="utf-8").read() for path in args.check}
    failed = False
    for name in BLOCKS:
        found = [(path, find_block(text, name)) for path, text in texts.items() if find_block(text, name)]
        if not found:
            print(f"no file has the block '{name}'", file=sys.stderr)
            failed = True
        for path, text in found:
            if text != block(name):
                print(f"{path}: block '{name}' differs from the Python reference's:\n{block(name)}", file=sys.stderr)
                failed = True
    if failed:
        return 1
    print("the known values agree with the Python reference: " + ", ".join(BLOCKS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
