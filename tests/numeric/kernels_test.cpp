#include "numeric/kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "abi/sigstream_isa.h"

namespace sigstream {
namespace {

struct Data {
    std::vector<double> V, X;
};

// Counts (a quarter of them 0) and positive model values, some below the floor of 1e-300.
Data random_data(std::ptrdiff_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Data d;
    for (std::ptrdiff_t i = 0; i < n; ++i) {
        d.V.push_back(u(rng) < 0.25 ? 0.0 : std::floor(200 * u(rng)));
        d.X.push_back(u(rng) < 0.05 ? 1e-310 : 300 * u(rng));
    }
    return d;
}

// The KL terms summed in long double with the C library's logarithm: an independent reference.
long double reference_kl(const Data& d) {
    long double s = 0;
    for (std::size_t i = 0; i < d.V.size(); ++i) {
        const long double v = d.V[i], x = std::max(d.X[i], 1e-300);
        s += (v > 0 ? v * std::log(v / x) - v : 0.0L) + x;
    }
    return s;
}

TEST(Kernels, KlSumMatchesALongDoubleReferenceAtEveryLength) {
    for (std::ptrdiff_t n : {0, 1, 7, 8, 9, 15, 16, 17, 96, 1001}) {
        const Data d = random_data(n, static_cast<unsigned>(n) + 1);
        const long double want = reference_kl(d);
        const double got = kernels::kl_sum(d.V.data(), d.X.data(), n);
        EXPECT_NEAR(got, static_cast<double>(want), 1e-13 * std::abs(static_cast<double>(want)) + 1e-300) << n;
    }
}

TEST(Kernels, RatioDividesByTheFlooredModel) {
    const Data d = random_data(37, 3);
    std::vector<double> R(37);
    kernels::ratio(d.V.data(), d.X.data(), R.data(), 37);
    for (int i = 0; i < 37; ++i)
        EXPECT_EQ(R[static_cast<std::size_t>(i)],
                  d.V[static_cast<std::size_t>(i)] / std::max(d.X[static_cast<std::size_t>(i)], 1e-300))
            << i;
}

TEST(Kernels, KlRatioIsKlSumAndRatioInOnePass) {
    for (std::ptrdiff_t n : {3, 8, 45}) {
        const Data d = random_data(n, 7);
        std::vector<double> R(static_cast<std::size_t>(n)), want(static_cast<std::size_t>(n));
        kernels::ratio(d.V.data(), d.X.data(), want.data(), n);
        const double s = kernels::kl_ratio(d.V.data(), d.X.data(), R.data(), n);
        EXPECT_EQ(s, kernels::kl_sum(d.V.data(), d.X.data(), n)) << n;
        EXPECT_EQ(R, want) << n;
    }
}

// Every level this CPU has gives the same bits as the generic code (ratio and the lane-ordered sum).
TEST(Kernels, EveryLevelGivesTheSameBits) {
    const int cpu = sigstream_isa_cpu();
    for (std::ptrdiff_t n : {5, 8, 29, 960}) {
        const Data d = random_data(n, 11);
        std::vector<double> r0(static_cast<std::size_t>(n)), r(static_cast<std::size_t>(n));
        kernels::ratio(d.V.data(), d.X.data(), r0.data(), n, SIGSTREAM_ISA_GENERIC);
        const double s0 = kernels::kl_sum(d.V.data(), d.X.data(), n, SIGSTREAM_ISA_GENERIC);
        for (int level = SIGSTREAM_ISA_GENERIC + 1; level <= cpu; ++level) {
            kernels::ratio(d.V.data(), d.X.data(), r.data(), n, level);
            EXPECT_EQ(std::memcmp(r.data(), r0.data(), r.size() * sizeof(double)), 0) << "level " << level;
            const double s = kernels::kl_sum(d.V.data(), d.X.data(), n, level);
            EXPECT_EQ(std::memcmp(&s, &s0, sizeof s), 0) << "level " << level << ": " << s << " vs " << s0;
            const double sr = kernels::kl_ratio(d.V.data(), d.X.data(), r.data(), n, level);
            EXPECT_EQ(std::memcmp(&sr, &s0, sizeof sr), 0) << "level " << level;
            EXPECT_EQ(std::memcmp(r.data(), r0.data(), r.size() * sizeof(double)), 0) << "level " << level;
        }
    }
}

// gemm: each entry is the sum over t in order, at every level; rows beyond the largest multiple of 16 (78 and 83
// channels: DBS78, ID83) included; against a long double reference, and the same bits at every level.
TEST(Kernels, GemmSumsEachEntryInOrderAtEveryLevel) {
    const int cpu = sigstream_isa_cpu();
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    struct Case {
        int L, K, T;
        bool transposed;  // Y = H with sk = 1, st = K (R Hᵀ) instead of sk = T, st = 1 (W H)
    };
    for (const Case c : {Case{96, 8, 8, false}, Case{96, 13, 200, true}, Case{78, 5, 40, true}, Case{83, 11, 3, false},
                         Case{7, 3, 33, true}, Case{16, 1, 1, false}, Case{32, 21, 0, false}}) {
        SCOPED_TRACE("L " + std::to_string(c.L) + " K " + std::to_string(c.K) + " T " + std::to_string(c.T));
        const std::ptrdiff_t ldx = c.L + 3, ldo = c.L + 1;  // leading dimensions beyond L: rows not in the product
        std::vector<double> X(static_cast<std::size_t>(ldx * std::max(c.T, 1))),
            Y(static_cast<std::size_t>(c.K * std::max(c.T, 1)));
        for (double& x : X) x = u(rng) * 100;
        for (double& y : Y) y = u(rng);
        const std::ptrdiff_t sk = c.transposed ? 1 : c.T, st = c.transposed ? c.K : 1;
        std::vector<double> ref(static_cast<std::size_t>(ldo * c.K), -1.0);
        for (int l = 0; l < c.L; ++l)
            for (int k = 0; k < c.K; ++k) {
                long double sum = 0;
                for (int t = 0; t < c.T; ++t) sum += static_cast<long double>(X[l + t * ldx]) * Y[k * sk + t * st];
                ref[static_cast<std::size_t>(l + k * ldo)] = static_cast<double>(sum);
            }
        std::vector<double> out0;
        for (int level = SIGSTREAM_ISA_GENERIC; level <= cpu; ++level) {
            std::vector<double> out(ref.size(), -1.0);
            kernels::gemm(X.data(), ldx, c.L, Y.data(), sk, st, c.K, c.T, out.data(), ldo, level);
            for (std::size_t i = 0; i < out.size(); ++i)
                ASSERT_NEAR(out[i], ref[i], 1e-13 * std::max(1.0, std::abs(ref[i])))
                    << "level " << level << " entry " << i;
            if (level == SIGSTREAM_ISA_GENERIC)
                out0 = out;
            else
                EXPECT_EQ(std::memcmp(out.data(), out0.data(), out.size() * sizeof(double)), 0) << "level " << level;
        }
    }
}

}  // namespace
}  // namespace sigstream
