// Refitting: exposures of samples to a fixed set of signatures (held-out samples, COSMIC assignment),
// by exact non-negative least squares, optionally sparse.
#pragma once

#include <string>
#include <vector>

#include "extract/extract.h"
#include "io/matrix_tsv.h"

namespace sigstream {

struct RefitOptions {
    // Sparse refit: per sample, signatures are removed while removing one lowers the cosine similarity
    // of the reconstruction by less than `threshold`, and added back while adding one raises it by more
    // than `threshold` (alternating until nothing changes).
    bool sparse = false;
    double threshold = 0.01;
};

struct RefitResult {
    std::vector<std::string> samples;     // the matrix's samples, in order
    std::vector<std::string> signatures;  // the signature set's names, in order
    Eigen::MatrixXd exposures;            // signatures x samples, mutations attributed
    std::vector<SampleStats> stats;
};

// Throws UsageError when the matrix and the signatures use different catalogues.
RefitResult refit_exposures(const LabelledMatrix& counts, const LabelledMatrix& signatures,
                            const RefitOptions& options = {});

}  // namespace sigstream
