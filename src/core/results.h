// The results stages hand each other: exposures with per-sample goodness of fit, and replicate fits.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace sigstream {

// Goodness of fit of one sample, v = its counts, v̂ = (W H) column (extract/statistics.h computes it).
//   total   Σ v
//   cosine  v·v̂ / (‖v‖₂ ‖v̂‖₂)                         (0 when v̂ = 0)
//   l1_pct  100 ‖v − v̂‖₁ / ‖v‖₁
//   l2_pct  100 ‖v − v̂‖₂ / ‖v‖₂
//   kl      Σ v log(v / v̂) − v + v̂, with 0 log 0 = 0  (+inf when v > 0 where v̂ = 0)
// An empty sample (v = 0, left out of fits) has every value 0.
struct SampleStats {
    std::string sample;
    double total = 0, cosine = 0, l1_pct = 0, l2_pct = 0, kl = 0;
};

// Mutations of each sample attributed to each signature.
struct Exposures {
    std::vector<std::string> samples;     // in the matrix's order
    std::vector<std::string> signatures;  // in the signature set's order
    Eigen::MatrixXd values;               // signatures x samples
    std::vector<SampleStats> stats;       // one per sample
};

// One replicate fit: replicate `index` at K = `k` (extract/replicates.h).
struct Replicate {
    int k = 0;
    int index = 0;
    Eigen::MatrixXd W;  // channels x k, columns sum to 1 (an all-zero column becomes uniform)
    int iterations = 0;
    double objective = 0;  // the backend's last objective on the resampled, normalised matrix
};

}  // namespace sigstream
