// Tests of the convex NMF backend (cnmf_core.h) and of its ABI entry point.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cnmf_core.h"
#include "plugin_test_util.h"
#include "sigstream_backend.h"

namespace {

using Eigen::MatrixXd;
using sigstream::test::Fit;
using sigstream::test::uniform;

// Count-like data with structure: mixtures of K random profiles, rounded.
MatrixXd data(int rows, int cols, int k, std::uint64_t seed) {
    const MatrixXd S = uniform(rows, k, seed).array().pow(3).matrix(), E = uniform(k, cols, seed + 1, 100);
    MatrixXd V = (S * E).array().round().matrix();
    for (int j = 0; j < cols; ++j)
        if (V.col(j).sum() == 0) V(0, j) = 1;
    return V;
}

TEST(Cnmf, ObjectiveIsTheSquaredResidual) {
    const MatrixXd V = data(12, 9, 3, 1), G = uniform(9, 3, 2), H = uniform(9, 3, 3);
    const MatrixXd A = V.transpose() * V;  // small here; the code never forms it
    const double direct = (V - V * G * H.transpose()).squaredNorm();
    EXPECT_NEAR(sigstream::cnmf::objective(V, G, H), direct, 1e-12 * direct);
    const double via_gram =
        A.trace() - 2 * (G.transpose() * A * H).trace() + (H * G.transpose() * A * G * H.transpose()).trace();
    EXPECT_NEAR(direct, via_gram, 1e-9 * direct);
}

TEST(Cnmf, GradientMatchesCentralDifferences) {
    const MatrixXd V = data(10, 8, 3, 11);
    const MatrixXd G = uniform(8, 3, 12, 0.1), H = uniform(8, 3, 13, 0.1);
    MatrixXd dG, dH;
    sigstream::cnmf::gradient(V, G, H, dG, dH);
    ASSERT_EQ(dG.rows(), 8);
    ASSERT_EQ(dG.cols(), 3);
    ASSERT_EQ(dH.rows(), 8);
    ASSERT_EQ(dH.cols(), 3);
    const double scale = std::max(dG.cwiseAbs().maxCoeff(), dH.cwiseAbs().maxCoeff());
    for (int which = 0; which < 2; ++which) {
        const MatrixXd& X = which == 0 ? G : H;
        const MatrixXd& D = which == 0 ? dG : dH;
        for (Eigen::Index i = 0; i < X.size(); ++i) {
            const double h = 1e-5 * std::max(1.0, std::abs(X.data()[i]));
            MatrixXd Xp = X, Xm = X;
            Xp.data()[i] += h;
            Xm.data()[i] -= h;
            const double fp = which == 0 ? sigstream::cnmf::objective(V, Xp, H) : sigstream::cnmf::objective(V, G, Xp);
            const double fm = which == 0 ? sigstream::cnmf::objective(V, Xm, H) : sigstream::cnmf::objective(V, G, Xm);
            const double numeric = (fp - fm) / (2 * h);
            EXPECT_NEAR(D.data()[i], numeric, 1e-6 * scale) << (which == 0 ? "dG" : "dH") << " entry " << i;
        }
    }
}

// One iteration equals Ding et al.'s rules written with the explicit Gram matrix A = V^T V.
TEST(Cnmf, OneIterationIsTheFormula) {
    const MatrixXd V = data(20, 15, 3, 21);
    const MatrixXd G0 = uniform(15, 4, 22, 0.1), H0 = uniform(15, 4, 23, 0.1);
    MatrixXd G = G0, H = H0;
    sigstream::cnmf::iterate(V, G, H, 1);
    const MatrixXd A = V.transpose() * V;
    const double fl = sigstream::cnmf::kFloor;
    MatrixXd g = G0, h = H0;
    h = (h.array() * ((A * g).array() / (h * g.transpose() * A * g).array()).sqrt()).max(fl).matrix();
    g = (g.array() * ((A * h).array() / (A * g * h.transpose() * h).array()).sqrt()).max(fl).matrix();
    EXPECT_LE((H - h).cwiseAbs().maxCoeff(), 1e-12 * h.maxCoeff());
    EXPECT_LE((G - g).cwiseAbs().maxCoeff(), 1e-12 * g.maxCoeff());
}

TEST(Cnmf, ObjectiveNeverIncreases) {
    for (auto init : {sigstream::cnmf::Init::random, sigstream::cnmf::Init::kmeans}) {
        const MatrixXd V = data(96, 80, 4, 31);
        MatrixXd G, H;
        sigstream::cnmf::initialise(V, 5, init, 7, G, H);
        sigstream::cnmf::Stepper stepper(V);
        double previous = stepper.reset(G, H);
        for (int t = 1; t <= 500; ++t) {
            const double f = stepper.step(G, H);
            ASSERT_LE(f, previous * (1 + 1e-12)) << "iteration " << t;
            ASSERT_NEAR(f, sigstream::cnmf::objective(V, G, H), 1e-9 * f);
            previous = f;
        }
    }
}

TEST(Cnmf, StartsDependOnTheSeed) {
    const MatrixXd V = data(96, 60, 4, 41);
    for (auto init : {sigstream::cnmf::Init::random, sigstream::cnmf::Init::kmeans}) {
        MatrixXd G1, H1, G2, H2, G3, H3;
        sigstream::cnmf::initialise(V, 4, init, 1, G1, H1);
        sigstream::cnmf::initialise(V, 4, init, 1, G3, H3);
        sigstream::cnmf::initialise(V, 4, init, 2, G2, H2);
        EXPECT_EQ(G1, G3);
        EXPECT_EQ(H1, H3);
        EXPECT_FALSE(G1 == G2 && H1 == H2);
        EXPECT_TRUE((G1.array() > 0).all() && (H1.array() > 0).all());
    }
}

// ---------------------------------------------------------------- the block coordinate descent solver

// argmin_{g >= 0} ||A g - t|| by brute force: the least-squares solution on every support S whose entries are all
// positive, the one with the smallest residual (A of full column rank, so the solution is unique and is one of
// these). Independent of ConeProjection: no active set, no warm start, QR on each support.
Eigen::VectorXd brute_force_nnls(const MatrixXd& A, const Eigen::VectorXd& t) {
    const int n = static_cast<int>(A.cols());
    Eigen::VectorXd best = Eigen::VectorXd::Zero(n);
    double best_r = t.squaredNorm();
    for (int mask = 1; mask < (1 << n); ++mask) {
        std::vector<int> S;
        for (int j = 0; j < n; ++j)
            if (mask & (1 << j)) S.push_back(j);
        MatrixXd AS(A.rows(), static_cast<Eigen::Index>(S.size()));
        for (std::size_t i = 0; i < S.size(); ++i) AS.col(static_cast<Eigen::Index>(i)) = A.col(S[i]);
        const Eigen::VectorXd z = AS.householderQr().solve(t);
        if (z.minCoeff() <= 0) continue;
        const double r = (AS * z - t).squaredNorm();
        if (r < best_r) {
            best_r = r;
            best.setZero();
            for (std::size_t i = 0; i < S.size(); ++i) best(S[i]) = z(static_cast<Eigen::Index>(i));
        }
    }
    return best;
}

TEST(CnmfCone, ProjectionIsTheBruteForceNnls) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        SCOPED_TRACE(seed);
        const MatrixXd V = uniform(9, 7, 100 + seed);  // 7 samples in 9 dimensions: full column rank
        // Targets with some of the cone's faces active: V times mixed-sign weights, plus a random direction.
        const Eigen::VectorXd w = (uniform(7, 1, 200 + seed).array() - 0.5).matrix();
        const Eigen::VectorXd t = V * w + 0.3 * (uniform(9, 1, 300 + seed).array() - 0.5).matrix();
        const Eigen::VectorXd expected = brute_force_nnls(V, t);
        sigstream::cnmf::ConeProjection projection(V);
        Eigen::VectorXd g = Eigen::VectorXd::Zero(7);
        projection.solve(t, g);
        EXPECT_LE((g - expected).cwiseAbs().maxCoeff(), 1e-10 * std::max(1.0, expected.norm()));
        EXPECT_GE(g.minCoeff(), 0.0);
        // A warm start from any non-negative g ends at the same point.
        Eigen::VectorXd warm = uniform(7, 1, 400 + seed);
        projection.solve(t, warm);
        EXPECT_LE((warm - expected).cwiseAbs().maxCoeff(), 1e-10 * std::max(1.0, expected.norm()));
    }
}

TEST(CnmfCone, ProjectionKktOnCountData) {
    // 96 x 200 counts (rank 96): at most 96 non-zero entries, and the optimality conditions of NNLS:
    // r = t - V g, V_j^T r <= 0 for every j, = 0 where g_j > 0.
    const MatrixXd V = data(96, 200, 5, 11);
    const MatrixXd T = uniform(96, 3, 12, 50.0);
    sigstream::cnmf::ConeProjection projection(V);
    for (Eigen::Index c = 0; c < T.cols(); ++c) {
        Eigen::VectorXd g = Eigen::VectorXd::Zero(V.cols());
        const Eigen::VectorXd t = T.col(c);
        projection.solve(t, g);
        const Eigen::VectorXd grad = V.transpose() * (t - V * g);
        const double scale = (V.transpose() * t).cwiseAbs().maxCoeff();
        EXPECT_LE((g.array() > 0).count(), 96);
        EXPECT_LE(grad.maxCoeff(), 1e-9 * scale);
        for (Eigen::Index j = 0; j < g.size(); ++j)
            if (g(j) > 0) {
                EXPECT_NEAR(grad(j), 0.0, 1e-9 * scale) << j;
            }
    }
    // A point of the cone projects onto itself; 0 onto 0; a zero column never enters.
    MatrixXd Vz = V;
    Vz.col(3).setZero();
    sigstream::cnmf::ConeProjection pz(Vz);
    Eigen::VectorXd g0 = Eigen::VectorXd::Zero(V.cols());
    g0(5) = 2.0;
    g0(17) = 0.5;
    Eigen::VectorXd g = Eigen::VectorXd::Zero(V.cols());
    const Eigen::VectorXd inside = Vz * g0;
    pz.solve(inside, g);
    EXPECT_LE((Vz * g - inside).norm(), 1e-10 * inside.norm());
    EXPECT_EQ(g(3), 0.0);
    Eigen::VectorXd zero = Eigen::VectorXd::Constant(V.cols(), 1.0);
    pz.solve(Eigen::VectorXd::Zero(96), zero);
    EXPECT_EQ(zero, Eigen::VectorXd::Zero(V.cols()));
    const MatrixXd G = sigstream::cnmf::cone_of(V, MatrixXd(V * uniform(200, 2, 13)));
    EXPECT_EQ(G.rows(), 200);
    EXPECT_GE(G.minCoeff(), 0.0);
}

// One pass over V per call (max_passes = 1, as a HALS sweep calls it): each call stays feasible and never moves
// away from t, and repeated calls from the last result reach the exact projection; the first pass lets several
// columns in (kEnteringPerPass), not one.
TEST(CnmfCone, PassLimitedProjectionDescendsToTheProjection) {
    const MatrixXd V = data(96, 200, 5, 11);
    const Eigen::VectorXd t = uniform(96, 1, 13, 50.0);
    sigstream::cnmf::ConeProjection projection(V);
    Eigen::VectorXd exact = Eigen::VectorXd::Zero(V.cols());
    projection.solve(t, exact);
    const double best = (t - V * exact).squaredNorm();
    Eigen::VectorXd g = Eigen::VectorXd::Zero(V.cols());
    double last = t.squaredNorm();
    int calls = 0;
    for (; calls < 100; ++calls) {
        projection.solve(t, g, 1);
        ASSERT_GE(g.minCoeff(), 0.0);
        const double now = (t - V * g).squaredNorm();
        EXPECT_LE(now, last * (1 + 1e-12)) << calls;
        if (calls == 0) {
            EXPECT_GT((g.array() > 0).count(), 1);
        }
        last = now;
        if (now <= best * (1 + 1e-12)) break;
    }
    EXPECT_LT(calls, 100);
    EXPECT_LE((g - exact).cwiseAbs().maxCoeff(), 1e-8 * std::max(1.0, exact.norm()));
}

// The rows of H are independent problems: hals_block runs kHalsRows of them at a time, each block to its own stop,
// which is exactly hals_block on each block alone; one pass is the formula on the whole matrix.
TEST(CnmfHals, RowBlocksAreIndependentProblems) {
    using sigstream::cnmf::hals_block;
    using sigstream::cnmf::kHalsRows;
    const Eigen::Index n = 2 * kHalsRows + 77, K = 4;
    const MatrixXd X0 = uniform(n, K, 31, 3.0), P = uniform(n, K, 32, 50.0);
    const MatrixXd Y = uniform(K + 3, K, 33);
    const MatrixXd KK = Y.transpose() * Y;
    MatrixXd X = X0;
    hals_block(X, P, KK, 6);
    for (Eigen::Index r0 = 0; r0 < n; r0 += kHalsRows) {
        const Eigen::Index rows = std::min<Eigen::Index>(kHalsRows, n - r0);
        MatrixXd part = X0.middleRows(r0, rows);
        const MatrixXd Pp = P.middleRows(r0, rows);
        hals_block(part, Pp, KK, 6);
        EXPECT_TRUE(part == X.middleRows(r0, rows)) << r0;
    }
    MatrixXd one = X0, formula = X0;
    hals_block(one, P, KK, 1);
    for (Eigen::Index c = 0; c < K; ++c)
        formula.col(c) = (formula.col(c) + (P.col(c) - formula * KK.col(c)) / KK(c, c)).cwiseMax(0.0);
    EXPECT_LE((one - formula).cwiseAbs().maxCoeff(), 1e-12 * formula.cwiseAbs().maxCoeff());
}

TEST(CnmfHals, OneBlockPassIsTheFormula) {
    const MatrixXd X0 = uniform(30, 4, 21), P = uniform(30, 4, 22, 5.0);
    const MatrixXd Y = uniform(12, 4, 23), KK = Y.transpose() * Y;
    MatrixXd X = X0;
    EXPECT_EQ(sigstream::cnmf::hals_block(X, P, KK, 1), 1);
    MatrixXd x = X0;
    for (int c = 0; c < 4; ++c) x.col(c) = (x.col(c) + (P.col(c) - x * KK.col(c)) / KK(c, c)).cwiseMax(0.0);
    EXPECT_LE((X - x).cwiseAbs().maxCoeff(), 1e-14 * x.cwiseAbs().maxCoeff());
    // More passes never raise 1/2 <X, X KK> - <X, P> (the objective over X up to a constant).
    auto f = [&](const MatrixXd& Z) { return 0.5 * (Z.transpose() * Z * KK).trace() - (Z.transpose() * P).trace(); };
    MatrixXd Z = X0;
    const int passes = sigstream::cnmf::hals_block(Z, P, KK, 20);
    EXPECT_GE(passes, 2);
    EXPECT_LE(f(Z), f(X) + 1e-12 * std::abs(f(X)));
}

TEST(CnmfHals, ObjectiveNeverIncreasesAndIsExact) {
    const MatrixXd V = data(96, 80, 4, 31);
    for (bool extrapolate : {true, false}) {
        SCOPED_TRACE(extrapolate);
        MatrixXd G, H;
        sigstream::cnmf::initialise(V, 5, sigstream::cnmf::Init::nmf, 7, G, H, 2);
        sigstream::cnmf::HalsStepper stepper(V, extrapolate);
        double previous = stepper.reset(G, H);
        for (int t = 1; t <= 200; ++t) {
            const double f = stepper.step(G, H);
            ASSERT_LE(f, previous * (1 + 1e-12)) << "iteration " << t;
            ASSERT_NEAR(f, sigstream::cnmf::objective(V, G, H), 1e-9 * f);
            previous = f;
        }
        EXPECT_GE(G.minCoeff(), sigstream::cnmf::kFloor);  // the floor keeps every channel of a signature open
        EXPECT_GE(H.minCoeff(), 0.0);
    }
}

TEST(CnmfHals, ConvergesWhereTheMultiplicativeUpdatesCrawl) {
    // From the same start, 100 HALS iterations end below 5000 multiplicative updates.
    const MatrixXd V = data(96, 120, 5, 41);
    MatrixXd G, H;
    sigstream::cnmf::initialise(V, 5, sigstream::cnmf::Init::random, 3, G, H);
    MatrixXd Gm = G, Hm = H;
    sigstream::cnmf::HalsStepper hals(V);
    hals.reset(G, H);
    double f = 0;
    for (int t = 0; t < 100; ++t) f = hals.step(G, H);
    sigstream::cnmf::iterate(V, Gm, Hm, 5000);
    EXPECT_LT(f, sigstream::cnmf::objective(V, Gm, Hm));
}

TEST(CnmfStarts, NndsvdAndTheStartsOfAMultiStartFit) {
    // NNDSVD of a non-negative rank-one matrix is exact.
    const MatrixXd u = uniform(12, 1, 51), v = uniform(9, 1, 52);
    MatrixXd W, H;
    sigstream::cnmf::nndsvd(u * v.transpose(), 1, W, H);
    EXPECT_LE((W * H.transpose() - u * v.transpose()).norm(), 1e-12 * (u * v.transpose()).norm());
    // K beyond the rank: the extra columns stay zero (no exception).
    sigstream::cnmf::nndsvd(u * v.transpose(), 3, W, H);
    EXPECT_LT(W.col(2).norm(), 1e-6 * W.col(0).norm());
    // Starts: deterministic, index 0 of kmeans/random is the single start of version 1.0 (the seed itself), the
    // nmf starts are sparse in G, non-negative, and differ between indices.
    EXPECT_EQ(sigstream::cnmf::start_seed(77, 0), 77u);
    EXPECT_NE(sigstream::cnmf::start_seed(77, 1), sigstream::cnmf::start_seed(77, 2));
    const MatrixXd V = data(96, 150, 4, 53);
    for (int index = 0; index < 3; ++index) {
        MatrixXd G1, H1, G2, H2;
        sigstream::cnmf::initialise(V, 4, sigstream::cnmf::Init::nmf, 9, G1, H1, index);
        sigstream::cnmf::initialise(V, 4, sigstream::cnmf::Init::nmf, 9, G2, H2, index);
        EXPECT_EQ(G1, G2);
        EXPECT_EQ(H1, H2);
        EXPECT_GE(G1.minCoeff(), 0.0);
        EXPECT_GE(H1.minCoeff(), 0.0);
        for (Eigen::Index c = 0; c < 4; ++c) EXPECT_LE((G1.col(c).array() > 0).count(), 96);
    }
    MatrixXd Ga, Ha, Gb, Hb;
    sigstream::cnmf::initialise(V, 4, sigstream::cnmf::Init::nmf, 9, Ga, Ha, 1);
    sigstream::cnmf::initialise(V, 4, sigstream::cnmf::Init::nmf, 9, Gb, Hb, 2);
    EXPECT_NE(Ga, Gb);
}

TEST(CnmfFit, BestScreenedStartGoesOn) {
    const MatrixXd V = data(96, 90, 4, 61);
    sigstream::cnmf::Options o;
    o.k = 4;
    o.seed = 3;
    o.max_iter = 50;
    o.tol = 0;
    const sigstream::cnmf::Result r = sigstream::cnmf::fit(V, o, nullptr, nullptr, {});
    ASSERT_EQ(r.status, sigstream::cnmf::Status::ok);
    ASSERT_EQ(r.screened.size(), static_cast<std::size_t>(sigstream::cnmf::kDefaultStarts));
    const auto lowest = std::min_element(r.screened.begin(), r.screened.end());
    EXPECT_EQ(r.chosen, lowest - r.screened.begin());
    EXPECT_NEAR(r.trace[0], *lowest, 1e-12 * *lowest);  // the trace goes on from the chosen start's screened point
    EXPECT_LE(r.trace.back(), r.trace[0]);
    EXPECT_NE(r.message.find("start " + std::to_string(r.chosen + 1) + " of 8"), std::string::npos) << r.message;
}

// ---------------------------------------------------------------- through the ABI

Fit fit(const MatrixXd& V, int k, std::uint64_t seed, int max_iter, double tol,
        std::vector<std::pair<std::string, std::string>> kv = {}, const MatrixXd* W0 = nullptr,
        const MatrixXd* H0 = nullptr, int (*progress)(void*, int32_t, double) = nullptr, void* host = nullptr) {
    sigstream::test::Request r;
    r.V = V;
    r.k = k;
    r.seed = seed;
    r.max_iter = max_iter;
    r.tol = tol;
    r.params = std::move(kv);
    r.W0 = W0;
    r.H0 = H0;
    r.progress = progress;
    r.host = host;
    return sigstream::test::fit_with(sigstream::cnmf::backend(), r);
}

TEST(CnmfAbi, ReturnsSignaturesAndExposures) {
    const MatrixXd V = data(96, 70, 3, 61);
    const Fit f = fit(V, 3, 5, 200, 0);
    ASSERT_EQ(f.status, SIGSTREAM_FIT_OK) << f.message;
    EXPECT_EQ(f.iterations, 200);
    ASSERT_EQ(f.trace.size(), 201u);
    for (std::size_t t = 1; t < f.trace.size(); ++t) EXPECT_LE(f.trace[t], f.trace[t - 1] * (1 + 1e-12));
    // W H is the reconstruction V G H^T whose squared error the trace reports.
    EXPECT_NEAR((V - f.W * f.H).squaredNorm(), f.trace.back(), 1e-9 * f.trace.back());
    EXPECT_TRUE((f.W.array() >= 0).all() && (f.H.array() >= 0).all());
    EXPECT_STREQ(sigstream::cnmf::backend()->name, "cnmf");
}

TEST(CnmfAbi, DeterministicAndSeeded) {
    const MatrixXd V = data(96, 70, 3, 71);
    for (const char* init : {"nmf", "kmeans", "random"})
        for (const char* solver : {"hals", "mu"}) {
            SCOPED_TRACE(std::string(init) + " " + solver);
            // One start: the seed decides it.
            const std::vector<std::pair<std::string, std::string>> one = {
                {"init", init}, {"solver", solver}, {"starts", "1"}};
            const Fit a = fit(V, 3, 5, 30, 0, one), b = fit(V, 3, 5, 30, 0, one);
            const Fit c = fit(V, 3, 6, 30, 0, one);
            EXPECT_EQ(std::memcmp(a.W.data(), b.W.data(), sizeof(double) * a.W.size()), 0);
            EXPECT_EQ(a.trace, b.trace);
            if (std::string(init) != "nmf") {  // nmf's first start is NNDSVD's, whatever the seed
                EXPECT_NE(a.trace[0], c.trace[0]);
            }
            // Several starts: deterministic too.
            const std::vector<std::pair<std::string, std::string>> three = {
                {"init", init}, {"solver", solver}, {"starts", "3"}};
            const Fit d = fit(V, 3, 5, 30, 0, three), e = fit(V, 3, 5, 30, 0, three);
            EXPECT_EQ(std::memcmp(d.W.data(), e.W.data(), sizeof(double) * d.W.size()), 0);
            EXPECT_EQ(d.trace, e.trace);
        }
}

TEST(CnmfAbi, StartIsHonoured) {
    const MatrixXd V = data(96, 50, 3, 81);
    // A start whose signatures are in the cone of the samples (W0 = V G0) maps back to G0's reconstruction.
    const MatrixXd G0 = uniform(50, 3, 82, 0.01), Hc = uniform(50, 3, 83);
    const MatrixXd W0 = V * G0, H0 = Hc.transpose();
    const Fit f = fit(V, 3, 1, 0, 0, {}, &W0, &H0);
    ASSERT_EQ(f.status, SIGSTREAM_FIT_OK) << f.message;
    EXPECT_EQ(f.H, H0);  // H is used exactly
    EXPECT_LE((f.W - W0).norm(), 1e-3 * W0.norm());
    EXPECT_NEAR(f.trace[0], (V - f.W * f.H).squaredNorm(), 1e-9 * f.trace[0]);
}

TEST(CnmfAbi, ZeroTolProgressAndBadParameters) {
    const MatrixXd V = data(96, 40, 3, 91);
    EXPECT_EQ(fit(V, 3, 1, 57, 0).iterations, 57);
    // tol > 0 (on data that the model cannot fit exactly, so that the relative decrease dies out).
    const Fit t = fit(uniform(96, 40, 92, 10), 3, 1, 5000, 1e-4);
    EXPECT_LT(t.iterations, 5000);
    EXPECT_EQ(t.iterations % 10, 0);
    EXPECT_LT((t.trace[t.trace.size() - 11] - t.trace.back()) / t.trace.back(), 1e-4);
    int calls = 0;
    const Fit s = fit(
        V, 3, 1, 100, 0, {}, nullptr, nullptr,
        [](void* h, int32_t it, double) { return ++*static_cast<int*>(h), it >= 3 ? 1 : 0; }, &calls);
    EXPECT_EQ(s.status, SIGSTREAM_FIT_STOPPED);
    EXPECT_EQ(s.iterations, 3);
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(s.W, fit(V, 3, 1, 3, 0).W);
    const Fit bad = fit(V, 3, 1, 10, 0, {{"init", "svd"}});
    EXPECT_EQ(bad.status, SIGSTREAM_FIT_BAD_PARAM);
    EXPECT_NE(bad.message.find("init"), std::string::npos);
    EXPECT_NE(bad.message.find("nmf, kmeans, random"), std::string::npos);
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"solver", "als"}, {"starts", "0"}, {"starts", "2.5"}, {"starts", "1001"}, {"starts", "x"}}) {
        const Fit b = fit(V, 3, 1, 10, 0, {{key, value}});
        EXPECT_EQ(b.status, SIGSTREAM_FIT_BAD_PARAM) << key << "=" << value;
        EXPECT_NE(b.message.find(key + "=" + value), std::string::npos) << b.message;
    }
    const Fit unknown = fit(V, 3, 1, 10, 0, {{"objective", "kl"}});
    EXPECT_EQ(unknown.status, SIGSTREAM_FIT_BAD_PARAM);
    EXPECT_NE(unknown.message.find("objective"), std::string::npos);
}

TEST(CnmfAbi, NoSilentNanOrInfinity) {
    MatrixXd V = data(96, 40, 3, 101);
    V(2, 2) = std::nan("");
    EXPECT_EQ(fit(V, 3, 1, 10, 0).status, SIGSTREAM_FIT_NUMERICAL);
    V(2, 2) = 1;
    V *= 1e200;  // squares overflow
    const Fit f = fit(V, 3, 1, 10, 0);
    EXPECT_EQ(f.status, SIGSTREAM_FIT_NUMERICAL) << f.message;
}

// solver=mu init=kmeans starts=1 is version 1.0's fit, step for step: Ding et al.'s updates from the k-means start.
TEST(CnmfAbi, VersionOneIsReachable) {
    const MatrixXd V = data(96, 60, 3, 111);
    const Fit f = fit(V, 3, 4, 40, 0, {{"solver", "mu"}, {"init", "kmeans"}, {"starts", "1"}});
    ASSERT_EQ(f.status, SIGSTREAM_FIT_OK) << f.message;
    MatrixXd G, H;
    sigstream::cnmf::initialise(V, 3, sigstream::cnmf::Init::kmeans, 4, G, H);
    sigstream::cnmf::Stepper stepper(V);
    std::vector<double> trace = {stepper.reset(G, H)};
    for (int t = 0; t < 40; ++t) trace.push_back(stepper.step(G, H));
    EXPECT_EQ(f.trace, trace);
    EXPECT_EQ(f.W, V * G);
    EXPECT_EQ(f.H, H.transpose());
}

TEST(CnmfAbi, ConcurrentFitsEqualSequentialOnes) {
    const MatrixXd V = data(96, 70, 4, 121);
    const Fit a = fit(V, 4, 1, 100, 1e-7), b = fit(V, 4, 2, 100, 1e-7);
    Fit pa, pb;
    std::thread t1([&] { pa = fit(V, 4, 1, 100, 1e-7); }), t2([&] { pb = fit(V, 4, 2, 100, 1e-7); });
    t1.join();
    t2.join();
    EXPECT_EQ(a.W, pa.W);
    EXPECT_EQ(a.trace, pa.trace);
    EXPECT_EQ(b.W, pb.W);
}

// ---------------------------------------------------------------- planted optimum

// Noiseless V = W H with K = 4 signatures, each concentrated on one substitution class, and 120 samples of which
// the first 8 are pure (2 per signature): the true signatures are in the cone of the samples, so the model fits V
// exactly and the optimum is 0.
MatrixXd planted(MatrixXd& W) {
    sigstream::test::TestRng rng(2025);
    const int m = 96, k = 4, n = 120;
    W.resize(m, k);
    for (int s = 0; s < k; ++s) {
        for (int i = 0; i < m; ++i) W(i, s) = i / 16 == s + 1 ? rng.uniform(0.5, 1.5) : rng.uniform(0.0, 0.05);
        W.col(s) /= W.col(s).sum();
    }
    MatrixXd H(k, n);
    for (int j = 0; j < n; ++j) {
        const double total = std::exp(rng.uniform(std::log(100.0), std::log(20000.0)));  // spread burdens
        if (j < 8) {
            H.col(j).setZero();
            H(j % k, j) = total;
        } else {
            for (int s = 0; s < k; ++s) H(s, j) = std::pow(rng.uniform(), 2.0);
            H.col(j) *= total / H.col(j).sum();
        }
    }
    return W * H;
}

TEST(CnmfPlanted, DefaultsReachTheKnownOptimum) {
    MatrixXd W;
    const MatrixXd V = planted(W);
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        const Fit f = fit(V, 4, seed, 3000, 1e-12);
        ASSERT_EQ(f.status, SIGSTREAM_FIT_OK) << f.message;
        const double rel = std::sqrt(f.trace.back() / V.squaredNorm());
        std::printf("[ planted ] seed %d: %d iterations, relative error %.2e\n", static_cast<int>(seed), f.iterations,
                    rel);
        EXPECT_LT(rel, 1e-6);
        // Every true signature is found (cosine of the best match).
        for (int s = 0; s < 4; ++s) {
            double best = 0;
            for (int c = 0; c < 4; ++c)
                best = std::max(best, W.col(s).dot(f.W.col(c)) / (W.col(s).norm() * f.W.col(c).norm()));
            EXPECT_GT(best, 0.99999) << s;
        }
    }
    // Version 1.0's fit gets nowhere near in as many iterations.
    const Fit old = fit(V, 4, 1, 3000, 1e-12, {{"solver", "mu"}, {"init", "kmeans"}, {"starts", "1"}});
    EXPECT_GT(std::sqrt(old.trace.back() / V.squaredNorm()), 1e-3);
}

// Poisson noise on the planted cohort: the optimum is not known in closed form; the lowest objective of 30
// single-start fits (each start of the default's kind, 400 iterations) stands for it. The defaults (8 starts)
// end within 1e-6 of it.
TEST(CnmfPlanted, DefaultsReachTheBestOfManyStartsWithNoise) {
    MatrixXd W;
    MatrixXd V = planted(W);
    sigstream::test::TestRng rng(7);
    for (Eigen::Index i = 0; i < V.size(); ++i) V.data()[i] = rng.poisson(V.data()[i] / 20.0);
    for (Eigen::Index j = 0; j < V.cols(); ++j)
        if (V.col(j).sum() == 0) V(0, j) = 1;
    double lowest = std::numeric_limits<double>::infinity();
    for (int index = 0; index < 30; ++index) {
        MatrixXd G, H;
        sigstream::cnmf::initialise(V, 4, sigstream::cnmf::Init::nmf, 99, G, H, index);
        sigstream::cnmf::HalsStepper stepper(V);
        stepper.reset(G, H);
        double f = 0;
        for (int t = 0; t < 400; ++t) f = stepper.step(G, H);
        lowest = std::min(lowest, f);
    }
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        const Fit f = fit(V, 4, seed, 10000, 1e-7);
        ASSERT_EQ(f.status, SIGSTREAM_FIT_OK) << f.message;
        EXPECT_LT(f.trace.back(), lowest * (1 + 1e-6)) << "seed " << seed;
    }
}

#ifdef SIGSTREAM_CNMF_PLUGIN
TEST(CnmfPlugin, LoadsThroughDlopen) {
    sigstream::test::LoadedPlugin plugin;
    ASSERT_NO_FATAL_FAILURE(sigstream::test::load_plugin(SIGSTREAM_CNMF_PLUGIN, plugin));
    EXPECT_STREQ(plugin.info(SIGSTREAM_BACKEND_API_VERSION)->name, "cnmf");
}
#endif

}  // namespace
