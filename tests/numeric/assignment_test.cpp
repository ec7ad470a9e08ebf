#include "numeric/assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace sigstream {
namespace {

// The best total over every injective assignment, by brute force over permutations of the larger side.
double brute_force_best(const Eigen::MatrixXd& s) {
    const bool transpose = s.rows() > s.cols();
    const Eigen::MatrixXd m = transpose ? Eigen::MatrixXd(s.transpose()) : s;
    std::vector<int> cols(static_cast<std::size_t>(m.cols()));
    std::iota(cols.begin(), cols.end(), 0);
    double best = -1e300;
    do {
        double total = 0;
        for (Eigen::Index i = 0; i < m.rows(); ++i) total += m(i, cols[static_cast<std::size_t>(i)]);
        best = std::max(best, total);
    } while (std::next_permutation(cols.begin(), cols.end()));
    return best;
}

double total_of(const Eigen::MatrixXd& s, const std::vector<int>& a) {
    double t = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] >= 0) t += s(static_cast<Eigen::Index>(i), a[i]);
    return t;
}

void expect_injective(const std::vector<int>& a, Eigen::Index rows, Eigen::Index cols) {
    ASSERT_EQ(a.size(), static_cast<std::size_t>(rows));
    std::vector<int> used;
    for (int c : a)
        if (c >= 0) used.push_back(c);
    std::sort(used.begin(), used.end());
    EXPECT_EQ(std::adjacent_find(used.begin(), used.end()), used.end());
    EXPECT_EQ(used.size(), static_cast<std::size_t>(std::min(rows, cols)));
}

TEST(Assignment, HandWorkedExample) {
    // Rows prefer column 0, but the optimum gives it to row 1: 0.9 + 0.8 = 1.7 > 1.0 + 0.1.
    Eigen::MatrixXd s(2, 2);
    s << 1.0, 0.9, 0.8, 0.1;
    EXPECT_EQ(assign_max(s), (std::vector<int>{1, 0}));
}

TEST(Assignment, MatchesBruteForceOnRandomSquareAndRectangularMatrices) {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> cell(0, 1000);
    for (int trial = 0; trial < 60; ++trial) {
        const int n = 1 + trial % 6, m = 1 + (trial / 6) % 7;
        Eigen::MatrixXd s(n, m);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < m; ++j) s(i, j) = cell(rng) / 1000.0;  // ties happen
        std::vector<int> a = assign_max(s);
        expect_injective(a, n, m);
        EXPECT_NEAR(total_of(s, a), brute_force_best(s), 1e-12) << n << "x" << m;
    }
}

TEST(Assignment, CosineMatrix) {
    Eigen::MatrixXd A(2, 2), B(2, 3);
    A << 1, 0, 0, 1;
    B << 1, 1, 0, 1, 0, 0;  // columns (1,1), (1,0), (0,0)
    Eigen::MatrixXd c = cosine_matrix(A, B);
    EXPECT_NEAR(c(0, 0), std::sqrt(0.5), 1e-15);
    EXPECT_NEAR(c(0, 1), 1.0, 1e-15);
    EXPECT_NEAR(c(1, 1), 0.0, 1e-15);
    EXPECT_EQ(c(0, 2), 0.0);  // a zero column
}

TEST(CosineMatrix, AColumnWithItselfIsNeverAboveOne) {
    // Random non-negative 96-vectors: in double arithmetic a·a / (|a| |a|) exceeds 1 for some of them; the reported
    // cosine must not (a user reads 1.0000000000000002 as a bug, and 1 − cosine must not go negative).
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Eigen::MatrixXd A(96, 200);
    for (Eigen::Index j = 0; j < A.cols(); ++j)
        for (Eigen::Index i = 0; i < A.rows(); ++i) A(i, j) = u(rng);
    int above = 0;
    for (Eigen::Index j = 0; j < A.cols(); ++j) {
        const double n = A.col(j).norm();
        above += A.col(j).dot(A.col(j)) / (n * n) > 1.0;
    }
    ASSERT_GT(above, 0) << "no column shows the rounding this test is about";
    const Eigen::MatrixXd c = cosine_matrix(A, A);
    EXPECT_LE(c.maxCoeff(), 1.0);
    for (Eigen::Index j = 0; j < A.cols(); ++j) EXPECT_NEAR(c(j, j), 1.0, 1e-15);
}

}  // namespace
}  // namespace sigstream
