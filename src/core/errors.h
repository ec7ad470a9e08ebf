// Typed exceptions of the sigstream library.
//
// The library never prints or exits: it throws one of these, carrying the file and record (line) at
// fault, what went wrong and what the user can do about it. Only the CLI turns them into a one-line
// message (`sigstream <command>: <file>:<line>: <what> — <what to do>`) and an exit status.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace sigstream {

class Error : public std::runtime_error {
public:
    // `line` is 1-based; 0 means "no particular line".
    Error(std::string file, std::uint64_t line, std::string what, std::string hint = {});

    const std::string& file() const noexcept { return file_; }
    std::uint64_t line() const noexcept { return line_; }
    const std::string& problem() const noexcept { return problem_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    std::string file_;
    std::uint64_t line_;
    std::string problem_;
    std::string hint_;
};

// A file cannot be opened, read or written (missing, unreadable, truncated, disk full).
class IoError : public Error {
    using Error::Error;
};

// A file's contents break its format (not a VCF, malformed record, bad TSV cell).
class FormatError : public Error {
    using Error::Error;
};

// Well-formed data that cannot give a sound answer (wrong genome build, duplicate sample names).
class DataError : public Error {
    using Error::Error;
};

// The request itself is wrong (bad flag value, incompatible options): exit status 2.
class UsageError : public Error {
    using Error::Error;
};

// The caller asked the work to stop (its progress callback returned Flow::stop).
class Cancelled : public Error {
    using Error::Error;
};

}  // namespace sigstream
