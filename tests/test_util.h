// Helpers shared by the unit tests.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>

namespace sigstream::test {

// A fresh folder under the system's temporary folder, removed when the object goes.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    // path() + "/" + name
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// Writes `content` to `path` (overwriting).
void write_file(const std::string& path, const std::string& content);
// The whole content of `path`.
std::string read_file(const std::string& path);
// Compresses `path` with BGZF (htslib) into `path + ".gz"` and returns that name.
std::string bgzip_file(const std::string& path);

// The exception of type E (a sigstream::Error) that f() throws; when it throws none or another, a test failure and
// a placeholder E.
template <typename E, typename F>
E error_of(F f) {
    try {
        f();
    } catch (const E& e) {
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "another exception: " << e.what();
        return E("", 0, "wrong exception");
    }
    ADD_FAILURE() << "no exception";
    return E("", 0, "no exception");
}

}  // namespace sigstream::test
