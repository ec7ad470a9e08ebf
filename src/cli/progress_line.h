// Progress on stderr: on a terminal one line rewritten in place (at most once a second), with the rate and the
// time left; otherwise (a Nextflow or Snakemake log) a plain line every 30 seconds; nothing with --quiet.
#pragma once

#include <chrono>
#include <string>

#include "core/progress.h"

namespace sigstream::cli {

class ProgressLine {
public:
    ProgressLine(std::string command, bool quiet);
    ~ProgressLine();
    // The callback to hand to the library.
    ProgressFn callback();
    // Ends a line rewritten in place, before other output.
    void close();
    double seconds() const;

private:
    void show(const Progress& p);
    std::string command_;
    bool quiet_, tty_;
    bool open_ = false;
    int last_length_ = 0;
    std::chrono::steady_clock::time_point start_, last_, stage_start_;
    std::string stage_;
};

}  // namespace sigstream::cli
