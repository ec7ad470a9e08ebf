// The stage interface. Every step of sigstream — count, merge, extract (replicates), consensus, select,
// refine, fit, compare, crossval — is a Stage: a kind, typed settings (set key by key from the command line or
// a TOML table, pipeline/schema.h), the data it needs from earlier stages and the data it gives to later ones
// (kept in memory in a Workspace), one run() call, and the files it writes.
//
// The runner (pipeline/pipeline.h) calls, in order: set() for each setting; prepare() on every stage (cheap
// checks and lookups, so a usage error surfaces before any long work); run() on each stage in turn; then
// write() on each stage and, for a run folder, metadata.toml from describe() and report().
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/matrix.h"
#include "core/results.h"
#include "core/settings.h"
#include "count/count.h"
#include "evaluate/compare.h"
#include "evaluate/crossval.h"
#include "extract/fit_input.h"
#include "extract/refine.h"
#include "extract/selection.h"
#include "extract/single_fit.h"
#include "io/outputs.h"
#include "io/toml_text.h"
#include "pipeline/schema.h"

namespace sigstream {

// ---------------------------------------------------------------- what stages hand each other

// The kinds of data that flow between stages.
enum class Data { counts, replicates, solutions, signatures, exposures, comparison, crossval };
// "a count matrix", "replicate fits", …
const char* data_name(Data d);

// A count matrix and where it came from.
struct Counts {
    LabelledMatrix matrix;                 // the matrix later stages use
    std::vector<LabelledMatrix> contexts;  // count: every catalogue counted, in the order asked (matrix is the first)
    std::vector<StreamSummary> summary;    // count: per sample, what was counted and skipped
    std::string source;                    // the file it was read from; "" when made in this run
    std::string absolute;                  // source made absolute, when this process read it ("" otherwise)
    std::string md5;                       // the file's checksum, when read from one
    std::uint64_t records = 0;             // count: records read from all inputs
};

// The replicate fits of a run, and what made them.
struct ReplicateSet {
    ReplicatePlan plan;  // plan.fit.params: the parameters given by the user
    std::string backend, backend_version, backend_objective, backend_file;
    std::vector<std::pair<std::string, std::string>> params;  // every parameter and its value, in the backend's order
    std::vector<Replicate> fits;                              // by K, then index
    std::vector<std::string> shards;                          // consensus: the shard files they came from
};

// From replicate fits to an answer: every K's consensus solution, the choice of K, the refinement.
struct Extraction {
    FitInput input;  // the non-empty samples of the matrix
    Normalisation normalise = kDefaultNormalisation;
    std::vector<Solution> solutions;  // ascending K (their replicates point into Workspace::replicates)
    std::optional<Choice> choice;     // select
    SelectionRule rule;
    std::optional<RefineSettings> refine;  // refine
};

struct Workspace {
    std::optional<Counts> counts;
    std::optional<ReplicateSet> replicates;
    std::optional<Extraction> extraction;
    std::optional<SingleFit> single;         // extract with one fit (no replicates)
    std::optional<SignatureSet> signatures;  // the run's signatures: the chosen K's, refined; or the one fit's
    std::optional<Exposures> exposures;      // fit
    std::optional<Comparison> comparison;
    std::optional<CrossvalResult> crossval;
    std::vector<std::string> warnings;  // every warning of the run, in order
    std::vector<double> seconds;        // each stage's run(), wall-clock seconds, in order (metadata.toml)
};

// ---------------------------------------------------------------- the interface

class Stage {
public:
    virtual ~Stage() = default;

    // The kind ("count") and what it does, in one line.
    virtual std::string_view kind() const = 0;
    virtual std::string_view summary() const = 0;
    // Its name in a pipeline (the TOML table's name; the kind by default).
    std::string id;

    // The settings' keys, in the order --help lists them.
    virtual std::vector<SettingKey> keys() const = 0;
    // Applies one setting. UsageError for a key the stage does not have or a value it does not take.
    virtual void set(const SettingValue& value) = 0;
    // Every setting with its value (defaults included) as TOML lines: --dry-run and metadata.toml.
    virtual void describe(TomlWriter& out) const = 0;

    // The data it takes from earlier stages, and gives to later ones, with its settings as they are.
    virtual std::vector<Data> needs() const = 0;
    virtual std::vector<Data> gives() const = 0;
    // The files it reads (never overwritten by an output of the run), and the files it will write, relative to
    // a run folder (`folder`) or paths of their own.
    virtual std::vector<std::string> reads() const { return {}; }
    virtual std::vector<std::string> writes(bool folder) const = 0;
    // Checks before any work that its files can be written (OutputSink::reserve each of writes()).
    virtual void reserve(OutputSink& out) const {
        for (const auto& f : writes(out.is_folder())) out.reserve(f);
    }

    // Checks the settings together and looks up what it needs (a backend, a reference file). `available`:
    // the data earlier stages give. UsageError for a bad combination.
    virtual void prepare(const std::vector<Data>& available) = 0;
    // Does the work: takes its inputs from `ws` (or its files), puts its results into `ws`.
    virtual void run(Workspace& ws, const RunSettings& run) = 0;
    // Writes its files.
    virtual void write(const Workspace& ws, OutputSink& out) const = 0;
    // What it found, as TOML lines for metadata.toml (the run's key facts).
    virtual void report(const Workspace&, TomlWriter&) const {}
};

// A stage whose settings are a struct `S` described by a Schema<S>: keys(), set() and describe() from it.
template <typename S>
class StageWith : public Stage {
public:
    S settings;

    std::vector<SettingKey> keys() const override {
        std::vector<SettingKey> out;
        for (const auto& e : schema().entries()) out.push_back(e.key);
        return out;
    }
    void set(const SettingValue& value) override {
        const auto* e = schema().find(value.key());
        if (!e) value.fail("is not a setting of stage " + std::string(kind()), "see `sigstream run --help`");
        e->apply(settings, value);
    }
    void describe(TomlWriter& out) const override {
        for (const auto& e : schema().entries()) {
            const std::string shown = e.show(settings);
            if (!shown.empty()) out.raw(e.key.name, shown);
        }
    }

protected:
    virtual const Schema<S>& schema() const = 0;
};

}  // namespace sigstream
