// Checksums: of a file, recorded in metadata.toml so a run names exactly the input it read; and of a shard's
// content, which consensus verifies (io/shard.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sigstream {

// MD5 (htslib's implementation, as in SAM's M5 tags), fed piece by piece.
class Md5 {
public:
    Md5();
    ~Md5();
    Md5(const Md5&) = delete;
    Md5& operator=(const Md5&) = delete;
    void update(std::string_view bytes);
    // The digest of everything fed, as 32 lower-case hex digits (call once).
    std::string hex();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The MD5 of a file's bytes as 32 hex digits; empty for `-`, a file that cannot be read, or one that is not a
// regular file (a FIFO can be read only once).
std::string file_md5(const std::string& path);

}  // namespace sigstream
