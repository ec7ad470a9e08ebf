// Refitting: exposures of samples to a fixed set of signatures (held-out samples, COSMIC assignment),
// by exact non-negative least squares, optionally sparse.
#pragma once

#include <string>
#include <vector>

#include "core/matrix.h"
#include "core/results.h"

namespace sigstream {

struct RefitOptions {
    // Sparse refit: per sample, signatures are removed while removing one lowers the cosine similarity
    // of the reconstruction by less than `threshold`, and added back while adding one raises it by more
    // than `threshold` (alternating until nothing changes).
    bool sparse = false;
    double threshold = 0.01;
};

// Every sample's exposures and statistics. Throws UsageError when the matrix and the signatures use different
// catalogues.
Exposures refit_exposures(const LabelledMatrix& counts, const LabelledMatrix& signatures,
                          const RefitOptions& options = {});

}  // namespace sigstream
