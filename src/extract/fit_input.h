// The part of a count matrix that is fitted: its non-empty samples. All-zero samples (e.g. from an empty VCF)
// are left out of every fit, named in a warning, and get zero exposures; extraction needs at least two
// non-empty samples.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "core/matrix.h"

namespace sigstream {

struct FitInput {
    Eigen::MatrixXd V;                       // channels x non-empty samples
    std::vector<Eigen::Index> kept;          // their columns in the full matrix
    std::vector<std::string> empty_samples;  // the all-zero samples, left out
    std::vector<std::string> warnings;       // naming the empty samples, if any
    int max_k = 0;                           // the largest K: min(channels, non-empty samples) - 1
};

// Checks the matrix (shape, names, values) and throws DataError when fewer than `min_samples` samples have
// mutations. `source` names the matrix in messages.
FitInput prepare_fit_input(const LabelledMatrix& counts, const std::string& source, std::size_t min_samples = 2);

// UsageError unless 1 <= k <= in.max_k.
void check_k(int k, const FitInput& in, const std::string& source);

}  // namespace sigstream
