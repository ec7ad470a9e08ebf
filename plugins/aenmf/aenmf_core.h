// AE-NMF (Egendal et al., "On the relation between autoencoders and non-negative matrix factorization, and
// their application for mutational signature extraction"): a shallow linear autoencoder without biases
// whose observations are the rows (channels) of V and whose input features are its columns (samples):
//
//   V^ = V f(E) f(D),   encoder E: cols x K,   decoder D: K x cols,
//   signatures W = V f(E) (rows x K),   exposures H = f(D) (K x cols).
//
// Non-negativity: f = |.| in the forward pass (Constraint::abs, the paper's setting), or f = identity with
// E and D clamped at 0 after every optimiser step (Constraint::project). With f the identity on
// non-negative weights this is exactly convex NMF, V ~ V G H^T with G = E and H = D^T (Ding, Li & Jordan).
//
// Losses (both evaluated entry by entry from the residual, never from a trace identity, in the
// reference functions below):
//   LossKind::mse      mean squared error  ||V - V^||_F^2 / (rows * cols)  (the paper)
//   LossKind::poisson  generalised KL divergence / Poisson deviance / 2:
//                          sum_ij  mu_ij - V_ij + V_ij log(V_ij / mu_ij),  mu = V^ + delta,
//                      with 0 log 0 = 0. It differs from the Poisson negative log-likelihood
//                      sum(V^ - V log V^) only by a constant and by the floor delta = 1e-10 * mean(V),
//                      which is added (not clamped) so the loss stays smooth and finite when an entry of
//                      V^ is 0; it is 0 for an exact fit.
//
// Derivatives: with Gamma = dLoss/dV^ (mse: 2 (V^ - V) / (rows cols); poisson: 1 - V / mu),
//   dLoss/df(E) = V^T (Gamma f(D)^T),   dLoss/df(D) = (V f(E))^T Gamma,
// then times f'(.) elementwise: f' = 1 for project, sign(.) for abs with the right derivative (+1) at
// exactly 0 (so a zero entry, e.g. from a W0/H0 start, is not frozen; PyTorch uses 0 there).
//
// Cost: nothing forms the cols x cols Gram matrix V^T V; products with it are V^T (V X). One loss and
// gradient evaluation costs O(rows * cols * K) time and O(rows * cols) memory.
#ifndef SIGSTREAM_PLUGINS_AENMF_CORE_H
#define SIGSTREAM_PLUGINS_AENMF_CORE_H

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "aenmf_kernels.h"
#include "cnmf_core.h"
#include "plugin_kit.h"
#include "sigstream_backend.h"

namespace sigstream::aenmf {

enum class Constraint { abs, project };
enum class LossKind { mse, poisson };
enum class Init { cnmf, scaled, uniform };
// The step-size schedule: plateau (halve after `patience` steps without a new best loss), constant, backtrack (a
// step that does not lower the loss is undone and the step size halved, so the loss never rises), or automatic
// (Options::schedule_auto: backtrack for init=cnmf, plateau otherwise).
enum class Schedule { plateau, constant, backtrack };

using MatrixRef = Eigen::Ref<const Eigen::MatrixXd>;

// f(X): |X| for abs, X for project.
Eigen::MatrixXd activate(const MatrixRef& X, Constraint constraint);

// The Poisson floor delta = 1e-10 * mean(V) (V has a positive sum).
double poisson_floor(const MatrixRef& V);

// V f(E) f(D).
Eigen::MatrixXd reconstruction(const MatrixRef& V, const MatrixRef& E, const MatrixRef& D, Constraint constraint);

// The loss at (E, D). V rows x cols, E cols x K, D K x cols.
double loss(const MatrixRef& V, const MatrixRef& E, const MatrixRef& D, Constraint constraint, LossKind loss_kind);

// Gradients of loss() with respect to E (cols x K) and D (K x cols); dE and dD are resized. Returns the loss.
double gradient(const MatrixRef& V, const MatrixRef& E, const MatrixRef& D, Constraint constraint, LossKind loss_kind,
                Eigen::MatrixXd& dE, Eigen::MatrixXd& dD);

// The fitting loop's evaluator: the loss and its gradient at Theta = [E | D^T] (cols x 2K, the layout the
// optimiser works in), with every buffer allocated once. V is held by reference and must outlive it.
//
// Form::gram (MSE only) uses ||V - S B||^2 = ||V||^2 - 2 <S, V B^T> + <S^T S, B B^T> (S = V f(E), B = f(D)),
// so that a step needs two products with V of width 2K, V [f(E) | f(D)^T] and V^T [S B B^T - V B^T | -S],
// (4 rows cols K multiply-adds) and no rows x cols temporary. The expansion loses about
// 1e-16 ||V||^2 in absolute accuracy, so Form::automatic uses it only while the loss is above
// kGramGuard * ||V||^2 / (rows cols) (the relative error of the loss then stays below ~1e-12), and
// otherwise (and for Poisson, and for the first evaluation) the residual form, which computes V^ and the
// residual explicitly (5 rows cols K multiply-adds).
class Evaluator {
public:
    enum class Form { automatic, gram, residual };
    static constexpr double kGramGuard = 1e-4;

    // isa: the kernels' version (results are the same with every version; only the speed differs).
    Evaluator(const MatrixRef& V, int k, Constraint constraint, LossKind loss_kind,
              kernels::Isa isa = kernels::best_isa());
    // Returns the loss at Theta and writes dLoss/dTheta into G (cols x 2K, must have that size).
    double evaluate(const Eigen::MatrixXd& Theta, Eigen::MatrixXd& G, Form form = Form::automatic);
    // S = V f(E) at the Theta of the last evaluate().
    Eigen::Ref<const Eigen::MatrixXd> signatures() const { return Y_.leftCols(k_); }
    int rows() const { return static_cast<int>(V_.rows()); }
    int cols() const { return static_cast<int>(V_.cols()); }
    int k() const { return k_; }

private:
    double evaluate_gram(Eigen::MatrixXd& G);
    double evaluate_residual(Eigen::MatrixXd& G);

    MatrixRef V_;
    int k_;
    Constraint constraint_;
    LossKind loss_kind_;
    kernels::Isa isa_;
    double v_norm2_;       // ||V||_F^2
    double delta_;         // Poisson floor
    double scale_;         // 1 / (rows cols) for mse
    double last_loss_;     // for Form::automatic
    Eigen::MatrixXd Vt_;   // V^T, cols x rows
    Eigen::MatrixXd X_;    // f(Theta) = [f(E) | f(D)^T], cols x 2K
    Eigen::MatrixXd Y_;    // V X = [S | V f(D)^T], rows x 2K
    Eigen::MatrixXd Z_;    // rows x 2K
    Eigen::MatrixXd R_;    // residual / Gamma, rows x cols (allocated on first use)
    Eigen::MatrixXd Bk_;   // f(D), K x cols (residual form)
    Eigen::MatrixXd StS_;  // K x K
    Eigen::MatrixXd BBt_;  // K x K
};

// Fit settings. lr <= 0 (or NaN) means "auto": kPaperLr = 1e-4 for init uniform without a given start
// (the paper's setting), otherwise kAutoLrFactor * RMS of the starting weights [E | D^T] (see README.md).
// init=cnmf starts from the convex NMF fit of plugins/cnmf (start_from_cnmf()).
// k, max_iter, tol, tol_window and seed come from plugin_kit::Settings; the stop rule is the ABI's
// (plugin_kit::StopRule): the best loss fell by a relative amount below tol over the host's tol_window steps;
// tol == 0 runs exactly max_iter steps. Called directly (not through the ABI) it runs the host's defaults.
struct Options : plugin_kit::Settings {
    Options() {
        max_iter = 10000;
        tol = 1e-7;
    }
    Constraint constraint = Constraint::abs;
    LossKind loss = LossKind::mse;
    Init init = Init::cnmf;
    int starts = cnmf::kDefaultStarts;  // init=cnmf: the convex NMF fit's starts
    double lr = 0.0;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    // The schedule: with schedule_auto, backtrack for init=cnmf and plateau otherwise (a start from the host
    // counts as not cnmf); else `schedule`. plateau halves the step size whenever `patience` steps in a row bring
    // no new best loss; 0 = half the stop rule's window (tol_window).
    int patience = 0;
    bool schedule_auto = true;
    Schedule schedule = Schedule::plateau;
    kernels::Isa isa = kernels::best_isa();  // not a backend parameter: for benchmarks and tests
};

inline constexpr double kAutoLrFactor = 0.2;
inline constexpr double kCnmfLrFactor = 0.2;  // lr=auto for init=cnmf: this times the RMS of the start
inline constexpr double kPaperLr = 1e-4;

using Status = plugin_kit::Status;

// The weights, and the trace (loss at the start and after each Adam step), iterations, status and message
// (plugin_kit::FitRecord).
struct Result : plugin_kit::FitRecord {
    Eigen::MatrixXd E;  // cols x K
    Eigen::MatrixXd D;  // K x cols
    bool converged = false;
    double lr = 0.0;                        // the starting step size
    double final_lr = 0.0;                  // the step size at the end (smaller after plateau or backtrack halvings)
    Schedule schedule = Schedule::plateau;  // the schedule used
    int rejected = 0;                       // backtrack: the steps undone
    std::string start_message;              // init=cnmf: how the start was found
};

// Deterministic starting weights for a seed (xoshiro256** seeded by splitmix64; uniform draws are the top
// 53 bits, in [0, 1)): E (cols x K, column-major order) then D (K x cols).
//   uniform: E, D uniform on [0, 1) (the paper's start);
//   scaled:  the same draws times sqrt(c), c the least-squares (mse) or sum-matching (poisson) scale of
//            V f(E) f(D) against V, so the start has the data's magnitude with E and D balanced.
void initialise(const MatrixRef& V, const Options& options, Eigen::MatrixXd& E, Eigen::MatrixXd& D);

// Start from given signatures and exposures (rows x K, K x cols, non-negative): D = H0 and each column of
// E the non-negative least-squares solution of V e ~ W0 column (Lawson-Hanson active set: exact, at most
// rank(V) <= rows non-zero entries, O(rows^2 cols) per column), then E and D rescaled by c and 1/c to
// equal norms (V f(E) f(D) is unchanged; one Adam step size then suits both). So V f(E) is the closest
// point to W0 in the cone of the samples (W0 itself when it lies in that cone) and f(D) = H0 up to the
// common factor.
void start_from_factors(const MatrixRef& V, const MatrixRef& W0, const MatrixRef& H0, Eigen::MatrixXd& E,
                        Eigen::MatrixXd& D);

// The convex NMF start (init=cnmf): plugins/cnmf's default fit (cnmf::fit with options.starts starts, seeded by
// options.seed; at most kCnmfStartMaxIter iterations, stopping when the objective falls by less than a relative
// kCnmfStartTol over kCnmfStartWindow iterations), mapped to E = c G, D = H^T / c (same model: V f(E) f(D) =
// V G H^T for E, D >= 0) with c balancing the norms of E and D. `message` says which start went on and its loss.
// Throws plugin_kit::Numerical when that fit fails numerically.
inline constexpr int kCnmfStartMaxIter = 2000;
inline constexpr double kCnmfStartTol = 1e-7;
inline constexpr int kCnmfStartWindow = 10;
void start_from_cnmf(const MatrixRef& V, const Options& options, Eigen::MatrixXd& E, Eigen::MatrixXd& D,
                     std::string& message);

// Full-batch Adam from (E0, D0) if both non-null, else from start_from_cnmf() (init=cnmf) or initialise(). progress
// (may be empty) is called after every step with (iteration, loss); returning true stops the fit (Status::stopped,
// current weights returned).
Result fit(const MatrixRef& V, const Options& options, const Eigen::MatrixXd* E0, const Eigen::MatrixXd* D0,
           const std::function<bool(int, double)>& progress);

// The backend as seen through the ABI (the plugin's sigstream_backend_info() returns it); aenmf_backend.cpp.
const sigstream_backend* backend();

}  // namespace sigstream::aenmf

#endif
