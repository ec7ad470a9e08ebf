#include "numeric/nnls.h"

#include <gtest/gtest.h>

#include <random>

namespace sigstream {
namespace {

// The exact NNLS optimum by enumeration: for every subset S of the signatures, the unconstrained least
// squares on S; the best residual among the solutions that are non-negative.
Eigen::VectorXd brute_force(const Eigen::MatrixXd& W, const Eigen::VectorXd& v) {
    const int K = static_cast<int>(W.cols());
    Eigen::VectorXd best = Eigen::VectorXd::Zero(K);
    double best_r = v.squaredNorm();
    for (int mask = 1; mask < (1 << K); ++mask) {
        std::vector<int> idx;
        for (int k = 0; k < K; ++k)
            if (mask & (1 << k)) idx.push_back(k);
        Eigen::MatrixXd Ws(W.rows(), static_cast<Eigen::Index>(idx.size()));
        for (std::size_t a = 0; a < idx.size(); ++a) Ws.col(static_cast<Eigen::Index>(a)) = W.col(idx[a]);
        Eigen::VectorXd s = Ws.colPivHouseholderQr().solve(v);
        if ((s.array() < 0).any()) continue;
        Eigen::VectorXd x = Eigen::VectorXd::Zero(K);
        for (std::size_t a = 0; a < idx.size(); ++a) x(idx[a]) = s(static_cast<Eigen::Index>(a));
        double r = (W * x - v).squaredNorm();
        if (r < best_r) {
            best_r = r;
            best = x;
        }
    }
    return best;
}

Eigen::MatrixXd random_signatures(std::mt19937_64& rng, int rows, int K) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Eigen::MatrixXd W(rows, K);
    for (int i = 0; i < rows; ++i)
        for (int k = 0; k < K; ++k) W(i, k) = u(rng) * u(rng);
    for (int k = 0; k < K; ++k) W.col(k) /= W.col(k).sum();
    return W;
}

TEST(Nnls, RecoversNonNegativeCombinationsExactly) {
    std::mt19937_64 rng(3);
    Eigen::MatrixXd W = random_signatures(rng, 96, 6);
    Eigen::VectorXd x(6);
    x << 120, 0, 35.5, 0, 0, 900;
    Nnls nnls(W);
    Eigen::VectorXd got = nnls.solve(W * x);
    EXPECT_LT((got - x).cwiseAbs().maxCoeff(), 1e-8 * x.maxCoeff());
}

TEST(Nnls, MatchesTheOptimumFoundByEnumeration) {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(0.0, 50.0);
    for (int trial = 0; trial < 200; ++trial) {
        const int K = 1 + trial % 6;
        Eigen::MatrixXd W = random_signatures(rng, 12, K);
        Eigen::VectorXd v(12);
        for (int i = 0; i < 12; ++i) v(i) = std::floor(u(rng));  // counts; often not in the cone
        Eigen::VectorXd want = brute_force(W, v);
        Eigen::VectorXd got = Nnls(W).solve(v);
        ASSERT_TRUE((got.array() >= 0).all());
        EXPECT_NEAR((W * got - v).squaredNorm(), (W * want - v).squaredNorm(), 1e-9 * (1 + v.squaredNorm()))
            << "trial " << trial;
        EXPECT_LT((got - want).cwiseAbs().maxCoeff(), 1e-6 * (1 + want.cwiseAbs().maxCoeff())) << "trial " << trial;
    }
}

TEST(Nnls, SubsetKeepsExcludedSignaturesAtZero) {
    std::mt19937_64 rng(5);
    Eigen::MatrixXd W = random_signatures(rng, 96, 4);
    Eigen::VectorXd x(4);
    x << 10, 20, 30, 40;
    Eigen::VectorXd got = Nnls(W).solve_subset(W * x, {true, false, true, true});
    EXPECT_EQ(got(1), 0.0);
    EXPECT_TRUE((got.array() >= 0).all());
}

TEST(Nnls, ZeroSampleGivesZeroExposures) {
    std::mt19937_64 rng(1);
    Eigen::MatrixXd W = random_signatures(rng, 96, 3);
    EXPECT_EQ(Nnls(W).solve(Eigen::VectorXd::Zero(96)), Eigen::VectorXd::Zero(3));
}

}  // namespace
}  // namespace sigstream
