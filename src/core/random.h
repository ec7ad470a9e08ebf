// Seeds: every random draw of sigstream comes from one root seed through these fixed functions, so results
// do not depend on the number of threads, on scheduling, or on how work is split over machines.
#pragma once

#include <cstdint>

namespace sigstream {

// The splitmix64 mixing function (Steele, Lea & Flood 2014): every derived seed goes through it.
std::uint64_t splitmix64(std::uint64_t x);

// The seed of item `index` of stream `stream` under `root`: a fixed function of the three (splitmix64
// mixing). Replicates use (root, K, replicate) — K = 0 for the bootstrap draws —, cross-validation
// (root, its stream number, split).
std::uint64_t replicate_seed(std::uint64_t root, int stream, int index);

}  // namespace sigstream
