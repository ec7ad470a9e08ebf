// Helpers shared by the unit tests.
#pragma once

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

}  // namespace sigstream::test
