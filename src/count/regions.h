// Genomic regions from a BED file (0-based, half-open), mapped onto the reference's contigs.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sigstream {

class Reference;

class Regions {
public:
    // Reads `bed_path`; contig names are harmonised against `ref`. Throws IoError / FormatError.
    Regions(const std::string& bed_path, const Reference& ref);

    // True when the 1-based position `pos` on reference contig `contig` lies in a region.
    bool contains(int contig, std::int64_t pos) const;

    std::size_t skipped_contigs() const { return skipped_contigs_; }

private:
    // Per reference contig: sorted, merged [start, end) intervals, 0-based.
    std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> intervals_;
    std::size_t skipped_contigs_ = 0;
};

}  // namespace sigstream
