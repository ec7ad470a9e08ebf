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

enum class Init { kmeans, random };

// Starting point, deterministic for a seed.
//  random: G, H uniform on (0, 1) times sqrt(1 / (cols * K)) (so that V G H^T has the scale of V);
//  kmeans: Ding et al.'s start: k-means (k-means++ seeding, Lloyd iterations) on the samples' mutation
//          profiles (columns of V scaled to sum 1); with C the cols x K cluster indicator matrix and
//          n_k the cluster sizes, H = C + 0.2 and G = (C + 0.2) diag(1 / n_k).
void initialise(const Eigen::MatrixXd& V, int k, Init init, std::uint64_t seed, Eigen::MatrixXd& G, Eigen::MatrixXd& H);

struct Options : plugin_kit::Settings {  // k, max_iter, tol, tol_window, seed
    Init init = Init::kmeans;
};

using Status = plugin_kit::Status;

// The factors, and the trace, iterations, status and message (plugin_kit::FitRecord).
struct Result : plugin_kit::FitRecord {
    Eigen::MatrixXd G, H;  // cols x K each
};

// The backend as seen through the ABI (sigstream_backend_info() of the plugin returns this); in the core
// library so that tests can call fit() through the ABI without loading the plugin.
const sigstream_backend* backend();

// Full fit: starts from (G0, H0) when both are given (non-null), else from initialise(); then
// plugin_kit::iterate() (progress, may be empty, is called after each iteration; returning true stops the fit).
Result fit(const Eigen::MatrixXd& V, const Options& options, const Eigen::MatrixXd* G0, const Eigen::MatrixXd* H0,
           const std::function<bool(int, double)>& progress);

}  // namespace sigstream::cnmf

#endif
