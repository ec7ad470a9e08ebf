#include "numeric/minvol.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/parallel.h"
#include "numeric/kernels.h"

namespace sigstream {

namespace {

constexpr double kTiny = 1e-300;
// Columns per block of the parallel passes: fixed, so that every sum over blocks, added in block order, is the
// same whatever the number of threads.
constexpr Eigen::Index kBlock = 128;

// The KL terms of V | X over columns [j0, j0 + w) (contiguous in both: column-major, same height).
double kl_cols(const Eigen::MatrixXd& V, const Eigen::MatrixXd& X, Eigen::Index j0, Eigen::Index w) {
    const Eigen::Index m = V.rows();
    return kernels::kl_sum(V.data() + j0 * m, X.data() + j0 * m, m * w);
}

// The KL terms of V | X over columns [j0, j0 + w) of V, X given as those columns (m x w), also writing
// V / max(X, tiny) into the same columns of R (sized as V).
double kl_ratio_cols(const Eigen::MatrixXd& V, const Eigen::MatrixXd& X, Eigen::MatrixXd& R, Eigen::Index j0) {
    const Eigen::Index m = V.rows();
    return kernels::kl_ratio(V.data() + j0 * m, X.data(), R.data() + j0 * m, X.size());
}

// R = V / max(X, tiny) over columns [j0, j0 + w) of V, X given as those columns.
void ratio_cols(const Eigen::MatrixXd& V, const double* X, Eigen::Index j0, Eigen::Index w, Eigen::MatrixXd& R) {
    const Eigen::Index m = V.rows();
    R.resize(m, w);
    kernels::ratio(V.data() + j0 * m, X, R.data(), m * w);
}

// W H over columns [j0, j0 + w) of H (m x w), by the library's product (each entry summed over k in order).
Eigen::MatrixXd times_cols(const Eigen::MatrixXd& W, const Eigen::MatrixXd& H, Eigen::Index j0, Eigen::Index w) {
    const Eigen::Index m = W.rows(), K = W.cols();
    Eigen::MatrixXd X(m, w);
    kernels::gemm(W.data(), m, static_cast<int>(m), H.data() + j0 * K, K, 1, static_cast<int>(w), static_cast<int>(K),
                  X.data(), m);
    return X;
}

// R Hᵀ over columns [j0, j0 + w) of R and H (m x K), summed over those columns in order.
void times_ht_cols(const Eigen::MatrixXd& R, const Eigen::MatrixXd& H, Eigen::Index j0, Eigen::Index w,
                   Eigen::MatrixXd& out) {
    const Eigen::Index m = R.rows(), K = H.rows();
    out.resize(m, K);
    kernels::gemm(R.data() + j0 * m, m, static_cast<int>(m), H.data() + j0 * K, 1, K, static_cast<int>(K),
                  static_cast<int>(w), out.data(), m);
}

double logdet(const Eigen::MatrixXd& W, double delta) {
    const Eigen::MatrixXd G = W.transpose() * W + delta * Eigen::MatrixXd::Identity(W.cols(), W.cols());
    const Eigen::LLT<Eigen::MatrixXd> llt(G);
    return 2.0 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
}

// The W half of the MM step (columns on the simplex) from b = W ∘ (R Hᵀ) and the row sums of H.
Eigen::MatrixXd mm_w(const Eigen::MatrixXd& W, const Eigen::MatrixXd& b, const Eigen::RowVectorXd& hsum, double lambda,
                     double delta) {
    const Eigen::Index m = W.rows(), K = W.cols();
    Eigen::MatrixXd Wn(m, K);
    if (lambda > 0) {
        const Eigen::MatrixXd Y =
            (W.transpose() * W + delta * Eigen::MatrixXd::Identity(K, K)).llt().solve(Eigen::MatrixXd::Identity(K, K));
        const Eigen::MatrixXd Yp = Y.cwiseMax(0.0), Ym = (-Y).cwiseMax(0.0);
        const Eigen::MatrixXd c = 2 * lambda * (W * Yp).array() / W.array().max(kTiny);
        const Eigen::MatrixXd e = (-2 * lambda * (W * Ym)).rowwise() + hsum;
        for (Eigen::Index k = 0; k < K; ++k) {
            auto column = [&](double mu, Eigen::VectorXd& w, double& slope) {
                double sum = 0;
                slope = 0;
                for (Eigen::Index i = 0; i < m; ++i) {
                    const double f = e(i, k) + mu, root = std::sqrt(f * f + 4 * c(i, k) * b(i, k));
                    const double denom = f + root;
                    w(i) = denom > 0 ? 2 * b(i, k) / denom : (c(i, k) > 0 ? (root - f) / (2 * c(i, k)) : 0.0);
                    sum += w(i);
                    if (root > 0) slope -= w(i) / root;
                }
                return sum;
            };
            Eigen::VectorXd w(m);
            double slope = 0;
            // Σ w(μ) decreases in μ: bracket the μ with Σ w = 1, then Newton steps kept inside the bracket.
            double lo = -1, hi = 1;
            for (int t = 0; t < 200 && column(lo, w, slope) < 1; ++t) lo = 2 * lo - std::abs(e.col(k).maxCoeff());
            for (int t = 0; t < 200 && column(hi, w, slope) > 1; ++t) hi = 2 * hi + std::abs(hi);
            double mu = 0.5 * (lo + hi);
            for (int t = 0; t < 200; ++t) {
                const double s = column(mu, w, slope);
                if (std::abs(s - 1) < 1e-13) break;
                if (s > 1)
                    lo = mu;
                else
                    hi = mu;
                const double next = slope < 0 ? mu - (s - 1) / slope : 0.5 * (lo + hi);
                mu = next > lo && next < hi ? next : 0.5 * (lo + hi);
            }
            column(mu, w, slope);
            Wn.col(k) = w;
        }
    } else {
        Wn = b;  // the KL step is b / a with a constant down a column: normalising does the rest
    }
    Wn = Wn.cwiseMax(kTiny);
    for (Eigen::Index k = 0; k < K; ++k) Wn.col(k) /= Wn.col(k).sum();
    return Wn;
}

// One penalised fit (λ fixed) from (W, H), with safeguarded extrapolation; every pass over the samples runs in
// blocks of kBlock columns on the team.
class Solver {
public:
    Solver(const Eigen::MatrixXd& V, Workers& team)
        : V_(V), team_(team), blocks_(static_cast<int>((V.cols() + kBlock - 1) / kBlock)) {
        partial_.resize(static_cast<std::size_t>(blocks_));
        kl_.resize(static_cast<std::size_t>(blocks_));
    }

    struct Result {
        Eigen::MatrixXd W, H;
        double objective = 0, kl = 0;
        int iterations = 0;
    };

    // Each iteration makes the MM step (Wn, Hn) and the extrapolated point Y = N + β (N - current), and evaluates
    // the objective at Y only: Y is taken when it lowers the objective (β grows), else N (β shrinks; its objective
    // is evaluated then), which the MM step never raises. Each evaluation keeps its ratio V / WH for the next step.
    Result solve(Eigen::MatrixXd W, Eigen::MatrixXd H, double lambda, const MinVolumeOptions& o) {
        const Eigen::Index m = V_.rows(), n = V_.cols();
        R_.resize(m, n);
        for_blocks([&](int b, Eigen::Index j0, Eigen::Index w) {
            const Eigen::MatrixXd X = times_cols(W, H, j0, w);
            kl_[static_cast<std::size_t>(b)] = kl_ratio_cols(V_, X, R_, j0);
        });
        double kl = sum(kl_);
        double f = kl + (lambda > 0 ? lambda * logdet(W, o.delta) : 0.0), checkpoint = f;
        double beta = 0.5, beta_max = 1.0;
        Eigen::MatrixXd Hn(H.rows(), n), Hy(H.rows(), n), Rt(m, n);
        int it = 1;
        for (; it <= o.max_iter; ++it) {
            // b = W ∘ (R Hᵀ), R = V / WH at the current point.
            for_blocks([&](int b, Eigen::Index j0, Eigen::Index w) {
                times_ht_cols(R_, H, j0, w, partial_[static_cast<std::size_t>(b)]);
            });
            Eigen::MatrixXd RHt = partial_[0];
            for (int b = 1; b < blocks_; ++b) RHt += partial_[static_cast<std::size_t>(b)];
            const Eigen::MatrixXd Wn =
                mm_w(W, W.cwiseProduct(RHt), H.rowwise().sum().transpose(), lambda, o.delta);  // Wᵀ1 = 1 after
            Eigen::MatrixXd Wy = (Wn + beta * (Wn - W)).cwiseMax(1e-12);
            for (Eigen::Index k = 0; k < Wy.cols(); ++k) Wy.col(k) /= Wy.col(k).sum();
            // H's KL step with the new W (Wnᵀ1 = 1), the extrapolated point and its objective.
            for_blocks([&](int b, Eigen::Index j0, Eigen::Index w) {
                auto h = H.middleCols(j0, w);
                auto hn = Hn.middleCols(j0, w);
                const Eigen::MatrixXd X = times_cols(Wn, H, j0, w);
                Eigen::MatrixXd R2;
                ratio_cols(V_, X.data(), j0, w, R2);
                hn = h.array() * (Wn.transpose() * R2).array();
                Hy.middleCols(j0, w) = (hn + beta * (hn - h)).cwiseMax(0.0);
                const Eigen::MatrixXd Xy = times_cols(Wy, Hy, j0, w);
                kl_[static_cast<std::size_t>(b)] = kl_ratio_cols(V_, Xy, Rt, j0);
            });
            const double kly = sum(kl_);
            const double fy = kly + (lambda > 0 ? lambda * logdet(Wy, o.delta) : 0.0);
            if (fy < f) {
                W = std::move(Wy);
                H.swap(Hy);
                f = fy;
                kl = kly;
                beta = std::min(beta_max, beta * 1.1);
            } else {
                for_blocks([&](int b, Eigen::Index j0, Eigen::Index w) {
                    const Eigen::MatrixXd Xn = times_cols(Wn, Hn, j0, w);
                    kl_[static_cast<std::size_t>(b)] = kl_ratio_cols(V_, Xn, Rt, j0);
                });
                kl = sum(kl_);
                f = kl + (lambda > 0 ? lambda * logdet(Wn, o.delta) : 0.0);
                W = Wn;
                H.swap(Hn);
                beta_max = beta;
                beta *= 0.5;
            }
            R_.swap(Rt);
            if (it % 25 == 0) {
                if (checkpoint - f < o.tol * std::max(std::abs(f), kl)) break;  // relative to the KL: f may be near 0
                checkpoint = f;
            }
        }
        return {std::move(W), std::move(H), f, kl, std::min(it, o.max_iter)};
    }

private:
    // fn(block, first column, width) for every block, on the team.
    template <typename Fn>
    void for_blocks(Fn&& fn) {
        const Eigen::Index n = V_.cols();
        team_.run(blocks_, [&](int b) {
            const Eigen::Index j0 = b * kBlock;
            fn(b, j0, std::min(kBlock, n - j0));
        });
    }
    static double sum(const std::vector<double>& parts) {
        double s = 0;
        for (double p : parts) s += p;
        return s;
    }

    const Eigen::MatrixXd& V_;
    Workers& team_;
    const int blocks_;
    Eigen::MatrixXd R_;                     // V / W H at the current point
    std::vector<Eigen::MatrixXd> partial_;  // per block: R Hᵀ
    std::vector<double> kl_;                // per block: KL at the point evaluated
};

}  // namespace

double min_volume_objective(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H, double lambda,
                            double delta) {
    const Eigen::MatrixXd X = W * H;
    double kl = 0;
    for (Eigen::Index j0 = 0; j0 < V.cols(); j0 += kBlock) {
        const Eigen::Index w = std::min(kBlock, V.cols() - j0);
        kl += kl_cols(V, X, j0, w);
    }
    return kl + (lambda > 0 ? lambda * logdet(W, delta) : 0.0);
}

MinVolumeResult refine_min_volume(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W0, const MinVolumeOptions& o) {
    const Eigen::Index K = W0.cols(), n = V.cols();
    Eigen::MatrixXd W = W0.cwiseMax(1e-12);
    for (Eigen::Index k = 0; k < K; ++k) W.col(k) /= W.col(k).sum();
    Workers team(o.threads);
    // Exposures to start from: KL multiplicative updates from a flat start (column by column: each is its own).
    Eigen::MatrixXd H = Eigen::MatrixXd::Constant(K, n, V.sum() / static_cast<double>(n * K));
    const int blocks = static_cast<int>((n + kBlock - 1) / kBlock);
    team.run(blocks, [&](int b) {
        const Eigen::Index j0 = b * kBlock, w = std::min(kBlock, n - j0);
        auto h = H.middleCols(j0, w);
        for (int t = 0; t < 200; ++t) {
            const Eigen::MatrixXd X = times_cols(W, H, j0, w);
            Eigen::MatrixXd R;
            ratio_cols(V, X.data(), j0, w, R);
            h = h.array() * (W.transpose() * R).array();
        }
    });
    Solver solver(V, team);
    MinVolumeResult out;
    Solver::Result ml = solver.solve(W, H, 0.0, o);
    out.iterations = ml.iterations;
    out.kl_ml = ml.kl;
    out.W = ml.W;
    out.kl = ml.kl;
    const double scale = out.kl_ml / std::max(std::abs(logdet(ml.W, o.delta)), 1e-12);
    double allowed = out.kl_ml + o.budget * static_cast<double>(n);
    Eigen::MatrixXd Wc = ml.W, Hc = ml.H;
    for (double rel : o.grid) {
        Solver::Result s = solver.solve(Wc, Hc, rel * scale, o);
        out.iterations += s.iterations;
        if (s.kl < out.kl_ml) {  // the unpenalised solve stopped short of its minimum: a better estimate of it
            out.kl_ml = s.kl;
            allowed = s.kl + o.budget * static_cast<double>(n);
        }
        if (s.kl > allowed) break;
        out.W = s.W;
        out.kl = s.kl;
        out.lambda_rel = rel;
        Wc = std::move(s.W);
        Hc = std::move(s.H);
    }
    return out;
}

}  // namespace sigstream
