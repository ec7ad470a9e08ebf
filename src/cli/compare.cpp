// `sigstream compare`: extracted signatures against COSMIC (or another reference set): the compare stage.
#include "cli/command.h"

namespace sigstream::cli {

int compare_main(int argc, char** argv) {
    Command c;
    c.name = "compare";
    c.synopsis = "--signatures FILE|RUN_FOLDER [options]";
    c.description =
        "Compares signatures with a reference set: for each signature its best match (highest cosine\n"
        "similarity) and a one-to-one matching of the whole set (Hungarian method, maximising the total\n"
        "cosine). The reference is COSMIC v3.4 SBS (GRCh37), shipped with sigstream, unless --reference names\n"
        "a file. COSMIC's possible sequencing artefacts (SBS27, SBS43, SBS45-SBS60, SBS95) are left out\n"
        "unless --include-artefacts. Given a run folder, reads its signatures.tsv and writes cosmic.tsv in it.";
    c.stages = {"compare"};
    c.required = {"signatures"};
    return guarded("compare", [&] { return run_command(c, argc, argv); });
}

}  // namespace sigstream::cli
