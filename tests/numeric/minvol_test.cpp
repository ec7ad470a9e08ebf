#include "numeric/minvol.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "io/data_files.h"
#include "io/matrix_tsv.h"
#include "numeric/assignment.h"

namespace sigstream {
namespace {

Eigen::VectorXd cosmic_column(const LabelledMatrix& c, const std::string& name) {
    const auto it = std::find(c.columns.begin(), c.columns.end(), name);
    EXPECT_NE(it, c.columns.end()) << name;
    return c.values.col(it - c.columns.begin());
}

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    return a.dot(b) / (a.norm() * b.norm());
}

// The objective by hand on a 2 x 2 case: KL(V | W H) + λ logdet(WᵀW + δI).
TEST(MinVolumeObjective, MatchesAHandComputation) {
    Eigen::MatrixXd V(2, 2), W(2, 2), H(2, 2);
    V << 3, 0, 1, 2;
    W << 0.75, 0.5, 0.25, 0.5;
    H << 2, 1, 1, 1;
    // X = W H = [[2, 1.25], [1, 0.75]]
    const double kl = (3 * std::log(3 / 2.0) - 3 + 2) + (0 + 1.25) + (1 * std::log(1 / 1.0) - 1 + 1) +
                      (2 * std::log(2 / 0.75) - 2 + 0.75);
    // WᵀW + 0.1 I = [[0.625 + 0.1, 0.5], [0.5, 0.5 + 0.1]]
    const double det = 0.725 * 0.6 - 0.25;
    EXPECT_NEAR(min_volume_objective(V, W, H, 0.0, 0.1), kl, 1e-12);
    EXPECT_NEAR(min_volume_objective(V, W, H, 3.0, 0.1), kl + 3.0 * std::log(det), 1e-12);
}

struct Cohort {
    Eigen::MatrixXd T;  // SBS1, SBS2, SBS7a (columns sum to 1)
    Eigen::MatrixXd V;
};

// 300 samples; SBS2 and SBS7a each in a random half, SBS1 everywhere; exact expected counts, or Poisson
// counts around them (the refinement's λ scales with the fit's KL, so it needs noisy data to act on).
Cohort uv_cohort(bool noisy = false) {
    const LabelledMatrix c = read_signatures(data_file("cosmic/COSMIC_v3.4_SBS_GRCh37.txt"));
    Cohort k;
    k.T.resize(96, 3);
    k.T.col(0) = cosmic_column(c, "SBS1");
    k.T.col(1) = cosmic_column(c, "SBS2");
    k.T.col(2) = cosmic_column(c, "SBS7a");
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Eigen::MatrixXd H(3, 300);
    for (int j = 0; j < 300; ++j) {
        H(0, j) = 200 + 800 * u(rng);
        H(1, j) = u(rng) < 0.5 ? 1500 * u(rng) : 0.0;
        H(2, j) = u(rng) < 0.5 ? 1500 * u(rng) : 0.0;
    }
    k.V = k.T * H;
    if (noisy)
        for (Eigen::Index j = 0; j < k.V.cols(); ++j)
            for (Eigen::Index i = 0; i < k.V.rows(); ++i)
                k.V(i, j) = static_cast<double>(std::poisson_distribution<long long>(k.V(i, j))(rng));
    return k;
}

// A sharpened start like the one maximum likelihood finds on noisy data: SBS7a with part of SBS2 taken out
// (clipped at 0). Its cone is wider than the truth's; the refinement must bring SBS7a back.
TEST(MinVolumeRefinement, UndoesTheSharpeningOfAnOverlappingSignature) {
    const Cohort k = uv_cohort(/*noisy=*/true);
    const Eigen::VectorXd s2 = k.T.col(1), s7 = k.T.col(2);
    Eigen::MatrixXd start = k.T;
    start.col(2) = (s7 - 0.36 * s2).cwiseMax(0.0);
    start.col(2) /= start.col(2).sum();
    ASSERT_LT(cosine(start.col(2), s7), 0.97);

    const MinVolumeResult r = refine_min_volume(k.V, start);
    ASSERT_EQ(r.W.rows(), 96);
    ASSERT_EQ(r.W.cols(), 3);
    EXPECT_GE(r.W.minCoeff(), 0.0);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(r.W.col(c).sum(), 1.0, 1e-9);
    EXPECT_GT(r.lambda_rel, 0.0);
    EXPECT_LE(r.kl, r.kl_ml + 300.0 + 1e-9);  // the budget: 1 nat per sample
    const double before = cosine(start.col(2), s7), after = cosine(r.W.col(2), s7);
    EXPECT_GT(after, 0.97) << "from " << before;
    EXPECT_GT(after - before, 0.02) << "from " << before;
    EXPECT_GT(cosine(r.W.col(1), s2), 0.98);
    EXPECT_GT(cosine(r.W.col(0), k.T.col(0)), 0.99);
}

// Started at the truth (an exact fit), the refinement stays there, with or without a budget.
TEST(MinVolumeRefinement, TheTruthIsAFixedPoint) {
    const Cohort k = uv_cohort();
    for (double budget : {0.0, 1.0}) {
        MinVolumeOptions o;
        o.budget = budget;
        o.max_iter = 100;
        const MinVolumeResult r = refine_min_volume(k.V, k.T, o);
        EXPECT_LE(r.kl, r.kl_ml + budget * 300 + 1e-9);
        for (int c = 0; c < 3; ++c) EXPECT_GT(cosine(r.W.col(c), k.T.col(c)), 0.999) << budget << " " << c;
    }
}

// The passes over samples run in fixed blocks on a team of threads: the result has the same bits at any count.
TEST(MinVolumeRefinement, TheResultDoesNotDependOnTheNumberOfThreads) {
    Cohort k = uv_cohort(/*noisy=*/true);
    k.V.conservativeResize(Eigen::NoChange, 290);  // blocks of 128 columns: two full, one partial
    Eigen::MatrixXd start = k.T;
    start.col(2) = (k.T.col(2) - 0.36 * k.T.col(1)).cwiseMax(0.0);
    start.col(2) /= start.col(2).sum();
    MinVolumeOptions o;
    o.max_iter = 300;
    o.threads = 1;
    const MinVolumeResult one = refine_min_volume(k.V, start, o);
    for (int threads : {2, 3}) {
        o.threads = threads;
        const MinVolumeResult r = refine_min_volume(k.V, start, o);
        EXPECT_EQ(r.iterations, one.iterations) << threads;
        EXPECT_EQ(r.kl, one.kl) << threads;
        EXPECT_EQ(r.lambda_rel, one.lambda_rel) << threads;
        EXPECT_TRUE(r.W == one.W) << threads;
    }
}

}  // namespace
}  // namespace sigstream
