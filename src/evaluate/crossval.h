// Cross-validation of extraction backends: the protocol of the study behind sigstream (Egendal et al., "On the
// Relation Between Autoencoders and Non-negative Matrix Factorization, and Their Application for Mutational
// Signature Extraction"), for several backends at once, with identical splits for every backend so the
// comparison is paired. Library code: it never prints; warnings and progress go back to the caller.
//
// Definitions (docs/crossval.md is the user's copy; keep the two in step):
//  * Samples: all-zero samples are left out of every split (a warning names them). n = the non-empty ones.
//  * Split s (1-based): a permutation of the n non-empty samples (Fisher–Yates, drawn from
//    crossval_seed(root, kSplitStream, s)); its first round(test_fraction·n) samples are the test part, the
//    rest the training part. Both parts are then put back in matrix order.
//  * Training fit: the backend's fit() on the training columns with seed crossval_seed(root, kFitStream, s)
//    (the same for every backend); signatures scaled to sum to 1, the scale moved into the exposures.
//  * TrainMSE = mean over channels × training samples of (V − W H)²; TestMSE = the same over the test
//    samples with H = NNLS(W, V_test).
//  * Held-out: each test count v is split into a ~ Binomial(⌊v⌋, ½) (a fair coin per mutation, drawn in one
//    step by numeric/binomial.h) and b = v − a, drawn from crossval_seed(root, kBinomialStream, s);
//    h_A = NNLS(W, a); b̂ = W h_A.
//    HeldOutDeviance = 2 Σ [b log(b/b̂) − b + b̂] / entries (0 log 0 = 0; +inf where b > 0 = b̂), HeldOutMSE =
//    Σ (b − b̂)² / entries, entries = channels × test samples.
//  * CosmicMatched (per split) = mean of the one-to-one (Hungarian) matched cosines of the split's
//    signatures to the reference; when K exceeds the reference, the mean over the matched ones.
//  * Consistency = mean over split pairs s < t of the mean Hungarian-matched cosine between their
//    signature sets; its sd is over the pairs.
//  * Medoids: the S·K signatures of all splits are clustered into K clusters by PAM (k-medoids under cosine
//    distance 1 − cos, BUILD then SWAP, ties to the lowest index); CosmicMedoids = the mean Hungarian-matched
//    cosine of the K medoids to the reference.
//  * sd = the sample standard deviation (n − 1 in the denominator); NaN for fewer than two values.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/matrix.h"
#include "core/settings.h"

namespace sigstream {

// ---------------------------------------------------------------- the pieces (pure functions)

// Independent random streams of one split.
constexpr int kSplitStream = 1000001;     // the permutation
constexpr int kFitStream = 1000002;       // the backend's seed
constexpr int kBinomialStream = 1000003;  // the held-out halves

// The seed of `stream` for split `split` (1-based): replicate_seed(root, stream, split).
std::uint64_t crossval_seed(std::uint64_t root, int stream, int split);

// round(test_fraction · n), halves rounded up.
long long test_size(long long n, double test_fraction);

// The smallest number of non-empty samples with at least k + 1 training and 1 test sample in every split.
long long minimum_samples(int k, double test_fraction);

struct CrossvalSplit {
    std::vector<Eigen::Index> train, test;  // column indices, each part in increasing order
};

// The split of n samples drawn from `seed` (see the definitions above).
CrossvalSplit make_split(Eigen::Index n, double test_fraction, std::uint64_t seed);

// Mean over all entries of (V − R)²; 0 for an empty matrix.
double mean_squared_error(const Eigen::MatrixXd& V, const Eigen::MatrixXd& R);

// 2 Σ [b log(b/b̂) − b + b̂] / entries, with 0 log 0 = 0 and +inf where b > 0 and b̂ = 0.
double mean_poisson_deviance(const Eigen::MatrixXd& B, const Eigen::MatrixXd& Bhat);

// Splits every count of V into two halves A + B = V: A(i,j) ~ Binomial(⌊V(i,j)⌋, ½) — as if by one fair coin per
// mutation — drawn by the portable sampler of numeric/binomial.h (O(1) per count; one std::mt19937_64 per column
// seeded from (seed, column); counts below 1 are not split, counts above 9e15 split as 9e15), B = V − A.
void binomial_halves(const Eigen::MatrixXd& V, std::uint64_t seed, Eigen::MatrixXd& A, Eigen::MatrixXd& B);

struct PamResult {
    std::vector<int> medoids;     // k point indices, in increasing order
    std::vector<int> assignment;  // per point, the index into `medoids` of its nearest medoid (lowest on ties)
    double cost = 0;              // Σ distance of each point to its medoid
};

// k-medoids (PAM, Kaufman & Rousseeuw) on a symmetric n × n distance matrix: BUILD (the first medoid
// minimises the total distance, each next one lowers it the most), then SWAP (the best medoid ↔ non-medoid
// exchange while it lowers the total by more than 1e-12 · (1 + cost)). Ties go to the lowest indices.
// Requires 1 <= k <= n.
PamResult pam(const Eigen::MatrixXd& distance, int k);

// Mean of the cosines of the one-to-one (Hungarian, maximising the total) matching between the columns of
// A and B; with unequal counts, over the min(A.cols(), B.cols()) matched pairs.
double matched_cosine_mean(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);

// The matched_cosine_mean of every pair s < t of signature sets, in the order (0,1), (0,2), …, (1,2), …
std::vector<double> pairwise_consistency(const std::vector<Eigen::MatrixXd>& signature_sets);

double mean_of(const std::vector<double>& v);  // NaN when empty
double sd_of(const std::vector<double>& v);    // sample sd (n − 1); NaN with fewer than two values

// ---------------------------------------------------------------- the whole protocol

struct CrossvalBackend {
    const Backend* backend = nullptr;
    BackendParams params;  // keys without the backend prefix
};

inline constexpr int kDefaultSplits = 30;
inline constexpr double kDefaultTestFraction = 0.2;
inline constexpr int kMaxSplits = 1000;  // PAM and consistency cost (splits x K)^2 and splits^2

struct CrossvalOptions {
    FitSettings fit;  // K, the root seed, the stop rule (the parameters are per backend: CrossvalBackend)
    int splits = kDefaultSplits;
    double test_fraction = kDefaultTestFraction;
    std::string source;                         // the matrix's file, named in errors
    const LabelledMatrix* reference = nullptr;  // COSMIC or the user's reference; required
    bool include_artefacts = false;
};

// A test sample is scored held-out only when its first binomial half has at least this many mutations.
inline constexpr double kMinHeldOutHalf = 10;

struct SplitResult {
    int backend = 0, split = 0;  // backend index, split number (1-based)
    std::uint64_t fit_seed = 0;
    int train_samples = 0, test_samples = 0;
    Eigen::MatrixXd W;  // channels × K, columns sum to 1
    double train_mse = 0, test_mse = 0, heldout_deviance = 0, heldout_mse = 0, cosmic_matched = 0;
    int heldout_samples = 0;  // test samples scored held-out (first half >= kMinHeldOutHalf mutations)
    int iterations = 0;
    double objective = 0;  // the last value of the backend's trace
    std::string message;
    bool zero_signature = false;  // a signature came back all zero (written as uniform)
};

struct BackendSummary {
    double train_mse = 0, train_mse_sd = 0, test_mse = 0, test_mse_sd = 0;
    double heldout_deviance = 0, heldout_deviance_sd = 0, heldout_mse = 0, heldout_mse_sd = 0;
    double consistency = 0, consistency_sd = 0, cosmic_per_split = 0, cosmic_per_split_sd = 0;
    double cosmic_medoids = 0, iterations = 0;
    int unconverged = 0;                // fits that ran all max_iter iterations (tol > 0)
    std::vector<int> medoid_split;      // per medoid, its split (1-based) …
    std::vector<int> medoid_signature;  // … and its column in that split's signatures
    Eigen::MatrixXd medoids;            // channels × K
    std::vector<double> consistency_pairs;
};

struct CrossvalResult {
    std::vector<std::string> samples;        // the non-empty samples, in matrix order
    std::vector<std::string> empty_samples;  // left out
    Eigen::MatrixXd counts;                  // channels × samples (the non-empty ones)
    std::vector<CrossvalSplit> splits;       // indices into `samples`
    std::vector<SplitResult> per_split;      // backend-major: index b · splits + (s − 1)
    std::vector<BackendSummary> summaries;   // one per backend
    std::vector<std::string> warnings;
};

// Checks the inputs (UsageError: K outside 1..channels − 1, splits < 2, test fraction outside (0, 1), a
// backend given twice, no reference or another catalogue; DataError: fewer non-empty samples than
// minimum_samples, negative or non-finite counts, duplicated sample names) and runs every (backend, split)
// job on run.threads threads (a thread takes the next job from a shared counter; results are stored by job
// index, so the result does not depend on the number of threads). run.progress is called after each job
// (unit "fits"). A failed fit stops the other jobs and its error is thrown (when several fail, the one of
// the lowest job index among them).
CrossvalResult run_crossval(const LabelledMatrix& counts, const std::vector<CrossvalBackend>& backends,
                            const CrossvalOptions& options, const RunSettings& run = {});

}  // namespace sigstream
