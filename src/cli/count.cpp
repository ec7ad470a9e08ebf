// `sigstream count`: somatic VCF/BCF files + the user's reference FASTA -> SBS count matrices (the count stage).
#include <cstdio>

#include "cli/command.h"

namespace sigstream::cli {

int count_main(int argc, char** argv) {
    Command c;
    c.name = "count";
    c.synopsis = "--ref genome.fa [options] INPUT...";
    c.description =
        "Counts somatic single-base substitutions in their trinucleotide (or wider) context and writes\n"
        "SigProfiler-compatible count matrices: one column per input file (or per VCF sample with\n"
        "--per-genotype-sample), one row per channel. The exact rules are in docs/counting.md.";
    c.stages = {"count"};
    c.positional = "inputs";
    c.threads = true;
    c.done = [](const Workspace& ws, const Pipeline&, double secs, const std::string&) {
        std::uint64_t counted = 0;
        for (const auto& s : ws.counts->summary) counted += s.counted;
        char line[256];
        std::snprintf(line, sizeof line, "%zu sample(s), %llu records read, %llu SNVs counted in %.1f s",
                      ws.counts->summary.size(), static_cast<unsigned long long>(ws.counts->records),
                      static_cast<unsigned long long>(counted), secs);
        return std::string(line);
    };
    return guarded("count", [&] { return run_command(c, argc, argv); });
}

}  // namespace sigstream::cli
