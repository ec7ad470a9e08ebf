// Replicate fits: every K of a range fitted R times, each on a multinomial bootstrap of the matrix
// (normalised after resampling) from a fresh random start (docs/choosing-k.md).
//
// Seeds: replicate i's bootstrap is drawn with bootstrap_seed(root, i) = replicate_seed(root, 0, i) — the same
// resampled matrix for every K, so K's are compared on the same data — and its start with
// start_seed(root, K, i) = replicate_seed(root, K, i). Both are fixed functions of (root, K, i): results do
// not depend on the number of threads, on scheduling, or on how the replicates are split into shards.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "backend/backend.h"
#include "core/results.h"
#include "core/settings.h"

namespace sigstream {

// The seeds of replicate `index` (see above).
std::uint64_t bootstrap_seed(std::uint64_t root, int index);
std::uint64_t start_seed(std::uint64_t root, int k, int index);

// The resampled, normalised matrix replicate `index` is fitted to. V: channels x non-empty samples. Without
// `resample` (a matrix already normalised, not counts), V itself, normalised.
Eigen::MatrixXd replicate_matrix(const Eigen::MatrixXd& V, std::uint64_t root, int index, Normalisation normalise,
                                 bool resample = true);

// Fits every (K, replicate) of the plan on run.threads threads. V: channels x non-empty samples. Returns the
// replicates ordered by K, then index. run.progress is called after each fit (unit "fits"), one call at a
// time; Flow::stop ends the run with Cancelled. The first failure (in that order) is rethrown after the other
// threads stop.
std::vector<Replicate> fit_replicates(const Eigen::MatrixXd& V, const Backend& backend, const ReplicatePlan& plan,
                                      const RunSettings& run = {});

}  // namespace sigstream
