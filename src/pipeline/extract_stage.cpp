// The extract stage: replicate fits of a count matrix with one backend — every K of a range (or one fixed K),
// each replicate on a bootstrap of the matrix from a fresh start (extract/replicates.h) — or, with `k` alone,
// one fit of the matrix itself (extract/single_fit.h).
//
// Files: one fit writes signatures.tsv, exposures.tsv, sample_stats.tsv and trace.tsv; with `shard-out` the
// fits go to that shard (io/shard.h) for `consensus` to gather; otherwise the fits go on in memory to the
// consensus stage.
#include <algorithm>
#include <charconv>
#include <climits>
#include <map>

#include "backend/params.h"
#include "core/format.h"
#include "core/version.h"
#include "extract/replicates.h"
#include "io/matrix_tsv.h"
#include "io/shard.h"
#include "io/tables.h"
#include "pipeline/common.h"
#include "pipeline/stages.h"

namespace sigstream {

namespace {

constexpr const char* kDefaultKRange = "2:15";
const std::string kKHint = "give the number of signatures, from 1 to min(channels, non-empty samples) - 1";

// "A:B" -> (A, B), 0 <= A < B.
std::pair<int, int> parse_replicate_range(const SettingValue& v) {
    const std::string text = v.text();
    const std::string hint = "e.g. --replicate-range 0:10 (A <= i < B)";
    const std::size_t colon = text.find(':');
    auto bound = [&](const std::string& part) {
        long long n = 0;
        const auto r = std::from_chars(part.data(), part.data() + part.size(), n);
        if (r.ec != std::errc() || r.ptr != part.data() + part.size() || n > 100000)
            v.fail("is not a range A:B of whole numbers", hint);
        if (n < 0) v.fail("starts below 0: replicates are numbered from 0", hint);
        return static_cast<int>(n);
    };
    if (colon == std::string::npos) v.fail("is not A:B", hint);
    const int a = bound(text.substr(0, colon)), b = bound(text.substr(colon + 1));
    if (b <= a) v.fail("is empty (A:B holds A <= i < B)", "give A < B, e.g. --replicate-range 0:10");
    return {a, b};
}

void write_trace(const std::vector<double>& trace, std::ostream& out) {
    TsvWriter t(out);
    t.header({"Iteration", "Objective"});
    for (std::size_t i = 0; i < trace.size(); ++i) t.unsigned_integer(i).number(trace[i]).end_row();
}

}  // namespace

std::string_view ExtractStage::summary() const {
    return "extract signatures: replicate fits over a K range (or one fit) with one backend";
}

const Schema<ExtractSettings>& ExtractStage::schema() const {
    using S = ExtractSettings;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Input")
            .input("matrix", "FILE",
                   "count matrix (channels x samples; TSV or CSV, .gz accepted; rows matched by label)",
                   [](S& x) -> std::string& { return x.matrix; })
            .flag("input-normalised",
                  "the matrix is already normalised (proportions or scaled counts), not counts of mutations: "
                  "non-integer values are taken and replicates fit the matrix itself, not bootstraps of it",
                  [](S& x) -> bool& { return x.input_normalised; });
        k.section("Extraction")
            .text("backend", "NAME", "extraction backend: nmf, cnmf, aenmf, … (`sigstream backends` lists them)",
                  [](S& x) -> std::string& { return x.backend; })
            .add(
                {"k-range", "A:B",
                 "the K's to try, A to B inclusive (one number: just that K); used when --k is not given", "", false,
                 kDefaultKRange},
                [](S& x, const SettingValue& v) {
                    parse_k_range(v);
                    x.k_range = v.text();
                },
                [](const S& x) { return x.k_range.empty() ? std::string() : toml_string(x.k_range); })
            .add(
                {"k", "K", "fix the number of signatures: from 1 to min(channels, non-empty samples) - 1"},
                [](S& x, const SettingValue& v) {
                    const long long k = v.integer(LLONG_MIN, LLONG_MAX);
                    if (k < 1) v.fail("is below 1", kKHint);
                    x.k = static_cast<int>(std::min<long long>(k, 1000000));
                },
                [](const S& x) { return x.k > 0 ? std::to_string(x.k) : std::string(); })
            .add(
                {"replicates", "R", "fits per K, each on a bootstrap of the matrix (at least 2)", "", false,
                 std::to_string(kDefaultReplicates) + "; with --k alone: one fit"},
                [](S& x, const SettingValue& v) {
                    auto too_few = [&] {
                        v.fail("gives no stability: the consensus needs at least 2 replicates",
                               "give --replicates 2 or more, or --k K without --replicates for one fit");
                    };
                    if (v.text().rfind('-', 0) == 0) too_few();  // a negative number, however long
                    const long long r = v.integer(0, kMaxReplicates);
                    if (r < 2) too_few();
                    x.replicates = static_cast<int>(r);
                },
                [](const S& x) { return x.replicates > 0 ? std::to_string(x.replicates) : std::string(); })
            .add(
                {"normalise", "none|gmm|100x|log2",
                 "scale down hypermutated samples before fitting (docs/choosing-k.md); exposures are rescaled to the "
                 "true totals"},
                [](S& x, const SettingValue& v) {
                    try {
                        x.normalise = parse_normalisation(v.text());
                    } catch (const UsageError&) {
                        v.fail("is not a normalisation", "use none, gmm, 100x or log2");
                    }
                },
                [](const S& x) { return toml_string(normalisation_name(x.normalise)); })
            .integer("seed", "S", "root seed: the only source of randomness", 0, LLONG_MAX,
                     [](S& x) -> std::uint64_t& { return x.fit.seed; })
            .integer("max-iter", "N", "at most N iterations per fit", 1, kMaxIterLimit,
                     [](S& x) -> int& { return x.fit.max_iter; })
            .add(
                {"tol", "T",
                 "stop a fit once the best objective's relative decrease over the last --tol-window iterations "
                 "falls below T; 0 runs exactly --max-iter iterations",
                 "", false, "1e-04 for replicate fits, 1e-07 for one fit"},
                [](S& x, const SettingValue& v) { x.tol = v.number(0.0, 1.0); },
                [](const S& x) { return toml_float(x.effective_tol()); })
            .integer("tol-window", "W", "the window of --tol, in iterations (the same for every backend)", 1, 1000000,
                     [](S& x) -> int& { return x.fit.tol_window; })
            .add(
                {"param", "KEY=VALUE",
                 "backend parameter, KEY = BACKEND.NAME (e.g. nmf.objective=frobenius) or just NAME", "", true},
                [](S& x, const SettingValue& v) { x.param = v.list(); },
                [](const S& x) { return toml_string_array(x.param); });
        k.section("Scatter and gather")
            .add(
                {"replicate-range", "A:B", "fit only replicates A <= i < B (needs --shard-out)", "", false, "0:R"},
                [](S& x, const SettingValue& v) { std::tie(x.first, x.last) = parse_replicate_range(v); },
                [](const S& x) {
                    return x.last > 0 ? toml_string(std::to_string(x.first) + ":" + std::to_string(x.last))
                                      : std::string();
                })
            .path("shard-out", "FILE", "write the fits to this shard for `sigstream consensus` instead of a run folder",
                  [](S& x) -> std::string& { return x.shard_out; });
        return k;
    }();
    return s;
}

std::vector<Data> ExtractStage::needs() const {
    if (settings.matrix.empty()) return {Data::counts};
    return {};
}

// A matrix read here is the run's from now on (stage_counts).
std::vector<Data> ExtractStage::gives() const {
    std::vector<Data> out;
    if (!settings.matrix.empty()) out.push_back(Data::counts);
    if (single()) {
        out.push_back(Data::signatures);
        out.push_back(Data::exposures);
    } else {
        out.push_back(Data::replicates);
    }
    return out;
}

std::vector<std::string> ExtractStage::writes(bool) const {
    if (single()) return {"signatures.tsv", "exposures.tsv", "sample_stats.tsv", "trace.tsv"};
    if (!settings.shard_out.empty()) return {settings.shard_out};
    return {};
}

void ExtractStage::prepare(const std::vector<Data>& available) {
    const ExtractSettings& s = settings;
    if (s.matrix.empty() && std::find(available.begin(), available.end(), Data::counts) == available.end())
        throw UsageError("", 0, "--matrix is required",
                         "give the count matrix (or, in a pipeline, put a count stage before extract)");
    if (s.k > 0 && !s.k_range.empty())
        throw UsageError("", 0, "--k and --k-range both given", "give --k K to fix K, or --k-range A:B to choose it");
    const int replicates = s.replicates > 0 ? s.replicates : kDefaultReplicates;
    if (s.last > 0) {
        if (s.shard_out.empty())
            throw UsageError("", 0, "--replicate-range needs --shard-out",
                             "write the replicates to a shard and merge the shards with `sigstream consensus`");
        if (s.last > replicates)
            throw UsageError("", 0,
                             "--replicate-range " + std::to_string(s.first) + ":" + std::to_string(s.last) +
                                 " goes beyond the " + std::to_string(replicates) + " replicates of --replicates",
                             "give A:B with B <= " + std::to_string(replicates));
    }
    backend_ = plugin_registry().get(s.backend);
    params_ = parse_params(s.param, *backend_);
}

void ExtractStage::run(Workspace& ws, const RunSettings& run) {
    const ExtractSettings& s = settings;
    const Counts& counts =
        stage_counts(ws, s.matrix, s.input_normalised ? MatrixValues::normalised : MatrixValues::counts);
    const std::string source = counts.source;
    const Backend& backend = *backend_;
    FitSettings fit = s.fit;
    fit.tol = s.effective_tol();
    fit.params = params_;

    if (single()) {
        SingleFitOptions opt;
        opt.fit = fit;
        opt.fit.k = s.k;
        opt.normalise = s.normalise;
        opt.source = source;
        SingleFit r = fit_single(counts.matrix, backend, opt, run);
        for (const auto& w : r.warnings) run.warning(w);
        if (fit.tol > 0 && r.iterations >= fit.max_iter)
            run.warning(
                "the fit ran all " + std::to_string(fit.max_iter) +
                " iterations of --max-iter without meeting --tol; raise --max-iter if the trace is still falling");
        ws.signatures = renormalised(r.signatures);
        ws.exposures = r.exposures;
        ws.single = std::move(r);
        return;
    }

    ReplicatePlan plan;
    plan.fit = fit;
    plan.replicates = s.replicates > 0 ? s.replicates : kDefaultReplicates;
    plan.first = s.last > 0 ? s.first : 0;
    plan.last = s.last > 0 ? s.last : plan.replicates;
    plan.normalise = s.normalise;
    plan.resample = !s.input_normalised;
    if (!plan.resample)
        run.warning(
            "--input-normalised: the replicates are not resampled, so stability measures agreement between "
            "fits from different starts only");
    plan.ks = s.k > 0 ? std::vector<int>{s.k} : parse_k_range(s.k_range.empty() ? kDefaultKRange : s.k_range);

    const FitInput input = prepare_fit_input(counts.matrix, source);
    for (const auto& w : input.warnings) run.warning(w);
    if (s.k == 0 && s.k_range.empty() && plan.ks.back() > input.max_k) {
        if (input.max_k < plan.ks.front())
            throw UsageError(source, 0,
                             "with " + std::to_string(input.kept.size()) + " non-empty samples K can be at most " +
                                 std::to_string(input.max_k) + ", below the default --k-range " + kDefaultKRange,
                             "give --k-range or --k within 1:" + std::to_string(input.max_k));
        while (plan.ks.back() > input.max_k) plan.ks.pop_back();
        run.warning("with " + std::to_string(input.kept.size()) + " non-empty samples K can be at most " +
                    std::to_string(input.max_k) + "; trying K = " + std::to_string(plan.ks.front()) + ":" +
                    std::to_string(plan.ks.back()));
    }
    for (int k : {plan.ks.front(), plan.ks.back()})
        if (k > input.max_k)
            throw UsageError(source, 0,
                             std::string(s.k > 0 ? "--k " + std::to_string(k) : "--k-range " + s.k_range) +
                                 " goes beyond what " + std::to_string(input.kept.size()) + " non-empty samples and " +
                                 std::to_string(input.V.rows()) + " channels allow: K can be at most " +
                                 std::to_string(input.max_k),
                             "give K from 1 to " + std::to_string(input.max_k));

    const std::string what = backend.name() + ", K = " + std::to_string(plan.ks.front()) + ":" +
                             std::to_string(plan.ks.back()) + ", replicates " + std::to_string(plan.first) + ":" +
                             std::to_string(plan.last) + " of " + std::to_string(plan.replicates) + ", " +
                             std::to_string(input.kept.size()) + " samples";
    Progress start;
    start.stage = "extract";
    start.unit = "fits";
    start.total = plan.ks.size() * static_cast<std::uint64_t>(plan.last - plan.first);
    start.detail = what;
    run.report(start);

    ReplicateSet set;
    set.fits = fit_replicates(input.V, backend, plan, run);
    if (plan.fit.tol > 0) {  // fits that ran out of --max-iter, per K
        std::map<int, int> capped;
        for (const Replicate& r : set.fits)
            if (r.iterations >= plan.fit.max_iter) ++capped[r.k];
        for (const auto& [k, n] : capped)
            run.warning(std::to_string(n) + " of the " + std::to_string(plan.last - plan.first) +
                        " fits of K = " + std::to_string(k) + " ran all " + std::to_string(plan.fit.max_iter) +
                        " iterations of --max-iter without meeting --tol; raise --max-iter");
    }
    set.plan = plan;
    set.backend = backend.name();
    set.backend_version = backend.version();
    set.backend_objective = backend.objective();
    set.backend_file = backend.origin();
    set.params = backend.effective_params(params_);
    ws.replicates = std::move(set);
}

void ExtractStage::write(const Workspace& ws, OutputSink& out) const {
    if (single()) {
        const SingleFit& r = *ws.single;
        write_labelled_matrix(r.signatures, out.open("signatures.tsv"), "MutationType");
        write_exposures(r.exposures, out.open("exposures.tsv"));
        write_sample_stats(r.exposures.stats, out.open("sample_stats.tsv"));
        write_trace(r.trace, out.open("trace.tsv"));
        return;
    }
    if (settings.shard_out.empty()) return;
    const ReplicateSet& set = *ws.replicates;
    Shard sh;
    sh.sigstream_version = version();
    sh.backend = set.backend;
    sh.backend_version = set.backend_version;
    sh.plan = set.plan;
    sh.plan.fit.params = BackendParams(set.params.begin(), set.params.end());
    sh.matrix = ws.counts->source;
    sh.counts = ws.counts->matrix;
    sh.fits = set.fits;
    write_shard(sh, out.open(settings.shard_out));
}

void ExtractStage::report(const Workspace& ws, TomlWriter& out) const {
    if (single()) {
        out.integer("iterations", ws.single->iterations);
        out.text("message", ws.single->message);
        out.texts("signatures", ws.single->signatures.columns);
        write_input_table(out, id, *ws.counts, ws.single->empty_samples);
    } else {
        const FitInput input = prepare_fit_input(ws.counts->matrix, ws.counts->source, 0);
        out.integers("k_values", ws.replicates->plan.ks);
        write_input_table(out, id, *ws.counts, input.empty_samples);
    }
    write_backend_tables(out, id, backend_->name(), backend_->version(), backend_->objective(), backend_->origin(),
                         backend_->effective_params(params_));
}

}  // namespace sigstream
