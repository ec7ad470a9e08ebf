#include "io/checksum.h"

#include <htslib/hts.h>

#include <fstream>
#include <memory>
#include <vector>

namespace sigstream {

std::string file_md5(const std::string& path) {
    if (path.empty() || path == "-") return {};
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::unique_ptr<hts_md5_context, void (*)(hts_md5_context*)> md5(hts_md5_init(), hts_md5_destroy);
    if (!md5) return {};
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        hts_md5_update(md5.get(), buf.data(), static_cast<unsigned long>(in.gcount()));
    }
    if (in.bad()) return {};
    unsigned char digest[16];
    hts_md5_final(digest, md5.get());
    char hex[33];
    hts_md5_hex(hex, digest);
    return std::string(hex, 32);
}

}  // namespace sigstream
