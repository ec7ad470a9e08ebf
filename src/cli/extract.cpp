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

#include <tuple>
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/run_common.h"
#include "core/errors.h"
#include "backend/backend.h"
#include "extract/extract.h"
#include "extract/selection.h"
#include "io/matrix_tsv.h"
#include "io/output_file.h"
#include "io/run_tsv.h"
#include "io/shard.h"

namespace sigstream::cli {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kDefaultSeed = 1;
constexpr int kDefaultMaxIter = 10000;
constexpr double kDefaultTol = 1e-8;
constexpr long long kMaxIterLimit = 10000000;  // the trace holds max_iter + 1 doubles
constexpr const char* kDefaultBackend = "nmf";
constexpr const char* kDefaultKRange = "2:15";
constexpr int kDefaultReplicates = 20;
constexpr const char* kDefaultNormalise = "gmm";

Parser extract_parser() {
    Parser p("extract", "--matrix M --out-dir D [--k-range 2:15 --replicates 20 | --k K [--replicates R]] [options]",
             "Extracts mutational signatures from a count matrix with one backend.\n"
             "\n"
             "Replicates (the default): every K of --k-range is fitted --replicates times, each on a multinomial\n"
             "bootstrap of the matrix from a fresh random start. The replicate signatures of each K are clustered\n"
             "into K consensus signatures (one per replicate in each cluster; stability = silhouette), every sample\n"
             "is refitted to them by NNLS, K is chosen by the rule of docs/choosing-k.md, and the chosen K's\n"
             "signatures are refined by minimum-volume NMF (--refine). The run folder holds\n"
             "the chosen K's signatures.tsv, medoids.tsv, exposures.tsv, sample_stats.tsv and stability.tsv,\n"
             "selection.tsv (one row per K), solutions/K<k>/ for every K, and metadata.toml. --k K fixes K.\n"
             "Seeds derive from --seed, K and the replicate's index: the result is byte-identical for any --threads.\n"
             "\n"
             "Scatter and gather: --replicate-range A:B --shard-out F fits replicates A <= i < B only and writes\n"
             "them to F; `sigstream consensus --out-dir D F…` merges shards into the run folder the one-process\n"
             "run would have written.\n"
             "\n"
             "One fit: --k K without --replicates fits the matrix itself once and also writes trace.tsv.\n"
             "\n"
             "Samples without mutations are left out of the fit and get zero exposures. Everything but\n"
             "metadata.toml is byte-identical for the same inputs, seed and sigstream version. The folder appears\n"
             "only when complete; a failed run leaves nothing.");
    p.section("Input").option("matrix", "FILE",
                              "count matrix (channels x samples; TSV or CSV, .gz accepted; rows matched by label)");
    p.section("Extraction")
        .option("backend", "NAME", "extraction backend: nmf, cnmf, aenmf, … (`sigstream backends` lists them)",
                kDefaultBackend)
        .option("k-range", "A:B",
                "the K's to try, A to B inclusive (one number: just that K); used when --k is not given",
                kDefaultKRange)
        .option("k", "K", "fix the number of signatures: from 1 to min(channels, non-empty samples) - 1")
        .option("replicates", "R", "fits per K, each on a bootstrap of the matrix (at least 2)",
                std::to_string(kDefaultReplicates) + "; with --k alone: one fit")
        .option("normalise", "none|gmm|100x|log2",
                "scale down hypermutated samples before fitting (docs/choosing-k.md); exposures are rescaled to "
                "the true totals",
                kDefaultNormalise)
        .option("seed", "S", "root seed: the only source of randomness", std::to_string(kDefaultSeed))
        .option("max-iter", "N", "at most N iterations per fit", std::to_string(kDefaultMaxIter))
        .option("tol", "T",
                "stop once the objective's relative decrease over the backend's window falls below T; 0 runs "
                "exactly --max-iter iterations",
                "1e-08")
        .option("param", "KEY=VALUE",
                "backend parameter, KEY = BACKEND.NAME (e.g. nmf.objective=frobenius) or just NAME", "", true)
        .option("threads", "N", "fits run on N threads (the result does not depend on N)", "1");
    add_selection_options(p);
    p.section("Scatter and gather")
        .option("replicate-range", "A:B", "fit only replicates A <= i < B (needs --shard-out)", "0:R")
        .option("shard-out", "FILE", "write the fits to this shard for `sigstream consensus` instead of a run folder");
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
    Normalisation normalise = Normalisation::none;
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
    out << "normalise = " << toml_string(normalisation_name(run.normalise)) << "\n";
    out << "signatures = " << toml_string_array(r.signatures.columns) << "\n";

    write_input_toml(out, run.matrix, run.sha256, counts, r.empty_samples);

    out << "\n[backend]\n";
    out << "name = " << toml_string(backend.name()) << "\n";
    out << "version = " << toml_string(backend.version()) << "\n";
    out << "objective = " << toml_string(backend.objective()) << "\n";
    out << "file = " << toml_string(backend.origin()) << "\n";
    out << "message = " << toml_string(r.message) << "\n";
    out << "\n# Every parameter: the backend's defaults, overridden by --param.\n[backend.params]\n";
    for (const auto& [k, v] : effective_params(backend, run.user_params))
        out << toml_key(k) << " = " << toml_string(v) << "\n";
    out << "\n# The parameters given with --param (the rest are the backend's defaults).\n[backend.user_params]\n";
    for (const auto& [k, v] : run.user_params) out << toml_key(k) << " = " << toml_string(v) << "\n";
}

// ---------------------------------------------------------------- the command

int run_single(const Args& args, RunInfo& run, const Backend& backend, bool quiet) {
    RunFolder folder(args.get("out-dir"), args.flag("force"));  // fails now rather than after the fit
    folder.check_not_inside(run.matrix);
    LabelledMatrix counts = read_count_matrix(run.matrix);
    run.sha256 = file_sha256(run.matrix);

    ExtractOptions opt;
    opt.k = run.k;
    opt.seed = run.seed;
    opt.max_iter = run.max_iter;
    opt.tol = run.tol;
    opt.params = run.user_params;
    opt.normalise = run.normalise;
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

    auto open = [&](const std::string& name) -> std::ostream& { return folder.open(name); };
    write_labelled_matrix(result.signatures, open("signatures.tsv"), "MutationType");
    write_exposures(result.samples, result.signatures.columns, result.exposures, open("exposures.tsv"));
    write_sample_stats(result.stats, open("sample_stats.tsv"));
    write_trace(result, open("trace.tsv"));
    write_metadata(run, backend, counts, result, open("metadata.toml"));
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

// Throttled progress lines for the replicate fits: rewritten in place on a terminal (every second),
// one line every 30 s otherwise.
class FitProgress {
public:
    FitProgress(bool quiet, std::string what) : quiet_(quiet), tty_(isatty(STDERR_FILENO)), what_(std::move(what)) {}
    void update(const Replicate& r, int done, int total) {
        if (quiet_) return;
        const auto now = std::chrono::steady_clock::now();
        const bool last = done == total;
        if (!last && std::chrono::duration<double>(now - last_).count() < (tty_ ? 1.0 : 30.0)) return;
        last_ = now;
        const double secs = std::chrono::duration<double>(now - start_).count();
        char line[256];
        int len = std::snprintf(
            line, sizeof line,
            "sigstream extract: %s: %d of %d fits done (last: K=%d replicate %d, %d iterations), %.0f s%s",
            what_.c_str(), done, total, r.k, r.index, r.iterations, secs,
            last ? ""
                 : (", about " + std::to_string(static_cast<long long>(secs / done * (total - done) + 0.5)) + " s left")
                       .c_str());
        if (tty_) {
            std::fprintf(stderr, "\r%s%*s", line, std::max(0, last_length_ - len), "");
            last_length_ = len;
            if (last) std::fprintf(stderr, "\n");
        } else {
            std::fprintf(stderr, "%s\n", line);
        }
        std::fflush(stderr);
    }

private:
    bool quiet_, tty_;
    std::string what_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_ = start_;
    int last_length_ = 0;
};

int run_replicates(const Args& args, RunInfo& run, const Backend& backend, bool quiet) {
    ReplicatePlan plan;
    plan.seed = run.seed;
    plan.max_iter = run.max_iter;
    plan.tol = run.tol;
    plan.params = run.user_params;
    plan.normalise = run.normalise;
    const long long replicates = args.get_int("replicates", kDefaultReplicates, LLONG_MIN, 100000);
    plan.replicates = static_cast<int>(std::max<long long>(replicates, 0));
    if (replicates < 2)
        throw UsageError("", 0,
                         "--replicates " + std::to_string(replicates) +
                             " gives no stability: the consensus needs at least 2 replicates",
                         "give --replicates 2 or more, or --k K without --replicates for one fit");
    const bool fixed_k = args.has("k");
    const bool default_range = !fixed_k && !args.has("k-range");
    if (fixed_k) {
        const long long k = args.get_int("k", 0, LLONG_MIN, LLONG_MAX);
        if (k < 1)
            throw UsageError("", 0, "--k " + std::to_string(k) + " is below 1",
                             "give the number of signatures, from 1 to min(channels, non-empty samples) - 1");
        plan.ks = {static_cast<int>(std::min<long long>(k, 100000))};
    } else {
        plan.ks = parse_k_range(args.get("k-range", kDefaultKRange), "k-range");
    }
    plan.first = 0;
    plan.last = plan.replicates;
    const bool shard = args.has("shard-out");
    if (args.has("replicate-range")) {
        if (!shard)
            throw UsageError("", 0, "--replicate-range needs --shard-out",
                             "write the replicates to a shard and merge the shards with `sigstream consensus`");
        std::tie(plan.first, plan.last) = parse_range(args.get("replicate-range"), "replicate-range");
        if (plan.last > plan.replicates)
            throw UsageError("", 0,
                             "--replicate-range " + args.get("replicate-range") + " goes beyond the " +
                                 std::to_string(plan.replicates) + " replicates of --replicates",
                             "give A:B with B <= " + std::to_string(plan.replicates));
    }
    const SelectionRule rule = selection_rule(args);
    if (shard && !quiet)
        for (const char* f : {"min-mean-stability", "min-stability", "min-gain", "refine"})
            if (args.has(f))
                warn("extract",
                     std::string("--") + f + " is not used when writing a shard; give it to `sigstream consensus`");

    std::unique_ptr<RunFolder> folder;
    std::string shard_path;
    if (shard) {
        shard_path = args.get("shard-out");
        OutputFile::check_writable(shard_path);
    } else {
        folder = std::make_unique<RunFolder>(args.get("out-dir"), args.flag("force"));
        folder->check_not_inside(run.matrix);
    }

    LabelledMatrix counts = read_count_matrix(run.matrix);
    const FitInput input = prepare_fit_input(counts, run.matrix);
    if (!quiet)
        for (const auto& w : input.warnings) warn("extract", w);
    if (default_range && plan.ks.back() > input.max_k) {
        if (input.max_k < plan.ks.front())
            throw UsageError(run.matrix, 0,
                             "with " + std::to_string(input.kept.size()) + " non-empty samples K can be at most " +
                                 std::to_string(input.max_k) + ", below the default --k-range " + kDefaultKRange,
                             "give --k-range or --k within 1:" + std::to_string(input.max_k));
        while (plan.ks.back() > input.max_k) plan.ks.pop_back();
        if (!quiet)
            warn("extract", "with " + std::to_string(input.kept.size()) + " non-empty samples K can be at most " +
                                std::to_string(input.max_k) + "; trying K = " + std::to_string(plan.ks.front()) + ":" +
                                std::to_string(plan.ks.back()));
    }
    for (int k : {plan.ks.front(), plan.ks.back()})
        if (k > input.max_k)
            throw UsageError(
                run.matrix, 0,
                std::string(fixed_k ? "--k " : "--k-range ") + (fixed_k ? std::to_string(k) : args.get("k-range")) +
                    " goes beyond what " + std::to_string(input.kept.size()) + " non-empty samples and " +
                    std::to_string(input.V.rows()) + " channels allow: K can be at most " + std::to_string(input.max_k),
                "give K from 1 to " + std::to_string(input.max_k));

    if (!quiet)
        std::fprintf(stderr, "sigstream extract: %s, K = %d:%d, replicates %d:%d of %d, %zu samples, %d thread(s)\n",
                     backend.name().c_str(), plan.ks.front(), plan.ks.back(), plan.first, plan.last, plan.replicates,
                     input.kept.size(), run.threads);
    FitProgress progress(quiet, backend.name());
    const auto start = std::chrono::steady_clock::now();
    std::vector<Replicate> fits =
        fit_replicates(input.V, backend, plan, run.threads,
                       [&](const Replicate& r, int done, int total) { progress.update(r, done, total); });

    if (!quiet && plan.tol > 0) {  // fits that ran out of --max-iter, per K
        std::map<int, int> capped;
        for (const Replicate& r : fits)
            if (r.iterations >= plan.max_iter) ++capped[r.k];
        for (const auto& [k, n] : capped)
            warn("extract", std::to_string(n) + " of the " + std::to_string(plan.last - plan.first) +
                                " fits of K = " + std::to_string(k) + " ran all " + std::to_string(plan.max_iter) +
                                " iterations of --max-iter without meeting --tol; raise --max-iter");
    }
    std::map<std::string, std::string> all_params;
    for (auto& [k, v] : effective_params(backend, run.user_params)) all_params.emplace(std::move(k), std::move(v));
    if (shard) {
        Shard sh;
        sh.sigstream_version = SIGSTREAM_VERSION_STRING;
        sh.backend = backend.name();
        sh.backend_version = backend.version();
        sh.params = all_params;
        sh.seed = plan.seed;
        sh.replicates = plan.replicates;
        sh.ks = plan.ks;
        sh.first = plan.first;
        sh.last = plan.last;
        sh.normalise = normalisation_name(plan.normalise);
        sh.max_iter = plan.max_iter;
        sh.tol = plan.tol;
        sh.matrix = run.matrix;
        sh.counts = counts;
        sh.fits = std::move(fits);
        OutputFile out(shard_path);
        write_shard(sh, out.stream());
        out.commit();
        if (!quiet)
            std::fprintf(stderr, "sigstream extract: %zu fits in %.1f s -> %s\n", sh.fits.size(),
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                         shard_path.c_str());
        return 0;
    }

    if (!quiet && rule.refine)
        std::fprintf(stderr, "sigstream %s: consensus, choice of K and minimum-volume refinement of the chosen K…\n",
                     "extract");
    const Selection selection = select_k(counts, input, fits, rule, plan.normalise);
    if (!quiet)
        for (const auto& w : selection.warnings) warn("extract", w);
    ReplicateRunInfo info;
    info.command = "extract";
    info.argv = run.argv;
    info.matrix = run.matrix;
    info.sha256 = file_sha256(run.matrix);
    info.backend = backend.name();
    info.backend_version = backend.version();
    info.backend_objective = backend.objective();
    info.backend_file = backend.origin();
    info.params = all_params;
    info.user_params = run.user_params;
    info.plan = plan;
    info.rule = rule;
    info.threads = run.threads;
    write_replicate_run(*folder, counts, input, selection, info);
    folder->commit();
    if (!quiet)
        std::fprintf(stderr, "sigstream extract: %s in %.1f s -> %s\n", selection.reason.c_str(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                     folder->path().c_str());
    return 0;
}

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
    if (!args.has("matrix")) throw UsageError("", 0, "--matrix is required", "see `sigstream extract --help`");
    if (args.has("k") && args.has("k-range"))
        throw UsageError("", 0, "--k and --k-range both given", "give --k K to fix K, or --k-range A:B to choose it");
    const bool shard = args.has("shard-out");
    if (shard && args.has("out-dir"))
        throw UsageError("", 0, "--shard-out writes a shard, not a run folder: --out-dir is not used",
                         "drop --out-dir; `sigstream consensus --out-dir D SHARDS…` writes the run folder");
    if (!shard && !args.has("out-dir"))
        throw UsageError("", 0, "--out-dir is required", "see `sigstream extract --help`");
    const bool single = args.has("k") && !args.has("replicates") && !shard;

    RunInfo run;
    run.argv.push_back("sigstream");
    run.argv.push_back("extract");
    for (int i = 0; i < argc; ++i) run.argv.push_back(argv[i]);
    run.matrix = args.get("matrix");
    run.seed = static_cast<std::uint64_t>(args.get_int("seed", static_cast<long long>(kDefaultSeed), 0, LLONG_MAX));
    run.max_iter = static_cast<int>(args.get_int("max-iter", kDefaultMaxIter, 1, kMaxIterLimit));
    run.tol = args.get_double("tol", kDefaultTol, 0.0, 1.0);
    run.threads = static_cast<int>(args.get_int("threads", 1, 1, 1024));
    run.normalise = parse_normalisation(args.get("normalise", kDefaultNormalise));
    const bool quiet = args.flag("quiet");
    BackendRegistry registry = BackendRegistry::from_environment();
    const Backend& backend = registry.get(args.get("backend", kDefaultBackend));
    run.user_params = parse_params(args.all("param"), backend);
    if (single) {
        const long long k = args.get_int("k", 0, LLONG_MIN, LLONG_MAX);
        if (k < 1)
            throw UsageError("", 0, "--k " + std::to_string(k) + " is below 1",
                             "give the number of signatures, from 1 to min(channels, non-empty samples) - 1");
        run.k = static_cast<int>(std::min<long long>(k, INT_MAX));
        return run_single(args, run, backend, quiet);
    }
    return run_replicates(args, run, backend, quiet);
}

}  // namespace

int extract_main(int argc, char** argv) {
    return guarded("extract", [&] { return run_extract(argc, argv); });
}

}  // namespace sigstream::cli
