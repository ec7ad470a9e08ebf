// A mutation-count matrix: channels × samples, integer counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/channels.h"

namespace sigstream {

struct CountMatrix {
    Context context = Context::SBS96;
    std::vector<std::string> samples;
    // Channel-major: counts[channel * samples.size() + sample].
    std::vector<std::uint64_t> counts;

    CountMatrix() = default;
    CountMatrix(Context c, std::vector<std::string> sample_names)
        : context(c), samples(std::move(sample_names)), counts(channel_count(c) * samples.size(), 0) {}

    std::size_t channels() const { return channel_count(context); }
    std::uint64_t& at(std::size_t channel, std::size_t sample) { return counts[channel * samples.size() + sample]; }
    std::uint64_t at(std::size_t channel, std::size_t sample) const {
        return counts[channel * samples.size() + sample];
    }
};

}  // namespace sigstream
