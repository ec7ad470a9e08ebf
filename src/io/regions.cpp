#include "io/regions.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/errors.h"
#include "io/line_reader.h"
#include "io/reference.h"

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
        std::string_view s(line);
        std::string_view f[3];
        std::size_t n = 0, start = 0;
        while (n < 3) {
            std::size_t t = s.find_first_of("\t ", start);
            f[n++] = s.substr(start, t == std::string_view::npos ? std::string_view::npos : t - start);
            if (t == std::string_view::npos) break;
            start = t + 1;
        }
        std::int64_t b = 0, e = 0;
        if (n < 3 || !parse_int(f[1], b) || !parse_int(f[2], e) || b < 0 || e < b)
            throw FormatError(bed_path, in.line_number(),
                              "malformed BED line (need contig, start, end with 0 <= start <= end)",
                              "BED columns are TAB-separated, 0-based, half-open");
        int c = ref.find_contig(f[0]);
        if (c < 0) {
            unknown.emplace(f[0]);
            continue;
        }
        intervals_[static_cast<std::size_t>(c)].emplace_back(b, e);
    }
    skipped_contigs_ = unknown.size();
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
