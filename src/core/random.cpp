#include "core/random.h"

namespace sigstream {

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::uint64_t replicate_seed(std::uint64_t root, int stream, int index) {
    std::uint64_t h = splitmix64(root);
    h = splitmix64(h ^ (static_cast<std::uint64_t>(static_cast<std::uint32_t>(stream)) << 32));
    h = splitmix64(h ^ static_cast<std::uint64_t>(static_cast<std::uint32_t>(index)));
    return h;
}

}  // namespace sigstream
