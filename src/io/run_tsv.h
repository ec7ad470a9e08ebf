// Writers of the run folder's per-sample tables (DESIGN §4), shared by `extract`, `fit` and later
// `consensus`: exposures.tsv and sample_stats.tsv. Numbers are written as the shortest text that reads
// back exactly.
#pragma once

#include <Eigen/Dense>
#include <ostream>
#include <string>
#include <vector>

#include "core/format.h"
#include "extract/extract.h"

namespace sigstream {

// `Samples<TAB>sig…`, one row per sample; exposures is signatures x samples.
void write_exposures(const std::vector<std::string>& samples, const std::vector<std::string>& signatures,
                     const Eigen::MatrixXd& exposures, std::ostream& out);

// `Sample<TAB>Total<TAB>Cosine<TAB>L1_pct<TAB>L2_pct<TAB>KL`.
void write_sample_stats(const std::vector<SampleStats>& stats, std::ostream& out);

}  // namespace sigstream
