#include "numeric/assignment.h"

#include <algorithm>
#include <limits>

namespace sigstream {

namespace {

// Minimum-cost assignment for n <= m (rows all assigned): the shortest-augmenting-path method with
// potentials. cost is n x m. Returns the column of each row.
std::vector<int> assign_min_rows(const Eigen::MatrixXd& cost) {
    const int n = static_cast<int>(cost.rows()), m = static_cast<int>(cost.cols());
    const double inf = std::numeric_limits<double>::infinity();
    // 1-based arrays; column 0 is a virtual start.
    std::vector<double> u(static_cast<std::size_t>(n) + 1, 0.0), v(static_cast<std::size_t>(m) + 1, 0.0);
    std::vector<int> row_of(static_cast<std::size_t>(m) + 1, 0), way(static_cast<std::size_t>(m) + 1, 0);
    for (int i = 1; i <= n; ++i) {
        row_of[0] = i;
        int j0 = 0;
        std::vector<double> minv(static_cast<std::size_t>(m) + 1, inf);
        std::vector<char> used(static_cast<std::size_t>(m) + 1, 0);
        do {
            used[static_cast<std::size_t>(j0)] = 1;
            const int i0 = row_of[static_cast<std::size_t>(j0)];
            double delta = inf;
            int j1 = 0;
            for (int j = 1; j <= m; ++j) {
                if (used[static_cast<std::size_t>(j)]) continue;
                const double cur =
                    cost(i0 - 1, j - 1) - u[static_cast<std::size_t>(i0)] - v[static_cast<std::size_t>(j)];
                if (cur < minv[static_cast<std::size_t>(j)]) {
                    minv[static_cast<std::size_t>(j)] = cur;
                    way[static_cast<std::size_t>(j)] = j0;
                }
                if (minv[static_cast<std::size_t>(j)] < delta) {
                    delta = minv[static_cast<std::size_t>(j)];
                    j1 = j;
                }
            }
            for (int j = 0; j <= m; ++j) {
                if (used[static_cast<std::size_t>(j)]) {
                    u[static_cast<std::size_t>(row_of[static_cast<std::size_t>(j)])] += delta;
                    v[static_cast<std::size_t>(j)] -= delta;
                } else {
                    minv[static_cast<std::size_t>(j)] -= delta;
                }
            }
            j0 = j1;
        } while (row_of[static_cast<std::size_t>(j0)] != 0);
        do {
            const int j1 = way[static_cast<std::size_t>(j0)];
            row_of[static_cast<std::size_t>(j0)] = row_of[static_cast<std::size_t>(j1)];
            j0 = j1;
        } while (j0 != 0);
    }
    std::vector<int> col_of(static_cast<std::size_t>(n), -1);
    for (int j = 1; j <= m; ++j)
        if (row_of[static_cast<std::size_t>(j)] > 0)
            col_of[static_cast<std::size_t>(row_of[static_cast<std::size_t>(j)] - 1)] = j - 1;
    return col_of;
}

}  // namespace

std::vector<int> assign_max(const Eigen::MatrixXd& score) {
    const Eigen::Index n = score.rows(), m = score.cols();
    if (n == 0) return {};
    if (m == 0) return std::vector<int>(static_cast<std::size_t>(n), -1);
    if (n <= m) return assign_min_rows(-score);
    // More rows than columns: assign the columns to rows, then invert.
    std::vector<int> row_of_col = assign_min_rows(-score.transpose());
    std::vector<int> col_of(static_cast<std::size_t>(n), -1);
    for (std::size_t j = 0; j < row_of_col.size(); ++j)
        col_of[static_cast<std::size_t>(row_of_col[j])] = static_cast<int>(j);
    return col_of;
}

Eigen::MatrixXd cosine_matrix(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    Eigen::VectorXd na = A.colwise().norm().transpose(), nb = B.colwise().norm().transpose();
    Eigen::MatrixXd c = A.transpose() * B;
    for (Eigen::Index i = 0; i < c.rows(); ++i)
        for (Eigen::Index j = 0; j < c.cols(); ++j) {
            const double d = na(i) * nb(j);
            c(i, j) = d > 0 ? std::clamp(c(i, j) / d, -1.0, 1.0) : 0.0;  // rounding can pass 1
        }
    return c;
}

}  // namespace sigstream
