// fuzz_fai: the reference genome reader (count/reference.*): a FASTA (plain, memory-mapped; or bgzipped) read
// through its `.fai` index, then contigs looked up by name and windows of bases read around a few positions, as
// the counting does.
//
// Input: the FASTA's bytes, then the separator line "%%fai%%", then the .fai's bytes. Without the separator the
// whole input is the FASTA and the Reference builds the index itself (htslib's fai_build3). The files are written
// in that order, so the index is never older than the FASTA (an older one would be rebuilt).
//
// A sigstream::Error is a correct outcome; anything else (a crash, a sanitizer report, another exception) is a
// finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "count/reference.h"
#include "fuzz_util.h"

namespace {

constexpr std::string_view kSeparator = "\n%%fai%%\n";

void look_up(const sigstream::Reference& ref) {
    sigstream::Reference::Reader reader(ref);
    const std::size_t n = std::min<std::size_t>(ref.contig_names().size(), 16);
    for (std::size_t i = 0; i < n; ++i) {
        const int contig = static_cast<int>(i);
        const std::string& name = ref.contig_names()[i];
        // The harmonised lookups of count: the name itself, with and without "chr".
        (void)ref.find_contig(name);
        (void)ref.find_contig("chr" + name);
        if (name.rfind("chr", 0) == 0) (void)ref.find_contig(std::string_view(name).substr(3));
        const std::int64_t len = ref.contig_length(contig);
        // A VCF's POS is at least 1: count reads the window around 0-based POS - 1 >= 0 with a flank of 2.
        for (std::int64_t pos : {std::int64_t{0}, std::int64_t{1}, len / 2, len - 2, len - 1, len, len + 1}) {
            if (pos < 0) continue;
            char window[5];
            reader.window(contig, pos, 2, window);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = sigstream_fuzz::as_text(data, size);
    const std::size_t cut = input.find(kSeparator);
    const std::string dir = sigstream_fuzz::fresh_folder("ref");  // no index or .gzi left from the last input
    const std::string fasta = dir + "/ref.fa";
    sigstream_fuzz::write_file(fasta, input.substr(0, cut));
    if (cut != std::string_view::npos) sigstream_fuzz::write_file(fasta + ".fai", input.substr(cut + kSeparator.size()));
    try {
        const sigstream::Reference ref(fasta);
        look_up(ref);
    } catch (const sigstream::Error&) {
        // a typed error: the library refused the input, as it should
    }
    return 0;
}
