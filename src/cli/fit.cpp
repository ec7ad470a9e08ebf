// `sigstream fit`: exposures of every sample of a matrix to a fixed signature set (NNLS).
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/errors.h"
#include "extract/refit.h"
#include "io/matrix_tsv.h"
#include "io/output_file.h"
#include "io/run_tsv.h"

namespace sigstream::cli {

namespace {

namespace fs = std::filesystem;

Parser fit_parser() {
    Parser p("fit", "--matrix M --signatures S|RUN_FOLDER --out-dir D [options]",
             "Fits every sample of a count matrix to a fixed set of signatures (e.g. COSMIC, or a run folder's\n"
             "signatures.tsv) by exact non-negative least squares (Lawson-Hanson active set), and writes\n"
             "D/exposures.tsv and D/sample_stats.tsv. With --sparse, signatures are removed from a sample's fit\n"
             "while removing one lowers the cosine similarity of its reconstruction by less than\n"
             "--sparse-threshold, and added back while adding one raises it by more.");
    p.section("Input")
        .option("matrix", "FILE", "count matrix (channels x samples; rows matched by label)")
        .option("signatures", "FILE", "signatures (columns sum to 1), or a run folder (its signatures.tsv)");
    p.section("Fitting")
        .flag("sparse", "sparse refit: drop signatures that do not improve the fit")
        .option("sparse-threshold", "T", "cosine change that adds or removes a signature with --sparse", "0.01");
    p.section("Output")
        .option("out-dir", "D", "folder for exposures.tsv and sample_stats.tsv (created if missing)")
        .flag("quiet", "no messages on stderr");
    return p;
}

int run_fit(int argc, char** argv) {
    const Parser parser = fit_parser();
    Args args = parser.parse(argc, argv);
    if (args.help()) {
        std::cout << parser.help_text();
        return 0;
    }
    for (const char* required : {"matrix", "signatures", "out-dir"})
        if (!args.has(required))
            throw UsageError("", 0, std::string("--") + required + " is required", "see `sigstream fit --help`");
    RefitOptions opt;
    opt.sparse = args.flag("sparse");
    opt.threshold = args.get_double("sparse-threshold", 0.01, 0.0, 0.999999);
    std::string signatures = args.get("signatures");
    std::error_code ec;
    if (fs::is_directory(signatures, ec)) signatures = (fs::path(signatures) / "signatures.tsv").string();
    const fs::path out_dir = args.get("out-dir");
    if (fs::exists(out_dir, ec) && !fs::is_directory(out_dir, ec))
        throw UsageError(out_dir.string(), 0, "--out-dir names a file, not a folder", "give a folder");
    // The folder (or, when it is to be created, its parent) must be writable before any work is done.
    const fs::path probe_dir = fs::exists(out_dir, ec)         ? out_dir
                               : out_dir.parent_path().empty() ? fs::path(".")
                                                               : out_dir.parent_path();
    OutputFile::check_writable((probe_dir / "exposures.tsv").string());

    LabelledMatrix counts = read_count_matrix(args.get("matrix"));
    LabelledMatrix sig = read_signatures(signatures);
    RefitResult r = refit_exposures(counts, sig, opt);

    const bool created = !fs::exists(out_dir, ec);
    if (created && !fs::create_directories(out_dir, ec))
        throw IoError(out_dir.string(), 0, "cannot create the output folder", "check the path and permissions");
    try {
        OutputFile exposures((out_dir / "exposures.tsv").string());
        OutputFile stats((out_dir / "sample_stats.tsv").string());
        write_exposures(r.samples, r.signatures, r.exposures, exposures.stream());
        write_sample_stats(r.stats, stats.stream());
        exposures.finish();
        stats.finish();
        exposures.commit();
        stats.commit();
    } catch (...) {
        if (created) fs::remove_all(out_dir, ec);
        throw;
    }
    if (!args.flag("quiet"))
        std::cerr << "sigstream fit: " << r.samples.size() << " sample(s) fitted to " << r.signatures.size()
                  << " signature(s) -> " << out_dir.string() << "\n";
    return 0;
}

}  // namespace

int fit_main(int argc, char** argv) {
    return guarded("fit", [&] { return run_fit(argc, argv); });
}

}  // namespace sigstream::cli
