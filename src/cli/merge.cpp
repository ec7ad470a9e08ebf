// `sigstream merge`: count matrices joined column-wise (the merge stage).
#include "cli/command.h"

namespace sigstream::cli {

int merge_main(int argc, char** argv) {
    Command c;
    c.name = "merge";
    c.synopsis = "[--out FILE] MATRIX...";
    c.description =
        "Joins count matrices of one catalogue column-wise, in the order given: the gather step when counting is\n"
        "scattered per input file. A sample name in two matrices is an error naming both files.";
    c.stages = {"merge"};
    c.positional = "inputs";
    c.done = [](const Workspace& ws, const Pipeline&, double, const std::string&) {
        return std::to_string(ws.counts->matrix.columns.size()) + " sample(s) merged";
    };
    return guarded("merge", [&] { return run_command(c, argc, argv); });
}

}  // namespace sigstream::cli
