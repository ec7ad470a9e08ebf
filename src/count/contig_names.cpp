#include "count/contig_names.h"

namespace sigstream {

namespace {
bool is_mito(std::string_view n) {
    return n == "chrM" || n == "chrMT" || n == "M" || n == "MT";
}
}  // namespace

ContigNames::ContigNames(const std::vector<std::string>& reference_names) {
    for (std::size_t i = 0; i < reference_names.size(); ++i) index_.emplace(reference_names[i], static_cast<int>(i));
}

int ContigNames::find(std::string_view name) const {
    std::string key(name);
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    if (is_mito(name)) {
        for (const char* alias : {"chrM", "MT", "chrMT", "M"})
            if (auto it = index_.find(alias); it != index_.end()) return it->second;
        return -1;
    }
    std::string alt = name.substr(0, 3) == "chr" ? std::string(name.substr(3)) : "chr" + key;
    if (auto it = index_.find(alt); it != index_.end()) return it->second;
    return -1;
}

}  // namespace sigstream
