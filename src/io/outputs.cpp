#include "io/outputs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/errors.h"
#include "io/input_files.h"

namespace sigstream {

namespace fs = std::filesystem;

namespace {

std::string strip_trailing_slashes(std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

bool entry_exists(const fs::path& p) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(p, ec));
}

UsageError replaces_input(const std::string& folder, const std::string& input) {
    return UsageError(folder, 0, "--force would replace the folder holding the input " + input,
                      "choose another --out-dir");
}

// A folder a sigstream run wrote: its metadata.toml names the sigstream version.
bool made_by_sigstream(const fs::path& folder) {
    std::ifstream in(folder / "metadata.toml", std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head.find("\nsigstream_version = ") != std::string::npos;
}

bool is_empty_real_folder(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(fs::symlink_status(p, ec)) && fs::is_empty(p, ec) && !ec;
}

}  // namespace

// ---------------------------------------------------------------- RunFolder

RunFolder::RunFolder(std::string path, bool force) : path_(strip_trailing_slashes(std::move(path))), force_(force) {
    if (path_.empty()) throw UsageError("", 0, "--out-dir is empty", "give the run folder to create");
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(path_, ec))) {  // a link to a folder: the run folder is where it points
        const fs::path target = fs::canonical(path_, ec);
        if (ec) throw UsageError(path_, 0, "--out-dir is a symbolic link to nothing", "give a folder, or fix the link");
        path_ = target.string();
    }
    check();
}

RunFolder::~RunFolder() {
    files_.clear();
    std::error_code ec;
    if (!temp_.empty()) fs::remove_all(temp_, ec);
    if (!old_.empty() && entry_exists(old_)) fs::remove_all(old_, ec);
}

fs::path RunFolder::parent_of() const {
    fs::path parent = fs::path(path_).parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

void RunFolder::check() const {
    const fs::path parent = parent_of();
    std::error_code ec;
    if (!fs::is_directory(parent, ec))
        throw IoError(path_, 0, "cannot create the run folder: folder '" + parent.string() + "' does not exist",
                      "create it first or choose another --out-dir");
    if (access(parent.c_str(), W_OK) != 0)
        throw IoError(path_, 0, "cannot create the run folder: folder '" + parent.string() + "' is not writable",
                      "choose a folder you can write to");
    if (!entry_exists(path_) || is_empty_real_folder(path_)) return;
    if (!fs::is_directory(fs::symlink_status(path_, ec)))
        throw UsageError(path_, 0, "--out-dir exists and is not a folder", "choose another --out-dir");
    if (!force_)
        throw UsageError(path_, 0, "the output folder already exists and is not empty",
                         "choose another --out-dir, empty it, or give --force to replace it");
    if (!made_by_sigstream(path_))
        throw UsageError(path_, 0,
                         "--force replaces only a run folder sigstream made (one with its metadata.toml), and this "
                         "folder has none",
                         "choose another --out-dir, or empty the folder yourself");
}

void RunFolder::protect(const std::string& input) {
    if (!force_ || input.empty() || input == "-" || !entry_exists(path_)) return;
    std::error_code ec1, ec2;
    const fs::path in = fs::weakly_canonical(input, ec1), out = fs::weakly_canonical(path_, ec2);
    if (ec1 || ec2) return;
    auto o = out.begin(), i = in.begin();
    for (; o != out.end() && i != in.end() && *o == *i; ++o, ++i) {
    }
    if (o == out.end()) throw replaces_input(path_, input);
}

const std::string& RunFolder::temp() {
    if (temp_.empty()) {
        const fs::path name = fs::path(path_).filename();
        std::string templ = (parent_of() / ("." + name.string() + ".tmp.XXXXXX")).string();
        if (!mkdtemp(templ.data()))
            throw IoError(path_, 0, std::string("cannot create a temporary folder: ") + std::strerror(errno),
                          "check the folder's permissions and free space");
        temp_ = templ;
        const mode_t mask = umask(0);
        umask(mask);
        chmod(temp_.c_str(), 0777 & ~mask);  // mkdtemp creates 0700: give a normal folder's permissions
    }
    return temp_;
}

void RunFolder::reserve(const std::string& name) {
    if (!names_.insert(name).second)
        throw UsageError(path_, 0, "two outputs of the run would be written to " + name,
                         "give the stages' outputs different names");
}

std::ostream& RunFolder::open(const std::string& name) {
    if (!opened_.insert(name).second)
        throw UsageError(path_, 0, "two outputs of the run would be written to " + name,
                         "give the stages' outputs different names");
    if (!files_.empty()) files_.back()->finish();
    const fs::path p = fs::path(temp()) / name;
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
    files_.push_back(std::make_unique<OutputFile>(p.string()));
    return files_.back()->stream();
}

void RunFolder::commit() {
    for (auto& f : files_) f->finish();
    for (auto& f : files_) f->commit();
    files_.clear();
    temp();  // a run with no files still gives an (empty) folder
    check();
    if (const std::string input = input_inside(path_); !input.empty()) throw replaces_input(path_, input);
    if (entry_exists(path_) && !is_empty_real_folder(path_)) {  // --force: move the old one aside first
        old_ = temp_ + ".old";
        if (std::rename(path_.c_str(), old_.c_str()) != 0) {
            const int err = errno;
            old_.clear();
            throw IoError(path_, 0, std::string("cannot replace the existing output: ") + std::strerror(err),
                          "check the permissions, or choose another --out-dir");
        }
    }
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        if (!old_.empty() && std::rename(old_.c_str(), path_.c_str()) == 0) old_.clear();
        throw IoError(path_, 0, std::string("cannot move the finished run folder into place: ") + std::strerror(err),
                      "check the permissions, or choose another --out-dir");
    }
    temp_.clear();
    if (!old_.empty()) {
        std::error_code ec;
        fs::remove_all(old_, ec);
        old_.clear();
    }
}

// ---------------------------------------------------------------- FileSet

FileSet::~FileSet() {
    files_.clear();
    if (committed_) return;
    std::error_code ec;
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) fs::remove_all(*it, ec);
}

void FileSet::create_folder(const std::string& folder) {
    std::error_code ec;
    if (entry_exists(folder)) {
        if (!fs::is_directory(folder, ec))
            throw UsageError(folder, 0, "the output folder names a file, not a folder", "give a folder");
        return;
    }
    const fs::path parent = fs::path(folder).parent_path().empty() ? fs::path(".") : fs::path(folder).parent_path();
    if (!fs::is_directory(parent, ec))
        throw IoError(folder, 0, "cannot create the output folder: folder '" + parent.string() + "' does not exist",
                      "create it first or choose another folder");
    if (!fs::create_directory(folder, ec) || ec)
        throw IoError(folder, 0, "cannot create the output folder: " + ec.message(), "check the path and permissions");
    created_.push_back(folder);
}

void FileSet::protect(const std::string& input) {
    if (input.empty() || input == "-") return;
    bool same = destinations_.count(OutputFile::destination(input)) > 0;
    if (const auto in = file_id(input); in && !same)  // the same file under another name: a link, a hard link
        for (const std::string& out : reserved_)
            if ((out == "-" ? stdout_file_id() : file_id(out)) == in) same = true;
    if (same) throw output_over_input(input);
}

void FileSet::reserve(const std::string& path) {
    OutputFile::check_writable(path);
    if (!destinations_.insert(OutputFile::destination(path)).second)
        throw UsageError(path, 0, "two outputs would be written to the same place", "give every output its own file");
    reserved_.push_back(path);
}

std::ostream& FileSet::open(const std::string& path) {
    files_.push_back(std::make_unique<OutputFile>(path));
    return files_.back()->stream();
}

void FileSet::commit() {
    for (auto& f : files_) f->refuse_input();
    for (auto& f : files_) f->finish();  // every file complete before any appears
    for (auto& f : files_) f->commit();
    files_.clear();
    committed_ = true;
}

}  // namespace sigstream
