#include "io/line_reader.h"

#include <boost/iostreams/device/file_descriptor.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/errors.h"

namespace sigstream {

namespace bio = boost::iostreams;

struct LineReader::Impl {
    std::ifstream file;
    bio::filtering_istream in;
};

LineReader::LineReader(std::string path) : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
    std::istream* source = &std::cin;
    bool gz = false;
    if (path_ != "-") {
        std::error_code ec;
        if (std::filesystem::is_directory(path_, ec))
            throw IoError(path_, 0, "this is a folder, not a file", "give the path of a file");
        impl_->file.open(path_, std::ios::binary);
        if (!impl_->file)
            throw IoError(path_, 0, std::string("cannot open: ") + std::strerror(errno),
                          "check the path and permissions");
        unsigned char magic[2] = {0, 0};
        impl_->file.read(reinterpret_cast<char*>(magic), 2);
        gz = impl_->file.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        impl_->file.clear();
        impl_->file.seekg(0);
        source = &impl_->file;
    }
    if (gz) impl_->in.push(bio::gzip_decompressor());
    impl_->in.push(*source);
}

LineReader::~LineReader() = default;

bool LineReader::next(std::string& line) {
    try {
        if (!std::getline(impl_->in, line)) {
            if (impl_->in.bad())
                throw IoError(path_, line_no_ + 1, "cannot read the file (truncated or corrupt)", "check the file");
            return false;
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
