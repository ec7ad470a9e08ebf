// Non-negative matrix factorisation V ~ W H (Lee & Seung 2001) with V rows x cols (channels x samples),
// W rows x K, H K x cols, all dense double.
//
// Objectives
//   kl         D(V || WH) = sum V log(V / WH) - V + WH, with 0 log 0 = 0 (generalised KL divergence)
//   frobenius  0.5 ||V - WH||_F^2
// Solvers (one iteration = W updated first, then H, as scikit-learn does)
//   mu   Lee-Seung multiplicative updates, exactly:
//          kl:        W <- W o ((V / WH) H^T) / (1 H^T);   H <- H o (W^T (V / WH)) / (W^T 1)
//          frobenius: W <- W o (V H^T) / (W H H^T);        H <- H o (W^T V) / (W^T W H)
//   ccd  cyclic coordinate descent (Hsieh & Dhillon 2011, "Fast coordinate descent methods with variable
//        selection for non-negative matrix factorization", KDD):
//          kl:        every entry of W (then of H) in turn, with the others fixed, gets kNewtonSteps
//                     safeguarded one-variable Newton steps on the (convex) KL objective; see
//                     nmf_core.cpp: the safeguard makes every step decrease the objective.
//          frobenius: HALS, the exact minimisation over one column of W (row of H) at a time.
//   ccd-her (the default)  kl: ccd with extrapolation and restarts (Ang & Gillis 2019, "Accelerating
//        nonnegative matrix factorization algorithms using extrapolation", Neural Computation 31(2)). From the
//        point (Wy, Hy) one ccd iteration gives (Wn, Hn) (W, then H with the new, not extrapolated, W); then
//          Wy <- max(kFloor, Wn + beta (Wn - Wn_prev)),  Hy <- max(kFloor, Hn + beta (Hn - Hn_prev))
//        and the objective is evaluated at (Wy, Hy). If it is higher than at the previous evaluated point,
//        the iteration restarts from (Wn, Hn) (evaluated too), beta_max <- beta, beta <- beta / kHerEta;
//        else beta_max <- min(1, kHerGammaBar beta_max), beta <- min(beta_max, kHerGamma beta). step() hands
//        back the best evaluated point so far and its objective, so the reported objective never increases
//        and is the objective of the returned factors (the iterate the next step starts from may differ).
//        Cost per iteration: ccd's, plus an objective evaluation on a restart. (Extrapolating H with the
//        extrapolated W before it, as in the paper's HER, took 2x more iterations on the benchmark; mu with
//        the same scheme was ~2x faster than mu on the benchmark but slower than mu on other data.) A
//        caveat for tol > 0: the best objective can stay flat for the 10 iterations of the convergence
//        window while restarts recover, which would stop the fit early (not seen in practice).
//        frobenius: ccd-her is ccd (HALS), without extrapolation.
// Floors: after every update every entry of W and H is set to max(entry, kFloor), so that no entry
// becomes exactly zero; then WH >= K kFloor^2 > 0 and 1 H^T, W^T 1, W H H^T, W^T W H > 0, so no
// denominator needs its own epsilon (scikit-learn instead clips WH and zero denominators to float32
// machine epsilon, 1.19e-7, in its KL update). kFloor is absolute: it assumes V is not scaled to
// values near 1e-16.
// Cost: the products run on nmf_kernels.h (register-blocked, built for every instruction-set level and chosen at
// run time; every level gives the same bits); an MU iteration is four rows x cols x K products for kl (V / WH computed
// for the objective after an iteration is reused by the next W update) and two for frobenius (plus K x K x cols ones),
// a ccd iteration for kl 2 x kNewtonSteps x K quotients per entry of V (one division per two: see
// nmf_kernels.cpp), each half-sweep over copies of V and V^T in panels of two vectors' lanes (kernels::pack: a
// panel's data is contiguous, so its K sweeps stay in cache; striding over V instead was 1.6x slower per iteration
// at 96 x 10 000). The objective is evaluated after every iteration (the trace needs it); kl's is summed from the
// same V / WH for mu, from W H made kKlChunk columns at a time for ccd (Stepper::kl_objective), frobenius's from the
// products (see Stepper::frobenius_after_h).
#ifndef SIGSTREAM_PLUGINS_NMF_CORE_H
#define SIGSTREAM_PLUGINS_NMF_CORE_H

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "plugin_kit.h"
#include "sigstream_backend.h"

namespace sigstream::nmf {

namespace kernels {
struct Table;
}

inline constexpr double kFloor = 1e-16;
// Newton steps per variable per sweep in the ccd solver for kl. One: a second step on the same variable costs as
// much as a step on the next one (a pass over its row or column of V) and gained less — on a 96 x 1000 cohort at
// K = 8 and 15, one step per sweep reached the same or lower objectives in 35-70 % less time.
inline constexpr int kNewtonSteps = 1;
// Extrapolation with restarts (solver ccd-her; Ang & Gillis 2019): initial beta, its shrink factor on
// a restart, its growth factor, and the growth factor of its cap.
inline constexpr double kHerBeta0 = 0.5, kHerEta = 1.5, kHerGamma = 1.05, kHerGammaBar = 1.01;

// Columns per piece when the KL divergence alone is computed (Stepper::kl_objective): W H of 512 columns of 96
// rows is 384 KB, well inside a core's L2 (writing all of W H and reading it back cost 2x more at 10 000 samples).
inline constexpr int kKlChunk = 512;

enum class Objective { kl, frobenius };
enum class Solver { ccd, mu, ccd_her };
enum class Init { random, nndsvd, nndsvda };

// Objectives evaluated directly from the data (reference implementations).
double kl_divergence(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H);
double frobenius(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H);  // 0.5||.||^2
double objective(Objective objective, const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H);

// Runs iterations of one (objective, solver) pair, keeping the products it can reuse between them.
// Holds V by reference (V must outlive it); W and H may only change through step() or before reset().
class Stepper {
public:
    // `isa`: the kernels' level (src/abi/sigstream_isa.h), which the CPU must run; 0 = simd::level().
    Stepper(const Eigen::MatrixXd& V, Objective objective, Solver solver, int isa = 0);
    // Starts from (W, H); returns the objective there.
    double reset(const Eigen::MatrixXd& W, const Eigen::MatrixXd& H);
    // One iteration (W, then H) in place; returns the objective after it (NaN when objective is false and the
    // solver can skip it: kl mu).
    double step(Eigen::MatrixXd& W, Eigen::MatrixXd& H, bool objective = true);

private:
    void mu_kl_w(Eigen::MatrixXd& W, const Eigen::MatrixXd& H);
    void mu_kl_h(const Eigen::MatrixXd& W, Eigen::MatrixXd& H);
    void ccd_kl_w(Eigen::MatrixXd& W, const Eigen::MatrixXd& H);
    void ccd_kl_h(const Eigen::MatrixXd& W, Eigen::MatrixXd& H);
    static void extrapolate(Eigen::MatrixXd& X, Eigen::MatrixXd& Prev, double beta);
    double her_evaluate();
    double step_her(Eigen::MatrixXd& W, Eigen::MatrixXd& H);
    double kl_ratio(const Eigen::MatrixXd& W, const Eigen::MatrixXd& H, bool objective);
    double kl_objective(const Eigen::MatrixXd& W, const Eigen::MatrixXd& H);
    void pad_w(const Eigen::MatrixXd& W);
    double kl_total(const double* lanes) const;
    void v_times_ht(const Eigen::MatrixXd& H, const Eigen::MatrixXd& M);
    double frobenius_after_h(const Eigen::MatrixXd& W, const Eigen::MatrixXd& H);
    void gram_h(const Eigen::MatrixXd& H);

    const Eigen::MatrixXd& V_;
    const kernels::Table& k_;
    Objective objective_;
    Solver solver_;
    int m_, np_;                           // rows and cols padded to multiples of the kernels' vector width
    double vsum_ = 0;                      // sum V
    double vnorm2_ = 0;                    // ||V||_F^2
    double cross_ = 0;                     // <W^T V, H> after an update of H (frobenius)
    Eigen::MatrixXd Vp_;                   // V with zero rows appended (m_ x cols)
    Eigen::MatrixXd Vtp_;                  // V^T with zero rows appended (np_ x rows; frobenius)
    Eigen::VectorXd Vpan_, Vtpan_;         // kl ccd: Vp_ and V^T (np_ x rows) in the kernels' panels (kernels::pack)
    Eigen::VectorXd Uchunk_;               // kl_objective: W H for kKlChunk columns
    Eigen::VectorXd upanel_;               // kl ccd: one panel's W H (kernels::Table::ccd_kl)
    Eigen::MatrixXd U_;                    // m_ x cols: W H, then V / W H (kl mu, and the objective)
    Eigen::MatrixXd Wp_;                   // W with zero rows appended (m_ x K)
    Eigen::MatrixXd Wtp_;                  // W^T, zero-padded (padded K x m_)
    Eigen::MatrixXd NW_;                   // m_ x K: (V / WH) H^T (mu kl) or V H^T (frobenius) for the current factors
    Eigen::MatrixXd HH_;                   // H H^T for the current H (frobenius)
    Eigen::MatrixXd Q_;                    // W^T W
    Eigen::MatrixXd P_;                    // W^T (V / WH) (padded K x cols), or V^T W (np_ x K)
    Eigen::MatrixXd Htp_, Den_, Wt_, Hp_;  // H^T with zero rows appended, scratch, W^T, H with zero rows appended
    // Extrapolation (kl with ccd-her): the base solver (ccd), the point the next update starts from (Wy_, Hy_),
    // the last updates before extrapolation (Wn_, Hn_), beta and its cap, the objective at the last evaluated
    // point and the best one (that of the factors step() hands back).
    bool her_ = false;
    Solver base_ = Solver::ccd;
    Eigen::MatrixXd Wy_, Hy_, Wn_, Hn_;
    double beta_ = 0, beta_max_ = 1, fprev_ = 0, fbest_ = 0;
};

// n iterations from (W, H), in place (convenience for tests and the driver).
void iterate(const Eigen::MatrixXd& V, Eigen::MatrixXd& W, Eigen::MatrixXd& H, Objective objective, Solver solver,
             int n);

// Starting point, deterministic for a seed; every entry is then floored at kFloor.
//  random:  W, H uniform on (0, 1) times sqrt(mean(V) / K) (scikit-learn's scale; it uses |N(0, 1)|)
//  nndsvd:  Boutsidis & Gallopoulos (2008) from the exact thin SVD of V (seed unused); its zeros stay at
//           kFloor, which multiplicative updates can hardly leave (prefer nndsvda with solver=mu)
//  nndsvda: nndsvd with its zeros replaced by mean(V)
void initialise(const Eigen::MatrixXd& V, int k, Init init, std::uint64_t seed, Eigen::MatrixXd& W, Eigen::MatrixXd& H);

struct Options : plugin_kit::Settings {  // k, max_iter, tol, tol_window, seed, trace_stride
    Objective objective = Objective::kl;
    Solver solver = Solver::ccd_her;
    Init init = Init::random;
    int isa = 0;  // the kernels' level; 0 = simd::level() (not a backend parameter: for benchmarks and tests)
};

using Status = plugin_kit::Status;

// The factors, and the trace, iterations, status and message (plugin_kit::FitRecord).
struct Result : plugin_kit::FitRecord {
    Eigen::MatrixXd W, H;
};

// The backend as seen through the ABI (the plugin's sigstream_backend_info() returns this); in the core
// library so that tests can call fit() through the ABI without loading the plugin.
const sigstream_backend* backend();

// Full fit: from (W0, H0) when both are non-null (used exactly, then floored at kFloor), else from
// initialise(); then plugin_kit::iterate() (progress, may be empty, is called after each iteration;
// returning true stops the fit).
Result fit(const Eigen::MatrixXd& V, const Options& options, const Eigen::MatrixXd* W0, const Eigen::MatrixXd* H0,
           const std::function<bool(int, double)>& progress);

}  // namespace sigstream::nmf

#endif
