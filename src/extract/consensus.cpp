#include "extract/consensus.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "numeric/assignment.h"

namespace sigstream {

namespace {

Eigen::MatrixXd unit_columns(const Eigen::MatrixXd& A) {
    Eigen::MatrixXd U = A;
    for (Eigen::Index c = 0; c < U.cols(); ++c) {
        const double n = U.col(c).norm();
        if (n > 0) U.col(c) /= n;
    }
    return U;
}

double matched_total(const Eigen::MatrixXd& cos) {
    const std::vector<int> a = assign_max(cos);
    double t = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] >= 0) t += cos(static_cast<Eigen::Index>(i), a[i]);
    return t;
}

}  // namespace

ConsensusResult consensus_signatures(const std::vector<Eigen::MatrixXd>& replicates) {
    if (replicates.empty()) throw std::invalid_argument("consensus_signatures: no replicates");
    const int R = static_cast<int>(replicates.size());
    const Eigen::Index channels = replicates[0].rows(), K = replicates[0].cols();
    for (const auto& W : replicates)
        if (W.rows() != channels || W.cols() != K)
            throw std::invalid_argument("consensus_signatures: replicates of different shapes");

    std::vector<Eigen::MatrixXd> unit(static_cast<std::size_t>(R));
    for (int r = 0; r < R; ++r)
        unit[static_cast<std::size_t>(r)] = unit_columns(replicates[static_cast<std::size_t>(r)]);

    ConsensusResult out;
    // 1. the reference replicate
    if (R > 1) {
        std::vector<double> agreement(static_cast<std::size_t>(R), 0.0);
        for (int r = 0; r < R; ++r)
            for (int q = r + 1; q < R; ++q) {
                const double t =
                    matched_total(unit[static_cast<std::size_t>(r)].transpose() * unit[static_cast<std::size_t>(q)]);
                agreement[static_cast<std::size_t>(r)] += t;
                agreement[static_cast<std::size_t>(q)] += t;
            }
        out.reference = static_cast<int>(std::max_element(agreement.begin(), agreement.end()) - agreement.begin());
    }

    // 2. Hungarian-constrained clustering
    Eigen::MatrixXd centroid = replicates[static_cast<std::size_t>(out.reference)];
    out.member.assign(static_cast<std::size_t>(R), std::vector<int>(static_cast<std::size_t>(K), -1));
    for (out.rounds = 1; out.rounds <= 100; ++out.rounds) {
        const Eigen::MatrixXd cu = unit_columns(centroid);
        bool changed = false;
        for (int r = 0; r < R; ++r) {
            std::vector<int> a = assign_max(cu.transpose() * unit[static_cast<std::size_t>(r)]);
            if (a != out.member[static_cast<std::size_t>(r)]) changed = true;
            out.member[static_cast<std::size_t>(r)] = std::move(a);
        }
        centroid.setZero();
        for (int r = 0; r < R; ++r)
            for (Eigen::Index c = 0; c < K; ++c)
                centroid.col(c) += replicates[static_cast<std::size_t>(r)].col(
                    out.member[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)]);
        centroid /= static_cast<double>(R);
        if (!changed) break;
    }
    out.rounds = std::min(out.rounds, 100);

    // 3. silhouettes on the R*K points (point index = c * R + r). With unit vectors the summed distance
    // from point p to the members of cluster o is R - p . S_o (S_o = the sum of o's unit vectors), so the
    // N x K matrix of those dot products gives every a and b: O(N K channels) time, no N x N matrix.
    const Eigen::Index N = static_cast<Eigen::Index>(R) * K;
    Eigen::MatrixXd P(channels, N);
    for (Eigen::Index c = 0; c < K; ++c)
        for (int r = 0; r < R; ++r)
            P.col(c * R + r) = unit[static_cast<std::size_t>(r)].col(
                out.member[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)]);
    Eigen::MatrixXd S(channels, K);
    for (Eigen::Index c = 0; c < K; ++c) S.col(c) = P.middleCols(c * R, R).rowwise().sum();
    const Eigen::MatrixXd G = P.transpose() * S;  // N x K
    const double Rd = static_cast<double>(R);
    // Summed distance of point i to the other members of its own cluster c (its own distance is 0).
    auto own = [&](Eigen::Index i, Eigen::Index c) {
        return std::max(0.0, Rd - G(i, c) - (1.0 - P.col(i).squaredNorm()));
    };
    out.stability = Eigen::VectorXd::Zero(K);
    for (Eigen::Index c = 0; c < K; ++c) {
        double sum = 0;
        for (int r = 0; r < R; ++r) {
            const Eigen::Index i = c * R + r;
            if (K == 1) {
                sum += R > 1 ? 1.0 - own(i, c) / (R - 1) : 0.0;
                continue;
            }
            if (R == 1) continue;  // a one-member cluster: s = 0
            const double a = own(i, c) / (R - 1);
            double b = HUGE_VAL;
            for (Eigen::Index o = 0; o < K; ++o)
                if (o != c) b = std::min(b, std::max(0.0, Rd - G(i, o)) / Rd);
            const double m = std::max(a, b);
            sum += m > 0 ? (b - a) / m : 0.0;
        }
        out.stability(c) = sum / R;
    }

    // 4. mean and medoid
    out.mean = centroid;
    out.medoid.resize(channels, K);
    out.mean_member_cosine = Eigen::VectorXd::Zero(K);
    for (Eigen::Index c = 0; c < K; ++c) {
        const double s = out.mean.col(c).sum();
        if (s > 0) out.mean.col(c) /= s;
        int best = 0;
        double best_total = HUGE_VAL;
        for (int r = 0; r < R; ++r) {
            const double t = own(c * R + r, c);
            if (t < best_total - 1e-12) {  // ties (to rounding): the lowest replicate
                best_total = t;
                best = r;
            }
        }
        out.medoid.col(c) = replicates[static_cast<std::size_t>(best)].col(
            out.member[static_cast<std::size_t>(best)][static_cast<std::size_t>(c)]);
        const double ms = out.medoid.col(c).sum();
        if (ms > 0) out.medoid.col(c) /= ms;
        const Eigen::VectorXd mu = out.mean.col(c) / std::max(out.mean.col(c).norm(), 1e-300);
        out.mean_member_cosine(c) = (P.middleCols(c * R, R).transpose() * mu).mean();
    }
    return out;
}

}  // namespace sigstream
