// The stages, one file each (pipeline/<kind>_stage.cpp), with their settings. A C++ program can use them
// directly: set a stage's `settings`, call prepare() and run() on a Workspace, read the results from it (or
// write() them) — or hand them to a Pipeline (pipeline/pipeline.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "count/count.h"
#include "evaluate/crossval.h"
#include "extract/refit.h"
#include "pipeline/stage.h"

namespace sigstream {

// The stage of a kind ("count", "merge", "extract", "consensus", "select", "refine", "fit", "compare",
// "crossval"), with default settings. UsageError for an unknown kind.
std::unique_ptr<Stage> make_stage(const std::string& kind);
const std::vector<std::string>& stage_kinds();

// ---------------------------------------------------------------- count: VCF/BCF -> count matrices

struct CountSettings {
    std::string ref;                  // the reference FASTA
    std::vector<std::string> inputs;  // VCF, VCF.gz or BCF; `-` = standard input
    std::string list;                 // a file of inputs: path, optional TAB and sample name
    std::string sample;               // the name of the single input's column
    CountOptions options;             // the counting rules (count/count.h)
    std::vector<Context> contexts = {Context::SBS96};
    std::string out;         // one context: its matrix (`-` = standard output)
    std::string out_prefix;  // every context: <prefix>.<CONTEXT>.tsv
    std::string summary;     // per-sample counted and skipped records
};

class CountStage : public StageWith<CountSettings> {
public:
    std::string_view kind() const override { return "count"; }
    std::string_view summary() const override;
    std::vector<Data> needs() const override { return {}; }
    std::vector<Data> gives() const override { return {Data::counts}; }
    std::vector<std::string> reads() const override;
    std::vector<std::string> writes(bool folder) const override;
    void prepare(const std::vector<Data>& available) override;
    void run(Workspace& ws, const RunSettings& run) override;
    void write(const Workspace& ws, OutputSink& out) const override;
    void report(const Workspace& ws, TomlWriter& out) const override;

protected:
    const Schema<CountSettings>& schema() const override;

private:
    std::vector<CountInput> collect_inputs() const;
};

// ---------------------------------------------------------------- merge: count matrices side by side

struct MergeSettings {
    std::vector<std::string> inputs;  // count matrices (same catalogue), and count summaries (told by their header)
    std::string out;                  // the merged matrix (`-` = standard output)
    std::string summary;              // the joined count summaries (needed when summaries are among the inputs)
};

class MergeStage : public StageWith<MergeSettings> {
public:
    std::string_view kind() const override { return "merge"; }
    std::string_view summary() const override;
    std::vector<Data> needs() const override { return {}; }
    std::vector<Data> gives() const override { return {Data::counts}; }
    std::vector<std::string> reads() const override { return settings.inputs; }
    std::vector<std::string> writes(bool folder) const override;
    void prepare(const std::vector<Data>& available) override;
    void run(Workspace& ws, const RunSettings& run) override;
    void write(const Workspace& ws, OutputSink& out) const override;

protected:
    const Schema<MergeSettings>& schema() const override;
};

// ---------------------------------------------------------------- extract: replicate fits, or one fit

struct ExtractSettings {
    std::string matrix;  // the count matrix; "" = an earlier stage's
    std::string backend = kDefaultBackend;
    std::string k_range;  // "A:B"; "" = 2:15, clamped to what the matrix allows
    int k = 0;            // > 0: fix K
    int replicates = 0;   // > 0: replicates per K; 0 = 20, or one fit of the matrix itself with k alone
    Normalisation normalise = kDefaultNormalisation;
    FitSettings fit;                 // seed, max-iter, tol-window (fit.tol is effective_tol()); params from `param`
    std::optional<double> tol;       // unset: kDefaultTol for one fit, kDefaultReplicateTol for replicate fits
    std::vector<std::string> param;  // --param items as given
    int first = 0, last = 0;         // --replicate-range A:B (last 0: every replicate)
    std::string shard_out;           // write the fits to this shard
    bool input_normalised = false;   // the matrix is not counts: take non-integer values, fit replicates unresampled

    bool single() const { return k > 0 && replicates == 0 && shard_out.empty(); }  // one fit of the matrix itself
    double effective_tol() const { return tol ? *tol : single() ? kDefaultTol : kDefaultReplicateTol; }
};

class ExtractStage : public StageWith<ExtractSettings> {
public:
    std::string_view kind() const override { return "extract"; }
    std::string_view summary() const override;
    std::vector<Data> needs() const override;
    std::vector<Data> gives() const override;
    std::vector<std::string> reads() const override { return {settings.matrix}; }
    std::vector<std::string> writes(bool folder) const override;
    void prepare(const std::vector<Data>& available) override;
    void run(Workspace& ws, const RunSettings& run) override;
    void write(const Workspace& ws, OutputSink& out) const override;
    void report(const Workspace& ws, TomlWriter& out) const override;

    // One fit of the matrix itself (k given, replicates not).
    bool single() const { return settings.single(); }

protected:
    const Schema<ExtractSettings>& schema() const override;

private:
    std::optional<Backend> backend_;
    BackendParams params_;
};

// ---------------------------------------------------------------- consensus: every K's consensus solution

struct ConsensusSettings {
    std::vector<std::string> shards;  // shards of `extract --shard-out`; none = an earlier extract's fits
};

class ConsensusStage : public StageWith<ConsensusSettings> {
public:
    std::string_view kind() const override { return "consensus"; }
    std::string_view summary() const override;
    std::vector<Data> needs() const override;
    std::vector<Data> gives() const override;
    std::vector<std::string> reads() const override { return settings.shards; }
    std::vector<std::string> writes(bool) const override { return {}; }  // solutions/K<k>/…, known after run()
    void prepare(const std::vector<Data>& available) override;
    void run(Workspace& ws, const RunSettings& run) override;
    void write(const Workspace& ws, OutputSink& out) const override;
    void report(const Workspace& ws, TomlWriter& out) const override;

protected:
    const Schema<ConsensusSettings>& schema() const override;
};

// ---------------------------------------------------------------- select: the choice of K

class SelectStage : public StageWith<SelectionRule> {
public:
    std::string_view kind() const override { return "select"; }
    std::string_view summary() const override;
    std::vector<Data> needs() const override { return {Data::solutions}; }
    std::vector<Data> gives() const override { return {Data::signatures}; }
    std::vector<std::string> writes(bool folder) const override;
    void prepare(const std::vector<Data>& available) override;
    void run(Workspace& ws, const RunSettings& run) override;
    void write(const Workspace& ws, OutputSink& out) const override;
    void report(const Workspace& ws, TomlWriter& out) const override;

protected:
    const Schema<SelectionRule>& schema() const override;
};

// ---------------------------------------------------------------- refine: minimum volume of the chosen K

class RefineStage : public StageWith<RefineSettings> {
public:
    std::string_view kind() const override { return "refine"; }
    std::string_view summary() const override;
    std::vector<Data> needs() const override { return {Data::solutions, Data::signatures}; }
    std::vector<Data> gives() const override { return {Data::signatures}; }
    std::vector<std::string> writes(bool) const override { return {}; }  // select writes the chosen K's files
    void prepare(const std::vector<Data>& available) override;
    void run(Workspace& ws, const RunSettings& run) override;
    void write(const Workspace&, OutputSink&) const override {}
    void report(const Workspace& ws, TomlWriter& out) const override;

protected:
    const Schema<RefineSettings>& schema() const override;
};

// ---------------------------------------------------------------- fit: exposures to fixed signatures

struct RefitSettings {
    std::string matrix;             // "" = an earlier stage's count matrix
    std::string signatures;         // a file, a run folder, or `cosmic-v3.4`; "" = an earlier stage's signatures
    RefitOptions options;           // sparse, sparse-threshold
    bool input_normalised = false;  // the matrix is not counts: take non-integer values
    std::string out_dir;            // exposures.tsv and sample_stats.tsv go here ("fit" inside a run folder)
};

class FitStage : public StageWith<RefitSettings> {
public:
    std::string_view kind() const override { return "fit"; }
    std::string_view summary() const override;
    std::vector<Data> needs() const override;
    std::vector<Data> gives() const override;
    std::vector<std::string> reads() const override;
    std::vector<std::string> writes(bool folder) const override;
    void reserve(OutputSink& out) const override;
    void prepare(const std::vector<Data>& available) override;
    void run(Workspace& ws, const RunSettings& run) override;
    void write(const Workspace& ws, OutputSink& out) const override;

protected:
    const Schema<RefitSettings>& schema() const override;

private:
    std::string signature_file() const;
};

// ---------------------------------------------------------------- compare: signatures against COSMIC

struct CompareSettings {
    std::string signatures;                    // a file or run folder; "" = an earlier stage's signatures
    std::string reference = kCosmicReference;  // `cosmic-v3.4` or a file
    bool include_artefacts = false;
    std::string out;   // the table ("cosmic.tsv" in a run folder; standard output, or the run folder's)
    bool all = false;  // a cosine column per reference signature
};

class CompareStage : public StageWith<CompareSettings> {
public:
    std::string_view kind() const override { return "compare"; }
    std::string_view summary() const override;
    std::vector<Data> needs() const override;
    std::vector<Data> gives() const override { return {Data::comparison}; }
    std::vector<std::string> reads() const override;
    std::vector<std::string> writes(bool folder) const override;
    void prepare(const std::vector<Data>& available) override;
    void run(Workspace& ws, const RunSettings& run) override;
    void write(const Workspace& ws, OutputSink& out) const override;

protected:
    const Schema<CompareSettings>& schema() const override;

private:
    std::string signature_file() const;
};

// ---------------------------------------------------------------- crossval: the study's comparison of backends

struct CrossvalSettings {
    std::string matrix;                        // "" = an earlier stage's count matrix
    std::string reference = kCosmicReference;  // `cosmic-v3.4` or a file
    std::vector<std::string> backends = {"nmf", "cnmf", "aenmf"};
    CrossvalOptions options;         // K, seed, max-iter, tol, splits, test-fraction, include-artefacts
    std::vector<std::string> param;  // --param items as given
    std::string preset = "none";
    bool max_iter_given = false, tol_given = false;  // a preset sets them only when not given
};

class CrossvalStage : public StageWith<CrossvalSettings> {
public:
    std::string_view kind() const override { return "crossval"; }
    std::string_view summary() const override;
    std::vector<Data> needs() const override;
    std::vector<Data> gives() const override;
    std::vector<std::string> reads() const override { return {settings.matrix}; }
    std::vector<std::string> writes(bool folder) const override;
    void prepare(const std::vector<Data>& available) override;
    void run(Workspace& ws, const RunSettings& run) override;
    void write(const Workspace& ws, OutputSink& out) const override;
    void report(const Workspace& ws, TomlWriter& out) const override;

protected:
    const Schema<CrossvalSettings>& schema() const override;

private:
    std::vector<Backend> backends_;
    std::vector<BackendParams> user_params_, preset_params_;
    std::string reference_file_;
};

}  // namespace sigstream
