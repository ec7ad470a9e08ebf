#include "io/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/iostreams/device/file_descriptor.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/errors.h"
#include "io/input_files.h"

namespace sigstream {

namespace bio = boost::iostreams;
namespace fs = std::filesystem;

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

mode_t process_umask() {
    static const mode_t mask = [] {
        mode_t m = umask(0);
        umask(m);
        return m;
    }();
    return mask;
}

bool under_special_fs(const std::string& p) {
    return p.rfind("/dev/", 0) == 0 || p.rfind("/proc/", 0) == 0;
}

// Devices, pipes and the /dev/std* links are written in place: renaming over them would replace them.
bool writes_in_place(const std::string& path) {
    if (under_special_fs(path)) return true;
    std::error_code ec;
    fs::file_status link = fs::symlink_status(path, ec);
    if (ec || !fs::exists(link)) return false;
    if (fs::is_symlink(link)) {
        fs::path to = fs::read_symlink(path, ec);
        if (!ec && under_special_fs(to.string())) return true;
    }
    fs::file_status st = fs::status(path, ec);
    return !ec && fs::exists(st) && !fs::is_regular_file(st) && !fs::is_directory(st);
}

fs::path folder_of(const std::string& path) {
    fs::path parent = fs::path(path).parent_path();
    return parent.empty() ? fs::path(".") : parent;
}
}  // namespace

struct OutputFile::Impl {
    bool to_stdout = false;
    bool direct = false;  // a device or pipe (e.g. /dev/stderr): written in place, never renamed
    bool finished = false;
    std::string temp_path;
    bio::filtering_ostream out;
    bool committed = false;
};

std::string OutputFile::destination(const std::string& path) {
    if (path == "-" || path == "/dev/stdout" || path == "/proc/self/fd/1" || path == "/dev/fd/1") return "<stdout>";
    if (path == "/dev/stderr" || path == "/proc/self/fd/2" || path == "/dev/fd/2") return "<stderr>";
    std::error_code ec;
    fs::path p = fs::weakly_canonical(path, ec);
    return ec ? fs::absolute(path, ec).lexically_normal().string() : p.string();
}

void OutputFile::check_writable(const std::string& path) {
    if (path == "-" || writes_in_place(path)) return;
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw IoError(path, 0, "the output path is a folder", "give a file name");
    fs::path folder = folder_of(path);
    if (!fs::is_directory(folder, ec))
        throw IoError(path, 0, "cannot write the output: folder '" + folder.string() + "' does not exist",
                      "create it first or choose another path");
    if (access(folder.c_str(), W_OK) != 0)
        throw IoError(path, 0, "cannot write the output: folder '" + folder.string() + "' is not writable",
                      "choose a folder you can write to");
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
    // Standard output and devices are written through their descriptor, so that every failed write is seen
    // (the stream goes bad) — not left in a library's buffer to fail unnoticed at exit.
    if (path_ == "-") {
        impl_->to_stdout = true;
        refuse_input();
        std::cout.flush();
        impl_->out.push(bio::file_descriptor_sink(1, bio::never_close_handle), 1 << 16);
        return;
    }
    if (writes_in_place(path_)) {
        impl_->direct = true;
        refuse_input();
        // Never truncate what a device points to; never wait forever for a FIFO's reader.
        int fd = open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK);
        for (int tries = 0; fd < 0 && errno == ENXIO && tries < 10 * fifo_wait_seconds(); ++tries) {
            usleep(100000);  // a FIFO nobody reads yet
            fd = open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK);
        }
        if (fd < 0)
            throw IoError(path_, 0,
                          errno == ENXIO ? std::string("no process reads from this FIFO")
                                         : std::string("cannot open for writing: ") + std::strerror(errno),
                          "check the path");
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        if (ends_with(path_, ".gz")) impl_->out.push(bio::gzip_compressor());
        impl_->out.push(bio::file_descriptor_sink(fd, bio::close_handle), 1 << 16);
        return;
    }
    std::error_code ec;
    if (fs::is_directory(path_, ec)) throw IoError(path_, 0, "the output path is a folder", "give a file name");
    // A link to a regular file: the file it points to is replaced, the link stays.
    if (fs::is_symlink(fs::symlink_status(path_, ec))) {
        fs::path target = fs::canonical(path_, ec);
        if (!ec) path_ = target.string();
    }
    check_writable(path_);
    fs::path final_path(path_);
    std::string templ = (folder_of(path_) / ("." + final_path.filename().string() + ".tmp.XXXXXX")).string();
    int fd = mkstemp(templ.data());
    if (fd < 0)
        throw IoError(path_, 0, std::string("cannot create a temporary output file: ") + std::strerror(errno),
                      "check the folder's permissions and free space");
    fchmod(fd, 0666 & ~process_umask());  // mkstemp creates 0600; give the permissions of a normal file
    impl_->temp_path = templ;
    if (ends_with(path_, ".gz")) impl_->out.push(bio::gzip_compressor());
    impl_->out.push(bio::file_descriptor_sink(fd, bio::close_handle), 1 << 16);
}

OutputFile::~OutputFile() {
    if (impl_ && !impl_->to_stdout && !impl_->direct && !impl_->committed) {
        if (!impl_->finished) {
            try {
                impl_->out.reset();
            } catch (...) {
            }
        }
        std::remove(impl_->temp_path.c_str());
    }
}

std::ostream& OutputFile::stream() {
    return impl_->out;
}

void OutputFile::finish() {
    if (impl_->finished) return;
    impl_->finished = true;
    errno = 0;
    impl_->out.flush();
    bool ok = impl_->out.good();
    try {
        impl_->out.reset();  // closes the file (and finishes the gzip stream)
    } catch (const std::exception&) {
        ok = false;
    }
    if (!ok) {
        const std::string why = errno ? std::string(": ") + std::strerror(errno) : std::string();
        if (impl_->to_stdout || impl_->direct)
            throw IoError(impl_->to_stdout ? std::string("<stdout>") : path_, 0, "cannot write the output" + why,
                          "check the receiving pipe or disk");
        throw IoError(path_, 0, "cannot write the output" + why, "check free disk space and permissions");
    }
}

void OutputFile::refuse_input() const {
    const std::string input = input_at(impl_->to_stdout ? std::string("-") : path_);
    if (!input.empty()) throw output_over_input(input);
}

void OutputFile::commit() {
    if (impl_->committed) return;
    refuse_input();
    finish();
    if (impl_->to_stdout || impl_->direct) {
        impl_->committed = true;
        return;
    }
    if (std::rename(impl_->temp_path.c_str(), path_.c_str()) != 0) {
        int err = errno;
        throw IoError(path_, 0, std::string("cannot move the finished output into place: ") + std::strerror(err),
                      "check the folder's permissions");
    }
    impl_->committed = true;
}

}  // namespace sigstream
