// The last step of a replicate run: the chosen K's consensus signatures refined by minimum-volume NMF
// (numeric/minvol.h; docs/choosing-k.md §5), which undoes the "sharpening" of overlapping signatures that
// maximum likelihood prefers. Exposures are then refitted (NNLS of the true counts) and the statistics redone.
#pragma once

#include "core/matrix.h"
#include "core/settings.h"
#include "extract/fit_input.h"
#include "extract/selection.h"
#include "numeric/minvol.h"

namespace sigstream {

struct RefineSettings {
    bool minvol = true;  // `--refine minvol` (the default) or `none`
    MinVolumeOptions options;
};

// Replaces the solution's signatures by their minimum-volume refinement on the fitted matrix (input.V scaled
// as the replicates were, by `normalise`), keeps the cluster means in s.consensus, and refits exposures and
// statistics.
void refine_solution(Solution& s, const LabelledMatrix& counts, const FitInput& input, Normalisation normalise,
                     const MinVolumeOptions& options = {});

}  // namespace sigstream
