#include "evaluate/crossval.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/errors.h"
#include "core/format.h"
#include "core/random.h"
#include "evaluate/compare.h"
#include "extract/fit_input.h"
#include "extract/statistics.h"
#include "numeric/assignment.h"
#include "numeric/binomial.h"
#include "numeric/nnls.h"
#include "numeric/resample.h"

namespace sigstream {

namespace {

// A uniform integer in [0, bound) by rejection (no modulo bias), independent of the standard library's
// distributions, whose algorithms differ between implementations.
std::uint64_t uniform_below(std::mt19937_64& engine, std::uint64_t bound) {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                                std::numeric_limits<std::uint64_t>::max() % bound;  // a multiple of bound
    std::uint64_t x;
    do x = engine();
    while (x >= limit);
    return x % bound;
}

Eigen::MatrixXd columns_of(const Eigen::MatrixXd& V, const std::vector<Eigen::Index>& cols) {
    Eigen::MatrixXd out(V.rows(), static_cast<Eigen::Index>(cols.size()));
    for (std::size_t c = 0; c < cols.size(); ++c) out.col(static_cast<Eigen::Index>(c)) = V.col(cols[c]);
    return out;
}

}  // namespace

// ---------------------------------------------------------------- the pieces

std::uint64_t crossval_seed(std::uint64_t root, int stream, int split) {
    return replicate_seed(root, stream, split);
}

long long test_size(long long n, double test_fraction) {
    return std::llround(test_fraction * static_cast<double>(n));
}

long long minimum_samples(int k, double test_fraction) {
    auto ok = [&](long long n) {
        const long long t = test_size(n, test_fraction);
        return t >= 1 && n - t >= static_cast<long long>(k) + 1;
    };
    // Both conditions are monotone in n. Start just below their analytic bounds (round(f n) >= 1 needs
    // f n >= 1/2; n - round(f n) >= k + 1 needs n (1 - f) + 1/2 >= k + 1) and step up, so the answer agrees
    // with test_size exactly.
    double lower = std::max({2.0, static_cast<double>(k) + 2.0, std::floor(0.5 / test_fraction) - 2.0,
                             std::floor((static_cast<double>(k) + 0.5) / (1.0 - test_fraction)) - 2.0});
    if (lower > 1e15)
        return static_cast<long long>(std::min(lower, 9e18));  // a test fraction so extreme no matrix is big enough
    long long n = static_cast<long long>(lower);
    while (n < (1LL << 62) && !ok(n)) ++n;
    return n;
}

CrossvalSplit make_split(Eigen::Index n, double test_fraction, std::uint64_t seed) {
    std::vector<Eigen::Index> perm(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
    std::mt19937_64 engine(seed);
    for (std::size_t i = perm.size(); i > 1; --i) {  // Fisher–Yates
        const std::size_t j = static_cast<std::size_t>(uniform_below(engine, i));
        std::swap(perm[i - 1], perm[j]);
    }
    const std::size_t t = static_cast<std::size_t>(std::clamp<long long>(test_size(n, test_fraction), 0, n));
    CrossvalSplit s;
    s.test.assign(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(t));
    s.train.assign(perm.begin() + static_cast<std::ptrdiff_t>(t), perm.end());
    std::sort(s.test.begin(), s.test.end());
    std::sort(s.train.begin(), s.train.end());
    return s;
}

double mean_squared_error(const Eigen::MatrixXd& V, const Eigen::MatrixXd& R) {
    if (V.size() == 0) return 0;
    return (V - R).squaredNorm() / static_cast<double>(V.size());
}

double mean_poisson_deviance(const Eigen::MatrixXd& B, const Eigen::MatrixXd& Bhat) {
    if (B.size() == 0) return 0;
    double sum = 0;
    for (Eigen::Index j = 0; j < B.cols(); ++j)
        for (Eigen::Index i = 0; i < B.rows(); ++i) {
            const double b = B(i, j), bh = Bhat(i, j);
            if (b > 0)
                sum += bh > 0 ? b * std::log(b / bh) - b + bh : HUGE_VAL;
            else
                sum += bh;  // 0 log 0 = 0
        }
    return 2.0 * sum / static_cast<double>(B.size());
}

void binomial_halves(const Eigen::MatrixXd& V, std::uint64_t seed, Eigen::MatrixXd& A, Eigen::MatrixXd& B) {
    A = Eigen::MatrixXd::Zero(V.rows(), V.cols());
    for (Eigen::Index j = 0; j < V.cols(); ++j) {
        std::mt19937_64 engine(splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(j))));
        for (Eigen::Index i = 0; i < V.rows(); ++i) {
            const double v = V(i, j);
            if (!(v >= 1)) continue;
            const auto c = static_cast<std::uint64_t>(std::floor(std::min(v, 9e15)));
            A(i, j) = static_cast<double>(binomial(c, 0.5, engine));  // O(1) whatever c (numeric/binomial.h)
        }
    }
    B = V - A;
}

PamResult pam(const Eigen::MatrixXd& D, int k) {
    const int n = static_cast<int>(D.rows());
    PamResult r;
    if (k < 1 || k > n || D.cols() != n) return r;
    std::vector<char> is_medoid(static_cast<std::size_t>(n), 0);
    std::vector<int>& med = r.medoids;
    // BUILD
    {
        int best = 0;
        double best_sum = HUGE_VAL;
        for (int i = 0; i < n; ++i) {
            const double s = D.col(i).sum();
            if (s < best_sum) best_sum = s, best = i;
        }
        med.push_back(best);
        is_medoid[static_cast<std::size_t>(best)] = 1;
    }
    std::vector<double> nearest(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j) nearest[static_cast<std::size_t>(j)] = D(med[0], j);
    while (static_cast<int>(med.size()) < k) {
        int best = -1;
        double best_gain = -1;
        for (int i = 0; i < n; ++i) {
            if (is_medoid[static_cast<std::size_t>(i)]) continue;
            double gain = 0;
            for (int j = 0; j < n; ++j) gain += std::max(0.0, nearest[static_cast<std::size_t>(j)] - D(i, j));
            if (gain > best_gain) best_gain = gain, best = i;
        }
        med.push_back(best);
        is_medoid[static_cast<std::size_t>(best)] = 1;
        for (int j = 0; j < n; ++j)
            nearest[static_cast<std::size_t>(j)] = std::min(nearest[static_cast<std::size_t>(j)], D(best, j));
    }
    std::sort(med.begin(), med.end());
    // SWAP
    std::vector<double> d1(static_cast<std::size_t>(n)), d2(static_cast<std::size_t>(n));
    std::vector<int> which(static_cast<std::size_t>(n));
    auto refresh = [&] {
        double cost = 0;
        for (int j = 0; j < n; ++j) {
            double a = HUGE_VAL, b = HUGE_VAL;
            int w = 0;
            for (int p = 0; p < k; ++p) {
                const double d = D(med[static_cast<std::size_t>(p)], j);
                if (d < a) {
                    b = a;
                    a = d;
                    w = p;
                } else if (d < b) {
                    b = d;
                }
            }
            d1[static_cast<std::size_t>(j)] = a;
            d2[static_cast<std::size_t>(j)] = b;
            which[static_cast<std::size_t>(j)] = w;
            cost += a;
        }
        return cost;
    };
    double cost = refresh();
    for (int round = 0; round < 100000; ++round) {
        double best_delta = 0;
        int best_p = -1, best_h = -1;
        for (int p = 0; p < k; ++p)
            for (int h = 0; h < n; ++h) {
                if (is_medoid[static_cast<std::size_t>(h)]) continue;
                double delta = 0;
                for (int j = 0; j < n; ++j) {
                    const std::size_t J = static_cast<std::size_t>(j);
                    const double dh = D(h, j);
                    delta += (which[J] == p ? std::min(d2[J], dh) : std::min(d1[J], dh)) - d1[J];
                }
                if (delta < best_delta) best_delta = delta, best_p = p, best_h = h;
            }
        if (best_p < 0 || !(best_delta < -1e-12 * (1.0 + cost))) break;
        is_medoid[static_cast<std::size_t>(med[static_cast<std::size_t>(best_p)])] = 0;
        is_medoid[static_cast<std::size_t>(best_h)] = 1;
        med[static_cast<std::size_t>(best_p)] = best_h;
        std::sort(med.begin(), med.end());
        cost = refresh();
    }
    r.assignment.assign(which.begin(), which.end());
    r.cost = cost;
    return r;
}

double matched_cosine_mean(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    const Eigen::MatrixXd C = cosine_matrix(A, B);
    const std::vector<int> match = assign_max(C);
    double sum = 0;
    int count = 0;
    for (std::size_t i = 0; i < match.size(); ++i)
        if (match[i] >= 0) {
            sum += C(static_cast<Eigen::Index>(i), match[i]);
            ++count;
        }
    return count ? sum / count : std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> pairwise_consistency(const std::vector<Eigen::MatrixXd>& sets) {
    std::vector<double> out;
    for (std::size_t s = 0; s < sets.size(); ++s)
        for (std::size_t t = s + 1; t < sets.size(); ++t) out.push_back(matched_cosine_mean(sets[s], sets[t]));
    return out;
}

double mean_of(const std::vector<double>& v) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}

double sd_of(const std::vector<double>& v) {
    if (v.size() < 2) return std::numeric_limits<double>::quiet_NaN();
    const double m = mean_of(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(v.size() - 1));
}

// ---------------------------------------------------------------- the protocol

namespace {

double cosmic_matched(const Eigen::MatrixXd& W, const LabelledMatrix& reference, bool include_artefacts) {
    LabelledMatrix sig;
    sig.context = reference.context;
    sig.values = W;
    for (Eigen::Index c = 0; c < W.cols(); ++c)
        sig.columns.push_back(signature_name(reference.context, static_cast<int>(c)));
    const Comparison cmp = compare_signatures(sig, reference, include_artefacts);
    double sum = 0;
    int count = 0;
    for (const auto& m : cmp.matches)
        if (!m.matched.empty()) {
            sum += m.matched_cosine;
            ++count;
        }
    return count ? sum / count : std::numeric_limits<double>::quiet_NaN();
}

// The matrices of one split, built inside the job (memory stays O(threads x matrix) rather than
// O(splits x matrix)); the halves are drawn from the split's own seed, so every backend gets the same ones.
struct SplitData {
    Eigen::MatrixXd train, test, half_a, half_b;
    SplitData(const Eigen::MatrixXd& counts, const CrossvalSplit& split, std::uint64_t binomial_seed)
        : train(columns_of(counts, split.train)), test(columns_of(counts, split.test)) {
        binomial_halves(test, binomial_seed, half_a, half_b);
    }
};

SplitResult run_job(const Eigen::MatrixXd& counts, const CrossvalSplit& split_def, const CrossvalBackend& cb,
                    int backend_index, int split, const CrossvalOptions& options, const std::atomic<bool>& abort) {
    const SplitData data(counts, split_def, crossval_seed(options.fit.seed, kBinomialStream, split));
    SplitResult r;
    r.backend = backend_index;
    r.split = split;
    r.fit_seed = crossval_seed(options.fit.seed, kFitStream, split);
    r.train_samples = static_cast<int>(data.train.cols());
    r.test_samples = static_cast<int>(data.test.cols());

    FitRequest req;
    req.keep_trace = false;  // the last objective only
    req.fit = options.fit;
    req.fit.seed = r.fit_seed;
    req.fit.params = cb.params;
    req.progress = [&abort](const Progress&) {
        return abort.load(std::memory_order_relaxed) ? Flow::stop : Flow::proceed;
    };
    FitResult fit = cb.backend->fit(data.train, req);

    Eigen::MatrixXd W = fit.W, H = fit.H;
    r.zero_signature = !scale_signatures(W, &H).empty();
    r.train_mse = mean_squared_error(data.train, W * H);
    const Nnls nnls(W);
    r.test_mse = mean_squared_error(data.test, W * nnls.solve_all(data.test));
    // Held-out scores over the test samples whose first half has at least kMinHeldOutHalf mutations: with
    // fewer, the exposures fitted to it say next to nothing and the prediction can be 0 where the second
    // half is not (an infinite deviance from one near-empty sample).
    std::vector<Eigen::Index> scored;
    for (Eigen::Index j = 0; j < data.half_a.cols(); ++j)
        if (data.half_a.col(j).sum() >= kMinHeldOutHalf) scored.push_back(j);
    r.heldout_samples = static_cast<int>(scored.size());
    if (scored.empty()) {
        r.heldout_deviance = r.heldout_mse = std::numeric_limits<double>::quiet_NaN();
    } else {
        const Eigen::MatrixXd a = data.half_a(Eigen::all, scored), b = data.half_b(Eigen::all, scored);
        const Eigen::MatrixXd b_hat = W * nnls.solve_all(a);
        r.heldout_deviance = mean_poisson_deviance(b, b_hat);
        r.heldout_mse = mean_squared_error(b, b_hat);
    }
    r.cosmic_matched = cosmic_matched(W, *options.reference, options.include_artefacts);
    r.iterations = fit.iterations;
    r.objective = fit.trace.empty() ? std::numeric_limits<double>::quiet_NaN() : fit.trace.back();
    r.message = fit.message;
    r.W = std::move(W);
    return r;
}

}  // namespace

CrossvalResult run_crossval(const LabelledMatrix& counts, const std::vector<CrossvalBackend>& backends,
                            const CrossvalOptions& options, const RunSettings& run) {
    const Eigen::MatrixXd& V = counts.values;
    const Eigen::Index channels = V.rows();
    const int K = options.fit.k, S = options.splits;

    // ---- the request
    if (K < 1 || K >= channels)
        throw UsageError(options.source, 0,
                         "--k " + std::to_string(K) + " is out of range: with " + std::to_string(channels) +
                             " channels K must be from 1 to " + std::to_string(channels - 1),
                         "give a K in that range");
    if (S < 2)
        throw UsageError("", 0, "--splits " + std::to_string(S) + " is below 2",
                         "give at least 2 splits (consistency compares pairs of splits)");
    if (!(options.test_fraction > 0 && options.test_fraction < 1))
        throw UsageError("", 0, "--test-fraction must be strictly between 0 and 1", "e.g. --test-fraction 0.2");
    if (backends.empty()) throw UsageError("", 0, "no backend given", "e.g. --backends nmf,cnmf,aenmf");
    std::set<std::string> seen;
    for (const auto& b : backends)
        if (!seen.insert(b.backend->name()).second)
            throw UsageError("", 0, "backend '" + b.backend->name() + "' is listed twice in --backends",
                             "list each backend once");
    if (!options.reference) throw UsageError("", 0, "no reference signatures", "give --reference");
    if (options.reference->context != counts.context)
        throw UsageError("", 0,
                         "the matrix is " + std::string(context_name(counts.context)) + " but the reference is " +
                             std::string(context_name(options.reference->context)),
                         "give a --reference of the same catalogue");
    if (!options.include_artefacts) {
        bool any = false;
        for (const auto& c : options.reference->columns) any |= !is_cosmic_artefact(c);
        if (!any)
            throw UsageError("", 0, "no reference signatures are left after removing COSMIC's artefacts",
                             "add --include-artefacts");
    }

    // ---- the data
    // The matrix's checks and its non-empty samples are extract's (prepare_fit_input); fewer samples than
    // the splits need is checked below with a message about the splits.
    const FitInput input = prepare_fit_input(counts, options.source, /*min_samples=*/0);
    CrossvalResult res;
    const std::vector<Eigen::Index>& kept = input.kept;
    for (Eigen::Index j : kept) res.samples.push_back(counts.columns[static_cast<std::size_t>(j)]);
    res.empty_samples = input.empty_samples;
    if (!res.empty_samples.empty())
        res.warnings.push_back(
            std::to_string(res.empty_samples.size()) +
            " sample(s) have no mutations; they are left out of every split: " + name_list(res.empty_samples));
    const long long n = static_cast<long long>(kept.size());
    const long long need = minimum_samples(K, options.test_fraction);
    if (n < need) {
        char frac[32];
        std::snprintf(frac, sizeof frac, "%g", options.test_fraction);
        throw DataError(options.source, 0,
                        "only " + std::to_string(n) + " non-empty sample(s); with --k " + std::to_string(K) +
                            " and --test-fraction " + frac + " every split needs at least " + std::to_string(K + 1) +
                            " training samples and 1 test sample, i.e. at least " + std::to_string(need) +
                            " non-empty samples",
                        "add samples, lower --k, or change --test-fraction");
    }
    res.counts = columns_of(V, kept);

    // ---- the splits (shared by every backend)
    for (int s = 1; s <= S; ++s)
        res.splits.push_back(make_split(static_cast<Eigen::Index>(n), options.test_fraction,
                                        crossval_seed(options.fit.seed, kSplitStream, s)));

    // ---- the jobs
    const int B = static_cast<int>(backends.size());
    const int jobs = B * S;
    res.per_split.resize(static_cast<std::size_t>(jobs));
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(jobs));
    std::atomic<int> next{0};
    std::atomic<bool> abort{false};
    std::mutex report;
    int done = 0;
    auto worker = [&] {
        for (;;) {
            if (abort.load()) return;
            const int j = next.fetch_add(1);
            if (j >= jobs) return;
            const int b = j / S, s = j % S + 1;
            try {
                res.per_split[static_cast<std::size_t>(j)] =
                    run_job(res.counts, res.splits[static_cast<std::size_t>(s - 1)],
                            backends[static_cast<std::size_t>(b)], b, s, options, abort);
            } catch (const Cancelled&) {
                if (!abort.load()) errors[static_cast<std::size_t>(j)] = std::current_exception();
                abort.store(true);  // stopped because another job failed: that one's error is thrown
                return;
            } catch (...) {
                errors[static_cast<std::size_t>(j)] = std::current_exception();
                abort.store(true);
                return;
            }
            std::lock_guard<std::mutex> lock(report);
            ++done;
            if (run.progress && !abort.load()) {
                const std::string detail = backends[static_cast<std::size_t>(b)].backend->name() + " split " +
                                           std::to_string(s) + "/" + std::to_string(S);
                Progress p;
                p.stage = "crossval";
                p.unit = "fits";
                p.done = static_cast<std::uint64_t>(done);
                p.total = static_cast<std::uint64_t>(jobs);
                p.detail = detail;
                try {
                    run.report(p);
                } catch (...) {
                    errors[static_cast<std::size_t>(j)] = std::current_exception();
                    abort.store(true);
                    return;
                }
            }
        }
    };
    const int threads = std::max(1, std::min(run.threads, jobs));
    if (threads == 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
        for (auto& t : pool) t.join();
    }
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);

    // ---- per backend
    for (int b = 0; b < B; ++b) {
        BackendSummary sum;
        std::vector<double> train, test, dev, hmse, cosmic, iters;
        std::vector<Eigen::MatrixXd> sets;
        int zero = 0;
        for (int s = 1; s <= S; ++s) {
            const SplitResult& r = res.per_split[static_cast<std::size_t>(b * S + s - 1)];
            train.push_back(r.train_mse);
            test.push_back(r.test_mse);
            if (!std::isnan(r.heldout_deviance)) {  // NaN: no test sample had enough mutations to score
                dev.push_back(r.heldout_deviance);
                hmse.push_back(r.heldout_mse);
            }
            cosmic.push_back(r.cosmic_matched);
            iters.push_back(r.iterations);
            sets.push_back(r.W);
            if (options.fit.tol > 0 && r.iterations >= options.fit.max_iter) ++sum.unconverged;
            zero += r.zero_signature;
        }
        sum.train_mse = mean_of(train);
        sum.train_mse_sd = sd_of(train);
        sum.test_mse = mean_of(test);
        sum.test_mse_sd = sd_of(test);
        sum.heldout_deviance = mean_of(dev);
        sum.heldout_deviance_sd = sd_of(dev);
        sum.heldout_mse = mean_of(hmse);
        sum.heldout_mse_sd = sd_of(hmse);
        sum.cosmic_per_split = mean_of(cosmic);
        sum.cosmic_per_split_sd = sd_of(cosmic);
        sum.iterations = mean_of(iters);
        sum.consistency_pairs = pairwise_consistency(sets);
        sum.consistency = mean_of(sum.consistency_pairs);
        sum.consistency_sd = sd_of(sum.consistency_pairs);

        Eigen::MatrixXd pooled(channels, static_cast<Eigen::Index>(S) * K);
        for (int s = 0; s < S; ++s)
            pooled.middleCols(static_cast<Eigen::Index>(s) * K, K) = sets[static_cast<std::size_t>(s)];
        const Eigen::MatrixXd distance = (1.0 - cosine_matrix(pooled, pooled).array()).max(0.0).matrix();
        const PamResult p = pam(distance, K);
        sum.medoids.resize(channels, K);
        for (int m = 0; m < K; ++m) {
            const int idx = p.medoids[static_cast<std::size_t>(m)];
            sum.medoid_split.push_back(idx / K + 1);
            sum.medoid_signature.push_back(idx % K);
            sum.medoids.col(m) = pooled.col(idx);
        }
        sum.cosmic_medoids = cosmic_matched(sum.medoids, *options.reference, options.include_artefacts);

        const std::string& name = backends[static_cast<std::size_t>(b)].backend->name();
        if (sum.unconverged > 0)
            res.warnings.push_back(name + ": " + std::to_string(sum.unconverged) + " of " + std::to_string(S) +
                                   " fit(s) ran all " + std::to_string(options.fit.max_iter) +
                                   " iterations of --max-iter without meeting --tol; raise --max-iter");
        if (zero > 0)
            res.warnings.push_back(name + ": in " + std::to_string(zero) +
                                   " split(s) a signature came back as all zeros (kept as a uniform profile with "
                                   "zero exposures) — try a smaller K");
        bool infinite = false;
        for (double d : dev) infinite |= std::isinf(d);
        if (infinite)
            res.warnings.push_back(name +
                                   ": the held-out deviance is infinite in some splits: a test sample's second half "
                                   "has mutations where the prediction from its first half is 0 (samples with very "
                                   "few mutations do this)");
        res.summaries.push_back(std::move(sum));
    }
    return res;
}

}  // namespace sigstream
