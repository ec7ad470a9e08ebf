// Normalisation of hypermutated samples before fitting (docs/choosing-k.md). Every method scales whole samples
// (columns), never single channels, so a sample's profile is unchanged and exposures fitted to the
// scaled sample are brought back to the sample's true total by dividing by the same factor.
//
//   none  every factor 1.
//   100x  samples with more than 100 × channels mutations (9600 for SBS96) are scaled down to exactly
//         that many; the rest are untouched.
//   gmm   a cap from the cohort's own burden distribution. One Gaussian and a mixture of two are fitted
//         to log10(total) of the non-empty samples (the mixture by EM, started at the 25th and 75th
//         percentiles with the overall variance and equal weights; 500 iterations or a change in
//         log-likelihood below 1e-10). The cohort has a separate group of samples only when the mixture
//         wins by BIC and its modes are apart (Ashman's D > 2); then the cap is 10^(μ + 3σ) of the
//         component holding most samples, never below 100 × channels, and samples above it are scaled
//         down to it. Otherwise (one group of burdens) nothing is scaled. With fewer than 10 non-empty
//         samples no mixture is fitted and the cap is 100 × channels (as 100x).
//   log2  totals are compressed logarithmically: a sample with total T is scaled to
//         M · log2(1 + T) / log2(1 + M), where M is the median total of the non-empty samples, so the
//         median sample keeps its size and a sample 1000 times larger becomes about 2–3 times larger.
// Empty samples get factor 1.
#pragma once

#include <Eigen/Dense>
#include <string>

#include "core/settings.h"

namespace sigstream {

// The factor of each column of V (channels x samples): normalised column j = factors(j) · V.col(j).
Eigen::VectorXd normalisation_factors(const Eigen::MatrixXd& V, Normalisation method);

// The cap of `gmm` for these totals and this many channels (exposed for tests); +infinity when the
// burdens form one group.
double gmm_cap(const Eigen::VectorXd& totals, int channels);

}  // namespace sigstream
