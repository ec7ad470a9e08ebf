// `sigstream crossval`: the paper's cross-validation protocol (DESIGN §7) for several backends on the same
// random patient splits, written as a run folder: per_split.tsv, summary.tsv, splits.tsv,
// signatures/<backend>_split<i>.tsv, medoids_<backend>.tsv and metadata.toml. The statistics are defined in
// src/evaluate/crossval.h and docs/crossval.md.
//
// The folder appears whole or not at all (RunFolder): every file is written into a temporary folder next to
// the output folder, which is renamed into place at the end.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/run_common.h"
#include "core/errors.h"
#include "core/format.h"
#include "backend/backend.h"
#include "evaluate/compare.h"
#include "evaluate/crossval.h"
#include "extract/extract.h"
#include "io/matrix_tsv.h"
#include "io/output_file.h"

namespace sigstream::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultBackends = "nmf,cnmf,aenmf";
constexpr std::uint64_t kDefaultSeed = 1;
constexpr int kDefaultMaxIter = 10000;
constexpr double kDefaultTol = 1e-8;
constexpr double kPaperTol = 1e-10;
constexpr int kPaperMaxIter = 100000;  // the paper's AE start needs 1e4-1e5 steps
constexpr int kDefaultSplits = 30;
constexpr double kDefaultTestFraction = 0.2;
constexpr long long kMaxIterLimit = 10000000;
constexpr long long kMaxSplits = 1000;  // PAM and consistency cost (splits x K)^2 and splits^2

// --preset paper: the study's backend settings (applied to the listed backends that have the key, unless
// --param sets it).
const std::map<std::string, std::map<std::string, std::string>>& paper_params() {
    static const std::map<std::string, std::map<std::string, std::string>> p = {
        {"nmf", {{"objective", "frobenius"}, {"solver", "mu"}}},
        {"aenmf", {{"loss", "mse"}, {"constraint", "abs"}, {"init", "uniform"}, {"schedule", "constant"}}},
    };
    return p;
}

Parser crossval_parser() {
    Parser p("crossval", "--matrix M --k K --out-dir D [--backends nmf,cnmf,aenmf] [options]",
             "Cross-validates extraction backends by the paper's protocol, on the same random patient splits for\n"
             "every backend (a paired comparison). For each split s = 1..S: the non-empty samples are permuted (seed\n"
             "from --seed and s) and the first round(test-fraction * n) are the test part; each backend is fitted to\n"
             "the training part (one start, seed from --seed and s, the same for every backend; signatures scaled\n"
             "to sum 1). Per backend and split:\n"
             "  TrainMSE         mean over channels x training samples of (V - WH)^2\n"
             "  TestMSE          the same over the test samples, exposures by NNLS of V_test on W\n"
             "  HeldOutDeviance  each test count v split into a ~ Binomial(floor(v), 1/2) and b = v - a (seed from\n"
             "                   --seed and s); b^ = W NNLS(W, a); 2 sum[b log(b/b^) - b + b^] / (channels x test\n"
             "                   samples), 0 log 0 = 0   (HeldOutMSE: mean (b - b^)^2 likewise); only test\n"
             "                   samples whose half a has >= 10 mutations are scored (HeldOutSamples)\n"
             "  CosmicMatched    mean one-to-one (Hungarian) matched cosine of the split's K signatures to the\n"
             "                   reference\n"
             "Per backend (summary.tsv; _sd = sample standard deviation over splits, NA for fewer than 2 values):\n"
             "  Consistency      mean over split pairs of the mean Hungarian-matched cosine of their signatures\n"
             "                   (Consistency_sd over the pairs)\n"
             "  CosmicPerSplit   mean of CosmicMatched over the splits\n"
             "  CosmicMedoids    the S*K signatures clustered into K clusters by PAM (k-medoids, cosine distance,\n"
             "                   BUILD + SWAP); mean Hungarian-matched cosine of the K medoids to the reference\n"
             "Writes a run folder D: per_split.tsv, summary.tsv, splits.tsv (each sample's role in each split),\n"
             "signatures/<backend>_split<s>.tsv, medoids_<backend>.tsv and metadata.toml. All but metadata.toml are\n"
             "byte-identical for the same input, seed and version, whatever --threads. The folder appears only when\n"
             "complete. Samples without mutations are left out. docs/crossval.md has the details.");
    p.section("Input")
        .option("matrix", "FILE", "count matrix (channels x samples; TSV or CSV, .gz accepted; rows matched by label)")
        .option("reference", "cosmic-v3.4|FILE", "reference signatures for the COSMIC alignment", kCosmicReference)
        .flag("include-artefacts", "also match COSMIC's possible sequencing artefacts (SBS27, SBS43, SBS45-60, SBS95)");
    p.section("Cross-validation")
        .option("backends", "LIST", "comma-separated backends (`sigstream backends` lists them)", kDefaultBackends)
        .option("k", "K",
                "number of signatures, from 1 to channels - 1 (and the training part must have K + 1 samples)")
        .option("splits", "S", "number of random splits, at least 2", std::to_string(kDefaultSplits))
        .option("test-fraction", "F", "share of the samples held out in each split, strictly between 0 and 1", "0.2")
        .option("preset", "NAME",
                "paper: the study's choices, each unless given explicitly: nmf.objective=frobenius, nmf.solver=mu, "
                "aenmf.loss=mse, aenmf.constraint=abs, aenmf.init=uniform, aenmf.schedule=constant, --tol 1e-10, "
                "--max-iter 100000, "
                "--splits 30, --test-fraction 0.2 (one start per split, as always); none: the backends' defaults",
                "none")
        .option("seed", "S", "root seed: the only source of randomness", std::to_string(kDefaultSeed))
        .option("max-iter", "N", "at most N iterations per fit (the paper's uniform AE start needs 1e4-1e5 steps)",
                std::to_string(kDefaultMaxIter) + ", " + std::to_string(kPaperMaxIter) + " with --preset paper")
        .option("tol", "T", "the backends' stop rule (relative decrease over their window); 0 runs --max-iter",
                "1e-08, 1e-10 with --preset paper")
        .option("param", "KEY=VALUE",
                "backend parameter, KEY = BACKEND.NAME (e.g. nmf.objective=frobenius); just NAME with one backend", "",
                true)
        .option("threads", "N", "run N fits at a time; the output does not depend on N", "1");
    p.section("Output")
        .option("out-dir", "D", "run folder to create; it must not exist or be empty (see --force)")
        .flag("force", "replace --out-dir if it is an existing folder (only once the new run folder is complete)")
        .flag("quiet", "no progress or warnings on stderr");
    return p;
}

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = s.find(',', start);
        std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.erase(item.begin());
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.pop_back();
        out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

// A number for the tables: exact, `NA` for NaN.
std::string num(double v) {
    return std::isnan(v) ? std::string("NA") : exact_number(v);
}

struct RunInfo {
    std::vector<std::string> argv;
    std::string matrix, sha256, reference, reference_path, preset;
    std::uint64_t seed = 0;
    int k = 0, splits = 0, max_iter = 0, threads = 1;
    double tol = 0, test_fraction = 0;
    bool include_artefacts = false;
    std::vector<std::map<std::string, std::string>> user_params, preset_params;
};

void write_per_split(const std::vector<const Backend*>& backends, const CrossvalResult& r, std::ostream& out) {
    out << "Backend\tSplit\tTrainSamples\tTestSamples\tTrainMSE\tTestMSE\tHeldOutDeviance\tHeldOutMSE\tCosmicMatched"
           "\tIterations\tObjective\tSeed\tHeldOutSamples\n";
    for (const SplitResult& s : r.per_split)
        out << backends[static_cast<std::size_t>(s.backend)]->name() << '\t' << s.split << '\t' << s.train_samples
            << '\t' << s.test_samples << '\t' << num(s.train_mse) << '\t' << num(s.test_mse) << '\t'
            << num(s.heldout_deviance) << '\t' << num(s.heldout_mse) << '\t' << num(s.cosmic_matched) << '\t'
            << s.iterations << '\t' << num(s.objective) << '\t' << s.fit_seed << '\t' << s.heldout_samples << '\n';
}

void write_summary(const std::vector<const Backend*>& backends, const CrossvalResult& r, int splits,
                   std::ostream& out) {
    out << "Backend\tTrainMSE\tTrainMSE_sd\tTestMSE\tTestMSE_sd\tHeldOutDeviance\tHeldOutDeviance_sd\tConsistency"
           "\tConsistency_sd\tCosmicPerSplit\tCosmicPerSplit_sd\tCosmicMedoids\tHeldOutMSE\tHeldOutMSE_sd"
           "\tMeanIterations\tUnconverged\tSplits\n";
    for (std::size_t b = 0; b < r.summaries.size(); ++b) {
        const BackendSummary& s = r.summaries[b];
        out << backends[b]->name() << '\t' << num(s.train_mse) << '\t' << num(s.train_mse_sd) << '\t' << num(s.test_mse)
            << '\t' << num(s.test_mse_sd) << '\t' << num(s.heldout_deviance) << '\t' << num(s.heldout_deviance_sd)
            << '\t' << num(s.consistency) << '\t' << num(s.consistency_sd) << '\t' << num(s.cosmic_per_split) << '\t'
            << num(s.cosmic_per_split_sd) << '\t' << num(s.cosmic_medoids) << '\t' << num(s.heldout_mse) << '\t'
            << num(s.heldout_mse_sd) << '\t' << num(s.iterations) << '\t' << s.unconverged << '\t' << splits << '\n';
    }
}

// One row per sample of the matrix, one column per split: train, test, or empty (left out).
void write_splits(const LabelledMatrix& counts, const CrossvalResult& r, std::ostream& out) {
    out << "Sample";
    for (std::size_t s = 0; s < r.splits.size(); ++s) out << "\tSplit" << s + 1;
    out << '\n';
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < r.samples.size(); ++i) index[r.samples[i]] = i;
    std::vector<std::vector<char>> is_test(r.splits.size(), std::vector<char>(r.samples.size(), 0));
    for (std::size_t s = 0; s < r.splits.size(); ++s)
        for (Eigen::Index j : r.splits[s].test) is_test[s][static_cast<std::size_t>(j)] = 1;
    for (const auto& name : counts.columns) {
        out << name;
        auto it = index.find(name);
        for (std::size_t s = 0; s < r.splits.size(); ++s)
            out << '\t' << (it == index.end() ? "empty" : is_test[s][it->second] ? "test" : "train");
        out << '\n';
    }
}

void write_metadata(const RunInfo& run, const std::vector<const Backend*>& backends, const LabelledMatrix& counts,
                    const CrossvalResult& r, std::ostream& out) {
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);
    out << "# Written by `sigstream crossval`. Every other file of this run folder is byte-reproducible from the\n"
           "# same input, seed, parameters and sigstream version; this one also records when and where.\n";
    out << "sigstream_version = " << toml_string(SIGSTREAM_VERSION_STRING) << "\n";
    out << "command_line = " << toml_string(command_line(run.argv)) << "\n";
    out << "argv = " << toml_string_array(run.argv) << "\n";
    out << "working_directory = " << toml_string(ec ? std::string() : cwd.string()) << "\n";
    out << "created = " << utc_now() << "\n";
    out << "root_seed = " << run.seed << "\n";
    out << "# split s (1-based) is drawn from replicate_seed(root_seed, " << kSplitStream
        << ", s); its fits are seeded with replicate_seed(root_seed, " << kFitStream
        << ", s) and its binomial halves with replicate_seed(root_seed, " << kBinomialStream << ", s)\n";
    out << "k = " << run.k << "\n";
    out << "splits = " << run.splits << "\n";
    out << "test_fraction = " << toml_float(run.test_fraction) << "\n";
    out << "max_iter = " << run.max_iter << "\n";
    out << "tol = " << toml_float(run.tol) << "\n";
    out << "threads = " << run.threads << "\n";
    out << "preset = " << toml_string(run.preset) << "\n";
    std::vector<std::string> names;
    for (const Backend* b : backends) names.push_back(b->name());
    out << "backends = " << toml_string_array(names) << "\n";

    write_input_toml(out, run.matrix, run.sha256, counts, r.empty_samples);

    out << "\n[reference]\n";
    out << "name = " << toml_string(run.reference) << "\n";
    out << "file = " << toml_string(run.reference_path) << "\n";
    out << "include_artefacts = " << (run.include_artefacts ? "true" : "false") << "\n";

    for (std::size_t b = 0; b < backends.size(); ++b) {
        const Backend& be = *backends[b];
        const std::string key = toml_key(be.name());
        out << "\n[backend." << key << "]\n";
        out << "version = " << toml_string(be.version()) << "\n";
        out << "objective = " << toml_string(be.objective()) << "\n";
        out << "file = " << toml_string(be.origin()) << "\n";
        out << "\n# Every parameter: the backend's defaults, overridden by --preset, then by --param.\n";
        out << "[backend." << key << ".params]\n";
        std::map<std::string, std::string> given = run.user_params[b];  // --param wins over --preset
        given.insert(run.preset_params[b].begin(), run.preset_params[b].end());
        for (const auto& [k, v] : effective_params(be, given)) out << toml_key(k) << " = " << toml_string(v) << "\n";
        out << "\n[backend." << key << ".preset_params]\n";
        for (const auto& [k, v] : run.preset_params[b]) out << toml_key(k) << " = " << toml_string(v) << "\n";
        out << "\n[backend." << key << ".user_params]\n";
        for (const auto& [k, v] : run.user_params[b]) out << toml_key(k) << " = " << toml_string(v) << "\n";
    }
}

// ---------------------------------------------------------------- the command

int run_crossval_command(int argc, char** argv) {
    const Parser parser = crossval_parser();
    Args args = parser.parse(argc, argv);
    if (args.help()) {
        std::cout << parser.help_text();
        return 0;
    }
    if (!args.positionals().empty())
        throw UsageError("", 0, "unexpected argument '" + args.positionals()[0] + "'",
                         "see `sigstream crossval --help`");
    for (const char* required : {"matrix", "k", "out-dir"})
        if (!args.has(required))
            throw UsageError("", 0, std::string("--") + required + " is required", "see `sigstream crossval --help`");

    RunInfo run;
    run.argv = {"sigstream", "crossval"};
    for (int i = 0; i < argc; ++i) run.argv.push_back(argv[i]);
    run.matrix = args.get("matrix");
    run.preset = args.get("preset", "none");
    if (run.preset != "none" && run.preset != "paper")
        throw UsageError("", 0, "--preset '" + run.preset + "' is not known", "give --preset paper (or none)");
    const bool paper = run.preset == "paper";

    const long long k = args.get_int("k", 0, LLONG_MIN, LLONG_MAX);
    if (k < 1)
        throw UsageError("", 0, "--k " + std::to_string(k) + " is below 1",
                         "give the number of signatures, from 1 to channels - 1");
    run.k = static_cast<int>(std::min<long long>(k, INT_MAX));
    long long splits = 0;
    try {
        splits = args.get_int("splits", kDefaultSplits, LLONG_MIN, LLONG_MAX);
    } catch (const UsageError&) {
        throw UsageError("", 0, "--splits '" + args.get("splits") + "' is not a whole number",
                         "give the number of splits, at least 2, e.g. --splits 30");
    }
    if (splits < 2)
        throw UsageError("", 0, "--splits " + std::to_string(splits) + " is below 2",
                         "give at least 2 splits (consistency compares pairs of splits)");
    if (splits > kMaxSplits)
        throw UsageError("", 0, "--splits " + std::to_string(splits) + " is above " + std::to_string(kMaxSplits),
                         "give fewer splits");
    run.splits = static_cast<int>(splits);
    try {
        run.test_fraction = args.get_double("test-fraction", kDefaultTestFraction, -HUGE_VAL, HUGE_VAL);
    } catch (const UsageError&) {
        run.test_fraction = std::nan("");
    }
    if (!(run.test_fraction > 0 && run.test_fraction < 1))
        throw UsageError("", 0, "--test-fraction " + args.get("test-fraction") + " is not strictly between 0 and 1",
                         "e.g. --test-fraction 0.2 holds out a fifth of the samples");
    run.seed = static_cast<std::uint64_t>(args.get_int("seed", static_cast<long long>(kDefaultSeed), 0, LLONG_MAX));
    run.max_iter =
        static_cast<int>(args.get_int("max-iter", paper ? kPaperMaxIter : kDefaultMaxIter, 1, kMaxIterLimit));
    run.tol = args.get_double("tol", paper ? kPaperTol : kDefaultTol, 0.0, 1.0);
    run.threads = static_cast<int>(args.get_int("threads", 1, 1, 1024));
    run.include_artefacts = args.flag("include-artefacts");
    const bool quiet = args.flag("quiet");

    RunFolder folder(args.get("out-dir"), args.flag("force"));  // fails now rather than after the fits
    folder.check_not_inside(run.matrix);

    // ---- backends and their parameters
    BackendRegistry registry = BackendRegistry::from_environment();
    std::vector<const Backend*> backends;
    std::set<std::string> listed;
    for (const std::string& name : split_list(args.get("backends", kDefaultBackends))) {
        if (name.empty())
            throw UsageError("", 0, "--backends '" + args.get("backends") + "' has an empty name",
                             "give names separated by commas, e.g. --backends nmf,cnmf,aenmf");
        if (!listed.insert(name).second)
            throw UsageError("", 0, "backend '" + name + "' is listed twice in --backends", "list each backend once");
        backends.push_back(&registry.get(name));
    }
    const std::vector<std::string> items = args.all("param");
    std::vector<std::vector<std::string>> per_backend(backends.size());
    if (backends.size() == 1) {
        per_backend[0] = items;
    } else {
        for (const std::string& item : items) {
            const std::size_t eq = item.find('='), dot = item.find('.');
            if (eq == std::string::npos || eq == 0)
                throw UsageError("", 0, "--param '" + item + "' is not KEY=VALUE",
                                 "e.g. --param nmf.objective=frobenius");
            if (dot == std::string::npos || dot > eq) {
                std::string owners;  // the listed backends that have this key
                const std::string key = item.substr(0, eq);
                for (const Backend* b : backends)
                    for (const auto& p : b->params())
                        if (p.key == key) owners += (owners.empty() ? "" : " or ") + b->name() + "." + item;
                throw UsageError("", 0, "--param '" + item + "' names no backend, and several are given",
                                 "write BACKEND.KEY=VALUE" + (owners.empty() ? std::string() : ", e.g. " + owners));
            }
            const std::string prefix = item.substr(0, dot);
            std::size_t b = 0;
            while (b < backends.size() && backends[b]->name() != prefix) ++b;
            if (b == backends.size())
                throw UsageError("", 0,
                                 "--param '" + item + "' is for backend '" + prefix + "', which is not in --backends",
                                 "drop it, or add " + prefix + " to --backends");
            per_backend[b].push_back(item);
        }
    }
    std::vector<CrossvalBackend> cv;
    for (std::size_t b = 0; b < backends.size(); ++b) {
        run.user_params.push_back(parse_params(per_backend[b], *backends[b]));
        std::map<std::string, std::string> preset;
        if (paper) {
            auto it = paper_params().find(backends[b]->name());
            if (it != paper_params().end())
                for (const auto& [key, value] : it->second) {
                    bool known = false;
                    for (const auto& p : backends[b]->params()) known |= p.key == key;
                    if (known && !run.user_params[b].count(key)) preset[key] = value;
                }
        }
        run.preset_params.push_back(preset);
        CrossvalBackend c;
        c.backend = backends[b];
        c.params = preset;
        for (const auto& [key, value] : run.user_params[b]) c.params[key] = value;
        cv.push_back(std::move(c));
    }

    // ---- the reference and the matrix
    run.reference = args.get("reference", kCosmicReference);
    run.reference_path = reference_file(run.reference);
    const LabelledMatrix reference = read_signatures(run.reference_path);
    LabelledMatrix counts = read_count_matrix(run.matrix);
    run.sha256 = file_sha256(run.matrix);

    CrossvalOptions opt;
    opt.k = run.k;
    opt.splits = run.splits;
    opt.test_fraction = run.test_fraction;
    opt.seed = run.seed;
    opt.max_iter = run.max_iter;
    opt.tol = run.tol;
    opt.threads = run.threads;
    opt.source = run.matrix;
    opt.reference = &reference;
    opt.include_artefacts = run.include_artefacts;
    const auto start = std::chrono::steady_clock::now();
    if (!quiet)
        opt.on_job_done = [&](int done, int total, int b, int s) {
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::fprintf(stderr, "sigstream crossval: %s split %d/%d done (%d/%d fits, %.1f s)\n",
                         backends[static_cast<std::size_t>(b)]->name().c_str(), s, run.splits, done, total, secs);
            std::fflush(stderr);
        };
    CrossvalResult result = run_crossval(counts, cv, opt);
    if (!quiet)
        for (const auto& w : result.warnings) warn("crossval", w);

    auto open = [&](const std::string& name) -> std::ostream& { return folder.open(name); };
    write_per_split(backends, result, open("per_split.tsv"));
    write_summary(backends, result, run.splits, open("summary.tsv"));
    write_splits(counts, result, open("splits.tsv"));
    for (const SplitResult& s : result.per_split) {
        LabelledMatrix sig;
        sig.context = counts.context;
        sig.values = s.W;
        for (int c = 0; c < run.k; ++c) sig.columns.push_back(signature_name(counts.context, c));
        write_labelled_matrix(sig, open("signatures/" + backends[static_cast<std::size_t>(s.backend)]->name() +
                                        "_split" + std::to_string(s.split) + ".tsv"));
    }
    for (std::size_t b = 0; b < backends.size(); ++b) {
        const BackendSummary& s = result.summaries[b];
        LabelledMatrix med;
        med.context = counts.context;
        med.values = s.medoids;
        for (std::size_t m = 0; m < s.medoid_split.size(); ++m)
            med.columns.push_back("split" + std::to_string(s.medoid_split[m]) + "_" +
                                  signature_name(counts.context, s.medoid_signature[m]));
        write_labelled_matrix(med, open("medoids_" + backends[b]->name() + ".tsv"));
    }
    write_metadata(run, backends, counts, result, open("metadata.toml"));
    folder.commit();

    if (!quiet) {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "sigstream crossval: %zu backend(s) x %d split(s), K=%d, %zu sample(s) in %.1f s -> %s\n",
                     backends.size(), run.splits, run.k, result.samples.size(), secs, folder.path().c_str());
    }
    return 0;
}

}  // namespace

int crossval_main(int argc, char** argv) {
    return guarded("crossval", [&] { return run_crossval_command(argc, argv); });
}

}  // namespace sigstream::cli
