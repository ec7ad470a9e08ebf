#include "count/regions.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/errors.h"
#include "count/reference.h"
#include "io/line_reader.h"

namespace sigstream {

namespace {
bool parse_int(std::string_view s, std::int64_t& v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}
}  // namespace

Regions::Regions(const std::string& bed_path, const Reference& ref) : intervals_(ref.contig_names().size()) {
    LineReader in(bed_path);
    std::string line;
    std::set<std::string> unknown;
    while (in.next(line)) {
        if (line.empty() || line[0] == '#' || line.rfind("track", 0) == 0 || line.rfind("browser", 0) == 0) continue;
        // Fields are separated by TABs (or runs of spaces); only the first three are read.
        std::string_view s(line);
        std::string_view f[3];
        std::size_t n = 0, pos = 0;
        while (n < 3 && pos < s.size()) {
            std::size_t start = s.find_first_not_of("\t ", pos);
            if (start == std::string_view::npos) break;
            std::size_t end = s.find_first_of("\t ", start);
            f[n++] = s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
            pos = end == std::string_view::npos ? s.size() : end;
        }
        if (n < 3)
            throw FormatError(bed_path, in.line_number(), "a BED line needs contig, start and end",
                              "BED lines are TAB-separated: contig, 0-based start, end");
        std::int64_t b = 0, e = 0;
        if (!parse_int(f[1], b) || !parse_int(f[2], e))
            throw FormatError(
                bed_path, in.line_number(),
                "start '" + std::string(f[1]) + "' or end '" + std::string(f[2]) + "' is not a whole number",
                "remove header lines other than track/browser/# lines");
        if (b < 0 || e < b)
            throw FormatError(bed_path, in.line_number(), "the interval has start > end or a negative start",
                              "BED intervals are 0-based and half-open: 0 <= start <= end");
        int c = ref.find_contig(f[0]);
        if (c < 0) {
            unknown.emplace(f[0]);
            continue;
        }
        intervals_[static_cast<std::size_t>(c)].emplace_back(b, e);
    }
    skipped_contigs_ = unknown.size();
    std::size_t kept = 0;
    for (const auto& iv : intervals_) kept += iv.size();
    if (kept == 0 && unknown.empty())
        throw FormatError(bed_path, 0, "the BED file has no regions, so nothing would be counted",
                          "give a BED with at least one interval, or leave out --regions to count everywhere");
    if (kept == 0)
        throw DataError(bed_path, 0,
                        "none of the BED's " + std::to_string(unknown.size()) + " contig(s) (e.g. '" +
                            *unknown.begin() + "') is in the reference, so nothing would be counted",
                        "check that the BED and the FASTA name their contigs alike");
    for (auto& iv : intervals_) {
        std::sort(iv.begin(), iv.end());
        std::vector<std::pair<std::int64_t, std::int64_t>> merged;
        for (const auto& x : iv) {
            if (!merged.empty() && x.first <= merged.back().second)
                merged.back().second = std::max(merged.back().second, x.second);
            else
                merged.push_back(x);
        }
        iv.swap(merged);
    }
}

bool Regions::contains(int contig, std::int64_t pos) const {
    if (contig < 0) return false;
    const auto& iv = intervals_[static_cast<std::size_t>(contig)];
    std::int64_t p0 = pos - 1;  // 0-based
    auto it =
        std::upper_bound(iv.begin(), iv.end(), p0,
                         [](std::int64_t v, const std::pair<std::int64_t, std::int64_t>& x) { return v < x.first; });
    if (it == iv.begin()) return false;
    --it;
    return p0 >= it->first && p0 < it->second;
}

}  // namespace sigstream
