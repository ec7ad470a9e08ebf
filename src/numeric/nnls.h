// Non-negative least squares: exposures of samples to a fixed set of signatures.
#pragma once

#include <Eigen/Dense>

namespace sigstream {

// Solves min ||W x - v||_2 subject to x >= 0 exactly, by the Lawson-Hanson active-set method.
// W is channels x K (full column rank is not required), v has one entry per channel.
class Nnls {
public:
    explicit Nnls(const Eigen::MatrixXd& W);
    // The solution for one sample.
    Eigen::VectorXd solve(const Eigen::VectorXd& v) const;
    // The solution for every column of V (K x samples).
    Eigen::MatrixXd solve_all(const Eigen::MatrixXd& V) const;
    // The same, restricted to the signatures with allowed(k) true (others get 0).
    Eigen::VectorXd solve_subset(const Eigen::VectorXd& v, const std::vector<bool>& allowed) const;

private:
    Eigen::MatrixXd W_;
    Eigen::MatrixXd WtW_;
};

}  // namespace sigstream
