// Contig-name harmonisation between a VCF or BED file and the reference FASTA:
// exact name first; then with a `chr` prefix added or removed (`chr1` <-> `1`); the mitochondrion's
// names `chrM`, `chrMT`, `M` and `MT` all match each other.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sigstream {

class ContigNames {
public:
    ContigNames() = default;
    explicit ContigNames(const std::vector<std::string>& reference_names);

    // Index of the reference contig that `name` refers to, or -1.
    int find(std::string_view name) const;

private:
    std::unordered_map<std::string, int> index_;
};

}  // namespace sigstream
