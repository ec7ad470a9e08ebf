// The count summary table: writing (count stage) and reading back (merge stage).
#include "count/summary_tsv.h"

#include <charconv>

#include "core/errors.h"
#include "io/line_reader.h"
#include "io/tables.h"

namespace sigstream {

namespace {

constexpr std::string_view kLead = "Sample\tCounted\t";

std::string expected_header() {
    std::string h = "Sample\tCounted";
    for (std::size_t k = 0; k < kSkipReasons; ++k) h += "\t" + std::string(skip_name(static_cast<Skip>(k)));
    return h;
}

std::vector<std::string_view> tabs(std::string_view line) {
    std::vector<std::string_view> f;
    std::size_t start = 0;
    for (;;) {
        const std::size_t tab = line.find('\t', start);
        f.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) return f;
        start = tab + 1;
    }
}

}  // namespace

void write_count_summary(const std::vector<StreamSummary>& rows, std::ostream& out) {
    TsvWriter t(out);
    t.text("Sample").text("Counted");
    for (std::size_t k = 0; k < kSkipReasons; ++k) t.text(skip_name(static_cast<Skip>(k)));
    t.end_row();
    for (const auto& r : rows) {
        t.text(r.sample).unsigned_integer(r.counted);
        for (std::uint64_t v : r.skipped) t.unsigned_integer(v);
        t.end_row();
    }
}

bool is_count_summary_header(std::string_view first_line) {
    return first_line.substr(0, kLead.size()) == kLead;
}

std::vector<StreamSummary> read_count_summary(const std::string& path) {
    LineReader in(path);
    std::string line;
    const std::string header = expected_header();
    if (!in.next(line) || line != header)
        throw FormatError(path, in.line_number(),
                          "this is not the header of a count summary of this version of sigstream",
                          "give summaries written by `sigstream count --summary` (the header is " + header + ")");
    std::vector<StreamSummary> rows;
    while (in.next(line)) {
        if (line.empty()) continue;
        const std::vector<std::string_view> f = tabs(line);
        if (f.size() != kSkipReasons + 2)
            throw FormatError(
                path, in.line_number(),
                "this row has " + std::to_string(f.size()) + " fields, expected " + std::to_string(kSkipReasons + 2),
                "a sample name and one whole number per column of the header");
        if (f[0].empty())
            throw FormatError(path, in.line_number(), "this row has no sample name", "name the sample in column 1");
        StreamSummary s;
        s.sample = std::string(f[0]);
        for (std::size_t j = 1; j < f.size(); ++j) {
            std::uint64_t v = 0;
            const auto r = std::from_chars(f[j].data(), f[j].data() + f[j].size(), v);
            if (f[j].empty() || r.ec != std::errc() || r.ptr != f[j].data() + f[j].size())
                throw FormatError(
                    path, in.line_number(),
                    "the value '" + std::string(f[j]) + "' for sample '" + s.sample + "' is not a whole number",
                    "every count of a summary is a whole number");
            (j == 1 ? s.counted : s.skipped[j - 2]) = v;
        }
        rows.push_back(std::move(s));
    }
    return rows;
}

}  // namespace sigstream
