#include "aenmf_core.h"

#include "aenmf_kernels.h"
#include "cnmf_core.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string_view>

#include "plugin_kit.h"

namespace sigstream::aenmf {

namespace {

// xoshiro256** seeded through splitmix64: the same seed gives the same stream on every platform.
class Rng {
public:
    explicit Rng(std::uint64_t seed) {
        plugin_kit::SplitMix64 seeder(seed);
        for (auto& word : s_) word = seeder.next();
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform on [0, 1): the top 53 bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

bool all_finite(const MatrixRef& X) {
    return X.allFinite();
}

std::string format_double(double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", x);
    return buf;
}

}  // namespace

Eigen::MatrixXd activate(const MatrixRef& X, Constraint constraint) {
    if (constraint == Constraint::abs) return X.cwiseAbs();
    return X;
}

double poisson_floor(const MatrixRef& V) {
    return 1e-10 * V.mean();
}

Eigen::MatrixXd reconstruction(const MatrixRef& V, const MatrixRef& E, const MatrixRef& D, Constraint constraint) {
    const Eigen::MatrixXd S = V * activate(E, constraint);
    return S * activate(D, constraint);
}

double loss(const MatrixRef& V, const MatrixRef& E, const MatrixRef& D, Constraint constraint, LossKind loss_kind) {
    Eigen::MatrixXd dE, dD;
    return gradient(V, E, D, constraint, loss_kind, dE, dD);
}

double gradient(const MatrixRef& V, const MatrixRef& E, const MatrixRef& D, Constraint constraint, LossKind loss_kind,
                Eigen::MatrixXd& dE, Eigen::MatrixXd& dD) {
    const Eigen::Index n = V.cols(), k = E.cols();
    if (E.rows() != n || D.rows() != k || D.cols() != n)
        throw std::invalid_argument("aenmf::gradient: E must be cols x K and D K x cols");
    Eigen::MatrixXd Theta(n, 2 * k), G(n, 2 * k);
    Theta.leftCols(k) = E;
    Theta.rightCols(k) = D.transpose();
    Evaluator evaluator(V, static_cast<int>(k), constraint, loss_kind);
    const double value = evaluator.evaluate(Theta, G, Evaluator::Form::residual);
    dE = G.leftCols(k);
    dD = G.rightCols(k).transpose();
    return value;
}

// ---------------------------------------------------------------- Evaluator

namespace {
int checked_k(int k) {
    if (k < 1) throw std::invalid_argument("aenmf: K must be at least 1");
    return k;
}
}  // namespace

Evaluator::Evaluator(const MatrixRef& V, int k, Constraint constraint, LossKind loss_kind, kernels::Isa isa)
    : V_(V),
      k_(checked_k(k)),
      constraint_(constraint),
      loss_kind_(loss_kind),
      isa_(isa),
      v_norm2_(V.squaredNorm()),
      delta_(poisson_floor(V)),
      scale_(1.0 / (static_cast<double>(V.rows()) * static_cast<double>(V.cols()))),
      last_loss_(0.0),
      Vt_(V.transpose()),
      X_(V.cols(), 2 * k),
      Y_(V.rows(), 2 * k),
      Z_(V.rows(), 2 * k),
      StS_(k, k),
      BBt_(k, k) {}

double Evaluator::evaluate(const Eigen::MatrixXd& Theta, Eigen::MatrixXd& G, Form form) {
    if (Theta.rows() != V_.cols() || Theta.cols() != 2 * k_)
        throw std::invalid_argument("aenmf: Theta must be cols x 2K");
    G.resize(V_.cols(), 2 * k_);  // no-op when it has that size
    if (constraint_ == Constraint::abs)
        kernels::absolute(isa_, Theta.size(), Theta.data(), X_.data());
    else
        X_ = Theta;
    // automatic: the Gram form while the previous loss was above the guard (the first evaluation, e.g.
    // trace[0], uses the residual form), and a result below the guard is recomputed with the residual form.
    const double guard = kGramGuard * v_norm2_ * scale_;
    bool gram = false;
    if (loss_kind_ == LossKind::mse) {
        if (form == Form::gram)
            gram = true;
        else if (form == Form::automatic)
            gram = last_loss_ >= guard;
    }
    double value = gram ? evaluate_gram(G) : evaluate_residual(G);
    if (gram && form == Form::automatic && !(value >= guard)) value = evaluate_residual(G);
    if (constraint_ == Constraint::abs) kernels::chain_abs(isa_, Theta.size(), Theta.data(), G.data());
    last_loss_ = value;
    return value;
}

// The products with V and V^T (inner dimension cols or rows) go through kernels::gemm; V^T is kept as
// its own cols x rows copy so that both are "rows of A times B" products.
double Evaluator::evaluate_gram(Eigen::MatrixXd& G) {
    const Eigen::Index m = V_.rows(), n = V_.cols(), k2 = 2 * k_;
    const auto Bt = X_.rightCols(k_);
    kernels::gemm(isa_, m, n, k2, 1.0, V_.data(), V_.outerStride(), X_.data(), n, Y_.data(), m);  // [S | P]
    const auto S = Y_.leftCols(k_);
    const auto P = Y_.rightCols(k_);  // V f(D)^T
    StS_.noalias() = S.transpose() * S;
    BBt_.noalias() = Bt.transpose().lazyProduct(Bt);
    const double cross = S.cwiseProduct(P).sum();
    const double quad = StS_.cwiseProduct(BBt_).sum();
    const double value = (v_norm2_ - 2.0 * cross + quad) * scale_;
    const double c = 2.0 * scale_;
    Z_.leftCols(k_).noalias() = S * BBt_;
    Z_.leftCols(k_) -= P;
    Z_.rightCols(k_) = -S;
    kernels::gemm(isa_, n, m, k2, c, Vt_.data(), n, Z_.data(), m, G.data(), n);  // c V^T [S BB^T - P | -S]
    G.rightCols(k_).noalias() += c * (Bt * StS_);
    return value;
}

double Evaluator::evaluate_residual(Eigen::MatrixXd& G) {
    const Eigen::Index m = V_.rows(), n = V_.cols();
    const auto Bt = X_.rightCols(k_);
    auto S = Y_.leftCols(k_);
    auto T = Z_.leftCols(k_);
    if (R_.rows() != m || R_.cols() != n) R_.resize(m, n);
    kernels::gemm(isa_, m, n, k_, 1.0, V_.data(), V_.outerStride(), X_.data(), n, S.data(), m);  // S = V f(E)
    if (Bk_.rows() != k_ || Bk_.cols() != n) Bk_.resize(k_, n);
    Bk_ = Bt.transpose();                                                           // f(D), K x cols
    kernels::gemm(isa_, m, k_, n, 1.0, S.data(), m, Bk_.data(), k_, R_.data(), m);  // V^ = S f(D)
    double value;
    double c;
    if (loss_kind_ == LossKind::mse) {
        R_ -= V_;
        value = R_.squaredNorm() * scale_;
        c = 2.0 * scale_;
    } else {
        // mu = V^ + delta, loss = sum(mu - V + V log(V / mu)), Gamma = 1 - V / mu, in one pass.
        const double sum = kernels::poisson_pass(isa_, m, n, V_.data(), V_.outerStride(), delta_, R_.data());
        value = sum;
        c = 1.0;
    }
    kernels::gemm(isa_, m, n, k_, 1.0, R_.data(), m, Bt.data(), n, T.data(), m);           // T = Gamma f(D)^T
    kernels::gemm(isa_, n, m, k_, c, Vt_.data(), n, T.data(), m, G.data(), n);             // c V^T T
    kernels::gemm_tn(isa_, m, n, k_, c, R_.data(), m, S.data(), m, G.data() + n * k_, n);  // c Gamma^T S
    return value;
}

// ---------------------------------------------------------------- starts

void initialise(const MatrixRef& V, const Options& options, Eigen::MatrixXd& E, Eigen::MatrixXd& D) {
    const Eigen::Index n = V.cols(), k = options.k;
    Rng rng(options.seed);
    E.resize(n, k);
    D.resize(k, n);
    for (Eigen::Index i = 0; i < E.size(); ++i) E.data()[i] = rng.uniform();
    for (Eigen::Index i = 0; i < D.size(); ++i) D.data()[i] = rng.uniform();
    if (options.init == Init::uniform) return;

    const Eigen::MatrixXd S = V * E;  // V f(E): E >= 0
    double c;
    if (options.loss == LossKind::mse) {
        // argmin_c ||V - c S D||^2 = <V, S D> / ||S D||^2, both from K-wide products.
        const Eigen::MatrixXd P = V * D.transpose();
        const Eigen::MatrixXd StS = S.transpose() * S;
        const Eigen::MatrixXd DDt = D * D.transpose();
        c = S.cwiseProduct(P).sum() / StS.cwiseProduct(DDt).sum();
    } else {
        // argmin_c KL(V | c S D): sum(c S D) = sum(V).
        c = V.sum() / S.colwise().sum().dot(D.rowwise().sum());
    }
    if (!(c > 0.0) || !std::isfinite(c)) throw std::runtime_error("aenmf: could not scale the start to the data");
    const double a = std::sqrt(c);
    E *= a;
    D *= a;
}

namespace {

// Lawson & Hanson's active-set NNLS: argmin_{x >= 0} ||A x - b||_2. A solution uses at most rank(A)
// columns, and each outer iteration adds one, so it costs O(rank(A) * rows * cols) (A^T r products)
// plus small QR factorisations of at most rank(A) columns.
Eigen::VectorXd nnls(const MatrixRef& A, const Eigen::VectorXd& b) {
    const Eigen::Index m = A.rows(), n = A.cols();
    Eigen::VectorXd x = Eigen::VectorXd::Zero(n), w(n), r = b;
    std::vector<char> passive(static_cast<std::size_t>(n), 0), excluded(static_cast<std::size_t>(n), 0);
    std::vector<Eigen::Index> P;
    Eigen::MatrixXd AP(m, 0);
    Eigen::VectorXd z;
    auto solve_passive = [&]() {
        AP.resize(m, static_cast<Eigen::Index>(P.size()));
        for (std::size_t i = 0; i < P.size(); ++i) AP.col(static_cast<Eigen::Index>(i)) = A.col(P[i]);
        z = AP.colPivHouseholderQr().solve(b);
    };
    w.noalias() = A.transpose() * r;
    const double tol = 1e-12 * std::max(w.cwiseAbs().maxCoeff(), std::numeric_limits<double>::min());
    const Eigen::Index max_outer = 3 * std::min(m, n) + 10;
    for (Eigen::Index outer = 0; outer < max_outer; ++outer) {
        Eigen::Index j = -1;
        double best = tol;
        for (Eigen::Index i = 0; i < n; ++i)
            if (!passive[static_cast<std::size_t>(i)] && !excluded[static_cast<std::size_t>(i)] && w(i) > best) {
                best = w(i);
                j = i;
            }
        if (j < 0) break;
        P.push_back(j);
        passive[static_cast<std::size_t>(j)] = 1;
        solve_passive();
        if (!(z(static_cast<Eigen::Index>(P.size()) - 1) > 0.0)) {  // dependent column: leave it out
            P.pop_back();
            passive[static_cast<std::size_t>(j)] = 0;
            excluded[static_cast<std::size_t>(j)] = 1;
            continue;
        }
        auto infeasible = [&]() { return z.size() > 0 && z.minCoeff() <= 0.0; };
        for (int inner = 0; inner < 3 * static_cast<int>(m) + 10 && infeasible(); ++inner) {
            double alpha = 1.0;
            for (std::size_t i = 0; i < P.size(); ++i) {
                const double zi = z(static_cast<Eigen::Index>(i)), xi = x(P[i]);
                if (zi <= 0.0) alpha = std::min(alpha, xi / (xi - zi));
            }
            for (std::size_t i = 0; i < P.size(); ++i) x(P[i]) += alpha * (z(static_cast<Eigen::Index>(i)) - x(P[i]));
            std::vector<Eigen::Index> keep;
            for (Eigen::Index i : P) {
                if (x(i) > 0.0) {
                    keep.push_back(i);
                } else {
                    x(i) = 0.0;
                    passive[static_cast<std::size_t>(i)] = 0;
                }
            }
            P.swap(keep);
            if (P.empty()) {
                z.resize(0);
                break;
            }
            solve_passive();
        }
        for (Eigen::Index i = 0; i < n; ++i) x(i) = 0.0;
        for (std::size_t i = 0; i < P.size(); ++i) x(P[i]) = std::max(z(static_cast<Eigen::Index>(i)), 0.0);
        r.noalias() = b - A * x;
        w.noalias() = A.transpose() * r;
        std::fill(excluded.begin(), excluded.end(), 0);
    }
    return x;
}

}  // namespace

void start_from_factors(const MatrixRef& V, const MatrixRef& W0, const MatrixRef& H0, Eigen::MatrixXd& E,
                        Eigen::MatrixXd& D) {
    const Eigen::Index m = V.rows(), n = V.cols(), k = W0.cols();
    if (W0.rows() != m || H0.rows() != k || H0.cols() != n)
        throw std::invalid_argument("aenmf: W0 must be rows x K and H0 K x cols");
    if (!all_finite(W0) || !all_finite(H0) || W0.minCoeff() < 0.0 || H0.minCoeff() < 0.0)
        throw std::invalid_argument("aenmf: W0 and H0 must be finite and non-negative");
    E.resize(n, k);
    for (Eigen::Index s = 0; s < k; ++s) E.col(s) = nnls(V, W0.col(s));
    D = H0;
    // V f(cE) f(D/c) = V f(E) f(D): balance the two (equal RMS) so one Adam step size suits both.
    const double norm_e = E.norm(), norm_d = D.norm();  // E and D have the same number of entries
    if (norm_e > 0.0 && norm_d > 0.0) {
        const double c = std::sqrt(norm_d / norm_e);
        E *= c;
        D /= c;
    }
}

void start_from_cnmf(const MatrixRef& V, const Options& options, Eigen::MatrixXd& E, Eigen::MatrixXd& D,
                     std::string& message) {
    cnmf::Options c;
    c.k = options.k;
    c.seed = options.seed;
    c.starts = options.starts;
    c.max_iter = kCnmfStartMaxIter;
    c.tol = kCnmfStartTol;
    c.tol_window = kCnmfStartWindow;
    const Eigen::MatrixXd data = V;
    const cnmf::Result fitted = cnmf::fit(data, c, nullptr, nullptr, {});
    if (fitted.status != cnmf::Status::ok || !fitted.G.allFinite() || !fitted.H.allFinite())
        throw plugin_kit::Numerical("the convex NMF start failed: " + fitted.message);
    E = fitted.G;
    D = fitted.H.transpose();
    const double norm_e = E.norm(), norm_d = D.norm();
    if (norm_e > 0.0 && norm_d > 0.0) {
        const double scale = std::sqrt(norm_d / norm_e);
        E *= scale;
        D /= scale;
    }
    message = "start: convex NMF, " + std::to_string(fitted.iterations) + " iterations after screening " +
              std::to_string(options.starts) + " starts";
}

// ---------------------------------------------------------------- fit

Result fit(const MatrixRef& V, const Options& options, const Eigen::MatrixXd* E0, const Eigen::MatrixXd* D0,
           const std::function<bool(int, double)>& progress) {
    const Eigen::Index n = V.cols(), k = options.k;
    if (k < 1) throw std::invalid_argument("aenmf: K must be at least 1");
    if (options.max_iter < 0) throw std::invalid_argument("aenmf: max_iter must be >= 0");
    if (!(options.tol >= 0.0)) throw std::invalid_argument("aenmf: tol must be >= 0");
    if (options.patience < 0) throw std::invalid_argument("aenmf: patience must be >= 0 (0: auto)");

    Result result;
    Eigen::MatrixXd Theta(n, 2 * k);
    const bool started = E0 != nullptr && D0 != nullptr;
    const bool from_cnmf = !started && options.init == Init::cnmf;
    if (started) {
        if (E0->rows() != n || E0->cols() != k || D0->rows() != k || D0->cols() != n)
            throw std::invalid_argument("aenmf: the start must be E cols x K and D K x cols");
        Theta.leftCols(k) = *E0;
        Theta.rightCols(k) = D0->transpose();
    } else {
        Eigen::MatrixXd E, D;
        if (from_cnmf) {
            start_from_cnmf(V, options, E, D, result.start_message);
        } else {
            initialise(V, options, E, D);
        }
        Theta.leftCols(k) = E;
        Theta.rightCols(k) = D.transpose();
    }
    const Schedule schedule =
        options.schedule_auto ? (from_cnmf ? Schedule::backtrack : Schedule::plateau) : options.schedule;
    result.schedule = schedule;
    if (options.constraint == Constraint::project) Theta = Theta.cwiseMax(0.0);

    double lr = options.lr;
    if (!(lr > 0.0)) {
        if (!started && options.init == Init::uniform)
            lr = kPaperLr;
        else if (from_cnmf)
            lr = kCnmfLrFactor * Theta.norm() / std::sqrt(static_cast<double>(Theta.size()));
        else
            lr = kAutoLrFactor * Theta.norm() / std::sqrt(static_cast<double>(Theta.size()));
    }
    if (!(lr > 0.0) || !std::isfinite(lr)) throw std::invalid_argument("aenmf: the start has no scale (all zero)");
    result.lr = lr;

    if (!kernels::supported(options.isa))
        throw std::invalid_argument(std::string("aenmf: this CPU cannot run the ") + kernels::name(options.isa) +
                                    " kernels");
    Evaluator evaluator(V, static_cast<int>(k), options.constraint, options.loss, options.isa);
    Eigen::MatrixXd G(n, 2 * k);
    // backtrack: the step's gradient goes to G_next and the weights before it are kept in Theta_prev.
    Eigen::MatrixXd G_next, Theta_prev;
    if (schedule == Schedule::backtrack) {
        G_next.resize(n, 2 * k);
        Theta_prev.resize(n, 2 * k);
    }
    Eigen::MatrixXd M = Eigen::MatrixXd::Zero(n, 2 * k);
    Eigen::MatrixXd S2 = Eigen::MatrixXd::Zero(n, 2 * k);
    result.trace.reserve(static_cast<std::size_t>(options.max_iter) + 1);

    auto finish = [&](int iterations) {  // after the message is set
        if (!result.start_message.empty()) result.message += "; " + result.start_message;
        if (schedule == Schedule::backtrack)
            result.message += "; " + std::to_string(result.rejected) + " of " + std::to_string(iterations) +
                              " steps undone (step size halved each time)";
        result.iterations = iterations;
        result.final_lr = lr;
        result.E = Theta.leftCols(k);
        result.D = Theta.rightCols(k).transpose();
    };

    double value = evaluator.evaluate(Theta, G);
    result.trace.push_back(value);
    if (!std::isfinite(value)) {
        result.status = Status::numerical;
        result.message = "aenmf: the loss at the start is not finite";
        finish(0);
        return result;
    }

    const double b1 = options.beta1, b2 = options.beta2, eps = options.eps;
    double b1t = 1.0, b2t = 1.0;
    // The plateau schedule: the step size is halved whenever `patience` steps in a row bring no new best loss
    // (Adam with too large a step oscillates without progress). Auto: half the stop rule's window, so the step
    // shrinks before the stop rule can see a stall.
    const int patience = options.patience > 0 ? options.patience : std::max(1, options.tol_window / 2);
    double best = value;
    int since_best = 0;
    plugin_kit::StopRule stop(options.tol, options.tol_window);
    stop.converged(value);
    int t = 0;
    while (t < options.max_iter) {
        ++t;
        // Adam (Kingma & Ba; PyTorch's arithmetic): m, v moments, bias-corrected step; then the projection.
        b1t *= b1;
        b2t *= b2;
        kernels::AdamStep adam{
            b1, b2, lr / (1.0 - b1t), 1.0 / std::sqrt(1.0 - b2t), eps, options.constraint == Constraint::project};
        if (schedule == Schedule::backtrack) {
            // A step that does not lower the loss (or makes it NaN) is undone and the step size halved; the moments
            // keep the gradient (it is the gradient at the weights the next step starts from).
            Theta_prev = Theta;
            kernels::adam(options.isa, Theta.size(), adam, G.data(), M.data(), S2.data(), Theta.data());
            const double next = evaluator.evaluate(Theta, G_next);
            if (next < value) {
                value = next;
                G.swap(G_next);
            } else {
                Theta.swap(Theta_prev);
                lr *= 0.5;
                ++result.rejected;
            }
        } else {
            kernels::adam(options.isa, Theta.size(), adam, G.data(), M.data(), S2.data(), Theta.data());
            value = evaluator.evaluate(Theta, G);
        }
        result.trace.push_back(value);
        if (!std::isfinite(value)) {
            result.status = Status::numerical;
            result.message = "aenmf: the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") +
                             " at iteration " + std::to_string(t) + " (lr " + format_double(lr) +
                             " too large? set a smaller aenmf.lr)";
            finish(t);
            return result;
        }
        if (progress && progress(t, value)) {
            result.status = Status::stopped;
            result.message = "aenmf: stopped by the host at iteration " + std::to_string(t);
            finish(t);
            return result;
        }
        if (value < best) {
            best = value;
            since_best = 0;
        } else if (++since_best >= patience && schedule == Schedule::plateau) {
            lr *= 0.5;
            since_best = 0;
        }
        if (stop.converged(value)) {  // the ABI's stop rule, the same for every backend
            result.converged = true;
            result.message = "aenmf: converged after " + std::to_string(t) +
                             " iterations (the best loss fell by a relative " + format_double(stop.last_decrease()) +
                             " < tol over the last " + std::to_string(options.tol_window) + ")";
            finish(t);
            return result;
        }
    }
    result.message = "aenmf: ran max_iter = " + std::to_string(t) + " iterations";
    finish(t);
    return result;
}

}  // namespace sigstream::aenmf
