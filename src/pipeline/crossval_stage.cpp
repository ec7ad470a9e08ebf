// The crossval stage: the study's comparison of backends (evaluate/crossval.h, docs/crossval.md) — train and
// test error, held-out error, consistency across splits and COSMIC alignment, every backend on the same random
// patient splits.
//
// Files: per_split.tsv, summary.tsv, splits.tsv, signatures/<backend>_split<s>.tsv and medoids_<backend>.tsv.
#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <set>

#include "backend/params.h"
#include "io/matrix_tsv.h"
#include "io/tables.h"
#include "pipeline/common.h"
#include "pipeline/stages.h"

namespace sigstream {

namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

void write_per_split(const std::vector<std::string>& names, const CrossvalResult& r, std::ostream& out) {
    TsvWriter t(out);
    t.header({"Backend", "Split", "TrainSamples", "TestSamples", "TrainMSE", "TestMSE", "HeldOutDeviance", "HeldOutMSE",
              "CosmicMatched", "Iterations", "Objective", "Seed", "HeldOutSamples"});
    for (const SplitResult& s : r.per_split)
        t.text(names[static_cast<std::size_t>(s.backend)])
            .integer(s.split)
            .integer(s.train_samples)
            .integer(s.test_samples)
            .number_or_na(s.train_mse)
            .number_or_na(s.test_mse)
            .number_or_na(s.heldout_deviance)
            .number_or_na(s.heldout_mse)
            .number_or_na(s.cosmic_matched)
            .integer(s.iterations)
            .number_or_na(s.objective)
            .unsigned_integer(s.fit_seed)
            .integer(s.heldout_samples)
            .end_row();
}

void write_summary(const std::vector<std::string>& names, const CrossvalResult& r, int splits, std::ostream& out) {
    TsvWriter t(out);
    t.header({"Backend", "TrainMSE", "TrainMSE_sd", "TestMSE", "TestMSE_sd", "HeldOutDeviance", "HeldOutDeviance_sd",
              "Consistency", "Consistency_sd", "CosmicPerSplit", "CosmicPerSplit_sd", "CosmicMedoids", "HeldOutMSE",
              "HeldOutMSE_sd", "MeanIterations", "Unconverged", "Splits"});
    for (std::size_t b = 0; b < r.summaries.size(); ++b) {
        const BackendSummary& s = r.summaries[b];
        t.text(names[b]);
        for (double v : {s.train_mse, s.train_mse_sd, s.test_mse, s.test_mse_sd, s.heldout_deviance,
                         s.heldout_deviance_sd, s.consistency, s.consistency_sd, s.cosmic_per_split,
                         s.cosmic_per_split_sd, s.cosmic_medoids, s.heldout_mse, s.heldout_mse_sd, s.iterations})
            t.number_or_na(v);
        t.integer(s.unconverged).integer(splits).end_row();
    }
}

// One row per sample of the matrix, one column per split: train, test, or empty (left out).
void write_splits(const LabelledMatrix& counts, const CrossvalResult& r, std::ostream& out) {
    TsvWriter t(out);
    t.text("Sample");
    for (std::size_t s = 0; s < r.splits.size(); ++s) t.text("Split" + std::to_string(s + 1));
    t.end_row();
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < r.samples.size(); ++i) index[r.samples[i]] = i;
    std::vector<std::vector<char>> is_test(r.splits.size(), std::vector<char>(r.samples.size(), 0));
    for (std::size_t s = 0; s < r.splits.size(); ++s)
        for (Eigen::Index j : r.splits[s].test) is_test[s][static_cast<std::size_t>(j)] = 1;
    for (const auto& name : counts.columns) {
        t.text(name);
        const auto it = index.find(name);
        for (std::size_t s = 0; s < r.splits.size(); ++s)
            t.text(it == index.end() ? "empty" : is_test[s][it->second] ? "test" : "train");
        t.end_row();
    }
}

}  // namespace

std::string_view CrossvalStage::summary() const {
    return "the study's cross-validation of backends: train/test error, consistency, COSMIC";
}

const Schema<CrossvalSettings>& CrossvalStage::schema() const {
    using S = CrossvalSettings;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Input")
            .input("matrix", "FILE",
                   "count matrix (channels x samples; TSV or CSV, .gz accepted; rows matched by label)",
                   [](S& x) -> std::string& { return x.matrix; })
            .add(
                {"reference", "cosmic-v3.4|FILE", "reference signatures for the COSMIC alignment"},
                [](S& x, const SettingValue& v) { x.reference = signature_setting(v); },
                [](const S& x) { return toml_string(x.reference); })
            .flag("include-artefacts",
                  "also match COSMIC's possible sequencing artefacts (SBS27, SBS43, SBS45-60, SBS95)",
                  [](S& x) -> bool& { return x.options.include_artefacts; });
        k.section("Cross-validation")
            .add(
                {"backends", "LIST", "comma-separated backends (`sigstream backends` lists them)"},
                [](S& x, const SettingValue& v) {
                    x.backends.clear();
                    for (const std::string& item : v.list(true)) {
                        const std::string name = trimmed(item);
                        if (name.empty())
                            v.fail("has an empty name",
                                   "give names separated by commas, e.g. --backends nmf,cnmf,aenmf");
                        if (std::find(x.backends.begin(), x.backends.end(), name) != x.backends.end())
                            v.fail("lists backend " + name + " twice", "list each backend once");
                        x.backends.push_back(name);
                    }
                },
                [](const S& x) { return toml_string_array(x.backends); })
            .add(
                {"k", "K",
                 "number of signatures, from 1 to channels - 1 (and the training part must have K + 1 samples)"},
                [](S& x, const SettingValue& v) {
                    const long long k = v.integer(LLONG_MIN, LLONG_MAX);
                    if (k < 1) v.fail("is below 1", "give the number of signatures, from 1 to channels - 1");
                    x.options.fit.k = static_cast<int>(std::min<long long>(k, INT_MAX));
                },
                [](const S& x) { return x.options.fit.k > 0 ? std::to_string(x.options.fit.k) : std::string(); })
            .add(
                {"splits", "S", "number of random splits, at least 2"},
                [](S& x, const SettingValue& v) {
                    long long n = 0;
                    try {
                        n = v.integer(LLONG_MIN, LLONG_MAX);
                    } catch (const UsageError&) {
                        v.fail("is not a whole number", "give the number of splits, at least 2, e.g. --splits 30");
                    }
                    if (n < 2) v.fail("is below 2", "give at least 2 splits (consistency compares pairs of splits)");
                    if (n > kMaxSplits) v.fail("is above " + std::to_string(kMaxSplits), "give fewer splits");
                    x.options.splits = static_cast<int>(n);
                },
                [](const S& x) { return std::to_string(x.options.splits); })
            .add(
                {"test-fraction", "F", "share of the samples held out in each split, strictly between 0 and 1"},
                [](S& x, const SettingValue& v) {
                    double f = std::nan("");
                    try {
                        f = v.number(-HUGE_VAL, HUGE_VAL);
                    } catch (const UsageError&) {
                    }
                    if (!(f > 0 && f < 1))
                        v.fail("is not strictly between 0 and 1",
                               "e.g. --test-fraction 0.2 holds out a fifth of the samples");
                    x.options.test_fraction = f;
                },
                [](const S& x) { return toml_float(x.options.test_fraction); })
            .add(
                {"preset", "NAME",
                 "paper: the study's choices, each unless given explicitly: nmf.objective=frobenius, nmf.solver=mu, "
                 "cnmf.solver=mu, cnmf.init=kmeans, cnmf.starts=1, aenmf.loss=mse, aenmf.constraint=abs, "
                 "aenmf.init=uniform, aenmf.schedule=constant, --tol 1e-10, "
                 "--max-iter 100000, --splits 30, --test-fraction 0.2 (one fit per split); none: the "
                 "backends' defaults"},
                [](S& x, const SettingValue& v) {
                    try {
                        find_preset(v.text());
                    } catch (const UsageError&) {
                        v.fail("is not known", "give --preset paper (or none)");
                    }
                    x.preset = v.text();
                },
                [](const S& x) { return toml_string(x.preset); })
            .integer("seed", "S", "root seed: the only source of randomness", 0, LLONG_MAX,
                     [](S& x) -> std::uint64_t& { return x.options.fit.seed; })
            .add(
                {"max-iter", "N", "at most N iterations per fit (the paper's uniform AE start needs 1e4-1e5 steps)", "",
                 false, std::to_string(kDefaultMaxIter) + ", 100000 with --preset paper"},
                [](S& x, const SettingValue& v) {
                    x.options.fit.max_iter = static_cast<int>(v.integer(1, kMaxIterLimit));
                    x.max_iter_given = true;
                },
                [](const S& x) { return std::to_string(x.options.fit.max_iter); })
            .add(
                {"tol", "T",
                 "stop a fit once the best objective's relative decrease over the last --tol-window iterations falls "
                 "below T; 0 runs --max-iter",
                 "", false, "1e-07, 1e-10 with --preset paper"},
                [](S& x, const SettingValue& v) {
                    x.options.fit.tol = v.number(0.0, 1.0);
                    x.tol_given = true;
                },
                [](const S& x) { return toml_float(x.options.fit.tol); })
            .integer("tol-window", "W", "the window of --tol, in iterations (the same for every backend)", 1, 1000000,
                     [](S& x) -> int& { return x.options.fit.tol_window; })
            .add(
                {"param", "KEY=VALUE",
                 "backend parameter, KEY = BACKEND.NAME (e.g. nmf.objective=frobenius); just NAME with one backend", "",
                 true},
                [](S& x, const SettingValue& v) { x.param = v.list(); },
                [](const S& x) { return toml_string_array(x.param); });
        return k;
    }();
    return s;
}

std::vector<Data> CrossvalStage::needs() const {
    if (settings.matrix.empty()) return {Data::counts};
    return {};
}

// A matrix read here is the run's from now on (stage_counts).
std::vector<Data> CrossvalStage::gives() const {
    if (settings.matrix.empty()) return {Data::crossval};
    return {Data::counts, Data::crossval};
}

std::vector<std::string> CrossvalStage::writes(bool) const {
    return {"per_split.tsv", "summary.tsv", "splits.tsv"};
}

void CrossvalStage::prepare(const std::vector<Data>& available) {
    CrossvalSettings& s = settings;
    if (s.matrix.empty() && std::find(available.begin(), available.end(), Data::counts) == available.end())
        throw UsageError("", 0, "--matrix is required", "see `sigstream crossval --help`");
    if (s.options.fit.k < 1) throw UsageError("", 0, "--k is required", "see `sigstream crossval --help`");
    const Preset* preset = find_preset(s.preset);
    if (preset && preset->max_iter && !s.max_iter_given) s.options.fit.max_iter = *preset->max_iter;
    if (preset && preset->tol && !s.tol_given) s.options.fit.tol = *preset->tol;
    backends_.clear();
    for (const std::string& name : s.backends) backends_.push_back(plugin_registry().get(name));
    std::vector<const Backend*> pointers;
    for (const Backend& b : backends_) pointers.push_back(&b);
    user_params_ = parse_params(s.param, pointers);
    preset_params_.clear();
    for (std::size_t b = 0; b < backends_.size(); ++b)
        preset_params_.push_back(preset_params(preset, backends_[b], user_params_[b]));
    reference_file_ = reference_file(s.reference);
}

void CrossvalStage::run(Workspace& ws, const RunSettings& run) {
    const Counts& counts = stage_counts(ws, settings.matrix);
    const LabelledMatrix reference = read_signatures(reference_file_);
    CrossvalOptions options = settings.options;
    options.source = counts.source;
    options.reference = &reference;
    std::vector<CrossvalBackend> cv;
    for (std::size_t b = 0; b < backends_.size(); ++b) {
        CrossvalBackend c;
        c.backend = &backends_[b];
        c.params = preset_params_[b];  // --param wins over the preset
        for (const auto& [key, value] : user_params_[b]) c.params[key] = value;
        cv.push_back(std::move(c));
    }
    ws.crossval = run_crossval(counts.matrix, cv, options, run);
    for (const auto& w : ws.crossval->warnings) run.warning(w);
}

void CrossvalStage::write(const Workspace& ws, OutputSink& out) const {
    const CrossvalResult& r = *ws.crossval;
    const LabelledMatrix& counts = ws.counts->matrix;
    std::vector<std::string> names;
    for (const Backend& b : backends_) names.push_back(b.name());
    write_per_split(names, r, out.open("per_split.tsv"));
    write_summary(names, r, settings.options.splits, out.open("summary.tsv"));
    write_splits(counts, r, out.open("splits.tsv"));
    for (const SplitResult& s : r.per_split) {
        LabelledMatrix sig;
        sig.context = counts.context;
        sig.values = s.W;
        for (int c = 0; c < settings.options.fit.k; ++c) sig.columns.push_back(signature_name(counts.context, c));
        write_labelled_matrix(sig, out.open("signatures/" + names[static_cast<std::size_t>(s.backend)] + "_split" +
                                            std::to_string(s.split) + ".tsv"));
    }
    for (std::size_t b = 0; b < names.size(); ++b) {
        const BackendSummary& s = r.summaries[b];
        LabelledMatrix med;
        med.context = counts.context;
        med.values = s.medoids;
        for (std::size_t m = 0; m < s.medoid_split.size(); ++m)
            med.columns.push_back("split" + std::to_string(s.medoid_split[m]) + "_" +
                                  signature_name(counts.context, s.medoid_signature[m]));
        write_labelled_matrix(med, out.open("medoids_" + names[b] + ".tsv"));
    }
}

void CrossvalStage::report(const Workspace& ws, TomlWriter& out) const {
    out.comment("split s (1-based) is drawn from replicate_seed(seed, " + std::to_string(kSplitStream) +
                ", s); its fits are seeded with replicate_seed(seed, " + std::to_string(kFitStream) +
                ", s) and its binomial halves with replicate_seed(seed, " + std::to_string(kBinomialStream) + ", s)");
    out.text("reference_file", reference_file_);
    write_input_table(out, id, *ws.counts, ws.crossval->empty_samples);
    for (std::size_t b = 0; b < backends_.size(); ++b) {
        const Backend& be = backends_[b];
        const std::string key = id + ".backend." + toml_key(be.name());
        BackendParams given = user_params_[b];  // --param wins over --preset
        given.insert(preset_params_[b].begin(), preset_params_[b].end());
        write_backend_tables(out, key, be.name(), be.version(), be.objective(), be.origin(),
                             be.effective_params(given));
        out.table(key + ".preset_params");
        for (const auto& [k, v] : preset_params_[b]) out.text(k, v);
        out.table(key + ".user_params");
        for (const auto& [k, v] : user_params_[b]) out.text(k, v);
    }
}

}  // namespace sigstream
