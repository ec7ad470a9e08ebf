// Streaming reader of somatic variant records from VCF, bgzipped VCF or BCF (htslib underneath).
//
// VCF text takes a lean path: lines come straight from htslib's BGZF reader and only CHROM, POS, REF,
// ALT and FILTER (plus GT when genotypes are asked for) are looked at; nothing is allocated per record.
// BCF records are decoded by htslib, unpacking only what is needed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigstream {

enum class FilterStatus : std::uint8_t { Pass, Missing, Other };

// One record, valid until the next call of VcfSource::next().
struct VariantRecord {
    std::string_view chrom;
    std::int64_t pos = 0;  // 1-based
    std::string_view ref;
    std::string_view alt;  // the ALT column as written: alleles separated by commas
    FilterStatus filter = FilterStatus::Missing;
    std::uint64_t line = 0;  // line number (VCF) or record number (BCF), for messages
    // With genotypes: one mask per VCF sample; bit a (1 <= a <= 63) set when the sample's GT carries
    // ALT allele a.
    const std::uint64_t* carried = nullptr;
};

class VcfSource {
public:
    // `path` may be "-" for standard input. `decompress_threads` > 0 adds that many threads that
    // decompress BGZF blocks ahead of the reader. Throws IoError or FormatError.
    VcfSource(std::string path, bool want_genotypes, int decompress_threads = 0);
    ~VcfSource();
    VcfSource(const VcfSource&) = delete;
    VcfSource& operator=(const VcfSource&) = delete;

    const std::string& path() const { return path_; }
    const std::vector<std::string>& samples() const { return samples_; }
    // The value of a `##tumor_sample=` header line, if any.
    const std::optional<std::string>& tumor_sample() const { return tumor_sample_; }

    // Reads the next record; false at the end. Throws FormatError (malformed record, with its line)
    // or IoError (truncated or corrupt file).
    bool next(VariantRecord& rec);

private:
    struct Impl;
    bool next_chunk();
    bool read_line(std::string_view& line);
    bool next_text(VariantRecord& rec);
    bool next_bcf(VariantRecord& rec);
    [[noreturn]] void malformed(const std::string& what) const;
    [[noreturn]] void no_genotype_field() const;
    std::uint64_t* reset_genotypes();  // clears the per-sample masks; nullptr without genotypes
    void check_end_of_file();

    std::string path_;
    bool want_genotypes_;
    std::vector<std::string> samples_;
    std::optional<std::string> tumor_sample_;
    std::unique_ptr<Impl> impl_;
    std::vector<std::uint64_t> carried_;
    std::uint64_t line_ = 0;
};

}  // namespace sigstream
