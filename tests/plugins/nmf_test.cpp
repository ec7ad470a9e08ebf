// Tests of the nmf backend: the multiplicative updates and the coordinate-descent solvers (nmf_core.h),
// its kernels, and the backend through the ABI (linked, and once through dlopen() of the built plugin).
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "nmf_core.h"
#include "nmf_kernels.h"
#include "plugin_test_util.h"
#include "sigstream_backend.h"
#include "sigstream_simd.h"

namespace {

using Eigen::MatrixXd;
using sigstream::nmf::Objective;
using sigstream::nmf::Solver;
using sigstream::test::Fit;
using sigstream::test::fit_with;
using sigstream::test::Request;
using sigstream::test::TestRng;
using sigstream::test::uniform;

// Counts: Poisson(W H) for random sparse-ish signatures and exposures; every column has a positive sum.
MatrixXd counts(int rows, int cols, int k, std::uint64_t seed, double depth) {
    TestRng rng{seed};
    MatrixXd W(rows, k), H(k, cols);
    for (Eigen::Index i = 0; i < W.size(); ++i) W.data()[i] = std::pow(rng.open01(), 4.0);
    for (int c = 0; c < k; ++c) W.col(c) /= W.col(c).sum();
    for (Eigen::Index i = 0; i < H.size(); ++i) H.data()[i] = depth * std::pow(rng.open01(), 2.0);
    const MatrixXd M = W * H;
    MatrixXd V(rows, cols);
    for (Eigen::Index i = 0; i < V.size(); ++i) V.data()[i] = rng.poisson(M.data()[i]);
    for (int j = 0; j < cols; ++j)
        if (V.col(j).sum() == 0) V(0, j) = 1;
    return V;
}

std::vector<double> run(const MatrixXd& V, MatrixXd& W, MatrixXd& H, Objective o, Solver s, int n) {
    sigstream::nmf::Stepper stepper(V, o, s);
    std::vector<double> f{stepper.reset(W, H)};
    for (int i = 0; i < n; ++i) f.push_back(stepper.step(W, H));
    return f;
}

void expect_monotone(const std::vector<double>& f, const char* what) {
    for (std::size_t t = 1; t < f.size(); ++t)
        ASSERT_LE(f[t], f[t - 1] * (1 + 1e-12)) << what << ": objective rose at iteration " << t;
}

// The instruction-set levels this CPU runs (generic first).
std::vector<int> levels() {
    std::vector<int> out;
    for (int level : sigstream::simd::kLevels)
        if (sigstream::simd::supported(level)) out.push_back(level);
    return out;
}

const sigstream::nmf::kernels::Table& at(int level) {
    return sigstream::nmf::kernels::table(level);
}

double log_at(int level, double x) {
    double y = 0;
    at(level).log(&x, &y, 1);
    return y;
}

TEST(NmfKernels, LogIsAccurate) {
    TestRng rng{5};
    std::vector<double> x(200001);
    for (std::size_t i = 0; i + 1 < x.size(); ++i)  // log-uniform over [1e-300, 1e300], and many near 1
        x[i] = i % 2 ? std::exp((rng.open01() - 0.5) * 1380) : 0.5 + rng.open01();
    x.back() = 4.9e-324;  // the smallest subnormal
    std::vector<double> y(x.size());
    at(SIGSTREAM_ISA_GENERIC).log(x.data(), y.data(), static_cast<std::ptrdiff_t>(x.size()));
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double exact = std::log(x[i]);
        const double ulp = std::nextafter(std::abs(exact), INFINITY) - std::abs(exact);
        if (exact != 0) worst = std::max(worst, std::abs(y[i] - exact) / ulp);
    }
    EXPECT_LE(worst, 1.0) << "worst error in ulps";
    EXPECT_EQ(log_at(SIGSTREAM_ISA_GENERIC, 1.0), 0.0);
    EXPECT_DOUBLE_EQ(log_at(SIGSTREAM_ISA_GENERIC, DBL_MIN), std::log(DBL_MIN));
    for (int level : levels()) {  // the same bits at every level, whatever the length (the tails too)
        SCOPED_TRACE(sigstream::simd::name(level));
        for (std::ptrdiff_t n : {std::ptrdiff_t{1}, std::ptrdiff_t{3}, std::ptrdiff_t{13}, std::ptrdiff_t(x.size())}) {
            std::vector<double> z(static_cast<std::size_t>(n));
            at(level).log(x.data(), z.data(), n);
            EXPECT_TRUE(std::equal(z.begin(), z.end(), y.begin())) << "n = " << n;
        }
    }
}

TEST(NmfKernels, GemmMatchesEigen) {
    const int m = 48, n = 37, K = 11;  // m padded; K exercises the 6-block and a remainder
    const MatrixXd X = uniform(m, n, 1), Y = uniform(K, n, 2);
    for (int level : levels()) {
        SCOPED_TRACE(sigstream::simd::name(level));
        MatrixXd out(m, K);
        at(level).gemm(X.data(), m, m, Y.data(), 1, K, K, n, out.data(), m);
        EXPECT_LE((out - X * Y.transpose()).norm(), 1e-13 * out.norm());
    }
}

// Long products (t beyond the generic level's chunk of broadcasts, and below the length that uses them), in the
// layouts nmf_core.cpp uses: the same bits at every level, and the product.
TEST(NmfKernels, GemmLongAndShortSumsGiveTheSameBits) {
    for (int T : {10, 300}) {
        for (int K : {1, 5, 10, 13}) {
            SCOPED_TRACE("T = " + std::to_string(T) + ", K = " + std::to_string(K));
            const int m = 48;
            const MatrixXd X = uniform(m, T, 41 + K), Y = uniform(K, T, 43 + K);
            MatrixXd ref(m, K);
            at(SIGSTREAM_ISA_GENERIC).gemm(X.data(), m, m, Y.data(), 1, K, K, T, ref.data(), m);
            EXPECT_LE((ref - X * Y.transpose()).norm(), 1e-13 * ref.norm());
            for (int level : levels()) {
                SCOPED_TRACE(sigstream::simd::name(level));
                MatrixXd out(m, K);
                at(level).gemm(X.data(), m, m, Y.data(), 1, K, K, T, out.data(), m);
                EXPECT_TRUE(out == ref);
            }
        }
    }
}

// Every kernel gives the same bits at every level the CPU runs (no fused multiply-adds, sums in fixed orders).
TEST(NmfKernels, EveryLevelGivesTheSameBits) {
    using sigstream::nmf::kernels::padded;
    for (int K : {1, 5, 6, 10, 13}) {
        const int rows = 96, m = padded(rows), n = 53, np = padded(n);
        SCOPED_TRACE("K = " + std::to_string(K));
        MatrixXd X = MatrixXd::Zero(m, n), Y = uniform(K, n, 7 + K);
        X.topRows(rows) = uniform(rows, n, 3 + K);
        const MatrixXd Vd = counts(rows, n, 3, 11 + K, 50);
        MatrixXd Vp = MatrixXd::Zero(m, n);
        Vp.topRows(rows) = Vd;
        const MatrixXd Ht0 = uniform(np, K, 17 + K), P = uniform(np, K, 19 + K), Den = uniform(np, K, 23 + K);
        // ccd for W: V (padded) ~ W H with W in the lanes (as nmf_core.cpp calls it)
        MatrixXd W0 = MatrixXd::Zero(m, K);
        W0.topRows(rows) = uniform(rows, K, 29 + K);
        const MatrixXd Hm = uniform(K, n, 31 + K);
        MatrixXd Htp = MatrixXd::Zero(np, K);
        Htp.topRows(n) = Hm.transpose();
        const Eigen::VectorXd hsum = Hm.rowwise().sum();
        struct Out {
            MatrixXd gemm, ratio, ht, h, c;
            double sums[2] = {0, 0};
            double cross = 0;
        };
        auto run_at = [&](int level) {
            Out o;
            o.gemm.resize(m, K);
            at(level).gemm(X.data(), m, m, Y.data(), 1, K, K, n, o.gemm.data(), m);
            o.ratio = (X.array() + 0.5).matrix();
            double lanes[16] = {};
            at(level).kl_ratio(Vp.data(), o.ratio.data(), o.ratio.size(), lanes);
            o.sums[0] = sigstream::simd::lanes8_total(lanes);
            o.sums[1] = sigstream::simd::lanes8_total(lanes + 8);
            // In two pieces (the first a multiple of 8 entries long): the same ratios and sums, bit for bit.
            MatrixXd pieces = (X.array() + 0.5).matrix();
            double lanes2[16] = {};
            const std::ptrdiff_t first = 8 * 37;
            at(level).kl_ratio(Vp.data(), pieces.data(), first, lanes2);
            at(level).kl_ratio(Vp.data() + first, pieces.data() + first, pieces.size() - first, lanes2);
            EXPECT_TRUE(pieces == o.ratio);
            EXPECT_EQ(sigstream::simd::lanes8_total(lanes2), o.sums[0]);
            EXPECT_EQ(sigstream::simd::lanes8_total(lanes2 + 8), o.sums[1]);
            o.ht = Ht0;
            o.h.resize(K, n);
            o.cross = at(level).mu_update_t(o.ht.data(), P.data(), Den.data(), np, n, K, 1e-16, o.h.data());
            o.c = W0;
            const int panel = at(level).panel;
            Eigen::VectorXd Vpan(m * n), u(n * panel);
            sigstream::nmf::kernels::pack(Vp.data(), m, m, n, panel, Vpan.data());
            at(level).ccd_kl(Vpan.data(), m, n, Htp.data(), np, 1, o.c.data(), m, K, 2, hsum.data(), 1e-16, u.data());
            return o;
        };
        const Out ref = run_at(SIGSTREAM_ISA_GENERIC);
        for (int level : levels()) {
            SCOPED_TRACE(sigstream::simd::name(level));
            const Out o = run_at(level);
            EXPECT_TRUE(o.gemm == ref.gemm);
            EXPECT_TRUE(o.ratio == ref.ratio);
            EXPECT_EQ(o.sums[0], ref.sums[0]);
            EXPECT_EQ(o.sums[1], ref.sums[1]);
            EXPECT_TRUE(o.ht == ref.ht);
            EXPECT_TRUE(o.h == ref.h);
            EXPECT_EQ(o.cross, ref.cross);
            EXPECT_TRUE(o.c == ref.c);
        }
    }
}

// Whole fits: every level the CPU runs gives the same factors and trace, bit for bit (the issue asks 1e-12).
TEST(NmfFit, EveryLevelGivesTheSameFit) {
    const MatrixXd V = counts(96, 70, 4, 61, 300);
    struct Case {
        Objective objective;
        Solver solver;
    };
    for (const Case c : {Case{Objective::kl, Solver::ccd_her}, Case{Objective::kl, Solver::mu},
                         Case{Objective::frobenius, Solver::ccd}, Case{Objective::frobenius, Solver::mu}}) {
        sigstream::nmf::Options o;
        o.k = 5;
        o.max_iter = 300;
        o.tol = 0;
        o.seed = 62;
        o.objective = c.objective;
        o.solver = c.solver;
        o.isa = SIGSTREAM_ISA_GENERIC;
        const auto ref = sigstream::nmf::fit(V, o, nullptr, nullptr, {});
        for (int level : levels()) {
            SCOPED_TRACE(std::string(sigstream::simd::name(level)) + " objective " +
                         std::to_string(static_cast<int>(c.objective)) + " solver " +
                         std::to_string(static_cast<int>(c.solver)));
            o.isa = level;
            const auto got = sigstream::nmf::fit(V, o, nullptr, nullptr, {});
            EXPECT_TRUE(got.W == ref.W);
            EXPECT_TRUE(got.H == ref.H);
            EXPECT_EQ(got.trace, ref.trace);
        }
    }
}

TEST(NmfMu, KlNeverIncreases) {
    const MatrixXd V = counts(96, 60, 4, 11, 200);
    MatrixXd W = uniform(96, 5, 12), H = uniform(5, 60, 13);
    expect_monotone(run(V, W, H, Objective::kl, Solver::mu, 500), "mu kl");
}

TEST(NmfMu, FrobeniusNeverIncreases) {
    const MatrixXd V = counts(96, 60, 4, 21, 200);
    MatrixXd W = uniform(96, 5, 22), H = uniform(5, 60, 23);
    expect_monotone(run(V, W, H, Objective::frobenius, Solver::mu, 500), "mu frobenius");
}

// The default KL solver decreases the objective at every step too: each one-variable step is safeguarded
// (see nmf_core.cpp).
TEST(NmfCcd, KlNeverIncreases) {
    for (std::uint64_t seed : {31, 32}) {
        const MatrixXd V = counts(96, 60, 4, seed, seed == 31 ? 200 : 5);  // deep and shallow (many zeros)
        MatrixXd W = uniform(96, 5, seed + 10), H = uniform(5, 60, seed + 20);
        expect_monotone(run(V, W, H, Objective::kl, Solver::ccd, 500), "ccd kl");
    }
}

TEST(NmfCcd, HalsNeverIncreases) {
    const MatrixXd V = counts(96, 60, 4, 41, 200);
    MatrixXd W = uniform(96, 5, 42), H = uniform(5, 60, 43);
    expect_monotone(run(V, W, H, Objective::frobenius, Solver::ccd, 500), "hals");
}

// The objective the solvers report (from their fused kernels) is the objective of the factors they return.
TEST(NmfStepper, ReportedObjectiveIsTheObjective) {
    // Sizes that are not multiples of the vector width, tiny ones, K = 1 and K above the product's block.
    const int sizes[][3] = {{50, 70, 4}, {5, 7, 2}, {17, 33, 1}, {96, 41, 13}};
    for (const auto& [rows, cols, k] : sizes) {
        const MatrixXd V = counts(rows, cols, 3, 51, 100);
        for (Objective o : {Objective::kl, Objective::frobenius}) {
            for (Solver s : {Solver::mu, Solver::ccd}) {
                MatrixXd W = uniform(rows, k, 52), H = uniform(k, cols, 53);
                const std::vector<double> f = run(V, W, H, o, s, 7);
                EXPECT_NEAR(f.back(), sigstream::nmf::objective(o, V, W, H), 1e-11 * f.back())
                    << rows << "x" << cols << " K=" << k;
                for (std::size_t t = 1; t < f.size(); ++t) EXPECT_LE(f[t], f[t - 1] * (1 + 1e-12));
            }
        }
    }
}

// One MU iteration equals the formulas applied by hand (W first, then H, floors at kFloor).
TEST(NmfMu, OneIterationIsTheFormula) {
    const MatrixXd V = counts(96, 40, 3, 61, 50);
    const MatrixXd W0 = uniform(96, 4, 62), H0 = uniform(4, 40, 63);
    const double fl = sigstream::nmf::kFloor;
    {
        MatrixXd W = W0, H = H0;
        sigstream::nmf::iterate(V, W, H, Objective::kl, Solver::mu, 1);
        MatrixXd w = W0, h = H0;
        MatrixXd R = V.array() / (w * h).array();
        w = (w.array() * (R * h.transpose()).array() /
             (Eigen::VectorXd::Ones(96) * h.rowwise().sum().transpose()).array())
                .max(fl)
                .matrix();
        R = V.array() / (w * h).array();
        h = (h.array() * (w.transpose() * R).array() /
             (w.colwise().sum().transpose() * Eigen::RowVectorXd::Ones(40)).array())
                .max(fl)
                .matrix();
        EXPECT_LE((W - w).cwiseAbs().maxCoeff(), 1e-13 * w.maxCoeff());
        EXPECT_LE((H - h).cwiseAbs().maxCoeff(), 1e-13 * h.maxCoeff());
    }
    {
        MatrixXd W = W0, H = H0;
        sigstream::nmf::iterate(V, W, H, Objective::frobenius, Solver::mu, 1);
        MatrixXd w = W0, h = H0;
        w = (w.array() * (V * h.transpose()).array() / (w * h * h.transpose()).array()).max(fl).matrix();
        h = (h.array() * (w.transpose() * V).array() / (w.transpose() * w * h).array()).max(fl).matrix();
        EXPECT_LE((W - w).cwiseAbs().maxCoeff(), 1e-13 * w.maxCoeff());
        EXPECT_LE((H - h).cwiseAbs().maxCoeff(), 1e-13 * h.maxCoeff());
    }
}

// ---------------------------------------------------------------- through the ABI

Fit fit(const Request& r) {
    return fit_with(sigstream::nmf::backend(), r);
}

TEST(NmfAbi, Description) {
    const sigstream_backend* b = sigstream::nmf::backend();
    EXPECT_EQ(b->api_version, SIGSTREAM_BACKEND_API_VERSION);
    EXPECT_STREQ(b->name, "nmf");
    EXPECT_EQ(b->struct_size, sizeof(sigstream_backend));
    ASSERT_EQ(b->n_params, 3);
    EXPECT_EQ(b->params[0].struct_size, sizeof(sigstream_param_spec));
    EXPECT_STREQ(b->params[0].key, "objective");
    EXPECT_STREQ(b->params[0].default_value, "kl");
    EXPECT_STREQ(b->params[1].key, "solver");
    EXPECT_STREQ(b->params[1].default_value, "ccd-her");
    EXPECT_STREQ(b->params[2].key, "init");
}

// ABI growth: a host built against a later revision of version 2 sends longer structs (fields appended at the
// end, parameter entries a field longer); the backend reads what it knows and writes only within the result's
// struct_size. A request or result shorter than version 2's is refused.
TEST(NmfAbi, LongerStructsOfALaterRevisionAreReadShorterOnesRefused) {
    struct LongerParam {
        sigstream_param v2;
        const char* appended;
    };
    struct LongerRequest {
        sigstream_fit_request v2;
        double appended;
    };
    struct LongerResult {
        sigstream_fit_result v2;
        double appended;
    };
    const MatrixXd V = counts(96, 20, 2, 5, 50);
    const LongerParam params[] = {{{sizeof(LongerParam), "objective", "frobenius"}, "x"},
                                  {{sizeof(LongerParam), "solver", "mu"}, "y"}};
    LongerRequest q{sigstream::test::make_request(V, 2, 7, 30, 0.0), 42.0};
    q.v2.struct_size = sizeof q;
    q.v2.n_params = 2;
    q.v2.params = &params[0].v2;
    MatrixXd W(96, 2), H(2, 20);
    std::vector<double> trace(31);
    LongerResult res{};
    res.v2.struct_size = sizeof res;
    res.v2.W = W.data();
    res.v2.H = H.data();
    res.v2.trace = trace.data();
    res.appended = -1.0;
    ASSERT_EQ(sigstream::nmf::backend()->fit(&q.v2, &res.v2), SIGSTREAM_FIT_OK) << res.v2.message;
    EXPECT_EQ(res.appended, -1.0);  // a field the backend does not know is left alone
    // the same fit as through version 2's own structs
    Request r;
    r.V = V;
    r.k = 2;
    r.seed = 7;
    r.max_iter = 30;
    r.params = {{"objective", "frobenius"}, {"solver", "mu"}};
    const Fit plain = fit(r);
    EXPECT_EQ(W, plain.W);
    EXPECT_EQ(std::vector<double>(trace.begin(), trace.begin() + res.v2.trace_length), plain.trace);

    q.v2.struct_size = offsetof(sigstream_fit_request, tol_window);  // a request of an older layout
    EXPECT_EQ(sigstream::nmf::backend()->fit(&q.v2, &res.v2), SIGSTREAM_FIT_FAILED);
    EXPECT_NE(std::string(res.v2.message).find("shorter than version 2"), std::string::npos) << res.v2.message;
    q.v2.struct_size = sizeof q;
    res.v2.struct_size = offsetof(sigstream_fit_result, message);  // no room for the message even
    EXPECT_EQ(sigstream::nmf::backend()->fit(&q.v2, &res.v2), SIGSTREAM_FIT_FAILED);
}

// Noiseless planted data: well-separated signatures (random weights on a block of channels of their own,
// zero elsewhere) and sparse random exposures, so that the factorisation is unique up to scale and order; recovered
// with cosine >= 0.999 after the best matching (all permutations). Up to 3 random starts (seeds 1..3), keeping the
// lowest objective; in practice the first suffices.
double best_matched_cosine(const MatrixXd& truth, const MatrixXd& W) {
    const int K = static_cast<int>(truth.cols());
    MatrixXd cos(K, K);
    for (int a = 0; a < K; ++a)
        for (int b = 0; b < K; ++b) cos(a, b) = truth.col(a).dot(W.col(b)) / (truth.col(a).norm() * W.col(b).norm());
    std::vector<int> perm(static_cast<std::size_t>(K));
    std::iota(perm.begin(), perm.end(), 0);
    double best = -1;
    do {
        double worst = 2;
        for (int a = 0; a < K; ++a) worst = std::min(worst, cos(a, perm[static_cast<std::size_t>(a)]));
        best = std::max(best, worst);
    } while (std::next_permutation(perm.begin(), perm.end()));
    return best;
}

TEST(NmfAbi, RecoversPlantedSignatures) {
    for (int K = 3; K <= 5; ++K) {
        TestRng rng{static_cast<std::uint64_t>(100 + K)};
        MatrixXd truth = MatrixXd::Zero(96, K);
        for (int k = 0; k < K; ++k)
            for (int i = 0; i < 96; ++i)
                if (i * K / 96 == k) truth(i, k) = 0.1 + rng.open01();
        for (int k = 0; k < K; ++k) truth.col(k) /= truth.col(k).sum();
        // Sparse exposures (each signature absent from about half the samples), for the same reason.
        MatrixXd H(K, 150);
        for (Eigen::Index i = 0; i < H.size(); ++i) H.data()[i] = rng.open01() < 0.5 ? 0.0 : 1000 * rng.open01();
        for (int j = 0; j < 150; ++j)
            if (H.col(j).sum() == 0) H(j % K, j) = 500;
        for (const char* objective : {"kl", "frobenius"})
            for (const char* solver : {"ccd", "mu"}) {
                Request r;
                r.V = truth * H;
                r.k = K;
                r.max_iter = 5000;
                r.tol = 1e-12;
                r.params = {{"objective", objective}, {"solver", solver}};
                double best_f = INFINITY, cosine = 0;
                for (std::uint64_t seed = 1; seed <= 3 && cosine < 0.999; ++seed) {
                    r.seed = seed;
                    const Fit f = fit(r);
                    ASSERT_EQ(f.status, SIGSTREAM_FIT_OK) << f.message;
                    if (f.trace.back() < best_f) {
                        best_f = f.trace.back();
                        cosine = best_matched_cosine(truth, f.W);
                    }
                    std::printf("K=%d %s %s seed %d: %d iterations, objective %.3g, cosine %.6f\n", K, objective,
                                solver, static_cast<int>(seed), f.iterations, f.trace.back(), cosine);
                }
                EXPECT_GE(cosine, 0.999) << "K=" << K << " objective=" << objective << " solver=" << solver;
            }
    }
}

TEST(NmfAbi, SameSeedSameBitsDifferentSeedDifferentStart) {
    Request r;
    r.V = counts(96, 80, 4, 71, 100);
    r.k = 4;
    r.max_iter = 30;
    for (const char* solver : {"ccd", "mu"}) {
        r.params = {{"solver", solver}};
        r.seed = 9;
        const Fit a = fit(r), b = fit(r);
        ASSERT_EQ(a.status, SIGSTREAM_FIT_OK);
        EXPECT_EQ(std::memcmp(a.W.data(), b.W.data(), sizeof(double) * a.W.size()), 0);
        EXPECT_EQ(std::memcmp(a.H.data(), b.H.data(), sizeof(double) * a.H.size()), 0);
        EXPECT_EQ(a.trace, b.trace);
        r.seed = 10;
        const Fit c = fit(r);
        EXPECT_NE(a.trace[0], c.trace[0]);
        EXPECT_FALSE(a.W.isApprox(c.W));
    }
    MatrixXd W1, H1, W2, H2;
    sigstream::nmf::initialise(r.V, 4, sigstream::nmf::Init::random, 1, W1, H1);
    sigstream::nmf::initialise(r.V, 4, sigstream::nmf::Init::random, 2, W2, H2);
    EXPECT_GT((W1 - W2).norm(), 0.1 * W1.norm());
    EXPECT_GT((H1 - H2).norm(), 0.1 * H1.norm());
}

TEST(NmfAbi, StartIsHonoured) {
    Request r;
    r.V = counts(96, 40, 3, 81, 50);
    r.k = 3;
    const MatrixXd W0 = uniform(96, 3, 82), H0 = uniform(3, 40, 83);
    r.W0 = &W0;
    r.H0 = &H0;
    r.max_iter = 0;
    for (const char* objective : {"kl", "frobenius"}) {
        r.params = {{"objective", objective}};
        const Fit f = fit(r);
        ASSERT_EQ(f.status, SIGSTREAM_FIT_OK) << f.message;
        EXPECT_EQ(f.W, W0);
        EXPECT_EQ(f.H, H0);
        ASSERT_EQ(f.trace.size(), 1u);
        const Objective o = std::string(objective) == "kl" ? Objective::kl : Objective::frobenius;
        EXPECT_NEAR(f.trace[0], sigstream::nmf::objective(o, r.V, W0, H0), 1e-12 * f.trace[0]);
    }
    // One MU iteration from the start equals the Stepper's (itself checked against the formulas above).
    r.max_iter = 1;
    r.params = {{"solver", "mu"}};
    const Fit f = fit(r);
    MatrixXd W = W0, H = H0;
    sigstream::nmf::iterate(r.V, W, H, Objective::kl, Solver::mu, 1);
    EXPECT_EQ(f.W, W);
    EXPECT_EQ(f.H, H);
}

TEST(NmfAbi, ZeroTolRunsExactlyMaxIter) {
    Request r;
    r.V = counts(96, 50, 3, 91, 100);
    r.max_iter = 137;
    for (const char* solver : {"ccd", "mu"}) {
        r.params = {{"solver", solver}};
        const Fit f = fit(r);
        ASSERT_EQ(f.status, SIGSTREAM_FIT_OK);
        EXPECT_EQ(f.iterations, 137);
        EXPECT_EQ(f.trace.size(), 138u);
    }
    // tol > 0: stops at a multiple of the window (the host's 100 here), the first where the relative decrease
    // over the window < tol (the objective never rises here, so the best so far is the objective).
    r.max_iter = 5000;
    r.tol = 1e-4;
    const Fit f = fit(r);
    ASSERT_EQ(f.status, SIGSTREAM_FIT_OK);
    const int t = f.iterations;
    ASSERT_LT(t, 5000);
    EXPECT_EQ(t % 100, 0);
    EXPECT_LT((f.trace[t - 100] - f.trace[t]) / f.trace[t], 1e-4);
    for (int s = 100; s < t; s += 100) EXPECT_GE((f.trace[s - 100] - f.trace[s]) / f.trace[s], 1e-4);
}

// trace_stride: multiplicative updates for KL compute the objective only where the host needs it (multiples of the
// stride, the last iteration) and leave NaN elsewhere, with the same factors, iterations and stop; solvers whose
// steps need the objective (ccd-her) and a request of the layout before the field give every value.
TEST(NmfAbi, TraceStrideSkipsOnlyObjectivesTheHostDoesNotNeed) {
    Request r;
    r.V = counts(96, 60, 3, 17, 200);
    r.max_iter = 5000;
    r.tol = 1e-4;
    r.params = {{"solver", "mu"}};
    const Fit every = fit(r);
    r.trace_stride = 100;
    const Fit some = fit(r);
    ASSERT_EQ(every.status, SIGSTREAM_FIT_OK);
    ASSERT_EQ(some.status, SIGSTREAM_FIT_OK);
    ASSERT_LT(every.iterations, 5000);
    EXPECT_EQ(some.iterations, every.iterations);
    EXPECT_TRUE(some.W == every.W);
    EXPECT_TRUE(some.H == every.H);
    ASSERT_EQ(some.trace.size(), every.trace.size());
    for (std::size_t t = 0; t < some.trace.size(); ++t) {
        if (t % 100 == 0)
            EXPECT_EQ(some.trace[t], every.trace[t]) << t;
        else
            EXPECT_TRUE(std::isnan(some.trace[t])) << t;
    }
    // max_iter not a multiple of the stride: the last objective is there.
    r.tol = 0;
    r.max_iter = 137;
    const Fit last = fit(r);
    ASSERT_EQ(last.trace.size(), 138u);
    EXPECT_FALSE(std::isnan(last.trace[137]));
    EXPECT_TRUE(std::isnan(last.trace[136]));
    // ccd-her needs its objective after every step: all there.
    r.params = {{"solver", "ccd-her"}};
    for (double v : fit(r).trace) EXPECT_FALSE(std::isnan(v));
}

TEST(NmfAbi, TraceStrideOfAnOlderHostIsOne) {
    const MatrixXd V = counts(96, 20, 2, 5, 50);
    sigstream_fit_request q = sigstream::test::make_request(V, 2, 7, 30, 0.0);
    const sigstream_param param{sizeof(sigstream_param), "solver", "mu"};
    q.n_params = 1;
    q.params = &param;
    q.trace_stride = 10;
    q.struct_size = offsetof(sigstream_fit_request, trace_stride);  // a host built before the field
    MatrixXd W(96, 2), H(2, 20);
    std::vector<double> trace(31, std::nan(""));
    sigstream_fit_result res{};
    res.struct_size = sizeof res;
    res.W = W.data();
    res.H = H.data();
    res.trace = trace.data();
    ASSERT_EQ(sigstream::nmf::backend()->fit(&q, &res), SIGSTREAM_FIT_OK) << res.message;
    ASSERT_EQ(res.trace_length, 31);
    for (double v : trace) EXPECT_FALSE(std::isnan(v));
}

TEST(NmfAbi, ProgressCanStop) {
    struct Host {
        int calls = 0;
        int last = 0;
    } host;
    Request r;
    r.V = counts(96, 50, 3, 95, 100);
    r.max_iter = 100;
    r.host = &host;
    r.progress = [](void* h, int32_t it, double f) {
        auto* host = static_cast<Host*>(h);
        ++host->calls;
        host->last = it;
        return (it == 5 && f > 0) ? 1 : 0;
    };
    const Fit f = fit(r);
    EXPECT_EQ(f.status, SIGSTREAM_FIT_STOPPED);
    EXPECT_EQ(f.iterations, 5);
    EXPECT_EQ(f.trace.size(), 6u);
    EXPECT_EQ(host.calls, 5);
    EXPECT_EQ(host.last, 5);
    // The factors are those after 5 iterations.
    r.progress = nullptr;
    r.max_iter = 5;
    const Fit g = fit(r);
    EXPECT_EQ(f.W, g.W);
    EXPECT_EQ(f.H, g.H);
}

TEST(NmfAbi, BadParameters) {
    Request r;
    r.V = counts(96, 30, 3, 97, 50);
    const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
        {{"objective", "itakura"}, "kl, frobenius"},
        {{"solver", "als"}, "ccd, mu"},
        {{"init", "kmeans"}, "random, nndsvd, nndsvda"},
        {{"rank", "3"}, "objective, solver, init"},
    };
    for (const auto& [param, accepted] : cases) {
        r.params = {param};
        const Fit f = fit(r);
        EXPECT_EQ(f.status, SIGSTREAM_FIT_BAD_PARAM) << param.first;
        EXPECT_NE(f.message.find(param.first), std::string::npos) << f.message;
        EXPECT_NE(f.message.find(accepted), std::string::npos) << f.message;
    }
    for (const char* init : {"random", "nndsvd", "nndsvda"}) {
        r.params = {{"init", init}};
        EXPECT_EQ(fit(r).status, SIGSTREAM_FIT_OK) << init;
    }
}

TEST(NmfAbi, NoSilentNanOrInfinity) {
    Request r;
    r.V = counts(96, 30, 3, 99, 50);
    r.V(3, 4) = std::nan("");
    Fit f = fit(r);
    EXPECT_EQ(f.status, SIGSTREAM_FIT_NUMERICAL);
    EXPECT_NE(f.message.find("NaN"), std::string::npos);
    r.V(3, 4) = INFINITY;
    EXPECT_EQ(fit(r).status, SIGSTREAM_FIT_NUMERICAL);
    r.V(3, 4) = 1;
    MatrixXd W0 = uniform(96, 3, 1), H0 = uniform(3, 30, 2);
    W0(0, 0) = INFINITY;
    r.W0 = &W0;
    r.H0 = &H0;
    EXPECT_EQ(fit(r).status, SIGSTREAM_FIT_NUMERICAL);
    // Overflow during the fit is reported, not returned as factors.
    r.W0 = r.H0 = nullptr;
    r.V *= 1e306;
    for (const char* objective : {"kl", "frobenius"}) {
        r.params = {{"objective", objective}};
        f = fit(r);
        if (f.status == SIGSTREAM_FIT_OK) {
            EXPECT_TRUE(f.W.allFinite() && f.H.allFinite());
            for (double t : f.trace) EXPECT_TRUE(std::isfinite(t));
        } else {
            EXPECT_EQ(f.status, SIGSTREAM_FIT_NUMERICAL) << f.message;
        }
    }
}

TEST(NmfAbi, ConcurrentFitsAreIndependent) {
    Request r;
    r.V = counts(96, 200, 4, 123, 100);
    r.k = 4;
    r.max_iter = 40;
    const Fit alone = fit(r);
    std::vector<Fit> results(4);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { results[static_cast<std::size_t>(i)] = fit(r); });
    for (auto& t : threads) t.join();
    for (const Fit& f : results) {
        EXPECT_EQ(f.W, alone.W);
        EXPECT_EQ(f.trace, alone.trace);
    }
}

// The default KL solver makes more progress per iteration than plain MU from the same start (its speed
// per second is the benchmark's business: bench/, not a timed test).
TEST(NmfCcd, BeatsMuAtEqualIterations) {
    const MatrixXd V = counts(96, 600, 8, 131, 30);
    const MatrixXd W0 = uniform(96, 8, 132, 0.5), H0 = uniform(8, 600, 133, 0.5);
    for (int iterations : {10, 100}) {
        double f[2] = {0, 0};
        int solver_index = 0;
        for (Solver s : {Solver::mu, Solver::ccd}) {
            MatrixXd W = W0, H = H0;
            sigstream::nmf::Stepper stepper(V, Objective::kl, s);
            f[solver_index] = stepper.reset(W, H);
            for (int t = 0; t < iterations; ++t) f[solver_index] = stepper.step(W, H);
            ++solver_index;
        }
        EXPECT_LT(f[1], f[0]) << iterations << " iterations: ccd " << f[1] << ", mu " << f[0];
    }
}

// Extrapolation with restarts (solver=ccd-her, the default): the reported objective is the best so
// far, so it never increases, and it is the objective of the factors handed back.
TEST(NmfHer, KlNeverIncreasesAndIsTheObjective) {
    for (std::uint64_t seed : {151, 152}) {
        const MatrixXd V = counts(96, 60, 4, seed, seed == 151 ? 200 : 5);  // deep and shallow (many zeros)
        for (Solver s : {Solver::ccd_her}) {
            MatrixXd W = uniform(96, 5, seed + 10), H = uniform(5, 60, seed + 20);
            sigstream::nmf::Stepper stepper(V, Objective::kl, s);
            std::vector<double> f{stepper.reset(W, H)};
            for (int i = 0; i < 500; ++i) {
                f.push_back(stepper.step(W, H));
                if (i % 97 == 0 || i == 499) {
                    ASSERT_NEAR(f.back(), sigstream::nmf::kl_divergence(V, W, H), 1e-11 * f.back()) << i;
                }
            }
            expect_monotone(f, "ccd-her");
        }
    }
    // Sizes that are not multiples of the vector width, tiny ones, K = 1 and K above the product's block.
    const int sizes[][3] = {{50, 70, 4}, {5, 7, 2}, {17, 33, 1}, {96, 41, 13}};
    for (const auto& [rows, cols, k] : sizes) {
        const MatrixXd V = counts(rows, cols, 3, 153, 100);
        for (Solver s : {Solver::ccd_her}) {
            MatrixXd W = uniform(rows, k, 154), H = uniform(k, cols, 155);
            const std::vector<double> f = run(V, W, H, Objective::kl, s, 23);
            EXPECT_NEAR(f.back(), sigstream::nmf::kl_divergence(V, W, H), 1e-11 * f.back())
                << rows << "x" << cols << " K=" << k;
            for (std::size_t t = 1; t < f.size(); ++t) EXPECT_LE(f[t], f[t - 1]);
        }
    }
}

// With objective=frobenius ccd-her is ccd, bit for bit.
TEST(NmfHer, FrobeniusIsTheBaseSolver) {
    const MatrixXd V = counts(50, 70, 3, 161, 100);
    for (auto [her, base] : {std::pair{Solver::ccd_her, Solver::ccd}}) {
        MatrixXd W1 = uniform(50, 4, 162), H1 = uniform(4, 70, 163), W2 = W1, H2 = H1;
        const std::vector<double> f1 = run(V, W1, H1, Objective::frobenius, her, 20);
        const std::vector<double> f2 = run(V, W2, H2, Objective::frobenius, base, 20);
        EXPECT_EQ(f1, f2);
        EXPECT_EQ(W1, W2);
        EXPECT_EQ(H1, H2);
    }
}

// More progress per iteration than plain MU, and (past the first iterations) than ccd, from the same start.
TEST(NmfHer, BeatsMuAtEqualIterations) {
    const MatrixXd V = counts(96, 600, 8, 131, 30);
    const MatrixXd W0 = uniform(96, 8, 132, 0.5), H0 = uniform(8, 600, 133, 0.5);
    for (int iterations : {10, 100, 300}) {
        double f[3];
        const Solver solvers[3] = {Solver::mu, Solver::ccd, Solver::ccd_her};
        for (int i = 0; i < 3; ++i) {
            MatrixXd W = W0, H = H0;
            f[i] = run(V, W, H, Objective::kl, solvers[i], iterations).back();
        }
        EXPECT_LT(f[2], f[0]) << iterations << " iterations: ccd-her " << f[2] << ", mu " << f[0];
        if (iterations >= 100) {
            EXPECT_LT(f[2], f[1]) << iterations << " iterations: ccd-her " << f[2] << ", ccd " << f[1];
        }
    }
}

TEST(NmfHer, DeterministicAndExactIterationCount) {
    Request r;
    r.V = counts(96, 80, 4, 171, 100);
    r.k = 4;
    r.max_iter = 137;
    for (const char* solver : {"ccd-her"}) {
        r.params = {{"solver", solver}};
        r.tol = 0;
        r.seed = 9;
        const Fit a = fit(r), b = fit(r);
        ASSERT_EQ(a.status, SIGSTREAM_FIT_OK) << a.message;
        EXPECT_EQ(a.iterations, 137);
        EXPECT_EQ(a.trace.size(), 138u);
        EXPECT_EQ(std::memcmp(a.W.data(), b.W.data(), sizeof(double) * a.W.size()), 0);
        EXPECT_EQ(std::memcmp(a.H.data(), b.H.data(), sizeof(double) * a.H.size()), 0);
        EXPECT_EQ(a.trace, b.trace);
        EXPECT_NEAR(a.trace.back(), sigstream::nmf::kl_divergence(r.V, a.W, a.H), 1e-11 * a.trace.back());
        r.seed = 10;
        const Fit c = fit(r);
        EXPECT_NE(a.trace[0], c.trace[0]);
        EXPECT_FALSE(a.W.isApprox(c.W));
    }
    // The default is ccd-her.
    r.params = {};
    r.seed = 9;
    const Fit d = fit(r);
    r.params = {{"solver", "ccd-her"}};
    EXPECT_EQ(d.trace, fit(r).trace);
}

#ifdef SIGSTREAM_NMF_PLUGIN
TEST(NmfPlugin, LoadsAndFitsThroughDlopen) {
    sigstream::test::LoadedPlugin plugin;
    ASSERT_NO_FATAL_FAILURE(sigstream::test::load_plugin(SIGSTREAM_NMF_PLUGIN, plugin));
    const sigstream_backend* b = plugin.info(SIGSTREAM_BACKEND_API_VERSION);
    EXPECT_STREQ(b->name, "nmf");
    // Only the two entry points are exported.
    EXPECT_EQ(dlsym(plugin.handle, "_ZN9sigstream3nmf7backendEv"), nullptr);
    Request r;
    r.V = counts(96, 40, 3, 141, 50);
    r.max_iter = 20;
    const Fit viaPlugin = fit_with(b, r), linked = fit(r);
    EXPECT_EQ(viaPlugin.status, SIGSTREAM_FIT_OK);
    EXPECT_EQ(viaPlugin.trace.size(), 21u);
    EXPECT_NEAR(viaPlugin.trace.back(), linked.trace.back(), 1e-9 * linked.trace.back());
}
#endif

}  // namespace
