// `sigstream fit`: exposures of every sample of a matrix to a fixed signature set (the fit stage).
#include "cli/command.h"
#include "pipeline/stages.h"

namespace sigstream::cli {

int fit_main(int argc, char** argv) {
    Command c;
    c.name = "fit";
    c.synopsis = "--matrix M --signatures S|RUN_FOLDER|cosmic-v3.4 --out-dir D [options]";
    c.description =
        "Fits every sample of a count matrix to a fixed set of signatures (e.g. COSMIC, or a run folder's\n"
        "signatures.tsv) by exact non-negative least squares (Lawson-Hanson active set), and writes\n"
        "D/exposures.tsv and D/sample_stats.tsv. With --sparse, signatures are removed from a sample's fit\n"
        "while removing one lowers the cosine similarity of its reconstruction by less than\n"
        "--sparse-threshold, and added back while adding one raises it by more.";
    c.stages = {"fit"};
    c.required = {"matrix", "signatures", "out-dir"};
    c.done = [](const Workspace& ws, const Pipeline& p, double, const std::string&) {
        const auto& fit = static_cast<const FitStage&>(*p.stages.front());
        return std::to_string(ws.exposures->samples.size()) + " sample(s) fitted to " +
               std::to_string(ws.exposures->signatures.size()) + " signature(s) -> " + fit.settings.out_dir;
    };
    return guarded("fit", [&] { return run_command(c, argc, argv); });
}

}  // namespace sigstream::cli
