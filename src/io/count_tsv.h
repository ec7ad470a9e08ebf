// Writers of `sigstream count`'s tables: the count matrix (SigProfilerMatrixGenerator layout) and the
// per-sample summary of what was counted and skipped.
#pragma once

#include <ostream>
#include <vector>

#include "core/count_matrix.h"
#include "count/count.h"

namespace sigstream {

// `MutationType<TAB>sample…` then one row per channel in SigProfiler order.
void write_count_matrix(const CountMatrix& m, std::ostream& out);

// `Sample<TAB>Counted<TAB>OutsideRegions…` (columns in the order of `Skip`).
void write_count_summary(const std::vector<StreamSummary>& rows, std::ostream& out);

}  // namespace sigstream
