// Tests of the convex NMF backend (cnmf_core.h) and of its ABI entry point.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
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
    for (const char* init : {"kmeans", "random"}) {
        const Fit a = fit(V, 3, 5, 30, 0, {{"init", init}}), b = fit(V, 3, 5, 30, 0, {{"init", init}});
        const Fit c = fit(V, 3, 6, 30, 0, {{"init", init}});
        EXPECT_EQ(std::memcmp(a.W.data(), b.W.data(), sizeof(double) * a.W.size()), 0);
        EXPECT_EQ(a.trace, b.trace);
        EXPECT_NE(a.trace[0], c.trace[0]) << init;
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
    EXPECT_NE(bad.message.find("kmeans, random"), std::string::npos);
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

#ifdef SIGSTREAM_CNMF_PLUGIN
TEST(CnmfPlugin, LoadsThroughDlopen) {
    sigstream::test::LoadedPlugin plugin;
    ASSERT_NO_FATAL_FAILURE(sigstream::test::load_plugin(SIGSTREAM_CNMF_PLUGIN, plugin));
    EXPECT_STREQ(plugin.info(SIGSTREAM_BACKEND_API_VERSION)->name, "cnmf");
}
#endif

}  // namespace
