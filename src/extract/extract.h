// The single-K extraction stage: one factorisation V ≈ W H of a count matrix with one backend, turned
// into an answer a user can read: signatures that sum to 1, exposures in mutations, and per-sample
// goodness of fit. Library code: it never prints; warnings are returned.
//
// Behaviour (DESIGN §6–7):
//  * all-zero samples (e.g. from an empty VCF) are left out of the fit, named in a warning, and get
//    zero exposures; fewer than two non-empty samples is a DataError;
//  * K must satisfy 1 <= K < min(channels, non-empty samples), otherwise a UsageError giving the range;
//  * after the fit every signature (column of W) is scaled to sum to 1 and the scale moved into its row
//    of H, so W·H is unchanged and the exposures are mutations attributed. A signature the backend
//    returned as all zeros contributes nothing: it is written as the uniform profile with zero exposures
//    (W·H unchanged) and a warning;
//  * signatures are named after the context and a letter: SBS96A, SBS96B, …, SBS96Z, SBS96AA, SBS96AB, …
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "extract/normalise.h"
#include "io/matrix_tsv.h"

namespace sigstream {

struct ExtractOptions {
    int k = 0;
    std::uint64_t seed = 1;
    int max_iter = 10000;
    double tol = 1e-8;
    std::map<std::string, std::string> params;      // backend parameters, keys without the backend prefix
    Normalisation normalise = Normalisation::none;  // fit to normalised samples, exposures rescaled back
    std::string source;                             // the matrix's file, named in errors about the matrix
    // Called with (iteration, objective); return false to ask the backend to stop.
    std::function<bool(int, double)> progress;
};

// Goodness of fit of one sample, v = its counts, v̂ = (W H) column.
//   total   Σ v
//   cosine  v·v̂ / (‖v‖₂ ‖v̂‖₂)                         (0 when v̂ = 0)
//   l1_pct  100 ‖v − v̂‖₁ / ‖v‖₁
//   l2_pct  100 ‖v − v̂‖₂ / ‖v‖₂
//   kl      Σ v log(v / v̂) − v + v̂, with 0 log 0 = 0  (+inf when v > 0 where v̂ = 0)
// An empty sample (v = 0, left out of the fit) has every value 0.
struct SampleStats {
    std::string sample;
    double total = 0, cosine = 0, l1_pct = 0, l2_pct = 0, kl = 0;
};

struct ExtractResult {
    LabelledMatrix signatures;         // channels x K, columns SBS96A…, each summing to 1
    std::vector<std::string> samples;  // every sample of the input, in its order
    Eigen::MatrixXd exposures;         // K x samples (all of them; empty samples have zeros)
    std::vector<SampleStats> stats;    // one per sample, in input order
    std::vector<double> trace;         // objective at the start and after each iteration
    int iterations = 0;
    bool stopped = false;  // the progress callback asked the backend to stop
    std::string message;   // the backend's message (e.g. "converged after 312 iterations")
    std::vector<std::string> empty_samples;
    std::vector<std::string> warnings;
};

// The part of a matrix that is fitted: its non-empty samples. Checks the matrix (shape, names, values)
// and throws DataError when fewer than `min_samples` samples have mutations (extraction needs two).
struct FitInput {
    Eigen::MatrixXd V;                       // channels x non-empty samples
    std::vector<Eigen::Index> kept;          // their columns in the full matrix
    std::vector<std::string> empty_samples;  // the all-zero samples, left out
    std::vector<std::string> warnings;       // naming the empty samples, if any
    int max_k = 0;                           // the largest K: min(channels, non-empty samples) - 1
};
FitInput prepare_fit_input(const LabelledMatrix& counts, const std::string& source, std::size_t min_samples = 2);

// UsageError unless 1 <= k <= in.max_k.
void check_k(int k, const FitInput& in, const std::string& source);

// Runs the stage. Throws UsageError (K out of range, unknown or rejected parameter), DataError (fewer
// than two non-empty samples, negative or non-finite counts, duplicated sample names, a failed fit).
ExtractResult extract_signatures(const LabelledMatrix& counts, const Backend& backend, const ExtractOptions& options);

// Scales every column of W to sum to 1 and moves the scale into the matching row of H (when given), so
// W H is unchanged. An all-zero column contributes nothing: it becomes the uniform profile and its row
// of H zero. Returns the indices of those all-zero columns.
std::vector<int> scale_signatures(Eigen::MatrixXd& W, Eigen::MatrixXd* H = nullptr);

// "SBS96A" for (SBS96, 0), "SBS96Z" for 25, "SBS96AA" for 26, …
std::string signature_name(Context context, int index);

// Per-sample statistics of V against W H (V channels x n, W channels x K, H K x n).
std::vector<SampleStats> sample_stats(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H,
                                      const std::vector<std::string>& samples);

}  // namespace sigstream
