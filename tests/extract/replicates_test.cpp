// Replicate fits over a K range (src/extract/replicates.h) with a deterministic backend linked into the
// test: W's column c is (resampled matrix column c) + (its last column), and the objective reports the
// start seed, so every replicate shows which matrix and which seed it was given.
#include "extract/replicates.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>
#include <utility>

#include "abi/sigstream_backend.h"
#include "core/errors.h"
#include "core/random.h"
#include "numeric/resample.h"

namespace sigstream {
namespace {

RunSettings threads(int n) {
    RunSettings run;
    run.threads = n;
    return run;
}

std::atomic<std::uint64_t> g_fail_seed{0};  // a fit with this start seed fails (0: none)

int probe_fit(const sigstream_fit_request* rq, sigstream_fit_result* rs) {
    if (g_fail_seed.load() != 0 && rq->seed == g_fail_seed.load()) {
        std::snprintf(rs->message, sizeof rs->message, "planted failure for K = %d", static_cast<int>(rq->k));
        return SIGSTREAM_FIT_FAILED;
    }
    bool zero_last = false;
    for (int p = 0; p < rq->n_params; ++p)
        if (std::strcmp(rq->params[p].key, "zero_last") == 0) zero_last = std::strcmp(rq->params[p].value, "1") == 0;
    const int rows = rq->rows, cols = rq->cols;
    for (int c = 0; c < rq->k; ++c)
        for (int i = 0; i < rows; ++i)
            rs->W[c * rows + i] =
                zero_last && c == rq->k - 1 ? 0.0 : rq->V[c * rows + i] + rq->V[(cols - 1) * rows + i];
    for (int i = 0; i < rq->k * cols; ++i) rs->H[i] = 1;
    rs->trace[0] = static_cast<double>(rq->seed >> 11);  // exact in a double
    rs->trace_length = 1;
    rs->iterations = rq->k;
    return SIGSTREAM_FIT_OK;
}

const Backend& probe() {
    static const sigstream_param_spec params[] = {
        {sizeof(sigstream_param_spec), "zero_last", "0", "1: return the last signature as zeros"}};
    static const sigstream_backend info = {sizeof(sigstream_backend),
                                           SIGSTREAM_BACKEND_API_VERSION,
                                           "probe",
                                           "1",
                                           "test probe",
                                           "start seed >> 11",
                                           1,
                                           params,
                                           probe_fit};
    static const Backend b = Backend::built_in(&info);
    return b;
}

// 96 x 8 counts; the last sample is hypermutated (total 50000), the others a few hundred mutations.
Eigen::MatrixXd counts() {
    Eigen::MatrixXd V(96, 8);
    for (int j = 0; j < 8; ++j)
        for (int i = 0; i < 96; ++i) V(i, j) = (i * 7 + j * 13) % 11 + (i % (j + 2) == 0 ? 4 : 0);
    V.col(7) *= 50000 / V.col(7).sum();
    V.col(7) = V.col(7).array().round();
    return V;
}

ReplicatePlan plan(std::vector<int> ks, int first, int last, int replicates = 4) {
    ReplicatePlan p;
    p.ks = std::move(ks);
    p.replicates = replicates;
    p.first = first;
    p.last = last;
    p.normalise = Normalisation::none;
    p.fit.seed = 77;
    p.fit.max_iter = 50;
    return p;
}

Eigen::MatrixXd expected_w(const Eigen::MatrixXd& B, int k) {
    Eigen::MatrixXd W(B.rows(), k);
    for (int c = 0; c < k; ++c) {
        W.col(c) = B.col(c) + B.col(B.cols() - 1);
        W.col(c) /= W.col(c).sum();
    }
    return W;
}

void expect_same(const std::vector<Replicate>& a, const std::vector<Replicate>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t n = 0; n < a.size(); ++n) {
        SCOPED_TRACE(n);
        EXPECT_EQ(a[n].k, b[n].k);
        EXPECT_EQ(a[n].index, b[n].index);
        EXPECT_EQ(a[n].iterations, b[n].iterations);
        EXPECT_EQ(a[n].objective, b[n].objective);
        EXPECT_EQ(a[n].W, b[n].W);  // bit for bit
    }
}

TEST(ReplicatesSeeds, AreTheDocumentedFunctionsOfRootKAndIndex) {
    for (int i : {0, 1, 7}) {
        EXPECT_EQ(bootstrap_seed(77, i), replicate_seed(77, 0, i));
        for (int k : {1, 2, 9}) EXPECT_EQ(start_seed(77, k, i), replicate_seed(77, k, i));
    }
    EXPECT_NE(bootstrap_seed(77, 1), bootstrap_seed(77, 2));
    EXPECT_NE(bootstrap_seed(77, 1), bootstrap_seed(78, 1));
}

TEST(ReplicatesMatrix, IsTheBootstrapOfItsIndexAndKeepsColumnTotals) {
    const Eigen::MatrixXd V = counts();
    for (int i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        const Eigen::MatrixXd B = replicate_matrix(V, 77, i, Normalisation::none);
        EXPECT_EQ(B, bootstrap_counts(V, replicate_seed(77, 0, i)));
        EXPECT_EQ(B, replicate_matrix(V, 77, i, Normalisation::none));  // deterministic
        for (Eigen::Index j = 0; j < V.cols(); ++j) EXPECT_EQ(B.col(j).sum(), std::round(V.col(j).sum())) << j;
        EXPECT_NE(B, V);
    }
    EXPECT_NE(replicate_matrix(V, 77, 0, Normalisation::none), replicate_matrix(V, 77, 1, Normalisation::none));
}

TEST(ReplicatesMatrix, NormalisationIsAppliedAfterResampling) {
    const Eigen::MatrixXd V = counts();
    const Eigen::MatrixXd B = replicate_matrix(V, 77, 2, Normalisation::none);
    const Eigen::MatrixXd N = replicate_matrix(V, 77, 2, Normalisation::x100);
    EXPECT_NEAR(N.col(7).sum(), 9600.0, 1e-8);  // 50000 -> 100 x 96
    EXPECT_LT((N.col(7) - B.col(7) * (9600.0 / B.col(7).sum())).cwiseAbs().maxCoeff(), 1e-9);
    EXPECT_EQ(N.leftCols(7), B.leftCols(7));  // the others are below the cap
}

TEST(ReplicatesFit, OrderedByKThenIndexWithTheirSeedsAndMatrices) {
    const Eigen::MatrixXd V = counts();
    const std::vector<Replicate> out = fit_replicates(V, probe(), plan({2, 3, 5}, 1, 4), threads(2));
    ASSERT_EQ(out.size(), 9u);
    std::size_t n = 0;
    for (int k : {2, 3, 5})
        for (int i = 1; i < 4; ++i, ++n) {
            SCOPED_TRACE("K = " + std::to_string(k) + ", replicate " + std::to_string(i));
            const Replicate& r = out[n];
            EXPECT_EQ(r.k, k);
            EXPECT_EQ(r.index, i);
            EXPECT_EQ(r.iterations, k);
            EXPECT_EQ(r.objective, static_cast<double>(replicate_seed(77, k, i) >> 11));
            ASSERT_EQ(r.W.rows(), 96);
            ASSERT_EQ(r.W.cols(), k);
            const Eigen::MatrixXd W = expected_w(bootstrap_counts(V, replicate_seed(77, 0, i)), k);
            EXPECT_LT((r.W - W).cwiseAbs().maxCoeff(), 1e-15);
            for (int c = 0; c < k; ++c) EXPECT_NEAR(r.W.col(c).sum(), 1.0, 1e-14);
        }
    // the same resampled matrix for every K: the first two signatures agree bit for bit
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(out[static_cast<std::size_t>(i)].W, out[static_cast<std::size_t>(3 + i)].W.leftCols(2)) << i;
        EXPECT_EQ(out[static_cast<std::size_t>(i)].W, out[static_cast<std::size_t>(6 + i)].W.leftCols(2)) << i;
    }
}

TEST(ReplicatesFit, ResultsDoNotDependOnThreadsOrShards) {
    const Eigen::MatrixXd V = counts();
    const std::vector<Replicate> one = fit_replicates(V, probe(), plan({1, 2, 4, 6}, 0, 5, 5), threads(1));
    ASSERT_EQ(one.size(), 20u);
    expect_same(one, fit_replicates(V, probe(), plan({1, 2, 4, 6}, 0, 5, 5), threads(2)));
    expect_same(one, fit_replicates(V, probe(), plan({1, 2, 4, 6}, 0, 5, 5), threads(4)));
    expect_same(one, fit_replicates(V, probe(), plan({1, 2, 4, 6}, 0, 5, 5), threads(64)));
    // split as shards [0, 2) and [2, 5): the same fits
    const std::vector<Replicate> a = fit_replicates(V, probe(), plan({1, 2, 4, 6}, 0, 2, 5), threads(3));
    const std::vector<Replicate> b = fit_replicates(V, probe(), plan({1, 2, 4, 6}, 2, 5, 5), threads(2));
    std::vector<Replicate> merged;
    for (int k : {1, 2, 4, 6}) {
        for (const Replicate& r : a)
            if (r.k == k) merged.push_back(r);
        for (const Replicate& r : b)
            if (r.k == k) merged.push_back(r);
    }
    expect_same(one, merged);
}

TEST(ReplicatesFit, FitsTheNormalisedResampledMatrix) {
    const Eigen::MatrixXd V = counts();
    ReplicatePlan p = plan({2}, 0, 2);
    p.normalise = Normalisation::x100;
    const std::vector<Replicate> out = fit_replicates(V, probe(), p, threads(2));
    ASSERT_EQ(out.size(), 2u);
    for (int i = 0; i < 2; ++i) {
        Eigen::MatrixXd B = bootstrap_counts(V, replicate_seed(77, 0, i));
        B.col(7) *= 9600.0 / B.col(7).sum();
        EXPECT_LT((out[static_cast<std::size_t>(i)].W - expected_w(B, 2)).cwiseAbs().maxCoeff(), 1e-14) << i;
        // and not the unnormalised one
        EXPECT_GT((out[static_cast<std::size_t>(i)].W - expected_w(bootstrap_counts(V, replicate_seed(77, 0, i)), 2))
                      .cwiseAbs()
                      .maxCoeff(),
                  1e-4);
    }
}

TEST(ReplicatesFit, AnAllZeroSignatureBecomesUniform) {
    ReplicatePlan p = plan({3}, 0, 1);
    p.fit.params = {{"zero_last", "1"}};
    const std::vector<Replicate> out = fit_replicates(counts(), probe(), p, threads(1));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].W.col(2).isConstant(1.0 / 96, 0));
    EXPECT_NEAR(out[0].W.col(0).sum(), 1.0, 1e-14);
}

TEST(ReplicatesFit, ProgressIsCalledOncePerFitOneAtATimeCountingUp) {
    const ReplicatePlan p = plan({2, 3, 4}, 0, 6, 6);
    std::vector<int> dones;
    std::set<std::pair<int, int>> seen;
    std::atomic<int> inside{0};
    bool overlapped = false, bad_total = false;
    RunSettings run = threads(4);
    run.progress = [&](const Progress& pr) {
        if (inside.fetch_add(1) != 0) overlapped = true;
        dones.push_back(static_cast<int>(pr.done));
        int k = 0, index = 0;
        EXPECT_EQ(std::sscanf(std::string(pr.detail).c_str(), "K=%d replicate %d", &k, &index), 2) << pr.detail;
        seen.insert({k, index});
        if (pr.total != 18 || pr.unit != "fits") bad_total = true;
        inside.fetch_sub(1);
        return Flow::proceed;
    };
    const std::vector<Replicate> out = fit_replicates(counts(), probe(), p, run);
    EXPECT_EQ(out.size(), 18u);
    ASSERT_EQ(dones.size(), 18u);
    for (int n = 0; n < 18; ++n) EXPECT_EQ(dones[static_cast<std::size_t>(n)], n + 1);
    EXPECT_EQ(seen.size(), 18u);
    EXPECT_FALSE(overlapped);
    EXPECT_FALSE(bad_total);
}

TEST(ReplicatesFit, AFailingReplicateIsRethrown) {
    struct Reset {
        ~Reset() { g_fail_seed.store(0); }
    } reset;
    g_fail_seed.store(start_seed(77, 3, 2));
    for (int n : {1, 2, 4}) {
        SCOPED_TRACE(n);
        try {
            fit_replicates(counts(), probe(), plan({2, 3, 4}, 0, 4), threads(n));
            ADD_FAILURE() << "no exception";
        } catch (const DataError& e) {
            EXPECT_NE(std::string(e.what()).find("planted failure for K = 3"), std::string::npos) << e.what();
        }
    }
    // the other replicates alone are fine
    EXPECT_EQ(fit_replicates(counts(), probe(), plan({2, 3, 4}, 0, 2), threads(2)).size(), 6u);
    EXPECT_EQ(fit_replicates(counts(), probe(), plan({2, 4}, 0, 4), threads(2)).size(), 8u);
}

TEST(ReplicatesFit, StopEndsTheRunWithCancelled) {
    RunSettings run = threads(2);
    int calls = 0;
    run.progress = [&](const Progress&) { return ++calls < 3 ? Flow::proceed : Flow::stop; };
    EXPECT_THROW(fit_replicates(counts(), probe(), plan({2, 3, 4}, 0, 6, 6), run), Cancelled);
    EXPECT_LT(calls, 18);
}

TEST(ReplicatesFit, BackendUsageErrorsPassThrough) {
    ReplicatePlan p = plan({2}, 0, 2);
    p.fit.params = {{"no_such_key", "1"}};
    EXPECT_THROW(fit_replicates(counts(), probe(), p, threads(2)), UsageError);
}

}  // namespace
}  // namespace sigstream
