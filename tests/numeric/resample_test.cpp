#include "numeric/resample.h"

#include "core/random.h"

#include <gtest/gtest.h>

#include <set>

namespace sigstream {
namespace {

Eigen::MatrixXd small_counts() {
    Eigen::MatrixXd V = Eigen::MatrixXd::Zero(96, 4);
    for (int i = 0; i < 96; ++i) {
        V(i, 0) = (i % 3 == 0) ? 0 : i;  // zeros in a third of the channels
        V(i, 1) = 1000 * (i == 7) + 1;   // one dominant channel
        V(i, 3) = 0.5;                   // a non-integer profile, total 48
    }
    // column 2 stays all zero (an empty sample)
    return V;
}

TEST(Resample, TotalsAreKeptAndZerosStayZero) {
    const Eigen::MatrixXd V = small_counts();
    const Eigen::MatrixXd B = bootstrap_counts(V, 42);
    for (Eigen::Index j = 0; j < V.cols(); ++j) EXPECT_EQ(B.col(j).sum(), std::llround(V.col(j).sum())) << j;
    for (Eigen::Index i = 0; i < 96; ++i) {
        if (V(i, 0) == 0) {
            EXPECT_EQ(B(i, 0), 0) << i;
        }
        EXPECT_EQ(B(i, 2), 0);
        EXPECT_EQ(B(i, 0), std::round(B(i, 0)));  // integer counts
    }
}

TEST(Resample, SameSeedSameDrawDifferentSeedDifferentDraw) {
    const Eigen::MatrixXd V = small_counts();
    EXPECT_EQ(bootstrap_counts(V, 7), bootstrap_counts(V, 7));
    EXPECT_NE(bootstrap_counts(V, 7), bootstrap_counts(V, 8));
}

TEST(Resample, ColumnsAreDrawnIndependentlyOfEachOther) {
    // Dropping a column does not change the draws of the columns before it.
    const Eigen::MatrixXd V = small_counts();
    const Eigen::MatrixXd all = bootstrap_counts(V, 5);
    const Eigen::MatrixXd first_two = bootstrap_counts(V.leftCols(2), 5);
    EXPECT_EQ(all.leftCols(2), first_two);
}

TEST(Resample, MeanOfManyDrawsIsTheProfile) {
    // Each channel's count is Binomial(total, p): its mean over 4000 draws is within 5 standard errors.
    Eigen::MatrixXd V = Eigen::MatrixXd::Zero(96, 1);
    for (int i = 0; i < 96; ++i) V(i, 0) = 1 + (i % 5);
    const double total = V.sum();
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(96);
    const int draws = 4000;
    for (int r = 0; r < draws; ++r) mean += bootstrap_counts(V, replicate_seed(99, 1, r)).col(0);
    mean /= draws;
    for (int i = 0; i < 96; ++i) {
        const double p = V(i, 0) / total;
        const double se = std::sqrt(total * p * (1 - p) / draws);
        EXPECT_NEAR(mean(i), V(i, 0), 5 * se) << "channel " << i;
    }
}

TEST(Resample, ReplicateSeedsAreDistinctAndStable) {
    std::set<std::uint64_t> seen;
    for (int k = 1; k <= 30; ++k)
        for (int r = 0; r < 200; ++r) seen.insert(replicate_seed(1, k, r));
    EXPECT_EQ(seen.size(), 30u * 200u);
    EXPECT_NE(replicate_seed(1, 2, 3), replicate_seed(2, 2, 3));
    EXPECT_NE(replicate_seed(1, 2, 3), replicate_seed(1, 3, 2));
    EXPECT_EQ(replicate_seed(1, 2, 3), replicate_seed(1, 2, 3));
}

}  // namespace
}  // namespace sigstream
