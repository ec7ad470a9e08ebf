// Reads a text file line by line: plain or gzip-compressed (by content), `-` for standard input.
// Strips `\r` line ends and a leading UTF-8 byte-order mark, and counts lines for messages. A FIFO is read as it
// is written (io/input_files.h: never blocking forever); a line longer than kMaxLineBytes is a FormatError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace sigstream {

class LineReader {
public:
    static constexpr std::size_t kMaxLineBytes = std::size_t{64} << 20;

    explicit LineReader(std::string path);  // throws IoError
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // Reads the next line into `line` (without its end); false at the end of the file.
    bool next(std::string& line);
    std::uint64_t line_number() const { return line_no_; }
    const std::string& path() const { return path_; }

private:
    struct Impl;
    std::string path_;
    std::unique_ptr<Impl> impl_;
    std::uint64_t line_no_ = 0;
};

}  // namespace sigstream
