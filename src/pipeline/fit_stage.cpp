// The fit stage: every sample's exposures to a fixed signature set (COSMIC, another run's signatures, or the
// signatures an earlier stage chose) by exact non-negative least squares, optionally sparse (extract/refit.h).
//
// Files: exposures.tsv and sample_stats.tsv in `out-dir` (created when missing; "fit" inside a run folder).
#include <algorithm>
#include <filesystem>

#include "io/matrix_tsv.h"
#include "io/tables.h"
#include "pipeline/common.h"
#include "pipeline/stages.h"

namespace sigstream {

namespace {

constexpr const char* kFolderDefault = "fit";

bool has(const std::vector<Data>& available, Data d) {
    return std::find(available.begin(), available.end(), d) != available.end();
}

}  // namespace

std::string_view FitStage::summary() const {
    return "exposures of samples to a fixed signature set (NNLS, optionally sparse)";
}

const Schema<RefitSettings>& FitStage::schema() const {
    using S = RefitSettings;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Input")
            .input("matrix", "FILE", "count matrix (channels x samples; rows matched by label)",
                   [](S& x) -> std::string& { return x.matrix; })
            .flag("input-normalised",
                  "the matrix is already normalised (proportions or scaled counts), not counts of mutations: take "
                  "non-integer values",
                  [](S& x) -> bool& { return x.input_normalised; })
            .add(
                {"signatures", "FILE",
                 "signatures (columns sum to 1), a run folder (its signatures.tsv), or cosmic-v3.4"},
                [](S& x, const SettingValue& v) { x.signatures = signature_setting(v); },
                [](const S& x) { return x.signatures.empty() ? std::string() : toml_string(x.signatures); });
        k.section("Fitting")
            .flag("sparse", "sparse refit: drop signatures that do not improve the fit",
                  [](S& x) -> bool& { return x.options.sparse; })
            .number("sparse-threshold", "T", "cosine change that adds or removes a signature with --sparse", 0.0,
                    0.999999, [](S& x) -> double& { return x.options.threshold; });
        k.section("Output").path("out-dir", "D",
                                 "folder for exposures.tsv and sample_stats.tsv (created if missing) [default in a run "
                                 "folder: fit]",
                                 [](S& x) -> std::string& { return x.out_dir; });
        return k;
    }();
    return s;
}

std::string FitStage::signature_file() const {
    return signature_path(settings.signatures);
}

std::vector<Data> FitStage::needs() const {
    std::vector<Data> out;
    if (settings.matrix.empty()) out.push_back(Data::counts);
    if (settings.signatures.empty()) out.push_back(Data::signatures);
    return out;
}

// A matrix read here is the run's from now on (stage_counts).
std::vector<Data> FitStage::gives() const {
    if (settings.matrix.empty()) return {Data::exposures};
    return {Data::counts, Data::exposures};
}

std::vector<std::string> FitStage::reads() const {
    return {settings.matrix, signature_file()};
}

std::vector<std::string> FitStage::writes(bool folder) const {
    const std::string dir = settings.out_dir.empty() && folder ? kFolderDefault : settings.out_dir;
    const std::filesystem::path d(dir);
    return {(d / "exposures.tsv").string(), (d / "sample_stats.tsv").string()};
}

void FitStage::reserve(OutputSink& out) const {
    if (!out.is_folder() && !settings.out_dir.empty()) out.create_folder(settings.out_dir);
    StageWith<RefitSettings>::reserve(out);
}

void FitStage::prepare(const std::vector<Data>& available) {
    for (const auto& [given, key, data] : {std::tuple{settings.matrix.empty(), "matrix", Data::counts},
                                           std::tuple{settings.signatures.empty(), "signatures", Data::signatures}})
        if (given && !has(available, data))
            throw UsageError("", 0, std::string("--") + key + " is required", "see `sigstream fit --help`");
}

void FitStage::run(Workspace& ws, const RunSettings&) {
    const Counts& counts =
        stage_counts(ws, settings.matrix, settings.input_normalised ? MatrixValues::normalised : MatrixValues::counts);
    const SignatureSet signatures = settings.signatures.empty() ? *ws.signatures : read_signatures(signature_file());
    if (counts.matrix.context != signatures.context)
        throw UsageError(settings.signatures.empty() ? std::string() : signature_file(), 0,
                         "these signatures are " + std::string(context_name(signatures.context)) + " but the matrix " +
                             (counts.source.empty() ? std::string("of the run") : counts.source) + " is " +
                             std::string(context_name(counts.matrix.context)),
                         "fit a matrix with signatures of the same catalogue");
    ws.exposures = refit_exposures(counts.matrix, signatures, settings.options);
}

void FitStage::write(const Workspace& ws, OutputSink& out) const {
    const std::vector<std::string> files = writes(out.is_folder());
    write_exposures(*ws.exposures, out.open(files[0]));
    write_sample_stats(ws.exposures->stats, out.open(files[1]));
}

}  // namespace sigstream
