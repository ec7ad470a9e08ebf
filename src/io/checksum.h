// A file's checksum, recorded in metadata.toml so a run names exactly the input it read.
#pragma once

#include <string>

namespace sigstream {

// The MD5 of a file's bytes (htslib's implementation, as in SAM's M5 tags) as 32 hex digits; empty for `-` or a
// file that cannot be read.
std::string file_md5(const std::string& path);

}  // namespace sigstream
