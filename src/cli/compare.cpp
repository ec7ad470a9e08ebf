// `sigstream compare`: extracted signatures against COSMIC (or another reference set).
#include <filesystem>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/errors.h"
#include "evaluate/compare.h"
#include "io/matrix_tsv.h"
#include "io/output_file.h"

namespace sigstream::cli {

namespace {

Parser compare_parser() {
    Parser p("compare", "--signatures FILE|RUN_FOLDER [options]",
             "Compares signatures with a reference set: for each signature its best match (highest cosine\n"
             "similarity) and a one-to-one matching of the whole set (Hungarian method, maximising the total\n"
             "cosine). The reference is COSMIC v3.4 SBS (GRCh37), shipped with sigstream, unless --reference names\n"
             "a file. COSMIC's possible sequencing artefacts (SBS27, SBS43, SBS45-SBS60, SBS95) are left out\n"
             "unless --include-artefacts. Given a run folder, reads its signatures.tsv and writes cosmic.tsv in it.");
    p.section("Input")
        .option("signatures", "FILE", "signatures (columns sum to 1; rows matched by label), or a run folder")
        .option("reference", "cosmic-v3.4|FILE", "reference signatures", kCosmicReference)
        .flag("include-artefacts", "also match COSMIC's possible sequencing artefacts");
    p.section("Output")
        .option("out", "FILE", "table to write; `-` = standard output", "stdout, or RUN_FOLDER/cosmic.tsv")
        .flag("all", "append the cosine similarity with every reference signature, one column each")
        .flag("quiet", "no messages on stderr");
    return p;
}

int run_compare(int argc, char** argv) {
    const Parser parser = compare_parser();
    Args args = parser.parse(argc, argv);
    if (args.help()) {
        std::cout << parser.help_text();
        return 0;
    }
    if (!args.has("signatures"))
        throw UsageError("", 0, "--signatures is required", "give a signature file or a run folder");
    std::string signatures = args.get("signatures");
    std::string out = args.get("out", "-");
    std::error_code ec;
    if (std::filesystem::is_directory(signatures, ec)) {
        if (!args.has("out")) out = (std::filesystem::path(signatures) / "cosmic.tsv").string();
        signatures = (std::filesystem::path(signatures) / "signatures.tsv").string();
    }
    OutputFile::check_writable(out);
    const std::string reference_name = args.get("reference", kCosmicReference);
    const std::string reference_path = reference_file(reference_name);
    LabelledMatrix sig = read_signatures(signatures);
    LabelledMatrix ref = read_signatures(reference_path);
    Comparison c = compare_signatures(sig, ref, args.flag("include-artefacts"));
    OutputFile file(out);
    write_comparison(c, file.stream(), args.flag("all"));
    file.commit();
    return 0;
}

}  // namespace

int compare_main(int argc, char** argv) {
    return guarded("compare", [&] { return run_compare(argc, argv); });
}

}  // namespace sigstream::cli
