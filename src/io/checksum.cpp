#include "io/checksum.h"

#include <htslib/hts.h>

#include <filesystem>
#include <fstream>
#include <new>
#include <vector>

namespace sigstream {

struct Md5::Impl {
    hts_md5_context* ctx = nullptr;
};

Md5::Md5() : impl_(std::make_unique<Impl>()) {
    impl_->ctx = hts_md5_init();
    if (!impl_->ctx) throw std::bad_alloc();
}

Md5::~Md5() {
    hts_md5_destroy(impl_->ctx);
}

void Md5::update(std::string_view bytes) {
    while (!bytes.empty()) {  // htslib takes an unsigned long size: feed in pieces of at most 1 GiB
        const std::size_t n = std::min<std::size_t>(bytes.size(), std::size_t{1} << 30);
        hts_md5_update(impl_->ctx, bytes.data(), static_cast<unsigned long>(n));
        bytes.remove_prefix(n);
    }
}

std::string Md5::hex() {
    unsigned char digest[16];
    hts_md5_final(digest, impl_->ctx);
    char hex[33];
    hts_md5_hex(hex, digest);
    return std::string(hex, 32);
}

std::string file_md5(const std::string& path) {
    std::error_code ec;
    if (path.empty() || path == "-" || !std::filesystem::is_regular_file(path, ec)) return {};
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    Md5 md5;
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        md5.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
    }
    if (in.bad()) return {};
    return md5.hex();
}

}  // namespace sigstream
