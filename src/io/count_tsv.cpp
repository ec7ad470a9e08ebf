#include "io/count_tsv.h"

#include <charconv>
#include <string>

namespace sigstream {

namespace {
void append_number(std::string& s, std::uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    s.append(buf, r.ptr);
}
}  // namespace

void write_count_matrix(const CountMatrix& m, std::ostream& out) {
    std::string line = "MutationType";
    for (const auto& s : m.samples) line += "\t" + s;
    line += '\n';
    out << line;
    const auto& labels = channel_labels(m.context);
    for (std::size_t ch = 0; ch < labels.size(); ++ch) {
        line = labels[ch];
        for (std::size_t j = 0; j < m.samples.size(); ++j) {
            line += '\t';
            append_number(line, m.at(ch, j));
        }
        line += '\n';
        out << line;
    }
}

void write_count_summary(const std::vector<StreamSummary>& rows, std::ostream& out) {
    std::string line = "Sample\tCounted";
    for (std::size_t k = 0; k < kSkipReasons; ++k) {
        line += '\t';
        line += skip_name(static_cast<Skip>(k));
    }
    line += '\n';
    out << line;
    for (const auto& r : rows) {
        line = r.sample + "\t";
        append_number(line, r.counted);
        for (std::uint64_t v : r.skipped) {
            line += '\t';
            append_number(line, v);
        }
        line += '\n';
        out << line;
    }
}

}  // namespace sigstream
