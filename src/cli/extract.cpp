// `sigstream extract`: one factorisation of a count matrix with one backend and one K, written as a run
// folder (DESIGN §4): signatures.tsv, exposures.tsv, sample_stats.tsv, trace.tsv, metadata.toml.
//
// The folder appears whole or not at all: every file is written into a temporary folder next to the
// output folder (`.<name>.tmp.XXXXXX`), which is renamed to the output folder at the end.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/run_common.h"
#include "core/errors.h"
#include "extract/backend.h"
#include "extract/extract.h"
#include "io/matrix_tsv.h"
#include "io/output_file.h"
#include "io/run_tsv.h"

namespace sigstream::cli {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kDefaultSeed = 1;
constexpr int kDefaultMaxIter = 10000;
constexpr double kDefaultTol = 1e-8;
constexpr long long kMaxIterLimit = 10000000;  // the trace holds max_iter + 1 doubles

Parser extract_parser() {
    Parser p("extract", "--matrix M --backend NAME --k K --out-dir D [options]",
             "Extracts K mutational signatures from a count matrix with one backend (one fit) and writes a run\n"
             "folder: signatures.tsv (columns sum to 1), exposures.tsv (mutations attributed to each signature),\n"
             "sample_stats.tsv (Total, Cosine, L1_pct, L2_pct, KL of each sample's reconstruction), trace.tsv\n"
             "(the objective at the start and after each iteration) and metadata.toml (version, command line,\n"
             "seed, backend, every parameter). Everything but metadata.toml is byte-identical for the same\n"
             "inputs, seed and sigstream version. Samples without mutations are left out of the fit and get\n"
             "zero exposures. The folder appears only when complete; a failed run leaves nothing.");
    p.section("Input").option("matrix", "FILE",
                              "count matrix (channels x samples; TSV or CSV, .gz accepted; rows matched by label)");
    p.section("Extraction")
        .option("backend", "NAME", "extraction backend: nmf, cnmf, aenmf, … (`sigstream backends` lists them)")
        .option("k", "K", "number of signatures, from 1 to min(channels, non-empty samples) - 1")
        .option("seed", "S", "root seed: the only source of randomness", std::to_string(kDefaultSeed))
        .option("max-iter", "N", "at most N iterations", std::to_string(kDefaultMaxIter))
        .option("tol", "T",
                "stop once the objective's relative decrease over the backend's window falls below T; 0 runs "
                "exactly --max-iter iterations",
                "1e-08")
        .option("param", "KEY=VALUE",
                "backend parameter, KEY = BACKEND.NAME (e.g. nmf.objective=frobenius) or just NAME", "", true)
        .option("threads", "N", "accepted for consistency with the other commands; a single fit uses one thread", "1");
    p.section("Output")
        .option("out-dir", "D", "run folder to create; it must not exist or be empty (see --force)")
        .flag("force", "replace --out-dir if it is an existing folder (only once the new run folder is complete)")
        .flag("quiet", "no progress or warnings on stderr");
    return p;
}

// ---------------------------------------------------------------- writers

void write_trace(const ExtractResult& r, std::ostream& out) {
    out << "Iteration\tObjective\n";
    for (std::size_t i = 0; i < r.trace.size(); ++i) out << i << "\t" << exact_number(r.trace[i]) << "\n";
}

struct RunInfo {
    std::vector<std::string> argv;
    std::string matrix, sha256;
    std::uint64_t seed = 0;
    int k = 0, max_iter = 0, threads = 1;
    double tol = 0;
    std::map<std::string, std::string> user_params;
};

void write_metadata(const RunInfo& run, const Backend& backend, const LabelledMatrix& counts, const ExtractResult& r,
                    std::ostream& out) {
    const std::string command = command_line(run.argv);
    const std::string when = utc_now();
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);

    out << "# Written by `sigstream extract`. Every other file of this run folder is byte-reproducible from the\n"
           "# same input, seed, parameters and sigstream version; this one also records when and where.\n";
    out << "sigstream_version = " << toml_string(SIGSTREAM_VERSION_STRING) << "\n";
    out << "command_line = " << toml_string(command) << "\n";
    out << "argv = " << toml_string_array(run.argv) << "\n";
    out << "working_directory = " << toml_string(ec ? std::string() : cwd.string()) << "\n";
    out << "created = " << when << "\n";
    out << "root_seed = " << run.seed << "\n";
    out << "k = " << run.k << "\n";
    out << "max_iter = " << run.max_iter << "\n";
    out << "tol = " << toml_float(run.tol) << "\n";
    out << "iterations = " << r.iterations << "\n";
    out << "threads = " << run.threads << "\n";
    out << "signatures = " << toml_string_array(r.signatures.columns) << "\n";

    out << "\n[input]\n";
    out << "matrix = " << toml_string(run.matrix) << "\n";
    if (run.matrix != "-") {
        fs::path abs = fs::absolute(run.matrix, ec);
        if (!ec) out << "matrix_absolute = " << toml_string(abs.lexically_normal().string()) << "\n";
    }
    if (!run.sha256.empty()) out << "sha256 = " << toml_string(run.sha256) << "\n";
    out << "context = " << toml_string(std::string(context_name(counts.context))) << "\n";
    out << "samples = " << counts.columns.size() << "\n";
    out << "empty_samples = " << toml_string_array(r.empty_samples) << "\n";

    out << "\n[backend]\n";
    out << "name = " << toml_string(backend.name()) << "\n";
    out << "version = " << toml_string(backend.version()) << "\n";
    out << "objective = " << toml_string(backend.objective()) << "\n";
    out << "file = " << toml_string(backend.origin()) << "\n";
    out << "message = " << toml_string(r.message) << "\n";
    out << "\n# Every parameter: the backend's defaults, overridden by --param.\n[backend.params]\n";
    for (const auto& p : backend.params()) {
        auto it = run.user_params.find(p.key);
        out << toml_key(p.key) << " = " << toml_string(it == run.user_params.end() ? p.default_value : it->second)
            << "\n";
    }
    out << "\n# The parameters given with --param (the rest are the backend's defaults).\n[backend.user_params]\n";
    for (const auto& [k, v] : run.user_params) out << toml_key(k) << " = " << toml_string(v) << "\n";
}

// ---------------------------------------------------------------- the command

int run_extract(int argc, char** argv) {
    const Parser parser = extract_parser();
    Args args = parser.parse(argc, argv);
    if (args.help()) {
        std::cout << parser.help_text();
        BackendRegistry reg = BackendRegistry::from_environment();
        std::string list;
        for (const auto& b : reg.backends()) list += (list.empty() ? "" : ", ") + b.name();
        std::cout << "\nBackends found: " << (list.empty() ? "none" : list)
                  << " (`sigstream backends` lists them with their parameters)\n";
        return 0;
    }
    if (!args.positionals().empty())
        throw UsageError("", 0, "unexpected argument '" + args.positionals()[0] + "'",
                         "see `sigstream extract --help`");
    for (const char* required : {"matrix", "backend", "k", "out-dir"})
        if (!args.has(required))
            throw UsageError("", 0, std::string("--") + required + " is required", "see `sigstream extract --help`");

    RunInfo run;
    run.argv.push_back("sigstream");
    run.argv.push_back("extract");
    for (int i = 0; i < argc; ++i) run.argv.push_back(argv[i]);
    run.matrix = args.get("matrix");
    const long long k = args.get_int("k", 0, LLONG_MIN, LLONG_MAX);
    if (k < 1)
        throw UsageError("", 0, "--k " + std::to_string(k) + " is below 1",
                         "give the number of signatures, from 1 to min(channels, non-empty samples) - 1");
    run.k = static_cast<int>(std::min<long long>(k, INT_MAX));
    run.seed = static_cast<std::uint64_t>(args.get_int("seed", static_cast<long long>(kDefaultSeed), 0, LLONG_MAX));
    run.max_iter = static_cast<int>(args.get_int("max-iter", kDefaultMaxIter, 1, kMaxIterLimit));
    run.tol = args.get_double("tol", kDefaultTol, 0.0, 1.0);
    run.threads = static_cast<int>(args.get_int("threads", 1, 1, 1024));
    const bool quiet = args.flag("quiet");

    RunFolder folder(args.get("out-dir"), args.flag("force"));  // fails now rather than after the fit
    folder.check_not_inside(run.matrix);
    BackendRegistry registry = BackendRegistry::from_environment();
    const Backend& backend = registry.get(args.get("backend"));
    run.user_params = parse_params(args.all("param"), backend);

    LabelledMatrix counts = read_count_matrix(run.matrix);
    run.sha256 = file_sha256(run.matrix);

    ExtractOptions opt;
    opt.k = run.k;
    opt.seed = run.seed;
    opt.max_iter = run.max_iter;
    opt.tol = run.tol;
    opt.params = run.user_params;
    opt.source = run.matrix;
    const bool tty = isatty(STDERR_FILENO);
    const auto start = std::chrono::steady_clock::now();
    auto last_report = start;
    bool reported = false;
    int last_length = 0;
    if (!quiet) {
        opt.progress = [&](int iteration, double objective) {
            auto now = std::chrono::steady_clock::now();
            if (std::chrono::duration<double>(now - last_report).count() < (tty ? 1.0 : 30.0)) return true;
            last_report = now;
            reported = true;
            char line[256];
            int len = std::snprintf(line, sizeof line,
                                    "sigstream extract: %s K=%d: iteration %d of at most %d, objective %.10g, %.0f s",
                                    backend.name().c_str(), run.k, iteration, run.max_iter, objective,
                                    std::chrono::duration<double>(now - start).count());
            if (tty) {  // rewrite the line in place, blanking what a longer previous line left
                std::fprintf(stderr, "\r%s%*s", line, std::max(0, last_length - len), "");
                last_length = len;
            } else {
                std::fprintf(stderr, "%s\n", line);
            }
            std::fflush(stderr);
            return true;
        };
    }
    ExtractResult result = extract_signatures(counts, backend, opt);
    if (!quiet && tty && reported) std::fprintf(stderr, "\n");
    if (!quiet) {
        for (const auto& w : result.warnings) warn("extract", w);
        if (run.tol > 0 && result.iterations >= run.max_iter)
            warn("extract", "the fit ran all " + std::to_string(run.max_iter) +
                                " iterations of --max-iter without meeting --tol; raise --max-iter if the trace "
                                "is still falling");
    }

    std::vector<std::unique_ptr<OutputFile>> files;
    auto open = [&](const std::string& name) -> std::ostream& {
        files.push_back(std::make_unique<OutputFile>(folder.file(name)));
        return files.back()->stream();
    };
    write_labelled_matrix(result.signatures, open("signatures.tsv"), "MutationType");
    write_exposures(result.samples, result.signatures.columns, result.exposures, open("exposures.tsv"));
    write_sample_stats(result.stats, open("sample_stats.tsv"));
    write_trace(result, open("trace.tsv"));
    write_metadata(run, backend, counts, result, open("metadata.toml"));
    for (auto& f : files) f->commit();
    folder.commit();

    if (!quiet) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::string objective = result.trace.empty() ? "n/a" : exact_number(result.trace.back());
        std::fprintf(stderr,
                     "sigstream extract: %s K=%d: %d iteration(s)%s, objective %s, %zu sample(s) in %.1f s -> %s\n",
                     backend.name().c_str(), run.k, result.iterations,
                     result.message.empty() ? "" : (" (" + result.message + ")").c_str(), objective.c_str(),
                     counts.columns.size(), secs, folder.path().c_str());
    }
    return 0;
}

}  // namespace

int extract_main(int argc, char** argv) {
    return guarded("extract", [&] { return run_extract(argc, argv); });
}

}  // namespace sigstream::cli
