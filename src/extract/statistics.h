// What every extraction reports about its factors: signatures scaled to sum to 1 (the scale moved into the
// exposures) and each sample's goodness of fit (core/results.h defines the statistics).
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "core/results.h"

namespace sigstream {

// Scales every column of W to sum to 1 and moves the scale into the matching row of H (when given), so W H is
// unchanged. An all-zero column contributes nothing: it becomes the uniform profile and its row of H zero.
// Returns the indices of those all-zero columns.
std::vector<int> scale_signatures(Eigen::MatrixXd& W, Eigen::MatrixXd* H = nullptr);

// Per-sample statistics of V against W H (V channels x n, W channels x K, H K x n).
std::vector<SampleStats> sample_stats(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H,
                                      const std::vector<std::string>& samples);

}  // namespace sigstream
