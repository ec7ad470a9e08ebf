// One fit of the count matrix itself (`extract --k K` without replicates): V ≈ W H with one backend and one K,
// turned into an answer a user can read — signatures that sum to 1, exposures in mutations, per-sample
// goodness of fit — and the objective's trace.
//
//  * all-zero samples are left out of the fit and get zero exposures (extract/fit_input.h);
//  * K must satisfy 1 <= K < min(channels, non-empty samples), otherwise a UsageError giving the range;
//  * the samples are scaled by `normalise` for the fit and the exposures brought back to the true totals;
//  * after the fit every signature is scaled to sum to 1, the scale moved into its row of H, so W·H is
//    unchanged. A signature the backend returned as all zeros is written as the uniform profile with zero
//    exposures, with a warning;
//  * signatures are named SBS96A, SBS96B, … (signature_name).
#pragma once

#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/matrix.h"
#include "core/results.h"
#include "core/settings.h"

namespace sigstream {

struct SingleFitOptions {
    FitSettings fit;                                  // fit.k: the number of signatures
    Normalisation normalise = kDefaultNormalisation;  // fit normalised samples, exposures rescaled back
    std::string source;                               // the matrix's file, named in errors about the matrix
};

struct SingleFit {
    SignatureSet signatures;    // channels x K, columns SBS96A…, each summing to 1
    Exposures exposures;        // every sample of the input, in its order (empty samples: zeros)
    std::vector<double> trace;  // objective at the start and after each iteration
    int iterations = 0;
    std::string message;  // the backend's message (e.g. "converged after 312 iterations")
    std::vector<std::string> empty_samples;
    std::vector<std::string> warnings;
};

// Throws UsageError (K out of range, unknown or rejected parameter), DataError (fewer than two non-empty
// samples, negative or non-finite counts, duplicated sample names, a failed fit), Cancelled (run.progress
// asked to stop; it is called after iterations).
SingleFit fit_single(const LabelledMatrix& counts, const Backend& backend, const SingleFitOptions& options,
                     const RunSettings& run = {});

}  // namespace sigstream
