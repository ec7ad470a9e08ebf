#include "io/tables.h"

#include <charconv>

#include "core/format.h"

namespace sigstream {

void TsvWriter::separate() {
    if (!first_) line_ += '\t';
    first_ = false;
}

TsvWriter& TsvWriter::header(const std::vector<std::string>& names) {
    for (const auto& n : names) text(n);
    return end_row();
}

TsvWriter& TsvWriter::text(std::string_view value) {
    separate();
    line_.append(value);
    return *this;
}

TsvWriter& TsvWriter::number(double value) {
    separate();
    line_ += exact_number(value);
    return *this;
}

TsvWriter& TsvWriter::number_or_na(double value) {
    return value != value ? na() : number(value);
}

TsvWriter& TsvWriter::integer(long long value) {
    separate();
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    line_.append(buf, r.ptr);
    return *this;
}

TsvWriter& TsvWriter::unsigned_integer(std::uint64_t value) {
    separate();
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    line_.append(buf, r.ptr);
    return *this;
}

TsvWriter& TsvWriter::na() {
    return text("NA");
}

TsvWriter& TsvWriter::end_row() {
    line_ += '\n';
    out_ << line_;
    line_.clear();
    first_ = true;
    return *this;
}

void write_exposures(const std::vector<std::string>& samples, const std::vector<std::string>& signatures,
                     const Eigen::MatrixXd& values, std::ostream& out) {
    TsvWriter t(out);
    t.text("Samples");
    for (const auto& s : signatures) t.text(s);
    t.end_row();
    for (std::size_t j = 0; j < samples.size(); ++j) {
        t.text(samples[j]);
        for (Eigen::Index s = 0; s < values.rows(); ++s) t.number(values(s, static_cast<Eigen::Index>(j)));
        t.end_row();
    }
}

void write_sample_stats(const std::vector<SampleStats>& stats, std::ostream& out) {
    TsvWriter t(out);
    t.header({"Sample", "Total", "Cosine", "L1_pct", "L2_pct", "KL"});
    for (const auto& s : stats)
        t.text(s.sample).number(s.total).number(s.cosine).number(s.l1_pct).number(s.l2_pct).number(s.kl).end_row();
}

}  // namespace sigstream
