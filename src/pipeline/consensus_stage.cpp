// The consensus stage: every K's replicate fits clustered into K consensus signatures (extract/consensus.h),
// every sample refitted to them, and the metrics the choice of K needs (extract/selection.h). The fits come
// from an earlier extract stage or from shards (`extract --shard-out`), which must come from one scattered run
// and together hold every replicate of every K exactly once: the result is then byte-identical to the
// one-process run's.
//
// Files: solutions/K<k>/ for every K — signatures.tsv, medoids.tsv, exposures.tsv, sample_stats.tsv,
// stability.tsv, replicates.tsv (and consensus.tsv for a refined solution).
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/format.h"
#include "extract/replicates.h"
#include "io/shard.h"
#include "io/tables.h"
#include "pipeline/common.h"
#include "pipeline/stages.h"

namespace sigstream {

namespace {

[[noreturn]] void mismatch(const std::string& what, const std::string& a, const std::string& va, const std::string& b,
                           const std::string& vb) {
    throw DataError(b, 0,
                    "the shards come from different runs: " + what + " is " + va + " in " + a + " but " + vb + " here",
                    "merge only shards written by one scattered run (same matrix, backend, parameters, --seed, "
                    "--replicates, stop rule and sigstream version)");
}

std::string ranges_text(const std::vector<int>& idx) {
    std::string s;
    for (std::size_t i = 0; i < idx.size();) {
        std::size_t j = i;
        while (j + 1 < idx.size() && idx[j + 1] == idx[j] + 1) ++j;
        s += (s.empty() ? "" : ", ") + std::to_string(idx[i]) + ":" + std::to_string(idx[j] + 1);
        i = j + 1;
    }
    return s;
}

// Shard b against the first shard a: same version, backend, parameters, settings and matrix.
void check_same_run(const Shard& a, const std::string& pa, const Shard& b, const std::string& pb) {
    if (b.sigstream_version != a.sigstream_version)
        mismatch("the sigstream version", pa, a.sigstream_version, pb, b.sigstream_version);
    if (b.backend != a.backend) mismatch("the backend", pa, a.backend, pb, b.backend);
    if (b.backend_version != a.backend_version)
        mismatch("the backend's version", pa, a.backend_version, pb, b.backend_version);
    const BackendParams &ap = a.plan.fit.params, &bp = b.plan.fit.params;
    if (bp != ap) {
        std::string key;
        for (const auto& [k, v] : bp)
            if (!ap.count(k) || ap.at(k) != v) key = k;
        for (const auto& [k, v] : ap)
            if (!bp.count(k)) key = k;
        mismatch("backend parameter " + key, pa, ap.count(key) ? ap.at(key) : "(unset)", pb,
                 bp.count(key) ? bp.at(key) : "(unset)");
    }
    if (b.plan.fit.seed != a.plan.fit.seed)
        mismatch("--seed", pa, std::to_string(a.plan.fit.seed), pb, std::to_string(b.plan.fit.seed));
    if (b.plan.replicates != a.plan.replicates)
        mismatch("--replicates", pa, std::to_string(a.plan.replicates), pb, std::to_string(b.plan.replicates));
    if (b.plan.normalise != a.plan.normalise)
        mismatch("--normalise", pa, normalisation_name(a.plan.normalise), pb, normalisation_name(b.plan.normalise));
    if (b.plan.resample != a.plan.resample)
        mismatch("--input-normalised", pa, a.plan.resample ? "not given" : "given", pb,
                 b.plan.resample ? "not given" : "given");
    if (b.plan.fit.max_iter != a.plan.fit.max_iter)
        mismatch("--max-iter", pa, std::to_string(a.plan.fit.max_iter), pb, std::to_string(b.plan.fit.max_iter));
    if (b.plan.fit.tol != a.plan.fit.tol)
        mismatch("--tol", pa, exact_number(a.plan.fit.tol), pb, exact_number(b.plan.fit.tol));
    if (b.plan.fit.tol_window != a.plan.fit.tol_window)
        mismatch("--tol-window", pa, std::to_string(a.plan.fit.tol_window), pb, std::to_string(b.plan.fit.tol_window));
    if (b.counts.context != a.counts.context || b.counts.columns != a.counts.columns ||
        b.counts.values != a.counts.values)
        mismatch(
            "the count matrix", pa, "'" + a.matrix + "'", pb,
            "'" + b.matrix + "' (" + (b.counts.columns != a.counts.columns ? "other samples" : "other counts") + ")");
}

// The fits of every shard, checked to hold each (K, replicate) of the run exactly once, in (K, index) order.
ReplicateSet gather(const std::vector<std::string>& paths, LabelledMatrix& counts, std::string& matrix) {
    std::vector<Shard> shards;
    for (const auto& p : paths) {
        shards.push_back(read_shard(p));
        check_same_run(shards.front(), paths.front(), shards.back(), p);
        if (shards.size() > 1) shards.back().counts = LabelledMatrix{};  // equal to the first's: keep one copy
    }
    std::map<int, std::map<int, std::size_t>> owner;  // K -> index -> shard
    std::vector<const Replicate*> fits;
    for (std::size_t s = 0; s < shards.size(); ++s)
        for (const Replicate& r : shards[s].fits) {
            const auto [it, fresh] = owner[r.k].emplace(r.index, s);
            if (!fresh)
                throw DataError(paths[s], 0,
                                "replicate " + std::to_string(r.index) + " of K = " + std::to_string(r.k) +
                                    " is also in " + paths[it->second] + " (overlapping --replicate-range)",
                                "give each replicate range once");
            fits.push_back(&r);
        }
    const int R = shards.front().plan.replicates;
    // extract fits contiguous K ranges, so a K missing between two present ones is a missing shard (the ends of
    // the range cannot be checked: a shard records only its own K's).
    for (auto it = owner.begin(); std::next(it) != owner.end(); ++it)
        if (std::next(it)->first != it->first + 1)
            throw DataError(
                "", 0,
                "no shard holds K = " + std::to_string(it->first + 1) + ", between K = " + std::to_string(it->first) +
                    " and K = " + std::to_string(std::next(it)->first),
                "add the shards of K = " + std::to_string(it->first + 1) +
                    (std::next(it)->first > it->first + 2 ? " to " + std::to_string(std::next(it)->first - 1)
                                                          : std::string()));
    for (const auto& [k, have] : owner) {
        std::vector<int> missing;
        for (int i = 0; i < R; ++i)
            if (!have.count(i)) missing.push_back(i);
        if (!missing.empty())
            throw DataError("", 0,
                            "replicates " + ranges_text(missing) + " of K = " + std::to_string(k) +
                                " are in none of the shards (the run has " + std::to_string(R) + " replicates)",
                            "add the shards of those --replicate-range's");
    }
    std::sort(fits.begin(), fits.end(),
              [](const Replicate* a, const Replicate* b) { return a->k != b->k ? a->k < b->k : a->index < b->index; });

    Shard& first = shards.front();
    ReplicateSet set;
    set.plan = first.plan;
    set.plan.ks.clear();
    for (const auto& [k, have] : owner) set.plan.ks.push_back(k);
    set.plan.first = 0;
    set.plan.last = R;
    set.backend = first.backend;
    set.backend_version = first.backend_version;
    set.params.assign(first.plan.fit.params.begin(), first.plan.fit.params.end());
    for (const Replicate* r : fits) set.fits.push_back(*r);
    set.shards = paths;
    counts = std::move(first.counts);
    matrix = first.matrix;
    return set;
}

void write_replicates(const Solution& s, std::uint64_t root, std::ostream& out) {
    TsvWriter t(out);
    t.text("Replicate").text("BootstrapSeed").text("StartSeed").text("Iterations").text("Objective");
    for (const auto& name : s.signatures.columns) t.text(name);
    t.end_row();
    for (std::size_t r = 0; r < s.replicates.size(); ++r) {
        const Replicate& rep = *s.replicates[r];
        t.integer(rep.index)
            .unsigned_integer(bootstrap_seed(root, rep.index))
            .unsigned_integer(start_seed(root, rep.k, rep.index))
            .integer(rep.iterations)
            .number(rep.objective);
        for (int c : s.member[r]) t.integer(c + 1);  // the replicate's own column, 1-based
        t.end_row();
    }
}

}  // namespace

std::string_view ConsensusStage::summary() const {
    return "every K's consensus signatures from replicate fits (or from extraction shards)";
}

const Schema<ConsensusSettings>& ConsensusStage::schema() const {
    using S = ConsensusSettings;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Input").inputs("shards", "SHARD", "shard files from `sigstream extract --shard-out` (.gz accepted)",
                                  [](S& x) -> std::vector<std::string>& { return x.shards; });
        return k;
    }();
    return s;
}

std::vector<Data> ConsensusStage::needs() const {
    if (settings.shards.empty()) return {Data::replicates};
    return {};
}

// Shards bring the count matrix too (a later stage may use it).
std::vector<Data> ConsensusStage::gives() const {
    if (settings.shards.empty()) return {Data::solutions};
    return {Data::counts, Data::replicates, Data::solutions};
}

void ConsensusStage::prepare(const std::vector<Data>& available) {
    if (settings.shards.empty() && std::find(available.begin(), available.end(), Data::replicates) == available.end())
        throw UsageError("", 0, "no shards given", "list the shard files after the options");
    std::set<std::string> seen;
    for (const auto& p : settings.shards) {
        std::error_code ec;
        const std::string canonical = std::filesystem::weakly_canonical(p, ec).string();
        if (!seen.insert(ec ? p : canonical).second)
            throw UsageError(p, 0, "this shard is given twice", "give each shard file once");
    }
}

void ConsensusStage::run(Workspace& ws, const RunSettings& run) {
    if (!settings.shards.empty()) {
        Counts counts;
        ws.replicates = gather(settings.shards, counts.matrix, counts.source);
        ws.counts = std::move(counts);
    }
    const ReplicateSet& set = *ws.replicates;
    const Counts& counts = *ws.counts;
    const std::string source = settings.shards.empty() ? counts.source : settings.shards.front();
    Extraction ex;
    ex.input = prepare_fit_input(counts.matrix, source);
    ex.normalise = set.plan.normalise;
    for (const int k : set.plan.ks)
        if (k > ex.input.max_k)
            throw DataError(source, 0, "K = " + std::to_string(k) + " is beyond the matrix's K range",
                            "the shard is damaged; rerun its extraction");
    if (!settings.shards.empty())
        for (const auto& w : ex.input.warnings) run.warning(w);
    ex.solutions = build_solutions(counts.matrix, ex.input, set.fits, ex.normalise);
    ws.extraction = std::move(ex);
}

void ConsensusStage::write(const Workspace& ws, OutputSink& out) const {
    for (const Solution& s : ws.extraction->solutions) {
        const std::string dir = "solutions/K" + std::to_string(s.k) + "/";
        write_solution(out, s, dir, ws.counts->matrix.columns);
        write_replicates(s, ws.replicates->plan.fit.seed, out.open(dir + "replicates.tsv"));
    }
}

void ConsensusStage::report(const Workspace& ws, TomlWriter& out) const {
    const ReplicateSet& set = *ws.replicates;
    out.unsigned_integer("seed", set.plan.fit.seed);
    out.integers("k_values", set.plan.ks);
    out.integer("replicates", set.plan.replicates);
    out.text("normalise", normalisation_name(set.plan.normalise));
    out.boolean("resampled", set.plan.resample);
    out.integer("max-iter", set.plan.fit.max_iter);
    out.number("tol", set.plan.fit.tol);
    out.integer("tol-window", set.plan.fit.tol_window);
    if (!settings.shards.empty()) {
        write_input_table(out, id, *ws.counts, ws.extraction->input.empty_samples);
        write_backend_tables(out, id, set.backend, set.backend_version, set.backend_objective, set.backend_file,
                             set.params);
    }
}

}  // namespace sigstream
