#include "io/input_files.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include "core/errors.h"

namespace sigstream {

namespace fs = std::filesystem;

namespace {

struct Noted {
    FileId id;
    std::string name;  // as the run named it
    fs::path real;     // links resolved
};

std::mutex& noted_mutex() {
    static std::mutex m;
    return m;
}

std::vector<Noted>& noted() {
    static std::vector<Noted> v;
    return v;
}

FileId id_of(const struct stat& st) {
    return FileId{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

bool inside(const fs::path& file, const fs::path& folder) {
    auto f = file.begin();
    for (auto d = folder.begin(); d != folder.end(); ++d, ++f)
        if (f == file.end() || *f != *d) return false;
    return true;
}

}  // namespace

std::optional<FileId> file_id(const std::string& path) {
    struct stat st {};
    if (path == "-") {
        if (fstat(0, &st) != 0) return std::nullopt;
    } else if (path.empty() || stat(path.c_str(), &st) != 0) {
        return std::nullopt;
    }
    return id_of(st);
}

std::optional<FileId> stdout_file_id() {
    struct stat st {};
    if (fstat(1, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) return std::nullopt;
    return id_of(st);
}

// An input noted earlier that has since been deleted (or replaced) is no longer one: its inode may be reused.
bool still_there(const Noted& n) {
    return !n.real.empty() && file_id(n.real.string()) == n.id;
}

void note_input(const std::string& path) {
    const auto id = file_id(path);
    if (path == "-" || !id) return;
    std::error_code ec;
    fs::path real = fs::canonical(path, ec);
    if (ec) real.clear();
    const std::lock_guard<std::mutex> lock(noted_mutex());
    for (Noted& n : noted())
        if (n.id == *id && still_there(n)) return;
    noted().push_back(Noted{*id, path, std::move(real)});
}

std::string input_at(const std::string& path) {
    const auto id = path == "-" ? stdout_file_id() : file_id(path);
    if (!id) return {};
    const std::lock_guard<std::mutex> lock(noted_mutex());
    for (const Noted& n : noted())
        if (n.id == *id && still_there(n)) return n.name;
    return {};
}

std::string input_inside(const std::string& folder) {
    std::error_code ec;
    const fs::path real = fs::canonical(folder, ec);
    if (ec) return {};
    const std::lock_guard<std::mutex> lock(noted_mutex());
    for (const Noted& n : noted())
        if (!n.real.empty() && inside(n.real, real) && still_there(n)) return n.name;
    return {};
}

UsageError output_over_input(const std::string& input) {
    return UsageError(input, 0, "an output of the run would be written over this input",
                      "write the output somewhere else");
}

void require_regular_file(const std::string& path, const std::string& what, const std::string& why) {
    struct stat st {};
    if (path == "-")
        throw UsageError("<stdin>", 0, what + " cannot be read from standard input: " + why, "give a file");
    if (stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return;  // others say why
    const char* kind = S_ISFIFO(st.st_mode)   ? "a FIFO"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                                              : "a device";
    throw UsageError(path, 0, what + " is " + kind + ", not a regular file: " + why, "give a regular file");
}

int fifo_wait_seconds() {
    if (const char* env = std::getenv("SIGSTREAM_FIFO_WAIT")) {
        char* end = nullptr;
        const long v = std::strtol(env, &end, 10);
        if (end != env && *end == '\0' && v >= 0 && v <= 86400) return static_cast<int>(v);
    }
    return 600;
}

int open_fifo_input(const std::string& path) {
    struct stat st {};
    if (path == "-" || stat(path.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode)) return -1;
    const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);  // returns at once, writer or not
    if (fd < 0) throw IoError(path, 0, std::string("cannot open the FIFO: ") + std::strerror(errno), "check the path");
    const int seconds = fifo_wait_seconds();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    for (;;) {
        // A reader's poll() reports nothing until a writer has written (or has come and gone): wait for that.
        pollfd p{fd, POLLIN, 0};
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) break;
        const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (r > 0) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            return fd;
        }
        if (r < 0 && errno != EINTR) break;
    }
    close(fd);
    throw IoError(path, 0, "no process wrote to this FIFO within " + std::to_string(seconds) + " s",
                  "start the program that writes to it, or give a regular file ($SIGSTREAM_FIFO_WAIT sets the wait)");
}

}  // namespace sigstream
