#include "io/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/iostreams/device/file_descriptor.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/errors.h"

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

fs::path folder_of(const std::string& path) {
    fs::path parent = fs::path(path).parent_path();
    return parent.empty() ? fs::path(".") : parent;
}
}  // namespace

struct OutputFile::Impl {
    bool to_stdout = false;
    std::string temp_path;
    bio::filtering_ostream out;
    bool committed = false;
};

void OutputFile::check_writable(const std::string& path) {
    if (path == "-") return;
    fs::path folder = folder_of(path);
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw IoError(path, 0, "cannot write the output: folder '" + folder.string() + "' does not exist",
                      "create it first or choose another path");
    if (access(folder.c_str(), W_OK) != 0)
        throw IoError(path, 0, "cannot write the output: folder '" + folder.string() + "' is not writable",
                      "choose a folder you can write to");
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
    if (path_ == "-") {
        impl_->to_stdout = true;
        impl_->out.push(std::cout, 1 << 16);
        return;
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
    if (impl_ && !impl_->to_stdout && !impl_->committed) {
        try {
            impl_->out.reset();
        } catch (...) {
        }
        std::remove(impl_->temp_path.c_str());
    }
}

std::ostream& OutputFile::stream() { return impl_->out; }

void OutputFile::commit() {
    if (impl_->committed) return;
    impl_->out.flush();
    bool ok = impl_->out.good();
    if (impl_->to_stdout) {
        impl_->out.reset();
        std::cout.flush();
        if (!ok || !std::cout.good())
            throw IoError("<stdout>", 0, "cannot write to standard output", "check the receiving pipe or disk");
        impl_->committed = true;
        return;
    }
    try {
        impl_->out.reset();  // closes the file (and finishes the gzip stream)
    } catch (const std::exception&) {
        ok = false;
    }
    if (!ok) {
        std::remove(impl_->temp_path.c_str());
        impl_->committed = true;
        throw IoError(path_, 0, "cannot write the output", "check free disk space and permissions");
    }
    if (std::rename(impl_->temp_path.c_str(), path_.c_str()) != 0) {
        int err = errno;
        std::remove(impl_->temp_path.c_str());
        impl_->committed = true;
        throw IoError(path_, 0, std::string("cannot move the finished output into place: ") + std::strerror(err),
                      "check the folder's permissions");
    }
    impl_->committed = true;
}

}  // namespace sigstream
