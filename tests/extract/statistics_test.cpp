// Per-sample goodness of fit and the scaling of signatures (src/extract/statistics.h).
#include "extract/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sigstream {
namespace {

TEST(SampleStats, UnexplainedMutationsGiveInfiniteKl) {
    Eigen::MatrixXd V(2, 1), W(2, 1), H(1, 1);
    V << 3, 1;
    W << 1, 0;
    H << 3;
    auto s = sample_stats(V, W, H, {"x"});
    EXPECT_TRUE(std::isinf(s[0].kl));
    EXPECT_NEAR(s[0].cosine, 3 / std::sqrt(10.0), 1e-15);
    EXPECT_NEAR(s[0].l1_pct, 25, 1e-12);
}

TEST(ScaleSignatures, ColumnsSumToOneAndTheProductIsKept) {
    Eigen::MatrixXd W(3, 2), H(2, 2);
    W << 1, 0, 2, 0, 1, 0;
    H << 1, 2, 3, 4;
    const Eigen::MatrixXd product = W * H;
    const std::vector<int> zero = scale_signatures(W, &H);
    EXPECT_EQ(zero, (std::vector<int>{1}));
    EXPECT_DOUBLE_EQ(W(1, 0), 0.5);
    EXPECT_DOUBLE_EQ(W(0, 1), 1.0 / 3);  // an all-zero column becomes uniform …
    EXPECT_EQ(H(1, 0), 0);               // … with zero exposures
    EXPECT_DOUBLE_EQ(H(0, 1), 8);
    EXPECT_TRUE((W * H - product).isZero(1e-12));
}

}  // namespace
}  // namespace sigstream
