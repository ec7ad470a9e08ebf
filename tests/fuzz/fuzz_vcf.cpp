// fuzz_vcf: the VCF/BCF source (count/vcf_source.*) and the counting rules behind it (count/count.*), through the
// library's public count API as `sigstream count` runs it: a Reference on a FASTA, count_mutations() on one input
// file, then the matrices written as count matrices.
//
// Input: the bytes of the variant file (plain VCF, bgzipped VCF or BCF: htslib tells them apart by content). When
// the first byte is 0x80 or above (never the start of a VCF, a gzip stream or a BCF) it is not part of the file but
// chooses the counting options, bit by bit:
//   0 --per-genotype-sample   1 --split-mnv   2 --split-multiallelic   3 --adjacent-snvs keep
//   4-5 filter: 0 PASS or '.', 1 --pass-only, 2 and 3 --all-filters   6 no SBS1536 matrix
// The reference genome is fixed (below): contigs chr1 (180 bases in lines of 60, a soft-masked stretch and an N),
// chr2 (75 bases in lines of 50) and MT (20 bases; chrM in a VCF finds it), written once at start-up.
//
// A sigstream::Error is a correct outcome; anything else (a crash, a sanitizer report, another exception) is a
// finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>

#include "core/errors.h"
#include "count/count.h"
#include "count/reference.h"
#include "fuzz_util.h"
#include "io/matrix_tsv.h"

namespace {

constexpr const char* kGenome =
    ">chr1 a test contig\n"
    "GCTAAAGACAATTACATAACATACACGTCAGCACGAAACTTGTTGGCCCAGTGTGAATCG\n"
    "CTTAAGGGTTAAGTAAGTGTGATGCATACGCCTTTACTTGNTGTGTCCACCCCATCGGAC\n"
    "tggcatttttATTACACTCAGAAACAGAACTCGGGTAATTTTGACAGGTCACGCAGAGGC\n"
    ">chr2\n"
    "GCGCCCTCCTGAAGTGCGTGGACACTCGCTATGAATCTCTGATTTACCCA\n"
    "CTCTGCCAAACTCCAGCGCGGTCAG\n"
    ">MT\n"
    "TTCCATCACCCTAAGTAACC\n";

const sigstream::Reference& reference() {
    static const std::unique_ptr<sigstream::Reference> ref = [] {
        const std::string dir = sigstream_fuzz::fresh_folder("genome");
        sigstream_fuzz::write_file(dir + "/genome.fa", kGenome);
        try {
            return std::make_unique<sigstream::Reference>(dir + "/genome.fa");  // builds genome.fa.fai
        } catch (const sigstream::Error& e) {
            sigstream_fuzz::harness_failure(std::string("the fixed reference does not load: ") + e.what());
        }
    }();
    return *ref;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const sigstream::Reference& ref = reference();
    sigstream::CountOptions options;
    options.max_ref_mismatch = 0.5;  // random records mostly disagree with the genome; let more of them through
    if (size > 0 && data[0] >= 0x80) {
        const unsigned flags = data[0];
        options.per_genotype_sample = flags & 1u;
        options.split_mnv = flags & 2u;
        options.split_multiallelic = flags & 4u;
        options.keep_adjacent_snvs = flags & 8u;
        const unsigned filter = (flags >> 4) & 3u;
        options.filter = filter == 0   ? sigstream::FilterMode::PassOrMissing
                         : filter == 1 ? sigstream::FilterMode::PassOnly
                                       : sigstream::FilterMode::All;
        options.want_sbs1536 = !(flags & 64u);
        ++data;
        --size;
    }
    static const std::string dir = sigstream_fuzz::fresh_folder("input");
    const std::string path = dir + "/tumour.vcf";  // the file name names the sample unless ##tumor_sample= does
    sigstream_fuzz::write_file(path, data, size);
    try {
        const sigstream::CountResult r =
            sigstream::count_mutations(ref, {sigstream::CountInput{path, ""}}, options, sigstream::RunSettings{});
        std::ostringstream out;
        sigstream::write_count_matrix(r.sbs6, out);
        sigstream::write_count_matrix(r.sbs96, out);
        if (options.want_sbs1536) sigstream::write_count_matrix(r.sbs1536, out);
    } catch (const sigstream::Error&) {
        // a typed error: the library refused the input, as it should
    }
    return 0;
}
