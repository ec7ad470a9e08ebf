// `sigstream consensus`: the gather step of a scattered extraction. Merges the shards written by
// `sigstream extract --shard-out` (any split of the replicates 0..R, any split of the K's) into the run
// folder the one-process run with the same seed writes — byte-identical result files.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/run_common.h"
#include "core/errors.h"
#include "core/format.h"
#include "extract/selection.h"
#include "io/shard.h"

namespace sigstream::cli {

namespace {

Parser consensus_parser() {
    Parser p("consensus", "--out-dir D [options] SHARD…",
             "Merges extraction shards into one run folder: the consensus signatures of every K, the choice of K\n"
             "and the chosen K's files, exactly as `sigstream extract` writes them in one process. The shards must\n"
             "come from the same matrix, backend, parameters, seed, --replicates and sigstream version, and\n"
             "together hold every replicate 0 <= i < R of every K exactly once; `extract --replicate-range A:B\n"
             "--shard-out F` writes them. The choice of K can be redone here with other thresholds.");
    p.positionals("SHARD...", "shard files from `sigstream extract --shard-out` (.gz accepted)");
    add_selection_options(p);
    p.section("Output")
        .option("out-dir", "D", "run folder to create; it must not exist or be empty (see --force)")
        .flag("force", "replace --out-dir if it is an existing folder (only once the new run folder is complete)")
        .flag("quiet", "no messages on stderr");
    return p;
}

[[noreturn]] void mismatch(const std::string& what, const std::string& a, const std::string& va, const std::string& b,
                           const std::string& vb) {
    throw DataError(b, 0,
                    "the shards come from different runs: " + what + " is " + va + " in " + a + " but " + vb + " here",
                    "merge only shards written by one scattered run (same matrix, backend, parameters, "
                    "--seed, --replicates and sigstream version)");
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

int run_consensus(int argc, char** argv) {
    const Parser parser = consensus_parser();
    Args args = parser.parse(argc, argv);
    if (args.help()) {
        std::cout << parser.help_text();
        return 0;
    }
    const std::vector<std::string>& paths = args.positionals();
    if (paths.empty()) throw UsageError("", 0, "no shards given", "list the shard files after the options");
    if (!args.has("out-dir")) throw UsageError("", 0, "--out-dir is required", "see `sigstream consensus --help`");
    const bool quiet = args.flag("quiet");
    const SelectionRule rule = selection_rule(args);
    RunFolder folder(args.get("out-dir"), args.flag("force"));
    for (const auto& p : paths) folder.check_not_inside(p);

    {
        std::set<std::string> seen;
        for (const auto& p : paths) {
            std::error_code ec;
            const std::string id = std::filesystem::weakly_canonical(p, ec).string();
            if (!seen.insert(ec ? p : id).second)
                throw UsageError(p, 0, "this shard is given twice", "give each shard file once");
        }
    }
    std::vector<Shard> shards;
    for (const auto& p : paths) {
        shards.push_back(read_shard(p));
        const Shard& a = shards.front();
        const Shard& b = shards.back();
        const std::string& pa = paths.front();
        if (b.sigstream_version != a.sigstream_version)
            mismatch("the sigstream version", pa, a.sigstream_version, p, b.sigstream_version);
        if (b.backend != a.backend) mismatch("the backend", pa, a.backend, p, b.backend);
        if (b.backend_version != a.backend_version)
            mismatch("the backend's version", pa, a.backend_version, p, b.backend_version);
        if (b.params != a.params) {
            std::string key;
            for (const auto& [k, v] : b.params)
                if (!a.params.count(k) || a.params.at(k) != v) key = k;
            for (const auto& [k, v] : a.params)
                if (!b.params.count(k)) key = k;
            mismatch("backend parameter " + key, pa, a.params.count(key) ? a.params.at(key) : "(unset)", p,
                     b.params.count(key) ? b.params.at(key) : "(unset)");
        }
        if (b.seed != a.seed) mismatch("--seed", pa, std::to_string(a.seed), p, std::to_string(b.seed));
        if (b.replicates != a.replicates)
            mismatch("--replicates", pa, std::to_string(a.replicates), p, std::to_string(b.replicates));
        if (b.normalise != a.normalise) mismatch("--normalise", pa, a.normalise, p, b.normalise);
        if (b.max_iter != a.max_iter)
            mismatch("--max-iter", pa, std::to_string(a.max_iter), p, std::to_string(b.max_iter));
        if (b.tol != a.tol) mismatch("--tol", pa, exact_number(a.tol), p, exact_number(b.tol));
        if (b.counts.context != a.counts.context || b.counts.columns != a.counts.columns ||
            b.counts.values != a.counts.values)
            mismatch("the count matrix", pa, "'" + a.matrix + "'", p,
                     "'" + b.matrix + "' (" +
                         (b.counts.columns != a.counts.columns ? "other samples" : "other counts") + ")");
        if (shards.size() > 1) shards.back().counts = LabelledMatrix{};  // equal to the first's: keep one copy
    }

    // Every (K, replicate) exactly once.
    std::map<int, std::map<int, std::size_t>> owner;  // K -> index -> shard
    std::vector<const Replicate*> fits;
    for (std::size_t s = 0; s < shards.size(); ++s)
        for (const Replicate& r : shards[s].fits) {
            auto [it, fresh] = owner[r.k].emplace(r.index, s);
            if (!fresh)
                throw DataError(paths[s], 0,
                                "replicate " + std::to_string(r.index) + " of K = " + std::to_string(r.k) +
                                    " is also in " + paths[it->second] + " (overlapping --replicate-range)",
                                "give each replicate range once");
            fits.push_back(&r);
        }
    const int R = shards.front().replicates;
    // extract fits contiguous K ranges, so a K missing between two present ones is a missing shard (the
    // ends of the range cannot be checked: a shard records only its own K's).
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
    std::vector<Replicate> ordered;
    ordered.reserve(fits.size());
    for (const Replicate* r : fits) ordered.push_back(*r);

    const Shard& first = shards.front();
    const FitInput input = prepare_fit_input(first.counts, paths.front());
    for (const auto& [k, have] : owner)
        if (k > input.max_k)
            throw DataError(paths.front(), 0, "K = " + std::to_string(k) + " is beyond the matrix's K range",
                            "the shard is damaged; rerun its extraction");
    if (!quiet && rule.refine)
        std::fprintf(stderr, "sigstream %s: consensus, choice of K and minimum-volume refinement of the chosen K…\n",
                     "consensus");
    const Selection selection = select_k(first.counts, input, ordered, rule, parse_normalisation(first.normalise));
    if (!quiet) {
        for (const auto& w : input.warnings) warn("consensus", w);
        for (const auto& w : selection.warnings) warn("consensus", w);
    }

    ReplicateRunInfo info;
    info.command = "consensus";
    info.argv.push_back("sigstream");
    info.argv.push_back("consensus");
    for (int i = 0; i < argc; ++i) info.argv.push_back(argv[i]);
    info.matrix = first.matrix;
    info.backend = first.backend;
    info.backend_version = first.backend_version;
    info.params = first.params;
    for (const auto& [k, have] : owner) info.plan.ks.push_back(k);
    info.plan.replicates = R;
    info.plan.first = 0;
    info.plan.last = R;
    info.plan.seed = first.seed;
    info.plan.max_iter = first.max_iter;
    info.plan.tol = first.tol;
    info.plan.normalise = parse_normalisation(first.normalise);
    info.rule = rule;
    info.shards = paths;
    write_replicate_run(folder, first.counts, input, selection, info);
    folder.commit();
    if (!quiet)
        std::cerr << "sigstream consensus: " << shards.size() << " shard(s), " << ordered.size()
                  << " fits: " << selection.reason << " -> " << folder.path() << "\n";
    return 0;
}

}  // namespace

int consensus_main(int argc, char** argv) {
    return guarded("consensus", [&] { return run_consensus(argc, argv); });
}

}  // namespace sigstream::cli
