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

// ---------------------------------------------------------------- ConeProjection

ConeProjection::ConeProjection(const Eigen::MatrixXd& V)
    : V_(V), inv_norm_(V.cols()), position_(static_cast<std::size_t>(V.cols()), -1) {
    for (Eigen::Index j = 0; j < V.cols(); ++j) {
        const double norm = V.col(j).norm();
        inv_norm_(j) = norm > 0.0 ? 1.0 / norm : 0.0;  // a zero column never enters
    }
}

// z = the least-squares solution of V_P z ~ t over the passive columns P, from the normal equations
// (V_P^T V_P) z = V_P^T t by Cholesky. The Gram matrix keeps the entries of the previous passive set (V is fixed),
// so a column entering costs one row of dot products; V_j^T t is computed once per solve(). When the Gram matrix
// is not safely positive definite (a column nearly dependent on the others), column-pivoting QR of V_P instead
// (a dependent column then gets 0).
void ConeProjection::solve_passive(const Eigen::VectorXd& t) {
    const Eigen::Index p = static_cast<Eigen::Index>(passive_.size());
    next_gram_.resize(p, p);
    rhs_.resize(p);
    for (Eigen::Index i = 0; i < p; ++i) {
        const Eigen::Index ji = passive_[static_cast<std::size_t>(i)];
        const Eigen::Index oi = position_[static_cast<std::size_t>(ji)];
        for (Eigen::Index l = 0; l <= i; ++l) {
            const Eigen::Index jl = passive_[static_cast<std::size_t>(l)];
            const Eigen::Index ol = position_[static_cast<std::size_t>(jl)];
            const double v = oi >= 0 && ol >= 0 ? gram_(oi, ol) : V_.col(ji).dot(V_.col(jl));
            next_gram_(i, l) = v;
            next_gram_(l, i) = v;
        }
        if (!vt_known_[static_cast<std::size_t>(ji)]) {
            vt_(ji) = V_.col(ji).dot(t);
            vt_known_[static_cast<std::size_t>(ji)] = 1;
        }
        rhs_(i) = vt_(ji);
    }
    for (const Eigen::Index j : gram_columns_) position_[static_cast<std::size_t>(j)] = -1;
    gram_columns_ = passive_;
    for (Eigen::Index i = 0; i < p; ++i) position_[static_cast<std::size_t>(passive_[static_cast<std::size_t>(i)])] = i;
    gram_.swap(next_gram_);
    if (p > 0) {
        llt_.compute(gram_);
        if (llt_.info() == Eigen::Success && llt_.rcond() > kMinRcond) {
            z_ = llt_.solve(rhs_);
            if (z_.allFinite()) return;
        }
    }
    VP_.resize(V_.rows(), p);
    for (Eigen::Index i = 0; i < p; ++i) VP_.col(i) = V_.col(passive_[static_cast<std::size_t>(i)]);
    z_ = VP_.colPivHouseholderQr().solve(t);
}

void ConeProjection::solve(const Eigen::VectorXd& t, Eigen::VectorXd& g, int max_passes) {
    const Eigen::Index n = V_.cols();
    if (g.size() != n) g = Eigen::VectorXd::Zero(n);
    in_passive_.assign(static_cast<std::size_t>(n), 0);
    excluded_.assign(static_cast<std::size_t>(n), 0);
    vt_known_.assign(static_cast<std::size_t>(n), 0);
    vt_.resize(n);
    passive_.clear();
    for (Eigen::Index j = 0; j < n; ++j) {
        if (g(j) > 0.0) {
            passive_.push_back(j);
            in_passive_[static_cast<std::size_t>(j)] = 1;
        } else {
            g(j) = 0.0;
        }
    }
    const double t_norm = t.norm();
    if (!(t_norm > 0.0)) {
        g.setZero();
        return;
    }
    // A column may enter when its correlation with the residual, w_j / ||V_j||, exceeds this (rounding of w_j is
    // about 1e-16 rows ||V_j|| ||t||).
    const double tol = 1e-11 * t_norm;
    const Eigen::Index max_steps = 3 * (V_.rows() + n) + 10;
    // Lawson-Hanson's inner loop: the least-squares solution on the passive set, moved back into the feasible
    // region (from the feasible g towards z until an entry reaches 0, which leaves) until it is feasible; then g = z.
    auto settle = [&] {
        solve_passive(t);
        for (Eigen::Index inner = 0; inner < max_steps && !passive_.empty() && z_.minCoeff() <= 0.0; ++inner) {
            double alpha = 1.0;
            std::size_t leaving = 0;
            for (std::size_t i = 0; i < passive_.size(); ++i) {
                const double zi = z_(static_cast<Eigen::Index>(i)), gi = g(passive_[i]);
                if (zi <= 0.0 && gi / (gi - zi) <= alpha) {
                    alpha = gi / (gi - zi);
                    leaving = i;
                }
            }
            std::size_t kept = 0;
            for (std::size_t i = 0; i < passive_.size(); ++i) {
                const Eigen::Index j = passive_[i];
                g(j) += alpha * (z_(static_cast<Eigen::Index>(i)) - g(j));
                if (i != leaving && g(j) > 0.0) {
                    passive_[kept++] = j;
                } else {
                    g(j) = 0.0;
                    in_passive_[static_cast<std::size_t>(j)] = 0;
                }
            }
            passive_.resize(kept);
            if (!passive_.empty()) solve_passive(t);
        }
        for (std::size_t i = 0; i < passive_.size(); ++i) g(passive_[i]) = z_(static_cast<Eigen::Index>(i));
    };
    if (!passive_.empty()) settle();
    std::vector<std::pair<double, Eigen::Index>> candidates;
    for (Eigen::Index step = 0; step < max_steps && (max_passes <= 0 || step < max_passes); ++step) {
        // The residual and the columns outside the passive set most correlated with it: up to kEnteringPerPass of
        // them enter in turn (best first) from one pass over V, which costs rows x cols; each must have a positive
        // coefficient in the least-squares solution with it (else it, and the rest of this pass's, wait for the
        // next pass), and the set is made feasible again after each. Every change lowers ||V g - t||, so the loop
        // ends; it ends when no column correlates positively with the residual: the exact projection.
        r_ = t;
        for (const Eigen::Index j : passive_) r_.noalias() -= g(j) * V_.col(j);
        w_.noalias() = V_.transpose() * r_;
        candidates.clear();
        for (Eigen::Index j = 0; j < n; ++j) {
            if (in_passive_[static_cast<std::size_t>(j)] || excluded_[static_cast<std::size_t>(j)]) continue;
            const double c = w_(j) * inv_norm_(j);
            if (c > tol) candidates.emplace_back(c, j);
        }
        if (candidates.empty()) break;
        const std::size_t take = std::min<std::size_t>(candidates.size(), kEnteringPerPass);
        // Best first; equal correlations by column (a fixed order).
        std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(take), candidates.end(),
                          [](const auto& a, const auto& b) {
                              return a.first > b.first || (a.first == b.first && a.second < b.second);
                          });
        for (std::size_t c = 0; c < take; ++c) {
            const Eigen::Index enter = candidates[c].second;
            passive_.push_back(enter);
            in_passive_[static_cast<std::size_t>(enter)] = 1;
            solve_passive(t);
            if (!(z_(static_cast<Eigen::Index>(passive_.size()) - 1) > 0.0)) {
                passive_.pop_back();
                in_passive_[static_cast<std::size_t>(enter)] = 0;
                // The pass's best column does not help after all (rounding: it depends on the passive ones): it
                // stays out until the passive set changes. A later candidate's correlation is stale: next pass.
                if (c == 0) excluded_[static_cast<std::size_t>(enter)] = 1;
                break;
            }
            std::fill(excluded_.begin(), excluded_.end(), 0);
            settle();
        }
    }
}

// ---------------------------------------------------------------- HalsStepper

HalsStepper::HalsStepper(const Eigen::MatrixXd& V, bool extrapolate)
    : V_(V),
      extrapolate_(extrapolate),
      v_norm2_(V.squaredNorm()),
      floor_(kFloor * V.rowwise().sum()),
      projection_(V),
      h_passes_(1) {}

// W = V G = floor_ + V (G - kFloor), the latter over the entries above kFloor.
void HalsStepper::signatures_of(const Eigen::MatrixXd& G) {
    W_.resize(V_.rows(), G.cols());
    for (Eigen::Index c = 0; c < G.cols(); ++c) {
        W_.col(c) = floor_;
        for (Eigen::Index j = 0; j < G.rows(); ++j)
            if (G(j, c) > kFloor) W_.col(c).noalias() += (G(j, c) - kFloor) * V_.col(j);
    }
}

// ||V - W H^T||^2 at (W_, Hy_) = ||V||^2 - 2 <H, V^T W> + <W^T W, H^T H> while that is well above the rounding
// of ||V||^2, else from the residual itself. Needs Q_ = V^T W_.
double HalsStepper::objective() {
    KK_.noalias() = Hy_.transpose() * Hy_;
    const double gram = v_norm2_ - 2.0 * Hy_.cwiseProduct(Q_).sum() + (W_.transpose() * W_).cwiseProduct(KK_).sum();
    if (gram > 1e-6 * v_norm2_) return gram;
    return residual(V_, W_, Hy_, R_);
}

double HalsStepper::reset(const Eigen::MatrixXd& G, const Eigen::MatrixXd& H) {
    // One product with V costs rows cols K, one pass over H's columns cols K^2.
    const Eigen::Index k = G.cols();
    h_passes_ = inner_passes(V_.rows() * V_.cols() * k, V_.cols() * k * k);
    Gy_ = G.cwiseMax(kFloor);
    Hy_ = H.cwiseMax(0.0);
    Gn_ = Gy_;
    Hn_ = Hy_;
    signatures_of(Gy_);
    Q_.noalias() = V_.transpose() * W_;
    beta_ = kHerBeta0;
    beta_max_ = 1.0;
    f_prev_ = f_best_ = objective();
    return f_best_;
}

double HalsStepper::sweep() {
    const Eigen::Index k = Gy_.cols();
    // Signatures: each the projection of its HALS target onto the cone of the samples.
    P_.noalias() = V_ * Hy_;
    KK_.noalias() = Hy_.transpose() * Hy_;
    for (Eigen::Index c = 0; c < k; ++c) {
        const double d = KK_(c, c);
        if (!(d > 0.0)) continue;
        // With G = kFloor + g, g >= 0: W_c = floor_ + V g, so g is the projection of t - floor_.
        t_ = W_.col(c) + (P_.col(c) - W_ * KK_.col(c)) / d - floor_;
        g_ = (Gy_.col(c).array() - kFloor).cwiseMax(0.0);  // the warm start
        projection_.solve(t_, g_, kPassesPerSweep);
        Gy_.col(c) = g_.array() + kFloor;
        W_.col(c) = floor_;
        for (Eigen::Index j = 0; j < g_.size(); ++j)
            if (g_(j) > 0.0) W_.col(c).noalias() += g_(j) * V_.col(j);
    }
    // Exposures: HALS passes over the columns of H.
    Q_.noalias() = V_.transpose() * W_;
    KK_.noalias() = W_.transpose() * W_;
    hals_block(Hy_, Q_, KK_, h_passes_);
    return objective();
}

double HalsStepper::step(Eigen::MatrixXd& G, Eigen::MatrixXd& H) {
    const double f = sweep();  // (Gy_, Hy_) now hold the update N
    if (!extrapolate_) {
        G = Gy_;
        H = Hy_;
        f_best_ = f;
        return f;
    }
    if (f < f_best_) {
        f_best_ = f;
        G = Gy_;
        H = Hy_;
    }
    if (f <= f_prev_) {
        beta_max_ = std::min(1.0, kHerGammaBar * beta_max_);
        beta_ = std::min(beta_max_, kHerGamma * beta_);
        // Y <- max(0, N + beta (N - N_prev)); N_prev <- N.
        Gn_.swap(Gy_);  // Gn_ = N, Gy_ = N_prev
        Hn_.swap(Hy_);
        Gy_ = (Gn_ + beta_ * (Gn_ - Gy_)).cwiseMax(kFloor);
        Hy_ = (Hn_ + beta_ * (Hn_ - Hy_)).cwiseMax(0.0);
        signatures_of(Gy_);
        f_prev_ = f;
    } else {
        // Restart from the best point, without extrapolation.
        beta_max_ = beta_;
        beta_ /= kHerEta;
        Gy_ = G;
        Hy_ = H;
        Gn_ = G;
        Hn_ = H;
        signatures_of(Gy_);
        f_prev_ = f_best_;
    }
    return f_best_;
}

// ---------------------------------------------------------------- the start

int hals_block(Eigen::MatrixXd& X, const Eigen::MatrixXd& P, const Eigen::MatrixXd& KK, int max_passes) {
    // The rows of X are independent problems: kHalsRows of them at a time run all their passes while they are in
    // the cache, each block with its own stop (a whole X of 200 000 x 10 is 16 MB, passed over K times per pass).
    const Eigen::Index k = X.cols(), n = X.rows();
    Eigen::VectorXd column;
    int most = 0;
    for (Eigen::Index r0 = 0; r0 < n; r0 += kHalsRows) {
        const Eigen::Index rows = std::min<Eigen::Index>(kHalsRows, n - r0);
        auto Xb = X.middleRows(r0, rows);
        const auto Pb = P.middleRows(r0, rows);
        double first = 0.0;
        int pass = 0;
        while (pass < max_passes) {
            ++pass;
            double change = 0.0;
            for (Eigen::Index c = 0; c < k; ++c) {
                if (!(KK(c, c) > 0.0)) continue;
                column = (Xb.col(c) + (Pb.col(c) - Xb * KK.col(c)) / KK(c, c)).cwiseMax(0.0);
                change += (column - Xb.col(c)).squaredNorm();
                Xb.col(c) = column;
            }
            if (pass == 1)
                first = change;
            else if (!(change > kInnerEps * kInnerEps * first))
                break;
        }
        most = std::max(most, pass);
    }
    return most;
}

int inner_passes(Eigen::Index product_cost, Eigen::Index pass_cost) {
    const double ratio = static_cast<double>(product_cost) / static_cast<double>(std::max<Eigen::Index>(1, pass_cost));
    return static_cast<int>(std::clamp(1.0 + kInnerShare * ratio, 1.0, static_cast<double>(kMaxInnerPasses)));
}

void nmf_hals(const Eigen::MatrixXd& V, Eigen::MatrixXd& W, Eigen::MatrixXd& H, int iterations) {
    Eigen::MatrixXd P, KK;
    for (int it = 0; it < iterations; ++it) {
        P.noalias() = V * H;
        KK.noalias() = H.transpose() * H;
        hals_block(W, P, KK, 1);
        P.noalias() = V.transpose() * W;
        KK.noalias() = W.transpose() * W;
        hals_block(H, P, KK, 1);
    }
}

void nndsvd(const Eigen::MatrixXd& V, int k, Eigen::MatrixXd& W, Eigen::MatrixXd& H) {
    const Eigen::Index m = V.rows(), n = V.cols();
    if (k < 1) throw std::invalid_argument("cnmf: k must be at least 1");
    const Eigen::MatrixXd M = V * V.transpose();
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(M);
    W.setZero(m, k);
    H.setZero(n, k);
    for (int c = 0; c < std::min<Eigen::Index>(k, m); ++c) {
        const Eigen::Index e = m - 1 - c;  // eigenvalues ascend
        const double lambda = eig.eigenvalues()(e);
        if (!(lambda > 0.0)) break;  // rank(V) < k: the remaining columns stay zero
        const double sigma = std::sqrt(lambda);
        const Eigen::VectorXd u = eig.eigenvectors().col(e);
        const Eigen::VectorXd v = V.transpose() * u / sigma;
        if (c == 0) {  // the leading pair can be taken non-negative (Perron-Frobenius)
            W.col(0) = std::sqrt(sigma) * u.cwiseAbs();
            H.col(0) = std::sqrt(sigma) * v.cwiseAbs();
            continue;
        }
        const Eigen::VectorXd up = u.cwiseMax(0.0), un = (-u).cwiseMax(0.0);
        const Eigen::VectorXd vp = v.cwiseMax(0.0), vn = (-v).cwiseMax(0.0);
        const double mp = up.norm() * vp.norm(), mn = un.norm() * vn.norm();
        const bool positive = mp >= mn;
        const double mass = positive ? mp : mn;
        if (!(mass > 0.0)) continue;
        const double f = std::sqrt(sigma * mass);
        W.col(c) = f * (positive ? up / up.norm() : un / un.norm());
        H.col(c) = f * (positive ? vp / vp.norm() : vn / vn.norm());
    }
}

void iterate(const Eigen::MatrixXd& V, Eigen::MatrixXd& G, Eigen::MatrixXd& H, int n) {
    Stepper stepper(V);
    stepper.reset(G, H);
    for (int i = 0; i < n; ++i) stepper.step(G, H);
}

Eigen::MatrixXd cone_of(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W) {
    ConeProjection projection(V);
    Eigen::MatrixXd G(V.cols(), W.cols());
    Eigen::VectorXd t, g;
    for (Eigen::Index c = 0; c < W.cols(); ++c) {
        t = W.col(c);
        g.setZero(V.cols());
        projection.solve(t, g);
        G.col(c) = g;
    }
    return G;
}

std::uint64_t start_seed(std::uint64_t seed, int index) {
    if (index == 0) return seed;
    plugin_kit::SplitMix64 mix(seed ^ (0xD1B54A32D192ED03ULL * static_cast<std::uint64_t>(index)));
    return mix.next();
}

void initialise(const Eigen::MatrixXd& V, int k, Init init, std::uint64_t seed, Eigen::MatrixXd& G, Eigen::MatrixXd& H,
                int index) {
    const Eigen::Index n = V.cols();
    if (k < 1 || k > n) throw std::invalid_argument("cnmf: k must be between 1 and the number of samples");
    if (index < 0) throw std::invalid_argument("cnmf: a start's index must be >= 0");
    plugin_kit::SplitMix64 random(start_seed(seed, index));
    G.resize(n, k);
    H.resize(n, k);
    Eigen::MatrixXd P;  // the samples' mutation profiles (columns of V scaled to sum 1)
    auto profiles = [&] {
        P = V;
        for (Eigen::Index j = 0; j < n; ++j) {
            const double s = P.col(j).sum();
            if (s > 0) P.col(j) /= s;
        }
    };
    if (init == Init::nmf) {
        Eigen::MatrixXd W;
        if (index == 0) {
            nndsvd(V, k, W, H);
        } else if (index % 2 == 1) {
            // k-means on the profiles; W = the profile of each cluster's medoid (the member nearest its centre),
            // H = indicators + 0.2.
            profiles();
            const std::vector<int> assign = kmeans(P, k, random);
            Eigen::MatrixXd centre = Eigen::MatrixXd::Zero(V.rows(), k);
            Eigen::VectorXd size = Eigen::VectorXd::Zero(k);
            for (Eigen::Index j = 0; j < n; ++j) {
                centre.col(assign[static_cast<std::size_t>(j)]) += P.col(j);
                size(assign[static_cast<std::size_t>(j)]) += 1;
            }
            W = Eigen::MatrixXd::Zero(V.rows(), k);
            Eigen::VectorXd nearest = Eigen::VectorXd::Constant(k, std::numeric_limits<double>::infinity());
            for (Eigen::Index j = 0; j < n; ++j) {
                const int c = assign[static_cast<std::size_t>(j)];
                const double d = (P.col(j) - centre.col(c) / std::max(1.0, size(c))).squaredNorm();
                if (d < nearest(c)) {
                    nearest(c) = d;
                    W.col(c) = P.col(j);
                }
            }
            H.setConstant(0.2);
            for (Eigen::Index j = 0; j < n; ++j) H(j, assign[static_cast<std::size_t>(j)]) += 1.0;
        } else {
            W.resize(V.rows(), k);
            const double scale = std::sqrt(V.mean() / k);
            for (Eigen::Index i = 0; i < W.size(); ++i) W.data()[i] = scale * random.open01();
            for (Eigen::Index i = 0; i < H.size(); ++i) H.data()[i] = scale * random.open01();
        }
        nmf_hals(V, W, H, kNmfStartIterations);
        G = cone_of(V, W);
        return;
    }
    if (init == Init::random) {
        const double scale = std::sqrt(1.0 / (static_cast<double>(n) * k));
        for (Eigen::Index c = 0; c < k; ++c)
            for (Eigen::Index j = 0; j < n; ++j) G(j, c) = scale * random.open01();
        for (Eigen::Index c = 0; c < k; ++c)
            for (Eigen::Index j = 0; j < n; ++j) H(j, c) = scale * random.open01();
        return;
    }
    profiles();
    const std::vector<int> assign = kmeans(P, k, random);
    Eigen::VectorXd size = Eigen::VectorXd::Zero(k);
    for (Eigen::Index j = 0; j < n; ++j) size(assign[static_cast<std::size_t>(j)]) += 1;
    H.setConstant(0.2);
    for (Eigen::Index j = 0; j < n; ++j) H(j, assign[static_cast<std::size_t>(j)]) += 1.0;
    G = H * size.cwiseMax(1.0).cwiseInverse().asDiagonal();
}

namespace {

// The solver's iteration behind one interface: reset() at a start, step() one iteration, both returning the
// objective; the factors live in G, H (step() updates them in place).
class Iteration {
public:
    Iteration(const Eigen::MatrixXd& V, Solver solver) : solver_(solver), mu_(V), hals_(V) {}
    double reset(const Eigen::MatrixXd& G, const Eigen::MatrixXd& H) {
        return solver_ == Solver::mu ? mu_.reset(G, H) : hals_.reset(G, H);
    }
    double step(Eigen::MatrixXd& G, Eigen::MatrixXd& H) {
        return solver_ == Solver::mu ? mu_.step(G, H) : hals_.step(G, H);
    }

private:
    Solver solver_;
    Stepper mu_;
    HalsStepper hals_;
};

// A start made ready for the solver: the multiplicative updates cannot move an entry away from zero, so it
// gets kFloor; the block coordinate descent wants sparse G (its projections are warm-started from G's support),
// so a start with more than rank-many entries in a column of G is mapped to cone_of(V, V G).
void prepare(const Eigen::MatrixXd& V, Solver solver, Eigen::MatrixXd& G, Eigen::MatrixXd& H) {
    if (solver == Solver::mu) {
        G = G.cwiseMax(kFloor);
        H = H.cwiseMax(kFloor);
        return;
    }
    H = H.cwiseMax(0.0);
    G = G.cwiseMax(0.0);
    bool dense = false;
    for (Eigen::Index c = 0; c < G.cols(); ++c) dense = dense || (G.col(c).array() > 0.0).count() > V.rows();
    if (dense) G = cone_of(V, V * G);
}

}  // namespace

Result fit(const Eigen::MatrixXd& V, const Options& options, const Eigen::MatrixXd* W0, const Eigen::MatrixXd* H0,
           const std::function<bool(int, double)>& progress) {
    if (options.starts < 1) throw std::invalid_argument("cnmf: starts must be at least 1");
    Result result;
    Iteration iteration(V, options.solver);
    if (W0 != nullptr && H0 != nullptr) {
        result.G = options.solver == Solver::mu ? g_from_signatures(V, *W0) : cone_of(V, *W0);
        result.H = *H0;
        prepare(V, options.solver, result.G, result.H);
    } else if (options.starts == 1) {
        initialise(V, options.k, options.init, options.seed, result.G, result.H);
        prepare(V, options.solver, result.G, result.H);
    } else {
        // Screening: every start runs until it stalls; the lowest objective goes on.
        const int limit = kScreenMaxIter;
        double best = std::numeric_limits<double>::infinity();
        Eigen::MatrixXd G, H;
        for (int index = 0; index < options.starts; ++index) {
            initialise(V, options.k, options.init, options.seed, G, H, index);
            prepare(V, options.solver, G, H);
            plugin_kit::StopRule stall(kScreenTol, kScreenWindow);
            double f = iteration.reset(G, H);
            stall.converged(f);
            for (int it = 1; it <= limit && std::isfinite(f); ++it) {
                f = iteration.step(G, H);
                if (stall.converged(f)) break;
            }
            result.screened.push_back(f);
            if (f < best || index == 0) {
                if (f < best) best = f;
                result.chosen = index;
                result.G = G;
                result.H = H;
            }
        }
    }
    plugin_kit::iterate(result, iteration.reset(result.G, result.H), options.max_iter, options.tol, options.tol_window,
                        progress, [&] { return iteration.step(result.G, result.H); });
    if (!result.screened.empty() && result.status == Status::ok)
        result.message = "start " + std::to_string(result.chosen + 1) + " of " + std::to_string(options.starts) +
                         " went on; " + result.message;
    return result;
}

}  // namespace sigstream::cnmf
