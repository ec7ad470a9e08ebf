#include "numeric/minvol.h"

#include <algorithm>
#include <cmath>

namespace sigstream {

namespace {

constexpr double kTiny = 1e-300;

double kl_of(const Eigen::MatrixXd& V, const Eigen::MatrixXd& X) {
    double s = 0;
    for (Eigen::Index j = 0; j < V.cols(); ++j)
        for (Eigen::Index i = 0; i < V.rows(); ++i) {
            const double v = V(i, j), x = std::max(X(i, j), kTiny);
            s += (v > 0 ? v * std::log(v / x) - v : 0.0) + x;
        }
    return s;
}

double logdet(const Eigen::MatrixXd& W, double delta) {
    const Eigen::MatrixXd G = W.transpose() * W + delta * Eigen::MatrixXd::Identity(W.cols(), W.cols());
    const Eigen::LLT<Eigen::MatrixXd> llt(G);
    return 2.0 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
}

// One MM step for W (columns on the simplex), then one KL multiplicative update of H, in place.
void mm_step(const Eigen::MatrixXd& V, Eigen::MatrixXd& W, Eigen::MatrixXd& H, double lambda, double delta) {
    const Eigen::Index m = W.rows(), K = W.cols();
    const Eigen::MatrixXd R = V.array() / (W * H).array().max(kTiny);
    const Eigen::RowVectorXd hsum = H.rowwise().sum().transpose();      // a_ik = Σ_j H_kj
    const Eigen::MatrixXd b = W.array() * (R * H.transpose()).array();  // W ∘ (R Hᵀ)
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
    W = Wn;
    const Eigen::MatrixXd R2 = V.array() / (W * H).array().max(kTiny);
    H = H.array() * (W.transpose() * R2).array();  // Wᵀ1 = 1: columns sum to 1
}

struct Solve {
    Eigen::MatrixXd W, H;
    double objective = 0;
    int iterations = 0;
};

Solve solve(const Eigen::MatrixXd& V, Eigen::MatrixXd W, Eigen::MatrixXd H, double lambda, const MinVolumeOptions& o) {
    double f = min_volume_objective(V, W, H, lambda, o.delta), checkpoint = f;
    double beta = 0.5, beta_max = 1.0;
    int it = 1;
    for (; it <= o.max_iter; ++it) {
        Eigen::MatrixXd Wn = W, Hn = H;
        mm_step(V, Wn, Hn, lambda, o.delta);
        const double fn = min_volume_objective(V, Wn, Hn, lambda, o.delta);
        Eigen::MatrixXd Wy = (Wn + beta * (Wn - W)).cwiseMax(1e-12);
        for (Eigen::Index k = 0; k < Wy.cols(); ++k) Wy.col(k) /= Wy.col(k).sum();
        Eigen::MatrixXd Hy = (Hn + beta * (Hn - H)).cwiseMax(0.0);
        const double fy = min_volume_objective(V, Wy, Hy, lambda, o.delta);
        if (fy < fn) {
            W.swap(Wy);
            H.swap(Hy);
            f = fy;
            beta = std::min(beta_max, beta * 1.1);
        } else {
            W.swap(Wn);
            H.swap(Hn);
            f = fn;
            beta_max = beta;
            beta *= 0.5;
        }
        if (it % 25 == 0) {
            if (checkpoint - f < o.tol * std::abs(f)) break;
            checkpoint = f;
        }
    }
    return {std::move(W), std::move(H), f, std::min(it, o.max_iter)};
}

}  // namespace

double min_volume_objective(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H, double lambda,
                            double delta) {
    return kl_of(V, W * H) + (lambda > 0 ? lambda * logdet(W, delta) : 0.0);
}

MinVolumeResult refine_min_volume(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W0, const MinVolumeOptions& o) {
    const Eigen::Index K = W0.cols(), n = V.cols();
    Eigen::MatrixXd W = W0.cwiseMax(1e-12);
    for (Eigen::Index k = 0; k < K; ++k) W.col(k) /= W.col(k).sum();
    // Exposures to start from: KL multiplicative updates from a flat start.
    Eigen::MatrixXd H = Eigen::MatrixXd::Constant(K, n, V.sum() / static_cast<double>(n * K));
    for (int t = 0; t < 200; ++t) {
        const Eigen::MatrixXd R = V.array() / (W * H).array().max(kTiny);
        H = H.array() * (W.transpose() * R).array();
    }
    MinVolumeResult out;
    Solve ml = solve(V, W, H, 0.0, o);
    out.iterations = ml.iterations;
    out.kl_ml = ml.objective;
    out.W = ml.W;
    out.kl = ml.objective;
    const double scale = out.kl_ml / std::max(std::abs(logdet(ml.W, o.delta)), 1e-12);
    double allowed = out.kl_ml + o.budget * static_cast<double>(n);
    Eigen::MatrixXd Wc = ml.W, Hc = ml.H;
    for (double rel : o.grid) {
        Solve s = solve(V, Wc, Hc, rel * scale, o);
        out.iterations += s.iterations;
        const double kl = kl_of(V, s.W * s.H);
        if (kl < out.kl_ml) {  // the unpenalised solve stopped short of its minimum: a better estimate of it
            out.kl_ml = kl;
            allowed = kl + o.budget * static_cast<double>(n);
        }
        if (kl > allowed) break;
        out.W = s.W;
        out.kl = kl;
        out.lambda_rel = rel;
        Wc = std::move(s.W);
        Hc = std::move(s.H);
    }
    return out;
}

}  // namespace sigstream
