// Replicate fits (DESIGN §7): every K of a range fitted R times, each on a multinomial bootstrap of the
// matrix (normalised after resampling) from a fresh random start.
//
// Seeds: replicate i's bootstrap is drawn with replicate_seed(root, 0, i) — the same resampled matrix
// for every K, so K's are compared on the same data — and its start with replicate_seed(root, K, i).
// Both are fixed functions of (root, K, i): results do not depend on --threads, on scheduling, or on how
// the replicates are split into shards (`--replicate-range`).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "extract/normalise.h"

namespace sigstream {

struct ReplicatePlan {
    std::vector<int> ks;  // ascending, distinct
    int replicates = 20;  // R: replicates per K in the whole run
    int first = 0;        // this process fits replicates first <= i < last
    int last = 20;
    std::uint64_t seed = 1;
    int max_iter = 10000;
    double tol = 1e-8;
    std::map<std::string, std::string> params;  // backend parameters (keys without prefix)
    Normalisation normalise = Normalisation::none;
};

struct Replicate {
    int k = 0;
    int index = 0;
    Eigen::MatrixXd W;  // channels x k, columns sum to 1 (an all-zero column becomes uniform)
    int iterations = 0;
    double objective = 0;  // the backend's last objective on the resampled, normalised matrix
};

// The seeds of replicate `index` (see above).
std::uint64_t bootstrap_seed(std::uint64_t root, int index);
std::uint64_t start_seed(std::uint64_t root, int k, int index);

// The resampled, normalised matrix replicate `index` is fitted to. V: channels x non-empty samples.
Eigen::MatrixXd replicate_matrix(const Eigen::MatrixXd& V, std::uint64_t root, int index, Normalisation normalise);

// Fits every (K, replicate) of the plan on `threads` threads. V: channels x non-empty samples. Returns
// the replicates ordered by K, then index. `done` (if set) is called after each fit, one call at a
// time, with the finished replicate and the number done so far. The first failure (in that order) is
// rethrown after the other threads stop.
std::vector<Replicate> fit_replicates(const Eigen::MatrixXd& V, const Backend& backend, const ReplicatePlan& plan,
                                      int threads,
                                      const std::function<void(const Replicate&, int done, int total)>& done = {});

}  // namespace sigstream
