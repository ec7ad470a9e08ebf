#include "cnmf_core.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sigstream::cnmf {
namespace {

// k-means on the columns of P (rows x cols), k-means++ seeding, Lloyd iterations until no assignment
// changes (at most 100). Returns the cluster of each column.
std::vector<int> kmeans(const Eigen::MatrixXd& P, int k, plugin_kit::SplitMix64& random) {
    const Eigen::Index n = P.cols();
    const Eigen::VectorXd norms = P.colwise().squaredNorm().transpose();
    Eigen::MatrixXd C(P.rows(), k);
    // k-means++ seeding.
    Eigen::VectorXd d2 = Eigen::VectorXd::Constant(n, std::numeric_limits<double>::infinity());
    Eigen::Index chosen = static_cast<Eigen::Index>(random.next() % static_cast<std::uint64_t>(n));
    for (int c = 0; c < k; ++c) {
        C.col(c) = P.col(chosen);
        d2 = d2.cwiseMin((P.colwise() - P.col(chosen)).colwise().squaredNorm().transpose());
        if (c + 1 == k) break;
        const double total = d2.sum();
        if (!(total > 0)) {  // fewer distinct profiles than clusters: any column will do
            chosen = static_cast<Eigen::Index>(random.next() % static_cast<std::uint64_t>(n));
            continue;
        }
        double target = random.open01() * total;
        chosen = n - 1;
        for (Eigen::Index j = 0; j < n; ++j) {
            target -= d2(j);
            if (target <= 0 && d2(j) > 0) {
                chosen = j;
                break;
            }
        }
    }
    std::vector<int> assign(static_cast<std::size_t>(n), -1);
    Eigen::MatrixXd cross(k, n);
    Eigen::VectorXd best(n);
    for (int it = 0; it < 100; ++it) {
        cross.noalias() = C.transpose() * P;
        const Eigen::VectorXd cnorm = C.colwise().squaredNorm().transpose();
        bool changed = false;
        for (Eigen::Index j = 0; j < n; ++j) {
            int arg = 0;
            double b = std::numeric_limits<double>::infinity();
            for (int c = 0; c < k; ++c) {
                const double d = cnorm(c) - 2 * cross(c, j);
                if (d < b) {
                    b = d;
                    arg = c;
                }
            }
            best(j) = std::max(0.0, b + norms(j));
            if (assign[static_cast<std::size_t>(j)] != arg) {
                assign[static_cast<std::size_t>(j)] = arg;
                changed = true;
            }
        }
        // Recompute centres; an empty cluster takes the column farthest from its centre.
        std::vector<Eigen::Index> count(static_cast<std::size_t>(k), 0);
        C.setZero();
        for (Eigen::Index j = 0; j < n; ++j) {
            C.col(assign[static_cast<std::size_t>(j)]) += P.col(j);
            ++count[static_cast<std::size_t>(assign[static_cast<std::size_t>(j)])];
        }
        for (int c = 0; c < k; ++c) {
            if (count[static_cast<std::size_t>(c)] == 0) {
                Eigen::Index far = 0;
                best.maxCoeff(&far);
                const int from = assign[static_cast<std::size_t>(far)];
                if (count[static_cast<std::size_t>(from)] > 1) {
                    C.col(from) -= P.col(far);
                    --count[static_cast<std::size_t>(from)];
                    assign[static_cast<std::size_t>(far)] = c;
                    C.col(c) = P.col(far);
                    count[static_cast<std::size_t>(c)] = 1;
                    changed = true;
                }
                best(far) = 0;
            }
        }
        for (int c = 0; c < k; ++c)
            if (count[static_cast<std::size_t>(c)] > 0)
                C.col(c) /= static_cast<double>(count[static_cast<std::size_t>(c)]);
        if (!changed) break;
    }
    return assign;
}

}  // namespace

// ||V - W H^T||_F^2 from the residual, a block of columns at a time (R is the block's scratch), so that
// the residual never takes a second rows x cols matrix of memory.
double residual(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H, Eigen::MatrixXd& R) {
    constexpr Eigen::Index kBlock = 256;
    double sum = 0;
    for (Eigen::Index j = 0; j < V.cols(); j += kBlock) {
        const Eigen::Index b = std::min(kBlock, V.cols() - j);
        R = V.middleCols(j, b);
        R.noalias() -= W * H.middleRows(j, b).transpose();
        sum += R.squaredNorm();
    }
    return sum;
}

double objective(const Eigen::MatrixXd& V, const Eigen::MatrixXd& G, const Eigen::MatrixXd& H) {
    const Eigen::MatrixXd W = V * G;
    Eigen::MatrixXd R;
    return residual(V, W, H, R);
}

void gradient(const Eigen::MatrixXd& V, const Eigen::MatrixXd& G, const Eigen::MatrixXd& H, Eigen::MatrixXd& dG,
              Eigen::MatrixXd& dH) {
    const Eigen::MatrixXd W = V * G;  // rows x K
    // dH = -2 (V^T W - H W^T W)
    const Eigen::MatrixXd WtW = W.transpose() * W;
    dH.noalias() = V.transpose() * W;
    dH.noalias() -= H * WtW;
    dH *= -2.0;
    // dG = -2 V^T (V H - W H^T H)
    Eigen::MatrixXd T = V * H;
    const Eigen::MatrixXd HtH = H.transpose() * H;
    T.noalias() -= W * HtH;
    dG.noalias() = V.transpose() * T;
    dG *= -2.0;
}

Stepper::Stepper(const Eigen::MatrixXd& V) : V_(V) {}

double Stepper::reset(const Eigen::MatrixXd& G, const Eigen::MatrixXd& H) {
    W_.noalias() = V_ * G;
    AG_.noalias() = V_.transpose() * W_;
    return residual(V_, W_, H, R_);
}

double Stepper::step(Eigen::MatrixXd& G, Eigen::MatrixXd& H) {
    // H <- H o sqrt(A G / (H G^T A G)), with G^T A G = W^T W.
    KK_.noalias() = W_.transpose() * W_;
    AH_.noalias() = H * KK_;
    H = (H.array() * (AG_.array() / AH_.array()).sqrt()).cwiseMax(kFloor).matrix();
    // G <- G o sqrt(A H / (A G H^T H)), with A H = V^T (V H) and the new H.
    T_.noalias() = V_ * H;
    AH_.noalias() = V_.transpose() * T_;
    KK_.noalias() = H.transpose() * H;
    D_.noalias() = AG_ * KK_;  // (A G) (H^T H), cols x K
    G = (G.array() * (AH_.array() / D_.array()).sqrt()).cwiseMax(kFloor).matrix();
    return reset(G, H);
}

Eigen::MatrixXd g_from_signatures(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, int iterations) {
    const double vsum = V.sum();
    Eigen::MatrixXd G(V.cols(), W.cols());
    for (Eigen::Index c = 0; c < W.cols(); ++c) G.col(c).setConstant(std::max(kFloor, W.col(c).sum() / vsum));
    const Eigen::MatrixXd numerator = V.transpose() * W;
    Eigen::MatrixXd VG(V.rows(), W.cols()), denominator(G.rows(), G.cols());
    for (int i = 0; i < iterations; ++i) {
        VG.noalias() = V * G;
        denominator.noalias() = V.transpose() * VG;
        G = (G.array() * numerator.array() / denominator.array()).cwiseMax(kFloor).matrix();
    }
    return G;
}

void iterate(const Eigen::MatrixXd& V, Eigen::MatrixXd& G, Eigen::MatrixXd& H, int n) {
    Stepper stepper(V);
    stepper.reset(G, H);
    for (int i = 0; i < n; ++i) stepper.step(G, H);
}

void initialise(const Eigen::MatrixXd& V, int k, Init init, std::uint64_t seed, Eigen::MatrixXd& G,
                Eigen::MatrixXd& H) {
    const Eigen::Index n = V.cols();
    if (k < 1 || k > n) throw std::invalid_argument("cnmf: k must be between 1 and the number of samples");
    plugin_kit::SplitMix64 random(seed);
    G.resize(n, k);
    H.resize(n, k);
    if (init == Init::random) {
        const double scale = std::sqrt(1.0 / (static_cast<double>(n) * k));
        for (Eigen::Index c = 0; c < k; ++c)
            for (Eigen::Index j = 0; j < n; ++j) G(j, c) = scale * random.open01();
        for (Eigen::Index c = 0; c < k; ++c)
            for (Eigen::Index j = 0; j < n; ++j) H(j, c) = scale * random.open01();
        return;
    }
    Eigen::MatrixXd P = V;
    for (Eigen::Index j = 0; j < n; ++j) {
        const double s = P.col(j).sum();
        if (s > 0) P.col(j) /= s;
    }
    const std::vector<int> assign = kmeans(P, k, random);
    Eigen::VectorXd size = Eigen::VectorXd::Zero(k);
    for (Eigen::Index j = 0; j < n; ++j) size(assign[static_cast<std::size_t>(j)]) += 1;
    H.setConstant(0.2);
    for (Eigen::Index j = 0; j < n; ++j) H(j, assign[static_cast<std::size_t>(j)]) += 1.0;
    G = H * size.cwiseMax(1.0).cwiseInverse().asDiagonal();
}

Result fit(const Eigen::MatrixXd& V, const Options& options, const Eigen::MatrixXd* G0, const Eigen::MatrixXd* H0,
           const std::function<bool(int, double)>& progress) {
    Result result;
    if (G0 != nullptr && H0 != nullptr) {
        result.G = G0->cwiseMax(kFloor);
        result.H = H0->cwiseMax(kFloor);
    } else {
        initialise(V, options.k, options.init, options.seed, result.G, result.H);
    }
    Stepper stepper(V);
    plugin_kit::iterate(result, stepper.reset(result.G, result.H), options.max_iter, options.tol, options.tol_window,
                        progress, [&] { return stepper.step(result.G, result.H); });
    return result;
}

}  // namespace sigstream::cnmf
