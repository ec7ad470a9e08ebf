// Atomic output: a file is written under a temporary name in its own folder and renamed to its
// final name only by commit(), so a failed run leaves no partial file. `-` means standard output.
// A name ending in `.gz` is gzip-compressed.
#pragma once

#include <memory>
#include <ostream>
#include <string>

namespace sigstream {

class OutputFile {
public:
    // Throws IoError when the folder does not exist or is not writable.
    explicit OutputFile(std::string path);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    std::ostream& stream();
    // Flushes and closes the temporary file; throws IoError on failure (e.g. disk full). A run that
    // writes several files finishes them all before committing any, so a failure leaves none behind.
    void finish();
    // Finishes (if not yet done) and renames into place. Throws IoError on failure, and UsageError (before
    // anything moves) when the destination is a file the process read (io/input_files.h).
    void commit();
    // Throws UsageError when the destination is a file this process read as an input.
    void refuse_input() const;

    const std::string& path() const { return path_; }

    // Where `path` writes to, for telling two outputs apart: `-`, /dev/stdout and /proc/self/fd/1 are
    // all standard output; links are followed.
    static std::string destination(const std::string& path);

    // Throws IoError unless a file could be created at `path` (its folder exists and is writable).
    // Used to fail before a long computation rather than after it.
    static void check_writable(const std::string& path);

private:
    struct Impl;
    std::string path_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sigstream
