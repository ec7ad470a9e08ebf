// The counting stage: somatic variants + reference → SBS6/SBS96/SBS1536 count matrices.
//
// The rules (which records count, in which order they are checked, how doublets, duplicates,
// contig names and sample names are handled) are specified in docs/counting.md; this file is their
// one implementation. Each input file is read once, streaming, by one worker thread; the reference is
// shared by all of them. Results do not depend on the number of threads.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/matrix.h"
#include "core/settings.h"

namespace sigstream {

class Reference;

enum class FilterMode { PassOrMissing, PassOnly, All };

struct CountOptions {
    FilterMode filter = FilterMode::PassOrMissing;
    bool keep_adjacent_snvs = false;   // --adjacent-snvs keep
    bool split_mnv = false;            // --split-mnv
    bool split_multiallelic = false;   // --split-multiallelic
    bool per_genotype_sample = false;  // --per-genotype-sample
    bool want_sbs1536 = true;          // also fill the SBS1536 matrix
    double max_ref_mismatch = 0.05;    // fraction of SNVs whose REF disagrees with the FASTA
    std::string regions_bed;           // empty: no restriction
};

struct CountInput {
    std::string path;    // VCF, VCF.gz, BCF, or "-" for standard input
    std::string sample;  // empty: derived (see docs/counting.md, "Sample names")
};

// Skip reasons, in the order of the checks and of the summary table's columns.
enum class Skip : int {
    OutsideRegions,
    Filtered,
    Multiallelic,
    Other,
    Indel,
    MNV,
    UnknownContig,
    ContigEdge,
    RefMismatch,
    AmbiguousContext,
    Duplicate,
    Doublet,
    NoSbs1536Context,
    Count_
};
constexpr std::size_t kSkipReasons = static_cast<std::size_t>(Skip::Count_);
std::string_view skip_name(Skip s);

struct StreamSummary {
    std::string sample;
    std::uint64_t counted = 0;
    std::array<std::uint64_t, kSkipReasons> skipped{};
    std::uint64_t& operator[](Skip s) { return skipped[static_cast<std::size_t>(s)]; }
    std::uint64_t operator[](Skip s) const { return skipped[static_cast<std::size_t>(s)]; }
};

struct CountResult {
    LabelledMatrix sbs6, sbs96, sbs1536;  // whole numbers; sbs1536 is empty unless CountOptions::want_sbs1536
    std::vector<StreamSummary> summary;   // one per output column, in order
    std::vector<std::string> warnings;    // for the user; the library does not print
    std::uint64_t records = 0;            // records read from all inputs
};

// Counts every input, files in parallel on run.threads threads (threads beyond one per file decompress
// ahead). Throws IoError / FormatError for unreadable or malformed inputs, DataError for a wrong genome
// build, a wrong reference or two streams with one sample name, UsageError for `-` without a sample name.
// run.progress, when set, is called about once a second from the calling thread (inputs done, records read);
// returning Flow::stop ends the counting with Cancelled.
CountResult count_mutations(const Reference& reference, const std::vector<CountInput>& inputs,
                            const CountOptions& options, const RunSettings& run = {});

// The sample name a file gets when nothing else names it: the file name without its folder and
// without `.vcf.gz`, `.vcf.bgz`, `.vcf` or `.bcf`.
std::string sample_name_from_path(std::string_view path);

}  // namespace sigstream
