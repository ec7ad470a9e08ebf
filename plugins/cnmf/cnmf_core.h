// Convex NMF (Ding, Li & Jordan 2010, "Convex and semi-nonnegative matrix factorizations", IEEE TPAMI 32(1)):
//   V ~ V G H^T,  G >= 0, H >= 0, both cols x K,
// so the signatures are W = V G (rows x K, non-negative combinations of the samples) and the exposures
// are H^T (K x cols). The objective is the squared Frobenius error ||V - V G H^T||_F^2 (no 1/2).
//
// Nothing here forms the cols x cols Gram matrix A = V^T V: every product A X is computed as V^T (V X),
// so one iteration costs O(rows * cols * K) time and O(rows * cols) memory.
//
// This header is used by the cnmf plugin, its tests, tests/plugins/mu_driver.cpp and the AE-NMF
// backend (which compares with, and starts from, convex NMF).
#ifndef SIGSTREAM_PLUGINS_CNMF_CORE_H
#define SIGSTREAM_PLUGINS_CNMF_CORE_H

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "plugin_kit.h"
#include "sigstream_backend.h"

namespace sigstream::cnmf {

// Every entry of G and H is kept >= kFloor after each update, so that no entry becomes exactly zero
// (a multiplicative update cannot move an entry away from zero).
inline constexpr double kFloor = 1e-16;

// ||V - V G H^T||_F^2, evaluated from the residual itself (not from a trace identity), so it stays
// accurate when the fit is nearly exact. V rows x cols; G, H cols x K.
double objective(const Eigen::MatrixXd& V, const Eigen::MatrixXd& G, const Eigen::MatrixXd& H);

// ||V - W H^T||_F^2 for given W (rows x K), evaluated a block of columns at a time; R is scratch.
double residual(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H, Eigen::MatrixXd& R);

// Gradients of objective() with respect to G and H (both cols x K):
//   dG = -2 V^T (V H - W (H^T H)),   dH = -2 (V^T W - H (W^T W)),   with W = V G.
// dG and dH are resized as needed.
void gradient(const Eigen::MatrixXd& V, const Eigen::MatrixXd& G, const Eigen::MatrixXd& H, Eigen::MatrixXd& dG,
              Eigen::MatrixXd& dH);

// One iteration of Ding et al.'s multiplicative rules for non-negative V (A = V^T V, never formed):
//   H <- max(kFloor, H o sqrt((A G) / (H G^T A G)))      (H first)
//   G <- max(kFloor, G o sqrt((A H) / (A G H^T H)))      (then G, with the new H)
// The Stepper keeps the products it can reuse between iterations; it is valid for one V (held by
// reference: V must outlive it) and for G, H only changed through step() or after reset().
class Stepper {
public:
    explicit Stepper(const Eigen::MatrixXd& V);
    // Starts from (G, H); returns the objective there.
    double reset(const Eigen::MatrixXd& G, const Eigen::MatrixXd& H);
    // One iteration in place; returns the objective after it.
    double step(Eigen::MatrixXd& G, Eigen::MatrixXd& H);

private:
    const Eigen::MatrixXd& V_;
    Eigen::MatrixXd W_;   // V G (rows x K) for the current G
    Eigen::MatrixXd AG_;  // V^T W (cols x K) for the current G
    Eigen::MatrixXd R_;   // residual scratch (rows x a block of columns)
    Eigen::MatrixXd T_;   // scratch (rows x K)
    Eigen::MatrixXd AH_;  // scratch (cols x K)
    Eigen::MatrixXd D_;   // scratch (cols x K)
    Eigen::MatrixXd KK_;  // scratch (K x K)
};

// Plain convenience: n iterations of the rules above from (G, H), in place.
void iterate(const Eigen::MatrixXd& V, Eigen::MatrixXd& G, Eigen::MatrixXd& H, int n);

// G >= 0 with V G ~ W (least squares), for a start given as signatures W (rows x K): V G can only
// approximate W when W is not in the cone of the samples. Multiplicative updates
// G <- G o (V^T W) / (V^T V G) from G = sum(W_k) / sum(V) everywhere, `iterations` of them.
Eigen::MatrixXd g_from_signatures(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, int iterations = 200);

// ---------------------------------------------------------------- the block coordinate descent solver
//
// Convex NMF is NMF, V ~ W H^T, with every signature W_k constrained to the cone of the samples
// {V g : g >= 0}. Block coordinate descent over the columns (HALS, Cichocki & Phan 2009, with that constraint):
//   W_k <- the point of the cone nearest to t_k = W_k + (V H_k - W (H^T H)_k) / (H^T H)_kk, the minimiser of
//          the objective over W_k in the cone (an NNLS problem in g_k: min ||V g - t_k||, g >= 0), k = 1..K;
//   H_k <- max(0, H_k + (V^T W_k - H (W^T W)_k) / (W^T W)_kk), k = 1..K (the exact minimiser over H_k), in
//          repeated passes while they still move H (hals_block(): a pass costs cols K^2, the products rows cols K).
// The projection of a signature's target runs kPassesPerSweep passes over V per sweep (Lawson-Hanson from the last
// support, up to kEnteringPerPass columns entering per pass): it finishes over a few sweeps when the support moves
// a lot, and in one once it settles. Every block update lowers the objective (the exposures' are exact), so it never
// increases; an iteration costs about 3 rows * cols * K
// multiply-adds (V H, V^T W, and V^T r in each projection) plus the projections' small solves, like one
// multiplicative update, but it converges in tens to hundreds of iterations where the multiplicative updates need
// 10^4 - 10^5. G is kept >= kFloor, as the multiplicative updates keep it (the projection is then of t_k - V 1
// kFloor onto the cone): a channel of a signature is 0 only when it is 0 in every sample, so a prediction from the
// signatures is never 0 where the data can have mutations (a Poisson deviance stays finite).

// g >= 0 minimising ||V g - t||^2 (the point V g of the cone of V's columns nearest to t), by the Lawson-Hanson
// active-set method started from the support of a previous solution (warm start). At most rows entries of g are
// non-zero. V is held by reference (it must outlive the object); a zero column of V never enters.
class ConeProjection {
public:
    explicit ConeProjection(const Eigen::MatrixXd& V);
    // On entry g (cols) is the warm start (any g >= 0; zeros for none), on exit the solution.
    // With max_passes > 0, stops after that many passes over V even short of the projection (g is then feasible and
    // nearer to t than the warm start: an inexact block update that still lowers the objective).
    void solve(const Eigen::VectorXd& t, Eigen::VectorXd& g, int max_passes = 0);

private:
    void solve_passive(const Eigen::VectorXd& t);

    const Eigen::MatrixXd& V_;
    Eigen::VectorXd inv_norm_;           // 1 / ||V_j||
    std::vector<Eigen::Index> passive_;  // the support
    std::vector<char> in_passive_, excluded_;
    Eigen::MatrixXd gram_, next_gram_;        // V_P^T V_P for the columns gram_columns_ (in that order)
    std::vector<Eigen::Index> gram_columns_;  // ...
    std::vector<Eigen::Index> position_;      // column j's place in gram_columns_, or -1
    Eigen::VectorXd vt_, rhs_;                // V_j^T t (where vt_known_), V_P^T t
    std::vector<char> vt_known_;
    Eigen::LLT<Eigen::MatrixXd> llt_;
    Eigen::MatrixXd VP_;  // V's passive columns (the QR fallback)
    Eigen::VectorXd z_, r_, w_;
};

// Columns that may enter ConeProjection's passive set per pass over V (its cost: rows x cols). One, as in
// Lawson-Hanson, made a projection from a poor start cost ~20 passes, and the time per iteration grow faster than
// the samples once V left the caches.
inline constexpr std::size_t kEnteringPerPass = 8;
// Passes over V per signature per HALS sweep (ConeProjection::solve's max_passes): the projection is finished by
// later sweeps from the warm start, so a sweep costs a fixed number of passes (linear in the samples).
inline constexpr int kPassesPerSweep = 1;

// Below this reciprocal condition number of V_P^T V_P (relative error of the normal equations' solution about
// 1e-16 / rcond), ConeProjection solves by QR instead.
inline constexpr double kMinRcond = 1e-10;

// The block coordinate descent above, with extrapolation (Ang & Gillis 2019's scheme, "Accelerating nonnegative
// matrix factorization algorithms using extrapolation"): an iteration starts from the point Y = (Gy, Hy), updates
// every block once (signatures, then exposures) to N = (Gn, Hn), and the next iteration starts from
//   Gy <- max(kFloor, Gn + beta (Gn - Gn_prev)),  Hy <- max(0, Hn + beta (Hn - Hn_prev))
// (Gy >= 0 keeps the signatures V Gy in the cone). While the objective at N decreases, beta grows (x kHerGamma,
// capped by beta_max, which itself grows x kHerGammaBar up to 1); when it does not, the iteration restarts from
// the best point without extrapolation, beta_max <- beta and beta <- beta / kHerEta. With extrapolate = false it
// is the plain block coordinate descent (monotone). The same interface as Stepper (G, H cols x K): step() leaves
// the best point so far in (G, H) and returns its objective, so the trace never increases.
inline constexpr double kHerBeta0 = 0.5, kHerEta = 1.5, kHerGamma = 1.05, kHerGammaBar = 1.01;

class HalsStepper {
public:
    explicit HalsStepper(const Eigen::MatrixXd& V, bool extrapolate = true);
    double reset(const Eigen::MatrixXd& G, const Eigen::MatrixXd& H);
    double step(Eigen::MatrixXd& G, Eigen::MatrixXd& H);

private:
    // One update of every block from (Gy_, Hy_), in place; W_ = V Gy_ on entry and exit. Returns the objective.
    double sweep();
    double objective();
    void signatures_of(const Eigen::MatrixXd& G);  // W_ = V G, over G's non-zero entries

    const Eigen::MatrixXd& V_;
    bool extrapolate_;
    double v_norm2_;
    Eigen::VectorXd floor_;  // V (kFloor 1): the signatures of G = kFloor everywhere
    ConeProjection projection_;
    Eigen::MatrixXd Gy_, Hy_, Gn_, Hn_;  // the start of the next sweep; the previous sweep's result
    double beta_ = kHerBeta0, beta_max_ = 1.0, f_prev_ = 0.0, f_best_ = 0.0;
    Eigen::MatrixXd W_;   // V Gy_
    Eigen::MatrixXd P_;   // V H (rows x K)
    Eigen::MatrixXd Q_;   // V^T W (cols x K)
    Eigen::MatrixXd KK_;  // K x K
    Eigen::MatrixXd R_;   // residual scratch
    Eigen::VectorXd t_, g_;
    int h_passes_;  // hals_block()'s limit for H
};

// HALS passes over the columns of one factor X (n x K) of ||V - X Y^T||^2 for fixed Y, given P = V^T Y (or V Y)
// and KK = Y^T Y: X_k <- max(0, X_k + (P_k - X KK_k) / KK_kk), k = 1..K, each the exact minimiser over X_k.
// Gillis & Glineur's acceleration (2012): P and KK cost a product with V, a pass only n K^2, so the passes repeat
// (at most max_passes) until one changes X by less than kInnerEps times the first pass did — block by block of
// kHalsRows rows (the rows are independent), each block with its own stop. Returns the most passes of a block.
inline constexpr double kInnerEps = 0.01;
inline constexpr Eigen::Index kHalsRows = 512;
inline constexpr double kInnerShare = 0.5;  // passes allowed: 1 + kInnerShare * (product cost / pass cost) ...
inline constexpr int kMaxInnerPasses = 20;  // ... at most this many
int hals_block(Eigen::MatrixXd& X, const Eigen::MatrixXd& P, const Eigen::MatrixXd& KK, int max_passes);
int inner_passes(Eigen::Index product_cost, Eigen::Index pass_cost);

// Frobenius NMF, V ~ W H^T (W rows x K, H cols x K), by `iterations` HALS iterations (one pass over W's columns,
// then one over H's) from the given (W, H), in place. Used for the start of the convex NMF (below): it is not
// run to convergence (measured: stopping at 200 iterations gives starts as good and as varied as running on).
void nmf_hals(const Eigen::MatrixXd& V, Eigen::MatrixXd& W, Eigen::MatrixXd& H, int iterations);

// NNDSVD (Boutsidis & Gallopoulos 2008): the non-negative parts of V's leading K singular triplets, W rows x K and
// H cols x K, deterministic. The singular vectors come from the eigenvectors of V V^T (rows x rows; V^T V is
// never formed). Columns past V's rank stay zero.
void nndsvd(const Eigen::MatrixXd& V, int k, Eigen::MatrixXd& W, Eigen::MatrixXd& H);

// G (cols x K) with V G the points of the cone of the samples nearest to the columns of W (rows x K): one exact
// NNLS (ConeProjection) per column, each with at most rank(V) non-zero entries.
Eigen::MatrixXd cone_of(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W);

enum class Init { nmf, kmeans, random };
enum class Solver { hals, mu };

// The number of NMF iterations (nmf_hals) of an `nmf` start.
inline constexpr int kNmfStartIterations = 200;

// The seed of start `index` of a multi-start fit: the fit's seed for index 0, else a splitmix64 draw from it.
std::uint64_t start_seed(std::uint64_t seed, int index);

// Start `index` (0, 1, ...) of a fit, deterministic for a seed:
//  nmf:    a Frobenius NMF fit, kNmfStartIterations HALS iterations (nmf_hals) from NNDSVD for index 0, from
//          k-means medoids for odd indices (k-means on the profiles as for kmeans below; W = the profile of each
//          cluster's member nearest its centre, H = indicators + 0.2) and from W, H uniform on (0, 1) times
//          sqrt(mean(V) / K) for even ones (both drawn from start_seed(seed, index)), mapped into the model:
//          G = cone_of(V, W) (sparse: at most rank(V) entries per column), H the NMF's;
//  random: G, H uniform on (0, 1) times sqrt(1 / (cols * K)) (so that V G H^T has the scale of V);
//  kmeans: Ding et al.'s start: k-means (k-means++ seeding, Lloyd iterations) on the samples' mutation
//          profiles (columns of V scaled to sum 1); with C the cols x K cluster indicator matrix and
//          n_k the cluster sizes, H = C + 0.2 and G = (C + 0.2) diag(1 / n_k).
// random and kmeans draw from start_seed(seed, index), so index 0 is the single start of earlier versions.
void initialise(const Eigen::MatrixXd& V, int k, Init init, std::uint64_t seed, Eigen::MatrixXd& G, Eigen::MatrixXd& H,
                int index = 0);

// The default number of starts, and how each start of a multi-start fit is screened before the best goes on:
// its solver runs until the objective falls by less than a relative kScreenTol over kScreenWindow iterations, at
// most kScreenMaxIter iterations (whatever the host's max_iter: the screened best is the fit's start, so a fit
// stopped at iteration t equals one with max_iter t).
inline constexpr int kDefaultStarts = 8;
inline constexpr double kScreenTol = 1e-5;
inline constexpr int kScreenWindow = 10;
inline constexpr int kScreenMaxIter = 1000;

struct Options : plugin_kit::Settings {  // k, max_iter, tol, tol_window, seed
    Init init = Init::nmf;
    Solver solver = Solver::hals;
    int starts = kDefaultStarts;
};

using Status = plugin_kit::Status;

// The factors, and the trace, iterations, status and message (plugin_kit::FitRecord).
struct Result : plugin_kit::FitRecord {
    Eigen::MatrixXd G, H;          // cols x K each
    std::vector<double> screened;  // the objective of each start after screening (empty for one start)
    int chosen = 0;                // the start that went on
};

// The backend as seen through the ABI (sigstream_backend_info() of the plugin returns this); in the core
// library so that tests can call fit() through the ABI without loading the plugin.
const sigstream_backend* backend();

// Full fit. From the host's start when W0 (signatures, rows x K) and H0 (cols x K) are both given: G maps W0 into
// the cone (cone_of() for hals; g_from_signatures() for mu), H = H0. Otherwise from options.starts starts
// (initialise() with index 0, 1, ...): with more than one, each is screened (above) and the one with the lowest
// objective goes on (the first on a tie); the host's max_iter does not limit the screening. Then plugin_kit::iterate()
// with the host's max_iter, tol and window (progress, may be empty, is called after each of its iterations; returning
// true stops the fit); the trace is that of the start that went on, from the end of its screening.
Result fit(const Eigen::MatrixXd& V, const Options& options, const Eigen::MatrixXd* W0, const Eigen::MatrixXd* H0,
           const std::function<bool(int, double)>& progress);

}  // namespace sigstream::cnmf

#endif
