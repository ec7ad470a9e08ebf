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
        "the run folder D: exposures.tsv, sample_stats.tsv and metadata.toml. With --sparse, signatures are removed "
        "from a sample's fit\n"
        "while removing one lowers the cosine similarity of its reconstruction by less than\n"
        "--sparse-threshold, and added back while adding one raises it by more.";
    c.stages = {"fit"};
    c.required = {"matrix", "signatures"};
    c.output = Output::run_folder;  // written whole or not at all; --force replaces only a run folder
    c.hidden_keys = {"out-dir"};    // the run folder's --out-dir, not the stage's folder inside a pipeline's
    c.adjust = [](Pipeline& p, Output&, const std::function<bool(const std::string&)>&) {
        static_cast<FitStage&>(*p.stages.front()).settings.out_dir = ".";  // the files at the run folder's top
    };
    c.done = [](const Workspace& ws, const Pipeline&, double, const std::string& dir) {
        return std::to_string(ws.exposures->samples.size()) + " sample(s) fitted to " +
               std::to_string(ws.exposures->signatures.size()) + " signature(s) -> " + dir;
    };
    return guarded("fit", [&] { return run_command(c, argc, argv); });
}

}  // namespace sigstream::cli
