// Writing TSV tables: a small row writer that every table of sigstream goes through (numbers as the
// shortest text that reads back exactly, `NA` for a missing value), and the tables of the core result types
// shared by several stages: exposures.tsv and sample_stats.tsv (docs/formats.md).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/results.h"

namespace sigstream {

class TsvWriter {
public:
    explicit TsvWriter(std::ostream& out) : out_(out) {}
    // A header row.
    TsvWriter& header(const std::vector<std::string>& names);
    TsvWriter& text(std::string_view value);
    TsvWriter& number(double value);        // exact_number: 0.25, 1e-08, 3
    TsvWriter& number_or_na(double value);  // NA for NaN (a statistic that could not be computed)
    TsvWriter& integer(long long value);
    TsvWriter& unsigned_integer(std::uint64_t value);
    TsvWriter& na();
    TsvWriter& end_row();

private:
    void separate();
    std::ostream& out_;
    std::string line_;
    bool first_ = true;
};

// `Samples<TAB>sig…`, one row per sample; `values` is signatures x samples.
void write_exposures(const std::vector<std::string>& samples, const std::vector<std::string>& signatures,
                     const Eigen::MatrixXd& values, std::ostream& out);
inline void write_exposures(const Exposures& e, std::ostream& out) {
    write_exposures(e.samples, e.signatures, e.values, out);
}

// `Sample<TAB>Total<TAB>Cosine<TAB>L1_pct<TAB>L2_pct<TAB>KL`.
void write_sample_stats(const std::vector<SampleStats>& stats, std::ostream& out);

}  // namespace sigstream
