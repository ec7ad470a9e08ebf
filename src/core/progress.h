// Progress and cancellation: one callback type for every long step of the library (counting, fits,
// replicates, cross-validation). The library calls it; the caller shows it (the CLI draws a progress line)
// and can ask the work to stop by returning Flow::stop — the one meaning of "stop" everywhere: the work
// ends early and the library throws Cancelled (core/errors.h), leaving no output behind.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>

namespace sigstream {

struct Progress {
    std::string_view stage;  // the stage reporting: "count", "extract", "fit", "crossval", …
    std::string_view unit;   // what `done` and `total` count: "inputs", "fits", "iterations", "jobs"
    std::uint64_t done = 0;
    std::uint64_t total = 0;      // 0: not known
    std::uint64_t items = 0;      // a running tally worth a rate (records read), 0 when there is none
    std::string_view items_unit;  // "records"
    double objective = std::numeric_limits<double>::quiet_NaN();  // a fit's latest objective
    std::string_view detail;  // one phrase about the latest unit ("K=5 replicate 3, 812 iterations")
};

enum class Flow { proceed, stop };

// May be empty (no reporting). Called from one thread at a time.
using ProgressFn = std::function<Flow(const Progress&)>;

}  // namespace sigstream
