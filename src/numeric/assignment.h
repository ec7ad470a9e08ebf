// Optimal one-to-one assignment (the Hungarian method): used to match replicate signatures to clusters,
// extracted signatures to COSMIC, and one split's signatures to another's.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace sigstream {

// For an n x m score matrix, the assignment of rows to distinct columns that maximises the total score.
// Returns, for each row, its column, or -1 when n > m and the row is left without one. Exact, O(n^2 m);
// ties are broken deterministically (lower indices first).
std::vector<int> assign_max(const Eigen::MatrixXd& score);

// Cosine similarity of every column of A with every column of B (A.cols() x B.cols()); a zero column has
// cosine 0 with everything. Values are clamped to [-1, 1] (rounding can give 1 + 2e-16 for equal columns).
Eigen::MatrixXd cosine_matrix(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);

}  // namespace sigstream
