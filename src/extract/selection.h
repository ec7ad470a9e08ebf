// From replicate fits to an answer: the consensus solution at each K, and the choice of K (docs/choosing-k.md).
//
// Solution at K: the consensus signatures of the K's replicates (extract/consensus.h), named SBS96A, …
// in decreasing order of total exposure; exposures of every sample by exact NNLS on its true counts
// (normalisation scales whole samples and NNLS is scale-equivariant, so this equals fitting the
// normalised sample and rescaling to its true total); per-sample statistics as in `extract`.
//
// Selection metrics per K (selection.tsv), on the scale the backend fitted: each sample multiplied by
// its normalisation factor f (extract/normalise.h; 1 without normalisation), so that a hypermutated
// sample weighs in the choice of K as much as it did in the fits:
//   MeanStability, MinStability  mean and minimum over the K clusters of the mean silhouette
//   FrobeniusPct                 100 ‖(V − W H) F‖_F / ‖V F‖_F over the non-empty samples, F = diag(f)
//   KL                           Σ_samples f Σ_channels v log(v / v̂) − v + v̂ (generalised KL of the
//                                scaled samples; KL(f v | f v̂) = f KL(v | v̂))
//   MeanSampleCosine             mean over non-empty samples of cos(v, v̂) (scale-free)
//
// The rule (docs/choosing-k.md):
//   1. K is stable when MeanStability >= min_mean_stability (0.8) and MinStability >= min_stability (0.2).
//   2. The deviance gain of a larger K' over K is the drop in Poisson deviance 2·KL per added parameter,
//        gain(K, K') = (2 KL(K) − 2 KL(K')) / ((K' − K) (n + channels − 1)),
//      n = non-empty samples: each added signature brings channels − 1 free proportions and n
//      exposures. Fitting pure Poisson noise gains about 1 per parameter; larger K' improves the
//      reconstruction significantly when gain > min_gain (default 2).
//   3. Chosen K = the smallest stable K that no larger stable K' improves significantly. When that is the
//      largest K tried, a warning says the range may be too narrow.
//   4. No stable K: the K with the highest MeanStability (ties: the smaller K), with a warning.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "core/matrix.h"
#include "core/results.h"
#include "core/settings.h"
#include "extract/fit_input.h"
#include "numeric/minvol.h"

namespace sigstream {

struct Solution {
    int k = 0;
    LabelledMatrix signatures;  // channels x K, consensus means, named and ordered
    LabelledMatrix medoids;     // the same order and names
    Eigen::MatrixXd exposures;  // K x all samples
    std::vector<SampleStats> stats;
    Eigen::VectorXd stability;                 // per signature: mean silhouette of its cluster
    Eigen::VectorXd member_cosine;             // per signature: mean cosine of its replicates to the consensus
    Eigen::VectorXd medoid_cosine;             // per signature: cosine between consensus and medoid
    std::vector<const Replicate*> replicates;  // the K's replicates, by index
    std::vector<std::vector<int>> member;      // member[r][s] = the column of replicate r in signature s
    double mean_stability = 0, min_stability = 0, frobenius_pct = 0, kl = 0, mean_sample_cosine = 0;
    bool stable = false;
    // Minimum-volume refinement (the chosen K only, extract/refine.h): `signatures` (and exposures, stats) are
    // then the refined ones, `consensus` the cluster means they started from; the selection metrics above
    // stay those of the consensus (the choice was made on them).
    bool refined = false;
    LabelledMatrix consensus;
    MinVolumeResult refinement;
};

// The thresholds of the rule above (the library's defaults, also the command line's).
struct SelectionRule {
    double min_mean_stability = 0.8;
    double min_stability = 0.2;
    double min_gain = 2.0;
};

// The choice of K among the solutions.
struct Choice {
    std::size_t chosen = 0;  // index into the solutions
    std::string reason;      // one sentence: why this K
    std::vector<std::string> warnings;
};

// The consensus solution at one K. `replicates` are that K's fits (any order; used by index order).
// `factors` (one per non-empty sample, see above) may be null: all 1.
Solution build_solution(const LabelledMatrix& counts, const FitInput& input, int k,
                        std::vector<const Replicate*> replicates, const Eigen::VectorXd* factors = nullptr);

// NNLS exposures of the non-empty samples' true counts to W, as a K x (all samples) matrix (empty samples: 0).
Eigen::MatrixXd refit_all(const Eigen::MatrixXd& W, const FitInput& input, Eigen::Index samples);

// gain(K, K') of the rule above.
double deviance_gain(const Solution& smaller, const Solution& larger, std::size_t samples);

// The normalisation factors of the fitted samples (extract/normalise.h): what a K's fits saw.
Eigen::VectorXd fit_factors(const FitInput& input, Normalisation normalise);

// Every K's consensus solution from the replicates of a whole run (every K, every index), ascending K.
// `normalise` is the normalisation the replicates were fitted with.
std::vector<Solution> build_solutions(const LabelledMatrix& counts, const FitInput& input,
                                      const std::vector<Replicate>& replicates, Normalisation normalise);

// Marks the stable solutions (rule 1) and chooses K (rules 2-4). `samples`: the non-empty samples.
Choice choose_k(std::vector<Solution>& solutions, const SelectionRule& rule, std::size_t samples);

}  // namespace sigstream
