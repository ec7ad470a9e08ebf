#include "io/line_reader.h"

#include <unistd.h>

#include <boost/iostreams/device/file_descriptor.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/errors.h"
#include "io/input_files.h"

namespace sigstream {

namespace bio = boost::iostreams;

struct LineReader::Impl {
    std::ifstream file;
    bio::filtering_istream fifo;  // a FIFO, read from the descriptor open_fifo_input() gives
    bio::filtering_istream in;
    std::string chunk = std::string(1 << 16, '\0');
};

LineReader::LineReader(std::string path) : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
    std::istream* source = &std::cin;
    if (path_ != "-") {
        std::error_code ec;
        if (std::filesystem::is_directory(path_, ec))
            throw IoError(path_, 0, "this is a folder, not a file", "give the path of a file");
        if (const int fd = open_fifo_input(path_); fd >= 0) {
            impl_->fifo.push(bio::file_descriptor_source(fd, bio::close_handle));
            source = &impl_->fifo;
        } else {
            impl_->file.open(path_, std::ios::binary);
            if (!impl_->file)
                throw IoError(path_, 0, std::string("cannot open: ") + std::strerror(errno),
                              "check the path and permissions");
            source = &impl_->file;
        }
        note_input(path_);
    }
    if (source->peek() == 0x1f) impl_->in.push(bio::gzip_decompressor());  // gzip's magic is 1f 8b
    source->clear();
    impl_->in.push(*source);
}

LineReader::~LineReader() = default;

bool LineReader::next(std::string& line) {
    line.clear();
    bool any = false;  // read something of this line (a line may be longer than one chunk)
    try {
        for (;;) {
            impl_->in.getline(impl_->chunk.data(), static_cast<std::streamsize>(impl_->chunk.size()));
            const auto got = static_cast<std::size_t>(impl_->in.gcount());
            if (impl_->in.bad())
                throw IoError(path_, line_no_ + 1, "cannot read the file (truncated or corrupt)", "check the file");
            if (impl_->in.eof()) {  // the last line, without its end
                line.append(impl_->chunk.data(), got);
                if (got == 0 && !any) return false;
                break;
            }
            if (impl_->in.fail()) {  // the chunk filled up before the line's end
                line.append(impl_->chunk.data(), got);
                any = true;
                impl_->in.clear();
                if (line.size() > kMaxLineBytes)
                    throw FormatError(path_, line_no_ + 1,
                                      "the line is longer than " + std::to_string(kMaxLineBytes >> 20) +
                                          " MiB (is this a text table?)",
                                      "check the file: a table's lines end in a newline");
                continue;
            }
            line.append(impl_->chunk.data(), got - 1);  // the newline was read too
            break;
        }
    } catch (const bio::gzip_error&) {
        throw IoError(path_, line_no_ + 1, "cannot read the file: truncated or corrupt gzip data",
                      "check it with `gzip -t` and re-create it");
    } catch (const std::ios_base::failure&) {
        throw IoError(path_, line_no_ + 1, "cannot read the file (truncated or corrupt)", "check the file");
    }
    ++line_no_;
    if (line_no_ == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
}

}  // namespace sigstream
