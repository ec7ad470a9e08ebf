#include "io/matrix_tsv.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "core/errors.h"
#include "core/format.h"
#include "io/line_reader.h"

namespace sigstream {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        std::size_t p = line.find(sep, start);
        out.push_back(trim(line.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start)));
        if (p == std::string_view::npos) break;
        start = p + 1;
    }
    return out;
}

std::optional<Context> context_of_label(std::string_view label) {
    for (Context c : {Context::SBS96, Context::SBS6, Context::SBS1536})
        if (channel_index(c, label) >= 0) return c;
    return std::nullopt;
}

std::string label_example(Context c) {
    return c == Context::SBS6 ? "C>A" : c == Context::SBS96 ? "A[C>A]A" : "AA[C>A]AA";
}

LabelledMatrix read_matrix(const std::string& path, const char* what, MatrixValues kind) {
    LineReader in(path);
    std::string header_line;
    do {
        if (!in.next(header_line))
            throw FormatError(path, 0, std::string("the file is empty, not a ") + what,
                              "give a TSV with a header line and one row per channel");
    } while (header_line.empty());
    const std::uint64_t header_no = in.line_number();
    const char sep = header_line.find('\t') != std::string::npos ? '\t' : ',';
    std::vector<std::string_view> header = split(header_line, sep);

    LabelledMatrix m;
    std::vector<std::vector<double>> rows;  // by channel index
    std::vector<char> seen;
    bool corner = true;  // does the header start with a field above the labels?
    std::string line;
    std::size_t n_cols = 0;
    while (in.next(line)) {
        if (line.empty()) continue;
        std::vector<std::string_view> f = split(line, sep);
        const std::uint64_t no = in.line_number();
        if (seen.empty()) {  // first data row: settle the layout
            if (f.size() == header.size() + 1)
                corner = false;
            else if (f.size() != header.size())
                throw FormatError(path, no,
                                  "this row has " + std::to_string(f.size()) + " fields but the header has " +
                                      std::to_string(header.size()),
                                  std::string("fields must be separated by ") + (sep == '\t' ? "TAB" : "commas") +
                                      ", one per column");
            auto c = context_of_label(f[0]);
            if (!c)
                throw FormatError(path, no, "'" + std::string(f[0]) + "' is not a mutation channel label",
                                  "rows must be labelled like A[C>A]A (SBS96), C>A (SBS6) or AA[C>A]AA (SBS1536)");
            m.context = *c;
            for (std::size_t j = corner ? 1 : 0; j < header.size(); ++j) {
                if (header[j].empty())
                    throw FormatError(path, header_no, "column " + std::to_string(j + 1) + " has no name",
                                      "name every sample or signature in the header line");
                m.columns.emplace_back(header[j]);
            }
            std::set<std::string> names;
            for (const auto& c2 : m.columns)
                if (!names.insert(c2).second)
                    throw FormatError(path, header_no, "the column name '" + c2 + "' appears twice",
                                      "give every sample or signature a distinct name");
            if (m.columns.empty())
                throw FormatError(path, header_no, std::string("the ") + what + " has no columns",
                                  "the header names the samples or signatures");
            n_cols = m.columns.size();
            seen.assign(channel_count(m.context), 0);
            rows.resize(channel_count(m.context));
        }
        if (f.size() != n_cols + 1)
            throw FormatError(
                path, no,
                "this row has " + std::to_string(f.size()) + " fields, expected " + std::to_string(n_cols + 1),
                "one label and one value per column");
        int ch = channel_index(m.context, f[0]);
        if (ch < 0)
            throw FormatError(
                path, no,
                "'" + std::string(f[0]) + "' is not an " + std::string(context_name(m.context)) + " channel label",
                "all rows must use one catalogue, labelled like " + label_example(m.context));
        if (seen[static_cast<std::size_t>(ch)])
            throw FormatError(path, no, "the channel '" + std::string(f[0]) + "' appears twice",
                              "each channel must have exactly one row");
        seen[static_cast<std::size_t>(ch)] = 1;
        std::vector<double>& values = rows[static_cast<std::size_t>(ch)];
        values.resize(n_cols);
        for (std::size_t j = 0; j < n_cols; ++j) {
            std::string_view cell = f[j + 1];
            double v = 0;
            auto r = std::from_chars(cell.data(), cell.data() + cell.size(), v);
            if (cell.empty() || r.ec != std::errc() || r.ptr != cell.data() + cell.size())
                throw FormatError(
                    path, no, "the value '" + std::string(cell) + "' of column '" + m.columns[j] + "' is not a number",
                    "every cell must be a non-negative number");
            if (!std::isfinite(v) || v < 0)
                throw FormatError(path, no,
                                  "the value '" + std::string(cell) + "' of column '" + m.columns[j] + "' is " +
                                      (std::isnan(v) ? "not a number"
                                       : v < 0       ? "negative"
                                                     : "infinite"),
                                  "every cell must be a finite, non-negative number");
            if (kind != MatrixValues::signatures && v > kMaxCount)
                throw DataError(path, no,
                                "the value '" + std::string(cell) + "' of column '" + m.columns[j] +
                                    "' is larger than 2^53 (9007199254740992), beyond which counts are not exact",
                                "give counts of mutations; a matrix of larger values is not a mutation catalogue");
            if (kind == MatrixValues::counts && v != std::floor(v))
                throw DataError(path, no,
                                "the value '" + std::string(cell) + "' of column '" + m.columns[j] +
                                    "' is not a whole number: a count matrix holds numbers of mutations",
                                "give counts; a matrix already normalised (proportions, scaled counts) is taken by "
                                "`extract` and `fit` with --input-normalised");
            values[j] = v;
        }
    }
    if (seen.empty())
        throw FormatError(path, in.line_number(), std::string("the ") + what + " has a header but no rows",
                          "give one row per mutation channel");
    std::string missing;
    std::size_t n_missing = 0;
    const auto& labels = channel_labels(m.context);
    for (std::size_t ch = 0; ch < seen.size(); ++ch) {
        if (seen[ch]) continue;
        if (++n_missing <= 3) missing += (missing.empty() ? "" : ", ") + labels[ch];
    }
    if (n_missing > 0)
        throw FormatError(path, 0,
                          std::to_string(n_missing) + " of the " + std::to_string(seen.size()) + " " +
                              std::string(context_name(m.context)) + " channels have no row (" + missing +
                              (n_missing > 3 ? ", …" : "") + ")",
                          "give one row per channel, zeros included");
    m.values.resize(static_cast<Eigen::Index>(seen.size()), static_cast<Eigen::Index>(n_cols));
    for (std::size_t ch = 0; ch < seen.size(); ++ch)
        for (std::size_t j = 0; j < n_cols; ++j)
            m.values(static_cast<Eigen::Index>(ch), static_cast<Eigen::Index>(j)) = rows[ch][j];
    if (kind != MatrixValues::signatures)
        for (Eigen::Index j = 0; j < m.values.cols(); ++j)
            if (m.values.col(j).sum() > kMaxCount)
                throw DataError(path, 0,
                                "the values of column '" + m.columns[static_cast<std::size_t>(j)] +
                                    "' add up to more than 2^53 (9007199254740992), beyond which counts are not exact",
                                "give counts of mutations; a matrix of larger values is not a mutation catalogue");
    return m;
}

}  // namespace

LabelledMatrix read_count_matrix(const std::string& path, MatrixValues values) {
    return read_matrix(path, "count matrix", values);
}

LabelledMatrix read_signatures(const std::string& path) {
    LabelledMatrix m = read_matrix(path, "signature file", MatrixValues::signatures);
    for (Eigen::Index j = 0; j < m.values.cols(); ++j) {
        double sum = m.values.col(j).sum();
        if (std::abs(sum - 1.0) > 1e-3) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.6g", sum);
            throw FormatError(path, 0,
                              "signature '" + m.columns[static_cast<std::size_t>(j)] + "' sums to " + buf + ", not 1",
                              "signature columns are probabilities over the channels; is this a count matrix?");
        }
    }
    return renormalised(std::move(m));
}

namespace {

template <typename Cell>
void write_matrix(const LabelledMatrix& m, std::ostream& out, const std::string& corner, Cell&& cell) {
    std::string line = corner;
    for (const auto& c : m.columns) {
        line += '\t';
        line += c;
    }
    line += '\n';
    out << line;
    const auto& labels = channel_labels(m.context);
    for (Eigen::Index i = 0; i < m.values.rows(); ++i) {
        line = labels[static_cast<std::size_t>(i)];
        for (Eigen::Index j = 0; j < m.values.cols(); ++j) {
            line += '\t';
            cell(line, m.values(i, j));
        }
        line += '\n';
        out << line;
    }
}

}  // namespace

void write_labelled_matrix(const LabelledMatrix& m, std::ostream& out, const std::string& corner) {
    write_matrix(m, out, corner, [](std::string& line, double v) { line += exact_number(v); });
}

void write_count_matrix(const LabelledMatrix& m, std::ostream& out) {
    write_labelled_matrix(m, out, "MutationType");
}

}  // namespace sigstream
