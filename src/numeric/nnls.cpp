#include "numeric/nnls.h"

#include <cmath>
#include <vector>

namespace sigstream {

Nnls::Nnls(const Eigen::MatrixXd& W) : W_(W), WtW_(W.transpose() * W) {}

Eigen::VectorXd Nnls::solve(const Eigen::VectorXd& v) const {
    return solve_subset(v, std::vector<bool>(static_cast<std::size_t>(W_.cols()), true));
}

Eigen::MatrixXd Nnls::solve_all(const Eigen::MatrixXd& V) const {
    Eigen::MatrixXd X(W_.cols(), V.cols());
    for (Eigen::Index j = 0; j < V.cols(); ++j) X.col(j) = solve(V.col(j));
    return X;
}

// Lawson & Hanson (1974), "Solving least squares problems", algorithm NNLS, on the normal equations
// (K is small: the K x K systems are solved exactly by a pivoted Cholesky/LDLT of the passive block).
Eigen::VectorXd Nnls::solve_subset(const Eigen::VectorXd& v, const std::vector<bool>& allowed) const {
    const Eigen::Index K = W_.cols();
    const Eigen::VectorXd Wtv = W_.transpose() * v;
    Eigen::VectorXd x = Eigen::VectorXd::Zero(K);
    std::vector<bool> passive(static_cast<std::size_t>(K), false);
    const double scale = std::max(1.0, Wtv.cwiseAbs().maxCoeff());
    const double tol = 1e-12 * scale * static_cast<double>(K);

    auto solve_passive = [&](Eigen::VectorXd& z) {
        std::vector<Eigen::Index> idx;
        for (Eigen::Index k = 0; k < K; ++k)
            if (passive[static_cast<std::size_t>(k)]) idx.push_back(k);
        z = Eigen::VectorXd::Zero(K);
        if (idx.empty()) return;
        const Eigen::Index p = static_cast<Eigen::Index>(idx.size());
        Eigen::MatrixXd A(p, p);
        Eigen::VectorXd b(p);
        for (Eigen::Index a = 0; a < p; ++a) {
            b(a) = Wtv(idx[static_cast<std::size_t>(a)]);
            for (Eigen::Index c = 0; c < p; ++c)
                A(a, c) = WtW_(idx[static_cast<std::size_t>(a)], idx[static_cast<std::size_t>(c)]);
        }
        Eigen::VectorXd s = A.ldlt().solve(b);
        for (Eigen::Index a = 0; a < p; ++a) z(idx[static_cast<std::size_t>(a)]) = s(a);
    };

    const int max_outer = static_cast<int>(3 * K + 10);
    for (int outer = 0; outer < max_outer; ++outer) {
        // Gradient of -0.5||Wx - v||^2: w = W^T (v - W x)
        const Eigen::VectorXd w = Wtv - WtW_ * x;
        Eigen::Index best = -1;
        double best_w = tol;
        for (Eigen::Index k = 0; k < K; ++k) {
            if (passive[static_cast<std::size_t>(k)] || !allowed[static_cast<std::size_t>(k)]) continue;
            if (w(k) > best_w) {
                best_w = w(k);
                best = k;
            }
        }
        if (best < 0) break;  // Kuhn-Tucker conditions hold
        passive[static_cast<std::size_t>(best)] = true;
        for (int inner = 0; inner < 3 * K + 10; ++inner) {
            Eigen::VectorXd z;
            solve_passive(z);
            bool feasible = true;
            for (Eigen::Index k = 0; k < K; ++k)
                if (passive[static_cast<std::size_t>(k)] && z(k) <= 0) feasible = false;
            if (feasible) {
                x = z;
                break;
            }
            // Step from x towards z as far as feasibility allows; drop the variables that hit zero.
            double alpha = 1.0;
            for (Eigen::Index k = 0; k < K; ++k)
                if (passive[static_cast<std::size_t>(k)] && z(k) <= 0) alpha = std::min(alpha, x(k) / (x(k) - z(k)));
            x += alpha * (z - x);
            for (Eigen::Index k = 0; k < K; ++k)
                if (passive[static_cast<std::size_t>(k)] && x(k) <= tol * 1e-3) {
                    passive[static_cast<std::size_t>(k)] = false;
                    x(k) = 0;
                }
        }
    }
    return x.cwiseMax(0.0);
}

}  // namespace sigstream
