// Replicates: seeds derived from one root seed, and the multinomial bootstrap of a count matrix.
#pragma once

#include <Eigen/Dense>
#include <cstdint>

namespace sigstream {

// The splitmix64 mixing function (Steele, Lea & Flood 2014): every derived seed goes through it.
std::uint64_t splitmix64(std::uint64_t x);

// The seed of replicate `replicate` of the fits with K = `k`: a fixed function of (root, k, replicate)
// (splitmix64 mixing), so results do not depend on thread count, scheduling or how replicates are split
// into shards.
std::uint64_t replicate_seed(std::uint64_t root, int k, int replicate);

// A bootstrap of V: each column (sample) redrawn from a multinomial with the column's total (rounded to
// an integer) and the column's profile. Channels at zero stay at zero; all-zero columns stay zero.
// Deterministic for a seed.
Eigen::MatrixXd bootstrap_counts(const Eigen::MatrixXd& V, std::uint64_t seed);

}  // namespace sigstream
