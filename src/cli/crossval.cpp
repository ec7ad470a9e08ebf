// `sigstream crossval`: the study's cross-validation of backends (the crossval stage) into a run folder.
#include <cstdio>

#include "cli/command.h"
#include "pipeline/stages.h"

namespace sigstream::cli {

int crossval_main(int argc, char** argv) {
    Command c;
    c.name = "crossval";
    c.synopsis = "--matrix M --k K --out-dir D [--backends nmf,cnmf,aenmf] [options]";
    c.description =
        "Cross-validates extraction backends by the protocol of Egendal et al., \"On the Relation Between\n"
        "Autoencoders and Non-negative Matrix Factorization, and Their Application for Mutational Signature\n"
        "Extraction\", on the same random patient splits for every backend (a paired comparison). For each split\n"
        "the non-empty samples are permuted and the first round(test-fraction * n) are the test part; each\n"
        "backend is fitted to the training part (one start, the same seed for every backend). Per backend and\n"
        "split: TrainMSE, TestMSE (exposures by NNLS), HeldOutDeviance and HeldOutMSE (each test count split\n"
        "binomially in halves: fit on one, score the other), CosmicMatched; per backend: Consistency between\n"
        "splits, CosmicPerSplit and CosmicMedoids (docs/crossval.md has every definition).\n"
        "Writes a run folder D: per_split.tsv, summary.tsv, splits.tsv (each sample's role in each split),\n"
        "signatures/<backend>_split<s>.tsv, medoids_<backend>.tsv and metadata.toml. All but metadata.toml are\n"
        "byte-identical for the same input, seed and version, whatever --threads. The folder appears only when\n"
        "complete. Samples without mutations are left out.";
    c.stages = {"crossval"};
    c.required = {"matrix", "k"};
    c.output = Output::run_folder;
    c.threads = true;
    c.done = [](const Workspace& ws, const Pipeline& p, double secs, const std::string& dir) {
        const auto& cv = static_cast<const CrossvalStage&>(*p.stages.front());
        char line[512];
        std::snprintf(line, sizeof line, "%zu backend(s) x %d split(s), K=%d, %zu sample(s) in %.1f s -> %s",
                      cv.settings.backends.size(), cv.settings.options.splits, cv.settings.options.fit.k,
                      ws.crossval->samples.size(), secs, dir.c_str());
        return std::string(line);
    };
    return guarded("crossval", [&] { return run_command(c, argc, argv); });
}

}  // namespace sigstream::cli
