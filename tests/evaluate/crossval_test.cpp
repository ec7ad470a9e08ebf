// Cross-validation (src/evaluate/crossval.h): each statistic on tiny matrices with values worked out by hand,
// the splits, the binomial halves, PAM, and the whole protocol with an in-process backend.
#include "evaluate/crossval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "abi/sigstream_backend.h"
#include "core/errors.h"
#include "test_util.h"

namespace sigstream {
namespace {

// ---------------------------------------------------------------- split sizes

TEST(CrossvalSplits, TestSizeRoundsHalvesUp) {
    EXPECT_EQ(test_size(10, 0.2), 2);
    EXPECT_EQ(test_size(5, 0.1), 1);  // 0.5 -> 1
    EXPECT_EQ(test_size(4, 0.1), 0);  // 0.4 -> 0
    EXPECT_EQ(test_size(60, 0.2), 12);
}

TEST(CrossvalSplits, MinimumSamples) {
    // K = 3, 20 %: n = 4 gives 1 test and 3 training (< 4); n = 5 gives 1 and 4.
    EXPECT_EQ(minimum_samples(3, 0.2), 5);
    // K = 1, 50 %: n = 2 -> 1 + 1, n = 3 -> 2 test (1.5 rounds up) + 1, n = 4 -> 2 + 2.
    EXPECT_EQ(minimum_samples(1, 0.5), 4);
    // 1 %: round(0.01 n) >= 1 needs n >= 50.
    EXPECT_EQ(minimum_samples(2, 0.01), 50);
    // 90 %: training = n - round(0.9 n) >= 3 needs n = 25 (25 - 23 = 2 is not enough: 26 - 23 = 3).
    EXPECT_EQ(minimum_samples(2, 0.9), 26);
    // Extreme fractions answer at once with a number no matrix reaches.
    EXPECT_GT(minimum_samples(3, 1e-300), 1000000000000000LL);
    EXPECT_GT(minimum_samples(3, 1 - 1e-16), 1000000000000000LL);
}

TEST(CrossvalSplits, MinimumSamplesAgreesWithBruteForce) {
    for (int k = 1; k <= 12; ++k)
        for (int p = 1; p <= 99; p += 2) {
            const double f = p / 100.0;
            long long n = 2;
            while (!(test_size(n, f) >= 1 && n - test_size(n, f) >= k + 1)) ++n;
            EXPECT_EQ(minimum_samples(k, f), n) << "k " << k << " f " << f;
        }
}

TEST(CrossvalSplits, PartsAreDisjointCompleteSortedAndDeterministic) {
    const CrossvalSplit a = make_split(23, 0.2, 99);
    EXPECT_EQ(a.test.size(), 5u);  // round(4.6)
    EXPECT_EQ(a.train.size(), 18u);
    std::set<Eigen::Index> all(a.test.begin(), a.test.end());
    all.insert(a.train.begin(), a.train.end());
    EXPECT_EQ(all.size(), 23u);
    EXPECT_EQ(*all.begin(), 0);
    EXPECT_EQ(*all.rbegin(), 22);
    EXPECT_TRUE(std::is_sorted(a.test.begin(), a.test.end()));
    EXPECT_TRUE(std::is_sorted(a.train.begin(), a.train.end()));
    const CrossvalSplit b = make_split(23, 0.2, 99);
    EXPECT_EQ(a.test, b.test);
    EXPECT_EQ(a.train, b.train);
    // Other seeds give other test sets (20 seeds, C(23,5) = 33649 possible sets).
    std::set<std::vector<Eigen::Index>> seen;
    for (int s = 1; s <= 20; ++s) seen.insert(make_split(23, 0.2, crossval_seed(7, kSplitStream, s)).test);
    EXPECT_GE(seen.size(), 19u);
}

TEST(CrossvalSplits, EverySampleIsTestedAboutEquallyOften) {
    std::vector<int> tested(10, 0);
    for (int s = 1; s <= 2000; ++s)
        for (Eigen::Index j : make_split(10, 0.3, crossval_seed(1, kSplitStream, s)).test) ++tested[j];
    for (int t : tested) EXPECT_NEAR(t, 600, 90);  // 2000 * 3 / 10, binomial sd ~ 20
}

TEST(CrossvalSplits, SeedStreamsDiffer) {
    EXPECT_NE(crossval_seed(1, kSplitStream, 1), crossval_seed(1, kFitStream, 1));
    EXPECT_NE(crossval_seed(1, kFitStream, 1), crossval_seed(1, kBinomialStream, 1));
    EXPECT_NE(crossval_seed(1, kFitStream, 1), crossval_seed(1, kFitStream, 2));
    EXPECT_NE(crossval_seed(1, kFitStream, 1), crossval_seed(2, kFitStream, 1));
}

// ---------------------------------------------------------------- the statistics

TEST(CrossvalStats, MeanSquaredError) {
    Eigen::MatrixXd V(2, 2), R(2, 2);
    V << 1, 2, 3, 4;
    R << 0, 2, 1, 4;
    EXPECT_DOUBLE_EQ(mean_squared_error(V, R), (1.0 + 0 + 4 + 0) / 4);
    EXPECT_EQ(mean_squared_error(Eigen::MatrixXd(0, 0), Eigen::MatrixXd(0, 0)), 0);
}

TEST(CrossvalStats, PoissonDevianceWithZeroLogZero) {
    Eigen::MatrixXd B(2, 2), Bh(2, 2);
    B << 2, 0, 1, 3;
    Bh << 1, 0.5, 1, 3;
    // entries: 2 log 2 - 2 + 1;  0 log 0 - 0 + 0.5 = 0.5;  0;  0.  Times 2, over 4 entries.
    EXPECT_DOUBLE_EQ(mean_poisson_deviance(B, Bh), 2 * (2 * std::log(2.0) - 1 + 0.5) / 4);
    Eigen::MatrixXd Z = Eigen::MatrixXd::Zero(2, 2);
    EXPECT_EQ(mean_poisson_deviance(Z, Z), 0);  // 0 log(0/0): every term 0
    Bh(0, 0) = 0;                               // b = 2 > 0 predicted 0
    EXPECT_TRUE(std::isinf(mean_poisson_deviance(B, Bh)));
}

TEST(CrossvalStats, MeanAndSampleSd) {
    EXPECT_DOUBLE_EQ(mean_of({1, 2, 3, 4}), 2.5);
    EXPECT_DOUBLE_EQ(sd_of({1, 2, 3, 4}), std::sqrt(5.0 / 3.0));  // (2.25 + .25 + .25 + 2.25) / 3
    EXPECT_TRUE(std::isnan(sd_of({1})));
    EXPECT_TRUE(std::isnan(mean_of({})));
}

// ---------------------------------------------------------------- the binomial halves

TEST(CrossvalHalves, HalvesAddUpAndAreDeterministic) {
    Eigen::MatrixXd V(4, 3);
    V << 0, 1, 63, 64, 65, 1000, 2.5, 7, 128, 3, 0.4, 12345;
    Eigen::MatrixXd A, B, A2, B2;
    binomial_halves(V, 42, A, B);
    binomial_halves(V, 42, A2, B2);
    EXPECT_EQ(A, A2);
    EXPECT_EQ(B, B2);
    for (Eigen::Index i = 0; i < V.rows(); ++i)
        for (Eigen::Index j = 0; j < V.cols(); ++j) {
            EXPECT_EQ(A(i, j) + B(i, j), V(i, j));
            EXPECT_EQ(A(i, j), std::floor(A(i, j)));
            EXPECT_GE(A(i, j), 0);
            EXPECT_LE(A(i, j), std::floor(V(i, j)));  // 2.5: at most 2 in A; 0.4: nothing to split
            EXPECT_GE(B(i, j), 0);
        }
    EXPECT_EQ(A(0, 0), 0);
    EXPECT_EQ(A(3, 1), 0);
    binomial_halves(V, 43, A2, B2);
    EXPECT_NE(A, A2);
}

// A split computed by tests/numeric/binomial_reference.py (an independent Python implementation of the sampler,
// mt19937_64 and splitmix64) and committed; CTest's numeric.binomial_reference checks this block against the script.
// BEGIN binomial_reference.py: halves (generated by tests/numeric/binomial_reference.py; do not edit)
// clang-format off
const std::vector<std::vector<double>> kHalvesInput = {
    {0.0, 1.0, 2.0, 19.0, 20.0, 1000.0},
    {3.0, 0.4, 1000000000000.0, 9000000000000000.0, 2.5, 64.0},
};
const std::vector<std::vector<double>> kHalvesExpected = {
    {0, 1, 1, 7, 10, 485},
    {1, 0, 499999877129, 4500000033761716, 0, 28},
};
constexpr std::uint64_t kHalvesSeed = 77;
// clang-format on
// END binomial_reference.py: halves

TEST(CrossvalHalves, KnownSplitMatchesThePythonReference) {
    const auto rows = static_cast<Eigen::Index>(kHalvesInput[0].size());
    Eigen::MatrixXd V(rows, 2), A, B;
    for (Eigen::Index j = 0; j < 2; ++j)
        for (Eigen::Index i = 0; i < rows; ++i)
            V(i, j) = kHalvesInput[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)];
    binomial_halves(V, kHalvesSeed, A, B);
    for (Eigen::Index j = 0; j < 2; ++j)
        for (Eigen::Index i = 0; i < rows; ++i) {
            EXPECT_EQ(A(i, j), kHalvesExpected[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)])
                << i << ", " << j;
            EXPECT_EQ(A(i, j) + B(i, j), V(i, j));
        }
}

TEST(CrossvalHalves, EachMutationIsAFairCoin) {
    Eigen::MatrixXd V = Eigen::MatrixXd::Constant(1, 1, 1e6);
    Eigen::MatrixXd A, B;
    binomial_halves(V, 5, A, B);
    EXPECT_NEAR(A(0, 0), 5e5, 2500);  // sd 500
    // Many single mutations: about half land in A.
    Eigen::MatrixXd ones = Eigen::MatrixXd::Ones(50, 200);
    binomial_halves(ones, 6, A, B);
    EXPECT_NEAR(A.sum(), 5000, 250);  // sd ~ 71
    // Huge counts too (drawn in O(1), not one coin at a time): 200 cells of 1e12, each half within 5 sd.
    Eigen::MatrixXd big = Eigen::MatrixXd::Constant(20, 10, 1e12);
    binomial_halves(big, 7, A, B);
    EXPECT_EQ(A + B, big);
    EXPECT_LE((A.array() - 5e11).abs().maxCoeff(), 5 * 5e5);
    EXPECT_NEAR(A.sum(), 200 * 5e11, 5 * 5e5 * std::sqrt(200.0));
}

// ---------------------------------------------------------------- PAM

Eigen::MatrixXd line_distances(const std::vector<double>& x) {
    const auto n = static_cast<Eigen::Index>(x.size());
    Eigen::MatrixXd D(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j)
            D(i, j) = std::abs(x[static_cast<std::size_t>(i)] - x[static_cast<std::size_t>(j)]);
    return D;
}

TEST(CrossvalPam, TwoGroupsOnALine) {
    // 0 1 2 | 10 11 12: the medoids are the middles, 1 and 11; cost 1 + 1 + 1 + 1.
    const PamResult r = pam(line_distances({0, 1, 2, 10, 11, 12}), 2);
    EXPECT_EQ(r.medoids, (std::vector<int>{1, 4}));
    EXPECT_EQ(r.assignment, (std::vector<int>{0, 0, 0, 1, 1, 1}));
    EXPECT_DOUBLE_EQ(r.cost, 4);
}

TEST(CrossvalPam, TiesGoToTheLowestIndex) {
    // Totals: 0 -> 13, 1 -> 11, 2 -> 11, 10 -> 27; 1 and 2 tie.
    const PamResult r = pam(line_distances({0, 1, 2, 10}), 1);
    EXPECT_EQ(r.medoids, (std::vector<int>{1}));
    EXPECT_DOUBLE_EQ(r.cost, 11);
}

TEST(CrossvalPam, SwapImprovesOnBuild) {
    // x = 0 1 5 9 10. Totals 25 22 18 22 25: BUILD starts at x = 5 (index 2); every next point gains 8, so
    // index 0 joins: {0, 5} costs 0+1+0+4+5 = 10. The best single swap replaces 5 by 9: {0, 9} costs
    // 0+1+4+0+1 = 6, the optimum ({1,9} and {1,10} tie with it), and no swap improves on it.
    const PamResult r = pam(line_distances({0, 1, 5, 9, 10}), 2);
    EXPECT_EQ(r.medoids, (std::vector<int>{0, 3}));
    EXPECT_EQ(r.assignment, (std::vector<int>{0, 0, 1, 1, 1}));
    EXPECT_DOUBLE_EQ(r.cost, 6);
}

TEST(CrossvalPam, NoSingleSwapImprovesTheResult) {
    // A random cloud: PAM's result is a local optimum under swaps.
    const int n = 30, k = 4;
    Eigen::MatrixXd P = Eigen::MatrixXd::Random(2, n);
    Eigen::MatrixXd D(n, n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) D(i, j) = (P.col(i) - P.col(j)).norm();
    const PamResult r = pam(D, k);
    auto cost = [&](const std::vector<int>& med) {
        double c = 0;
        for (int j = 0; j < n; ++j) {
            double best = HUGE_VAL;
            for (int m : med) best = std::min(best, D(m, j));
            c += best;
        }
        return c;
    };
    EXPECT_NEAR(cost(r.medoids), r.cost, 1e-12);
    for (int p = 0; p < k; ++p)
        for (int h = 0; h < n; ++h) {
            if (std::find(r.medoids.begin(), r.medoids.end(), h) != r.medoids.end()) continue;
            std::vector<int> m = r.medoids;
            m[static_cast<std::size_t>(p)] = h;
            EXPECT_GE(cost(m), r.cost - 1e-9);
        }
    EXPECT_EQ(pam(D, k).medoids, r.medoids);  // deterministic
}

// ---------------------------------------------------------------- matching and consistency

TEST(CrossvalConsistency, MatchedCosineByHand) {
    Eigen::MatrixXd A(2, 2), B(2, 2);
    A << 1, 0, 0, 1;  // e1, e2
    B << 0, 1, 1, 1;  // e2, e1 + e2
    // e1 -> e1+e2 (1/sqrt 2) and e2 -> e2 (1) beat e1 -> e2 (0) and e2 -> e1+e2 (1/sqrt 2).
    EXPECT_DOUBLE_EQ(matched_cosine_mean(A, B), (1 + 1 / std::sqrt(2.0)) / 2);
    // Unequal counts: the mean over the matched pairs.
    EXPECT_DOUBLE_EQ(matched_cosine_mean(A.col(0), B), 1 / std::sqrt(2.0));
}

TEST(CrossvalConsistency, IdenticalSplitsGiveOne) {
    Eigen::MatrixXd W = Eigen::MatrixXd::Random(6, 3).cwiseAbs();
    Eigen::MatrixXd Wp(6, 3);  // the same signatures in another order
    Wp << W.col(2), W.col(0), W.col(1);
    const std::vector<double> c = pairwise_consistency({W, Wp, W});
    ASSERT_EQ(c.size(), 3u);
    for (double x : c) EXPECT_NEAR(x, 1.0, 1e-14);
}

TEST(CrossvalConsistency, PairOrder) {
    Eigen::MatrixXd a(2, 1), b(2, 1), c(2, 1);
    a << 1, 0;
    b << 1, 1;
    c << 0, 1;
    const std::vector<double> v = pairwise_consistency({a, b, c});
    ASSERT_EQ(v.size(), 3u);
    EXPECT_DOUBLE_EQ(v[0], 1 / std::sqrt(2.0));  // (a, b)
    EXPECT_DOUBLE_EQ(v[1], 0);                   // (a, c)
    EXPECT_DOUBLE_EQ(v[2], 1 / std::sqrt(2.0));  // (b, c)
}

// ---------------------------------------------------------------- the whole protocol, with an in-process backend

// "blocks": K = 2 on SBS6, W = indicators of the even and of the odd channels, H = the block sums / 3, so
// W H = each sample's block means (exact on the matrix below). One iteration.
int blocks_fit(const sigstream_fit_request* rq, sigstream_fit_result* rs) {
    for (int c = 0; c < rq->k; ++c)
        for (int i = 0; i < rq->rows; ++i) rs->W[c * rq->rows + i] = (i % rq->k == c) ? 1.0 : 0.0;
    for (int j = 0; j < rq->cols; ++j)
        for (int c = 0; c < rq->k; ++c) {
            double s = 0;
            int m = 0;
            for (int i = c; i < rq->rows; i += rq->k, ++m) s += rq->V[j * rq->rows + i];
            rs->H[j * rq->k + c] = s / m;
        }
    rs->trace[0] = 1;
    rs->trace[1] = 0.5;
    rs->trace_length = 2;
    rs->iterations = 1;
    return SIGSTREAM_FIT_OK;
}

const sigstream_backend kBlocks = {
    sizeof(sigstream_backend), SIGSTREAM_BACKEND_API_VERSION, "blocks", "1", "test", "none", 0, nullptr, blocks_fit};
const sigstream_backend kBlocks2 = {
    sizeof(sigstream_backend), SIGSTREAM_BACKEND_API_VERSION, "blocks2", "1", "test", "none", 0, nullptr, blocks_fit};

// 6 channels x 12 samples, even channels a_j, odd channels b_j; sample 5 (index 4) is empty.
LabelledMatrix block_counts() {
    LabelledMatrix m;
    m.context = Context::SBS6;
    m.values.resize(6, 12);
    for (int j = 0; j < 12; ++j) {
        m.columns.push_back("S" + std::to_string(j + 1));
        const double a = j == 4 ? 0 : 10 + 7 * j, b = j == 4 ? 0 : 40 - 3 * j;
        for (int i = 0; i < 6; ++i) m.values(i, j) = i % 2 == 0 ? a : b;
    }
    return m;
}

LabelledMatrix block_reference() {
    LabelledMatrix r;
    r.context = Context::SBS6;
    r.columns = {"EVEN", "ODD", "FLAT"};
    r.values.resize(6, 3);
    for (int i = 0; i < 6; ++i) {
        r.values(i, 0) = i % 2 == 0 ? 1.0 / 3 : 0;
        r.values(i, 1) = i % 2 == 1 ? 1.0 / 3 : 0;
        r.values(i, 2) = 1.0 / 6;
    }
    return r;
}

TEST(CrossvalRun, ExactModelGivesZeroErrorAndPerfectAgreement) {
    const Backend blocks = Backend::built_in(&kBlocks), blocks2 = Backend::built_in(&kBlocks2);
    const LabelledMatrix counts = block_counts(), reference = block_reference();
    CrossvalOptions opt;
    opt.fit.k = 2;
    opt.splits = 3;
    opt.test_fraction = 0.2;
    opt.fit.seed = 11;
    opt.reference = &reference;
    int calls = 0;
    RunSettings run;
    run.progress = [&](const Progress& p) {
        ++calls;
        EXPECT_EQ(p.done, static_cast<std::uint64_t>(calls));
        EXPECT_EQ(p.total, 6u);
        EXPECT_EQ(p.unit, "fits");
        return Flow::proceed;
    };
    const CrossvalResult r = run_crossval(counts, {{&blocks, {}}, {&blocks2, {}}}, opt, run);
    EXPECT_EQ(calls, 6);
    EXPECT_EQ(r.empty_samples, (std::vector<std::string>{"S5"}));
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("S5"), std::string::npos);
    ASSERT_EQ(r.samples.size(), 11u);
    ASSERT_EQ(r.per_split.size(), 6u);
    ASSERT_EQ(r.splits.size(), 3u);
    for (int s = 1; s <= 3; ++s) {
        const CrossvalSplit& sp = r.splits[static_cast<std::size_t>(s - 1)];
        const CrossvalSplit expect = make_split(11, 0.2, crossval_seed(11, kSplitStream, s));
        EXPECT_EQ(sp.test, expect.test);
        EXPECT_EQ(sp.test.size(), 2u);  // round(2.2)
    }
    for (const SplitResult& s : r.per_split) {
        EXPECT_EQ(s.train_samples, 9);
        EXPECT_EQ(s.test_samples, 2);
        EXPECT_NEAR(s.train_mse, 0, 1e-20);
        EXPECT_NEAR(s.test_mse, 0, 1e-20);
        EXPECT_NEAR(s.cosmic_matched, 1, 1e-14);
        EXPECT_EQ(s.iterations, 1);
        EXPECT_EQ(s.objective, 0.5);
        EXPECT_EQ(s.fit_seed, crossval_seed(11, kFitStream, s.split));
        EXPECT_NEAR(s.W.colwise().sum().minCoeff(), 1, 1e-15);

        // The held-out statistics, recomputed by hand: b^ = W NNLS(W, a) = the block means of a.
        const CrossvalSplit& sp = r.splits[static_cast<std::size_t>(s.split - 1)];
        Eigen::MatrixXd test(6, static_cast<Eigen::Index>(sp.test.size()));
        for (std::size_t c = 0; c < sp.test.size(); ++c)
            test.col(static_cast<Eigen::Index>(c)) = r.counts.col(sp.test[c]);
        Eigen::MatrixXd A, B;
        binomial_halves(test, crossval_seed(11, kBinomialStream, s.split), A, B);
        double dev = 0, mse = 0;
        for (Eigen::Index j = 0; j < test.cols(); ++j)
            for (int i = 0; i < 6; ++i) {
                const double mean = (A(i % 2, j) + A(i % 2 + 2, j) + A(i % 2 + 4, j)) / 3, b = B(i, j);
                dev += 2 * ((b > 0 ? b * std::log(b / mean) : 0) - b + mean);
                mse += (b - mean) * (b - mean);
            }
        EXPECT_NEAR(s.heldout_deviance, dev / 12, 1e-12 * (1 + dev));
        EXPECT_NEAR(s.heldout_mse, mse / 12, 1e-12 * (1 + mse));
    }
    // Paired: both backends saw the same splits, seeds and halves.
    for (int s = 0; s < 3; ++s) {
        EXPECT_EQ(r.per_split[static_cast<std::size_t>(s)].heldout_deviance,
                  r.per_split[static_cast<std::size_t>(3 + s)].heldout_deviance);
        EXPECT_EQ(r.per_split[static_cast<std::size_t>(s)].fit_seed,
                  r.per_split[static_cast<std::size_t>(3 + s)].fit_seed);
    }
    ASSERT_EQ(r.summaries.size(), 2u);
    const BackendSummary& sum = r.summaries[0];
    EXPECT_NEAR(sum.consistency, 1, 1e-14);
    EXPECT_NEAR(sum.consistency_sd, 0, 1e-14);
    EXPECT_EQ(sum.consistency_pairs.size(), 3u);
    EXPECT_NEAR(sum.cosmic_per_split, 1, 1e-14);
    EXPECT_NEAR(sum.cosmic_medoids, 1, 1e-14);
    EXPECT_EQ(sum.medoids.cols(), 2);
    EXPECT_EQ(sum.medoid_split.size(), 2u);
    EXPECT_DOUBLE_EQ(sum.heldout_deviance, mean_of({r.per_split[0].heldout_deviance, r.per_split[1].heldout_deviance,
                                                    r.per_split[2].heldout_deviance}));
    EXPECT_EQ(sum.iterations, 1);
}

// A test sample with only a few mutations is left out of the held-out scores (its first half has fewer
// than kMinHeldOutHalf): the scores stay finite and HeldOutSamples counts the samples scored.
TEST(CrossvalRun, NearEmptyTestSamplesAreNotScoredHeldOut) {
    const Backend blocks = Backend::built_in(&kBlocks);
    LabelledMatrix counts = block_counts(), reference = block_reference();
    for (int i = 0; i < 6; ++i) counts.values(i, 0) = i % 2 == 0 ? 1 : 0;  // S1: 3 mutations
    CrossvalOptions opt;
    opt.fit.k = 2;
    opt.splits = 20;
    opt.test_fraction = 0.2;
    opt.fit.seed = 11;
    opt.reference = &reference;
    const CrossvalResult r = run_crossval(counts, {{&blocks, {}}}, opt);
    int short_splits = 0;
    for (const SplitResult& s : r.per_split) {
        const CrossvalSplit& sp = r.splits[static_cast<std::size_t>(s.split - 1)];
        Eigen::MatrixXd test(6, static_cast<Eigen::Index>(sp.test.size()));
        for (std::size_t c = 0; c < sp.test.size(); ++c)
            test.col(static_cast<Eigen::Index>(c)) = r.counts.col(sp.test[c]);
        Eigen::MatrixXd A, B;
        binomial_halves(test, crossval_seed(11, kBinomialStream, s.split), A, B);
        int scored = 0;
        for (Eigen::Index j = 0; j < A.cols(); ++j) scored += A.col(j).sum() >= kMinHeldOutHalf ? 1 : 0;
        EXPECT_EQ(s.heldout_samples, scored) << s.split;
        if (scored < s.test_samples) ++short_splits;
        if (scored > 0) {
            EXPECT_TRUE(std::isfinite(s.heldout_deviance)) << s.split;
        }
    }
    EXPECT_GT(short_splits, 0);  // S1 was tested in some split and left out there
    EXPECT_TRUE(std::isfinite(r.summaries[0].heldout_deviance));
}

TEST(CrossvalRun, ResultDoesNotDependOnThreads) {
    const Backend blocks = Backend::built_in(&kBlocks), blocks2 = Backend::built_in(&kBlocks2);
    const LabelledMatrix counts = block_counts(), reference = block_reference();
    CrossvalOptions opt;
    opt.fit.k = 2;
    opt.splits = 7;
    opt.reference = &reference;
    RunSettings run;
    run.threads = 1;
    const CrossvalResult one = run_crossval(counts, {{&blocks, {}}, {&blocks2, {}}}, opt, run);
    run.threads = 3;
    const CrossvalResult three = run_crossval(counts, {{&blocks, {}}, {&blocks2, {}}}, opt, run);
    ASSERT_EQ(one.per_split.size(), three.per_split.size());
    for (std::size_t j = 0; j < one.per_split.size(); ++j) {
        EXPECT_EQ(one.per_split[j].backend, three.per_split[j].backend);
        EXPECT_EQ(one.per_split[j].split, three.per_split[j].split);
        EXPECT_EQ(one.per_split[j].W, three.per_split[j].W);
        EXPECT_EQ(one.per_split[j].heldout_deviance, three.per_split[j].heldout_deviance);
        EXPECT_EQ(one.per_split[j].test_mse, three.per_split[j].test_mse);
    }
    EXPECT_EQ(one.summaries[1].consistency, three.summaries[1].consistency);
}

template <class E>
std::string error_of(const std::function<void()>& f) {
    return test::error_of<E>(f).what();
}

TEST(CrossvalRun, BadRequestsAreRefused) {
    const Backend blocks = Backend::built_in(&kBlocks);
    const LabelledMatrix counts = block_counts(), reference = block_reference();
    CrossvalOptions opt;
    opt.fit.k = 2;
    opt.splits = 3;
    opt.reference = &reference;
    opt.source = "m.tsv";
    auto run = [&](CrossvalOptions o, std::vector<CrossvalBackend> b) {
        return [o, b, &counts] { run_crossval(counts, b, o); };
    };
    CrossvalOptions o = opt;
    o.splits = 1;
    EXPECT_NE(error_of<UsageError>(run(o, {{&blocks, {}}})).find("--splits 1 is below 2"), std::string::npos);
    o = opt;
    o.test_fraction = 1;
    EXPECT_NE(error_of<UsageError>(run(o, {{&blocks, {}}})).find("--test-fraction"), std::string::npos);
    o = opt;
    o.fit.k = 6;
    EXPECT_NE(error_of<UsageError>(run(o, {{&blocks, {}}})).find("K must be from 1 to 5"), std::string::npos);
    EXPECT_NE(error_of<UsageError>(run(opt, {{&blocks, {}}, {&blocks, {}}})).find("listed twice"), std::string::npos);
    o = opt;
    o.fit.k = 5;
    o.test_fraction = 0.5;  // K = 5 at 50 %: n - round(n/2) >= 6 needs n = 12
    EXPECT_EQ(error_of<DataError>(run(o, {{&blocks, {}}})),
              "m.tsv: only 11 non-empty sample(s); with --k 5 and --test-fraction 0.5 every split needs at least 6 "
              "training samples and 1 test sample, i.e. at least 12 non-empty samples \xE2\x80\x94 add samples, lower "
              "--k, or change --test-fraction");
    LabelledMatrix sbs96 = reference;
    sbs96.context = Context::SBS96;
    o = opt;
    o.reference = &sbs96;
    EXPECT_NE(error_of<UsageError>(run(o, {{&blocks, {}}})).find("the reference is SBS96"), std::string::npos);
}

}  // namespace
}  // namespace sigstream
