#include "extract/refine.h"

#include "extract/statistics.h"

namespace sigstream {

void refine_solution(Solution& s, const LabelledMatrix& counts, const FitInput& input, Normalisation normalise,
                     const MinVolumeOptions& options) {
    const Eigen::VectorXd factors = fit_factors(input, normalise);
    s.consensus = s.signatures;
    s.refinement = refine_min_volume(input.V * factors.asDiagonal(), s.signatures.values, options);
    s.signatures.values = s.refinement.W;
    s.exposures = refit_all(s.signatures.values, input, counts.values.cols());
    s.stats = sample_stats(counts.values, s.signatures.values, s.exposures, counts.columns);
    s.refined = true;
}

}  // namespace sigstream
