// The multinomial bootstrap of a count matrix (seeds: core/random.h).
#pragma once

#include <Eigen/Dense>
#include <cstdint>

namespace sigstream {

// A bootstrap of V: each column (sample) redrawn from a multinomial with the column's total (rounded to
// an integer) and the column's profile. Channels at zero stay at zero; all-zero columns stay zero.
// Deterministic for a seed, and the same on every platform and standard library (one std::mt19937_64 per column
// seeded from (seed, column), the draws by numeric/binomial.h). Throws DataError for a column total above
// 2^53 − 1.
Eigen::MatrixXd bootstrap_counts(const Eigen::MatrixXd& V, std::uint64_t seed);

}  // namespace sigstream
