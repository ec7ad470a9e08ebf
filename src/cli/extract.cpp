// `sigstream extract`: the extract, consensus, select and refine stages into one run folder; with --shard-out the
// extract stage alone into a shard; with --k alone one fit of the matrix itself.
#include <cstdio>

#include "cli/command.h"
#include "core/format.h"
#include "pipeline/stages.h"

namespace sigstream::cli {

int extract_main(int argc, char** argv) {
    Command c;
    c.name = "extract";
    c.synopsis = "--matrix M --out-dir D [--k-range 2:15 --replicates 20 | --k K [--replicates R]] [options]";
    c.description =
        "Extracts mutational signatures from a count matrix with one backend.\n"
        "\n"
        "Replicates (the default): every K of --k-range is fitted --replicates times, each on a multinomial\n"
        "bootstrap of the matrix from a fresh random start. The replicate signatures of each K are clustered\n"
        "into K consensus signatures (one per replicate in each cluster; stability = silhouette), every sample\n"
        "is refitted to them by NNLS, K is chosen by the rule of docs/choosing-k.md, and the chosen K's\n"
        "signatures are refined by minimum-volume NMF (--refine). The run folder holds the chosen K's\n"
        "signatures.tsv, medoids.tsv, exposures.tsv, sample_stats.tsv and stability.tsv, selection.tsv (one row\n"
        "per K), solutions/K<k>/ for every K, and metadata.toml. --k K fixes K. Seeds derive from --seed, K and\n"
        "the replicate's index: the result is byte-identical for any --threads.\n"
        "\n"
        "Scatter and gather: --replicate-range A:B --shard-out F fits replicates A <= i < B only and writes\n"
        "them to F; `sigstream consensus --out-dir D F…` merges shards into the run folder the one-process\n"
        "run would have written.\n"
        "\n"
        "One fit: --k K without --replicates fits the matrix itself once and also writes trace.tsv.\n"
        "\n"
        "Samples without mutations are left out of the fit and get zero exposures. Everything but\n"
        "metadata.toml is byte-identical for the same inputs, seed and sigstream version. The folder appears\n"
        "only when complete; a failed run leaves nothing. `sigstream backends` lists the backends.";
    c.stages = {"extract", "consensus", "select", "refine"};
    c.hidden_keys = {"shards"};
    c.required = {"matrix"};
    c.output = Output::run_folder;
    c.threads = true;
    c.adjust = [](Pipeline& p, Output& output, const std::function<bool(const std::string&)>& given) {
        const auto& extract = static_cast<const ExtractStage&>(*p.stages.front());
        if (given("shard-out")) {
            if (given("out-dir"))
                throw UsageError("", 0, "--shard-out writes a shard, not a run folder: --out-dir is not used",
                                 "drop --out-dir; `sigstream consensus --out-dir D SHARDS…` writes the run folder");
            output = Output::files;
            if (!given("quiet"))
                for (const char* f : {"min-mean-stability", "min-stability", "min-gain", "refine"})
                    if (given(f))
                        warn("extract", std::string("--") + f +
                                            " is not used when writing a shard; give it to `sigstream consensus`");
        }
        if (given("shard-out") || extract.single()) p.stages.resize(1);
    };
    c.done = [](const Workspace& ws, const Pipeline& p, double secs, const std::string& dir) {
        const auto& extract = static_cast<const ExtractStage&>(*p.stages.front());
        char line[512];
        if (extract.single()) {
            const SingleFit& r = *ws.single;
            const std::string objective = r.trace.empty() ? "n/a" : exact_number(r.trace.back());
            std::snprintf(line, sizeof line, "%s K=%d: %d iteration(s)%s, objective %s, %zu sample(s) in %.1f s -> %s",
                          extract.settings.backend.c_str(), extract.settings.k, r.iterations,
                          r.message.empty() ? "" : (" (" + r.message + ")").c_str(), objective.c_str(),
                          r.exposures.samples.size(), secs, dir.c_str());
        } else if (!extract.settings.shard_out.empty()) {
            std::snprintf(line, sizeof line, "%zu fits in %.1f s -> %s", ws.replicates->fits.size(), secs,
                          extract.settings.shard_out.c_str());
        } else {
            std::snprintf(line, sizeof line, "%s in %.1f s -> %s", ws.extraction->choice->reason.c_str(), secs,
                          dir.c_str());
        }
        return std::string(line);
    };
    return guarded("extract", [&] { return run_command(c, argc, argv); });
}

}  // namespace sigstream::cli
