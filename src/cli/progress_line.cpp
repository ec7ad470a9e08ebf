#include "cli/progress_line.h"

#include "cli/command.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sigstream::cli {

namespace {

std::string human(double n) {
    char buf[32];
    if (n >= 1e6)
        std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
    else if (n >= 1e3)
        std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
}

double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

ProgressLine::ProgressLine(std::string command, bool quiet)
    : command_(std::move(command)),
      quiet_(quiet),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_(start_),
      stage_start_(start_) {}

ProgressLine::~ProgressLine() {
    close();
}

double ProgressLine::seconds() const {
    return since(start_);
}

void ProgressLine::close() {
    if (open_) {
        std::fputc('\n', stderr);
        std::fflush(stderr);
        open_ = false;
        last_length_ = 0;
    }
}

ProgressFn ProgressLine::callback() {
    return [this](const Progress& p) {
        if (interrupt_signal()) return Flow::stop;  // SIGINT or SIGTERM: the library stops and cleans up
        if (!quiet_) show(p);
        return Flow::proceed;
    };
}

void ProgressLine::show(const Progress& p) {
    char line[512];
    if (p.unit == "stage") {
        close();
        stage_ = std::string(p.stage);
        stage_start_ = std::chrono::steady_clock::now();
        std::fprintf(stderr, "sigstream %s: %s: %.*s\n", command_.c_str(), stage_.c_str(),
                     static_cast<int>(p.detail.size()), p.detail.data());
        std::fflush(stderr);
        return;
    }
    const bool first = p.done == 0, last = p.total > 0 && p.done == p.total;
    if (!first && !last && since(last_) < (tty_ ? 1.0 : 30.0)) return;
    last_ = std::chrono::steady_clock::now();
    const double secs = since(stage_start_);
    std::string text;
    if (p.unit == "iterations") {
        std::snprintf(line, sizeof line, "iteration %llu of at most %llu, objective %.10g, %.0f s",
                      static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.total), p.objective,
                      secs);
        text = line;
    } else {
        if (p.total > 0)
            std::snprintf(line, sizeof line, "%llu/%llu %.*s", static_cast<unsigned long long>(p.done),
                          static_cast<unsigned long long>(p.total), static_cast<int>(p.unit.size()), p.unit.data());
        else
            std::snprintf(line, sizeof line, "%llu %.*s", static_cast<unsigned long long>(p.done),
                          static_cast<int>(p.unit.size()), p.unit.data());
        text = line;
        if (!p.detail.empty()) text += " (" + std::string(p.detail) + ")";
        if (p.items > 0)
            text += ", " + human(static_cast<double>(p.items)) + " " + std::string(p.items_unit) + ", " +
                    human(static_cast<double>(p.items) / std::max(secs, 1e-9)) + " " + std::string(p.items_unit) + "/s";
        std::snprintf(line, sizeof line, ", %.0f s", secs);
        text += line;
        if (!first && !last && p.total > 0) {
            const double left = secs / static_cast<double>(p.done) * static_cast<double>(p.total - p.done);
            std::snprintf(line, sizeof line, ", about %.0f s left", std::ceil(left));
            text += line;
        }
    }
    const std::string full = "sigstream " + command_ + ": " + std::string(p.stage) + ": " + text;
    if (tty_) {  // rewrite the line in place, blanking what a longer previous line left
        const int len = static_cast<int>(full.size());
        std::fprintf(stderr, "\r%s%*s", full.c_str(), std::max(0, last_length_ - len), "");
        last_length_ = len;
        open_ = true;
        if (last) close();
    } else {
        std::fprintf(stderr, "%s\n", full.c_str());
    }
    std::fflush(stderr);
}

}  // namespace sigstream::cli
