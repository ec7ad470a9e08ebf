#include "nmf_core.h"

#include "nmf_kernels.h"
#include "sigstream_simd.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sigstream::nmf {
namespace {

// sum V log(V / U) - V + U with 0 log 0 = 0: where V = 0, max(V/U, DBL_MIN) keeps the log finite and
// the factor V makes the term 0.
double kl_from_product(const Eigen::MatrixXd& V, const Eigen::MatrixXd& U, double vsum) {
    return (V.array() * (V.array() / U.array()).max(DBL_MIN).log()).sum() + U.sum() - vsum;
}

// Coordinate descent for KL (solver=ccd), kernels::ccd_kl: for X (m x n) ~ D (m x K) C (K x n) with D
// fixed, the columns of C are independent problems min_c KL(x || D c), c >= 0 (for W, the rows of V are the
// problems, V^T ~ H^T W^T), solved many at once in the vector lanes. Each variable c_k in turn
// gets kNewtonSteps one-variable Newton steps on
//   f(c_k) = sum_i (D c)_i - x_i log (D c)_i,   f' = sum_i a_i (1 - x_i / u_i),   f'' = sum_i x_i a_i^2 / u_i^2
// (a = D(:, k), u = D c). f'' decreases in c_k (f''' < 0), so f' is concave and increasing:
//  - from the left of the minimiser r (f' < 0) the Newton point stays left of r and f decreases;
//  - from the right (f' > 0) Newton overshoots to the left of r, possibly past points where f is higher.
//    The one-variable multiplicative (majorisation-minimisation) point c sum(a x / u) / sum(a) never
//    increases f. The larger of the two points does not either: if it is the MM point, by the MM property;
//    if it is the Newton point N > MM point M, then M <= N <= r and f decreases on (-inf, r], so
//    f(N) <= f(M).
// So every step decreases f (up to rounding) from either side; the result is floored at kFloor. A variable
// with f'' = 0 (no x_i a_i > 0) has f linear and increasing, and goes to the floor. Within a half-sweep
// u = D c is updated incrementally (u += delta a) and kept >= kFloor^2; it is recomputed from D and c, panel by
// panel, at the start of each half-sweep.

}  // namespace

double kl_divergence(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H) {
    const Eigen::MatrixXd U = W * H;
    return kl_from_product(V, U, V.sum());
}

double frobenius(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H) {
    Eigen::MatrixXd R = V;
    R.noalias() -= W * H;
    return 0.5 * R.squaredNorm();
}

double objective(Objective objective, const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H) {
    return objective == Objective::kl ? kl_divergence(V, W, H) : frobenius(V, W, H);
}

Stepper::Stepper(const Eigen::MatrixXd& V, Objective objective, Solver solver, int isa)
    : V_(V),
      k_(kernels::table(isa == 0 ? simd::level() : isa)),
      objective_(objective),
      solver_(solver),
      m_(kernels::padded(static_cast<int>(V.rows()))),
      np_(kernels::padded(static_cast<int>(V.cols()))) {
    vsum_ = V.sum();
    vnorm2_ = V.squaredNorm();
    Vp_ = Eigen::MatrixXd::Zero(m_, V.cols());
    Vp_.topRows(V.rows()) = V;
    her_ = objective == Objective::kl && solver == Solver::ccd_her;
    base_ = solver == Solver::ccd_her ? Solver::ccd : solver;
    solver_ = base_;  // frobenius: ccd-her is ccd
    if (objective == Objective::frobenius) {
        Vtp_ = Eigen::MatrixXd::Zero(np_, V.rows());
        Vtp_.topRows(V.cols()) = V.transpose();
    } else if (base_ == Solver::ccd) {
        // V for ccd's W half (rows of V in the lanes) and V^T for its H half, in the kernel's panels.
        const int rows = static_cast<int>(V.rows()), cols = static_cast<int>(V.cols()), panel = k_.panel;
        Vpan_.resize(static_cast<Eigen::Index>(m_) * cols);
        kernels::pack(Vp_.data(), m_, m_, cols, panel, Vpan_.data());
        Eigen::MatrixXd Vt = Eigen::MatrixXd::Zero(np_, rows);
        Vt.topRows(cols) = V.transpose();
        Vtpan_.resize(static_cast<Eigen::Index>(np_) * rows);
        kernels::pack(Vt.data(), np_, np_, rows, panel, Vtpan_.data());
        upanel_.resize(static_cast<Eigen::Index>(std::max(rows, cols)) * panel);
    }
}

// Wp_ <- W with zero rows appended.
void Stepper::pad_w(const Eigen::MatrixXd& W) {
    if (Wp_.rows() != m_ || Wp_.cols() != W.cols()) Wp_ = Eigen::MatrixXd::Zero(m_, W.cols());
    Wp_.topRows(W.rows()) = W;
}

// The KL divergence from kl_ratio's lanes: sum V log(V / WH) + sum WH - sum V.
double Stepper::kl_total(const double* lanes) const {
    return simd::lanes8_total(lanes) + simd::lanes8_total(lanes + 8) - vsum_;
}

// U_ <- V / (W H) (padded rows 0); returns the KL divergence at (W, H) when asked (else 0).
double Stepper::kl_ratio(const Eigen::MatrixXd& W, const Eigen::MatrixXd& H, bool objective) {
    const int K = static_cast<int>(W.cols()), n = static_cast<int>(H.cols());
    pad_w(W);
    U_.resize(m_, n);
    k_.gemm(Wp_.data(), m_, m_, H.data(), K, 1, n, K, U_.data(), m_);  // U = W H
    double lanes[16] = {};
    k_.kl_ratio(Vp_.data(), U_.data(), U_.size(), objective ? lanes : nullptr);
    return kl_total(lanes);
}

// The KL divergence at (W, H) alone: kl_ratio's sums (the same bits), kKlChunk columns at a time, so that W H never
// leaves the cache.
double Stepper::kl_objective(const Eigen::MatrixXd& W, const Eigen::MatrixXd& H) {
    const int K = static_cast<int>(W.cols()), n = static_cast<int>(H.cols());
    pad_w(W);
    const int chunk = std::min(n, kKlChunk);
    if (Uchunk_.size() < static_cast<Eigen::Index>(m_) * chunk) Uchunk_.resize(static_cast<Eigen::Index>(m_) * chunk);
    double lanes[16] = {};
    for (int j = 0; j < n; j += chunk) {
        const int c = std::min(chunk, n - j);
        k_.gemm(Wp_.data(), m_, m_, H.data() + static_cast<std::ptrdiff_t>(j) * K, K, 1, c, K, Uchunk_.data(), m_);
        k_.kl_ratio(Vp_.data() + static_cast<std::ptrdiff_t>(j) * m_, Uchunk_.data(),
                    static_cast<std::ptrdiff_t>(m_) * c, lanes);
    }
    return kl_total(lanes);
}

// NW_ <- M H^T for M = Vp_ or U_ (m_ x cols).
void Stepper::v_times_ht(const Eigen::MatrixXd& H, const Eigen::MatrixXd& M) {
    const int K = static_cast<int>(H.rows());
    NW_.resize(m_, K);
    k_.gemm(M.data(), m_, m_, H.data(), 1, K, K, static_cast<int>(H.cols()), NW_.data(), m_);
}

// After an update of H, with Q_ = W^T W for the current W and cross_ = <W^T V, H>: leaves H H^T in
// HH_ and V H^T in NW_, and returns 0.5 ||V - WH||^2 = 0.5 (||V||^2 - 2 <W^T V, H> + <W^T W, H H^T>). That
// identity loses relative accuracy when the error is small compared with ||V||^2: below 1e-3 ||V||^2
// (where its relative rounding error could exceed ~1e-13) the error is recomputed from the residual.
double Stepper::frobenius_after_h(const Eigen::MatrixXd& W, const Eigen::MatrixXd& H) {
    gram_h(H);
    v_times_ht(H, Vp_);
    const double f = 0.5 * (vnorm2_ - 2 * cross_ + (Q_.array() * HH_.array()).sum());
    if (f < 0.5e-3 * vnorm2_) return frobenius(V_, W, H);
    return f;
}

// HH_ <- H H^T, with the rows of H (padded) in the vector lanes.
void Stepper::gram_h(const Eigen::MatrixXd& H) {
    const int K = static_cast<int>(H.rows()), kp = kernels::padded(K);
    if (Hp_.rows() != kp || Hp_.cols() != H.cols()) Hp_ = Eigen::MatrixXd::Zero(kp, H.cols());
    Hp_.topRows(K) = H;
    Den_.resize(kp, K);
    k_.gemm(Hp_.data(), kp, kp, H.data(), 1, K, K, static_cast<int>(H.cols()), Den_.data(), kp);
    HH_ = Den_.topRows(K);
}

double Stepper::reset(const Eigen::MatrixXd& W, const Eigen::MatrixXd& H) {
    if (her_) {
        Wy_ = Wn_ = W;
        Hy_ = Hn_ = H;
        beta_ = kHerBeta0;
        beta_max_ = 1;
        fbest_ = fprev_ = her_evaluate();
        return fbest_;
    }
    if (objective_ == Objective::kl) {
        const double f = kl_ratio(W, H, true);
        if (solver_ == Solver::mu) v_times_ht(H, U_);
        return f;
    }
    gram_h(H);
    v_times_ht(H, Vp_);
    Htp_ = Eigen::MatrixXd::Zero(np_, H.rows());
    Htp_.topRows(H.cols()) = H.transpose();
    return frobenius(V_, W, H);
}

// MU for kl, W half: W <- W o ((V / WH) H^T) / (1 H^T), with (V / WH) H^T in NW_ for the current (W, H).
void Stepper::mu_kl_w(Eigen::MatrixXd& W, const Eigen::MatrixXd& H) {
    const Eigen::VectorXd hsum = H.rowwise().sum();
    W = ((W.array() * NW_.topRows(W.rows()).array()).rowwise() / hsum.transpose().array()).max(kFloor).matrix();
}

// MU for kl, H half: H <- H o (W^T (V / WH)) / (W^T 1).
void Stepper::mu_kl_h(const Eigen::MatrixXd& W, Eigen::MatrixXd& H) {
    const Eigen::Index rows = W.rows(), K = W.cols(), n = H.cols();
    const int kp = kernels::padded(static_cast<int>(K));
    kl_ratio(W, H, false);
    if (Wtp_.rows() != kp || Wtp_.cols() != m_) Wtp_ = Eigen::MatrixXd::Zero(kp, m_);
    Wtp_.topLeftCorner(K, rows) = W.transpose();
    P_.resize(kp, n);
    k_.gemm(Wtp_.data(), kp, kp, U_.data(), m_, 1, static_cast<int>(n), m_, P_.data(), kp);
    const Eigen::VectorXd wsum = W.colwise().sum().transpose();
    H = ((H.array() * P_.topRows(K).array()).colwise() / wsum.array()).max(kFloor).matrix();
}

// ccd for kl, W half: the rows of V are the problems, in the vector lanes.
void Stepper::ccd_kl_w(Eigen::MatrixXd& W, const Eigen::MatrixXd& H) {
    const Eigen::Index rows = W.rows(), K = W.cols(), n = H.cols();
    pad_w(W);
    if (Htp_.rows() != np_ || Htp_.cols() != K) Htp_ = Eigen::MatrixXd::Zero(np_, K);
    Htp_.topRows(n) = H.transpose();
    const Eigen::VectorXd hsum = H.rowwise().sum();
    k_.ccd_kl(Vpan_.data(), m_, static_cast<int>(n), Htp_.data(), np_, 1, Wp_.data(), m_, static_cast<int>(K),
              kNewtonSteps, hsum.data(), kFloor, upanel_.data());
    W = Wp_.topRows(rows);
    Wp_.bottomRows(m_ - rows).setZero();
}

// ccd for kl, H half: the columns of V are the problems.
void Stepper::ccd_kl_h(const Eigen::MatrixXd& W, Eigen::MatrixXd& H) {
    const Eigen::Index rows = W.rows(), K = W.cols(), n = H.cols();
    if (Htp_.rows() != np_ || Htp_.cols() != K) Htp_ = Eigen::MatrixXd::Zero(np_, K);
    Htp_.topRows(n) = H.transpose();
    const Eigen::VectorXd wsum = W.colwise().sum().transpose();
    k_.ccd_kl(Vtpan_.data(), np_, static_cast<int>(rows), W.data(), rows, 1, Htp_.data(), np_, static_cast<int>(K),
              kNewtonSteps, wsum.data(), kFloor, upanel_.data());
    H = Htp_.topRows(n).transpose();
    Htp_.bottomRows(np_ - n).setZero();
}

// X <- max(kFloor, X + beta (X - Prev)) and Prev <- the X before, without allocating.
void Stepper::extrapolate(Eigen::MatrixXd& X, Eigen::MatrixXd& Prev, double beta) {
    double* x = X.data();
    double* p = Prev.data();
    for (Eigen::Index i = 0, size = X.size(); i < size; ++i) {
        const double now = x[i];
        x[i] = std::max(kFloor, now + beta * (now - p[i]));
        p[i] = now;
    }
}

// The objective at (Wy_, Hy_).
double Stepper::her_evaluate() {
    return kl_objective(Wy_, Hy_);
}

// One iteration with extrapolation (see nmf_core.h).
double Stepper::step_her(Eigen::MatrixXd& W, Eigen::MatrixXd& H) {
    // A ccd iteration from (Wy_, Hy_): W, then H with the updated (not extrapolated) W.
    ccd_kl_w(Wy_, Hy_);
    ccd_kl_h(Wy_, Hy_);
    // (Wn_, Hn_) <- the updates; (Wy_, Hy_) <- max(kFloor, update + beta (update - previous update)).
    extrapolate(Wy_, Wn_, beta_);
    extrapolate(Hy_, Hn_, beta_);
    double f = her_evaluate();
    if (!(f <= fprev_)) {
        // Restart from the updates, without extrapolation; shrink beta and cap its growth.
        Wy_ = Wn_;
        Hy_ = Hn_;
        beta_max_ = beta_;
        beta_ /= kHerEta;
        f = her_evaluate();
    } else {
        beta_max_ = std::min(1.0, kHerGammaBar * beta_max_);
        beta_ = std::min(beta_max_, kHerGamma * beta_);
    }
    fprev_ = f;
    if (f < fbest_ || !std::isfinite(f)) {
        fbest_ = f;
        W = Wy_;
        H = Hy_;
    }
    return fbest_;
}

double Stepper::step(Eigen::MatrixXd& W, Eigen::MatrixXd& H, bool objective) {
    if (her_) return step_her(W, H);
    if (objective_ == Objective::kl && solver_ == Solver::mu) {
        mu_kl_w(W, H);
        mu_kl_h(W, H);
        // The objective (when asked: its logarithms cost as much as a product), and (V / WH) H^T for the next step.
        const double f = kl_ratio(W, H, objective);
        v_times_ht(H, U_);
        return objective ? f : std::numeric_limits<double>::quiet_NaN();
    }
    const Eigen::Index rows = W.rows(), K = W.cols(), n = H.cols();
    const int k = static_cast<int>(K);
    if (objective_ == Objective::frobenius) {
        if (solver_ == Solver::mu) {
            // W <- W o (V H^T) / (W H H^T)
            const Eigen::MatrixXd den = W * HH_;
            W = (W.array() * NW_.topRows(rows).array() / den.array()).max(kFloor).matrix();
        } else {
            // HALS: W_k <- max(kFloor, W_k + ((V H^T)_k - W (H H^T)_k) / (H H^T)_kk), one column at a time.
            Eigen::VectorXd t(rows);
            for (Eigen::Index c = 0; c < K; ++c) {
                t.noalias() = W * HH_.col(c);
                W.col(c) = (W.col(c).array() + (NW_.col(c).head(rows) - t).array() / HH_(c, c)).max(kFloor).matrix();
            }
        }
        Wt_ = W.transpose();
        P_.resize(np_, K);
        k_.gemm(Vtp_.data(), np_, np_, Wt_.data(), 1, K, k, static_cast<int>(rows), P_.data(), np_);  // V^T W
        Q_.noalias() = W.transpose() * W;
        // Htp_ = H^T since reset() or the previous step.
        if (solver_ == Solver::mu) {
            // H <- H o (W^T V) / (W^T W H), as H^T <- H^T o (V^T W) / (H^T W^T W)
            Den_.resize(np_, K);
            k_.gemm(Htp_.data(), np_, np_, Q_.data(), 1, K, k, k, Den_.data(), np_);
            cross_ = k_.mu_update_t(Htp_.data(), P_.data(), Den_.data(), np_, static_cast<int>(n), k, kFloor, H.data());
        } else {
            // HALS for the rows of H (columns of H^T).
            Eigen::VectorXd t(n);
            for (Eigen::Index c = 0; c < K; ++c) {
                t.noalias() = Htp_.topRows(n) * Q_.col(c);
                Htp_.col(c).head(n) =
                    (Htp_.col(c).head(n).array() + (P_.col(c).head(n) - t).array() / Q_(c, c)).max(kFloor).matrix();
            }
            cross_ = k_.mu_update_t(Htp_.data(), P_.data(), nullptr, np_, static_cast<int>(n), k, kFloor, H.data());
        }
        return frobenius_after_h(W, H);
    }
    // ccd kl: W, then H.
    ccd_kl_w(W, H);
    ccd_kl_h(W, H);
    return kl_objective(W, H);
}

void iterate(const Eigen::MatrixXd& V, Eigen::MatrixXd& W, Eigen::MatrixXd& H, Objective objective, Solver solver,
             int n) {
    Stepper stepper(V, objective, solver);
    stepper.reset(W, H);
    for (int i = 0; i < n; ++i) stepper.step(W, H);
}

void initialise(const Eigen::MatrixXd& V, int k, Init init, std::uint64_t seed, Eigen::MatrixXd& W,
                Eigen::MatrixXd& H) {
    const Eigen::Index rows = V.rows(), cols = V.cols();
    if (k < 1 || k > std::min(rows, cols)) throw std::invalid_argument("nmf: k must be between 1 and min(rows, cols)");
    const double mean = V.mean();
    W.resize(rows, k);
    H.resize(k, cols);
    if (init == Init::random) {
        plugin_kit::SplitMix64 random(seed);
        const double scale = std::sqrt(mean / k);
        for (Eigen::Index i = 0; i < W.size(); ++i) W.data()[i] = scale * random.open01();
        for (Eigen::Index i = 0; i < H.size(); ++i) H.data()[i] = scale * random.open01();
    } else {
        // NNDSVD (Boutsidis & Gallopoulos 2008), as scikit-learn's _initialize_nmf but with an exact SVD.
        Eigen::BDCSVD<Eigen::MatrixXd> svd(V, Eigen::ComputeThinU | Eigen::ComputeThinV);
        const Eigen::MatrixXd& U = svd.matrixU();
        const Eigen::MatrixXd& Y = svd.matrixV();
        const Eigen::VectorXd& S = svd.singularValues();
        W.col(0) = std::sqrt(S(0)) * U.col(0).cwiseAbs();
        H.row(0) = std::sqrt(S(0)) * Y.col(0).cwiseAbs().transpose();
        for (int j = 1; j < k; ++j) {
            const Eigen::VectorXd xp = U.col(j).cwiseMax(0.0), xn = (-U.col(j)).cwiseMax(0.0);
            const Eigen::VectorXd yp = Y.col(j).cwiseMax(0.0), yn = (-Y.col(j)).cwiseMax(0.0);
            const double xpn = xp.norm(), ypn = yp.norm(), xnn = xn.norm(), ynn = yn.norm();
            const double mp = xpn * ypn, mn = xnn * ynn;
            const bool positive = mp > mn;
            const double sigma = positive ? mp : mn;
            if (!(sigma > 0)) {
                W.col(j).setZero();
                H.row(j).setZero();
                continue;
            }
            const double lambda = std::sqrt(S(j) * sigma);
            W.col(j) = lambda * (positive ? Eigen::VectorXd(xp / xpn) : Eigen::VectorXd(xn / xnn));
            H.row(j) = lambda * (positive ? Eigen::VectorXd(yp / ypn) : Eigen::VectorXd(yn / ynn)).transpose();
        }
        const double eps = std::numeric_limits<double>::epsilon();
        W = (W.array() < eps).select(init == Init::nndsvda ? mean : 0.0, W);
        H = (H.array() < eps).select(init == Init::nndsvda ? mean : 0.0, H);
    }
    W = W.cwiseMax(kFloor);
    H = H.cwiseMax(kFloor);
}

Result fit(const Eigen::MatrixXd& V, const Options& options, const Eigen::MatrixXd* W0, const Eigen::MatrixXd* H0,
           const std::function<bool(int, double)>& progress) {
    Result result;
    if (W0 != nullptr && H0 != nullptr) {
        result.W = W0->cwiseMax(kFloor);
        result.H = H0->cwiseMax(kFloor);
    } else {
        initialise(V, options.k, options.init, options.seed, result.W, result.H);
    }
    if (options.isa != 0 && !simd::supported(options.isa))
        throw std::invalid_argument(std::string("nmf: this CPU cannot run the kernels of level ") +
                                    simd::name(options.isa));
    Stepper stepper(V, options.objective, options.solver, options.isa);
    // Multiplicative updates never increase the objective, so they may skip it where the host does not need it.
    const bool skip = options.solver == Solver::mu && options.objective == Objective::kl && options.trace_stride > 1 &&
                      options.tol_window % options.trace_stride == 0;
    plugin_kit::iterate(result, stepper.reset(result.W, result.H), options.max_iter, options.tol, options.tol_window,
                        skip ? options.trace_stride : 1, progress,
                        [&](bool needed) { return stepper.step(result.W, result.H, needed); });
    return result;
}

}  // namespace sigstream::nmf
