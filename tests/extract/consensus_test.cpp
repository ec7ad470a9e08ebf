// Consensus of replicate signatures (src/extract/consensus.h). Silhouettes, cosines and means are
// recomputed here from the header's definitions.
#include "extract/consensus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

namespace sigstream {
namespace {

constexpr double kPi = 3.14159265358979323846;

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    return a.dot(b) / (a.norm() * b.norm());
}

// A profile in the first two of `channels` channels at `degrees`, scaled to sum 1.
Eigen::VectorXd at_angle(double degrees, int channels = 4) {
    Eigen::VectorXd v = Eigen::VectorXd::Zero(channels);
    v(0) = std::cos(degrees * kPi / 180);
    v(1) = std::sin(degrees * kPi / 180);
    return v / v.sum();
}

Eigen::MatrixXd columns(const std::vector<Eigen::VectorXd>& cols) {
    Eigen::MatrixXd W(cols[0].size(), static_cast<Eigen::Index>(cols.size()));
    for (std::size_t c = 0; c < cols.size(); ++c) W.col(static_cast<Eigen::Index>(c)) = cols[c];
    return W;
}

// Silhouette of a point whose own cluster (without it) is at angles `own` and whose other cluster is at
// angles `other`, all differences in degrees, distance 1 - cos.
double silhouette(const std::vector<double>& own, const std::vector<double>& other) {
    auto mean_dist = [](const std::vector<double>& d) {
        double s = 0;
        for (double x : d) s += 1 - std::cos(x * kPi / 180);
        return s / static_cast<double>(d.size());
    };
    const double a = mean_dist(own), b = mean_dist(other);
    return (b - a) / std::max(a, b);
}

bool is_permutation_of_k(const std::vector<int>& m, int k) {
    std::vector<int> s = m;
    std::sort(s.begin(), s.end());
    std::vector<int> id(k);
    std::iota(id.begin(), id.end(), 0);
    return s == id;
}

TEST(ConsensusSilhouette, TwoReplicatesTwoClustersExact) {
    // cluster one at 0 and 10 degrees, cluster two at 90 and 80; replicate 1 gives its columns swapped
    const std::vector<Eigen::MatrixXd> reps = {columns({at_angle(0), at_angle(90)}),
                                               columns({at_angle(80), at_angle(10)})};
    const ConsensusResult c = consensus_signatures(reps);
    EXPECT_EQ(c.reference, 0);  // equal agreement: the lowest index
    ASSERT_EQ(c.member.size(), 2u);
    EXPECT_TRUE(is_permutation_of_k(c.member[0], 2));
    EXPECT_TRUE(is_permutation_of_k(c.member[1], 2));
    EXPECT_EQ(c.member[0], (std::vector<int>{0, 1}));  // centroids start as the reference's columns
    EXPECT_EQ(c.member[1], (std::vector<int>{1, 0}));
    EXPECT_GE(c.rounds, 1);

    // point at 0: a = d(10), b = mean(d(90), d(80)); point at 10: a = d(10), b = mean(d(80), d(70))
    const double s0 = silhouette({10}, {90, 80}), s10 = silhouette({10}, {80, 70});
    const double s90 = silhouette({10}, {90, 80}), s80 = silhouette({10}, {80, 70});
    ASSERT_EQ(c.stability.size(), 2);
    EXPECT_NEAR(c.stability(0), (s0 + s10) / 2, 1e-12);
    EXPECT_NEAR(c.stability(1), (s90 + s80) / 2, 1e-12);
    EXPECT_GT(c.stability(0), 0.9);

    // mean: the members' average, scaled to sum 1
    const Eigen::VectorXd m0 = (at_angle(0) + at_angle(10)) / 2, m1 = (at_angle(90) + at_angle(80)) / 2;
    EXPECT_LT((c.mean.col(0) - m0 / m0.sum()).cwiseAbs().maxCoeff(), 1e-15);
    EXPECT_LT((c.mean.col(1) - m1 / m1.sum()).cwiseAbs().maxCoeff(), 1e-15);
    EXPECT_NEAR(c.mean.col(0).sum(), 1.0, 1e-15);
    // medoid: both members are equally central, so replicate 0's
    EXPECT_LT((c.medoid.col(0) - at_angle(0)).cwiseAbs().maxCoeff(), 1e-15);
    EXPECT_LT((c.medoid.col(1) - at_angle(90)).cwiseAbs().maxCoeff(), 1e-15);
    // mean cosine of the members to the consensus
    EXPECT_NEAR(c.mean_member_cosine(0), (cosine(at_angle(0), m0) + cosine(at_angle(10), m0)) / 2, 1e-14);
    EXPECT_NEAR(c.mean_member_cosine(1), (cosine(at_angle(90), m1) + cosine(at_angle(80), m1)) / 2, 1e-14);
}

TEST(ConsensusSilhouette, AsymmetricClustersHaveTheirOwnStability) {
    // cluster one at 0 and 15, cluster two at 90 and 70, in three channels; replicate 0 swapped this time
    const std::vector<Eigen::MatrixXd> reps = {columns({at_angle(70, 3), at_angle(0, 3)}),
                                               columns({at_angle(15, 3), at_angle(90, 3)})};
    const ConsensusResult c = consensus_signatures(reps);
    EXPECT_EQ(c.reference, 0);
    // cluster 0 is replicate 0's column 0 (70 degrees), which pairs with replicate 1's column 1 (90)
    EXPECT_EQ(c.member[0], (std::vector<int>{0, 1}));
    EXPECT_EQ(c.member[1], (std::vector<int>{1, 0}));
    const double s70 = silhouette({20}, {70, 55}), s90 = silhouette({20}, {90, 75});
    const double s0 = silhouette({15}, {70, 90}), s15 = silhouette({15}, {55, 75});
    EXPECT_NEAR(c.stability(0), (s70 + s90) / 2, 1e-12);
    EXPECT_NEAR(c.stability(1), (s0 + s15) / 2, 1e-12);
    EXPECT_GT(std::abs(c.stability(0) - c.stability(1)), 1e-3);  // the test tells the clusters apart
}

// A random COSMIC-like profile: a low background and a few strong peaks, summing to 1.
Eigen::VectorXd random_profile(std::mt19937_64& rng, int channels = 96) {
    std::uniform_real_distribution<double> u(0, 1);
    Eigen::VectorXd v(channels);
    for (int i = 0; i < channels; ++i) v(i) = 0.02 * u(rng) + (u(rng) < 0.08 ? 0.3 + u(rng) : 0.0);
    return v / v.sum();
}

// `truth` with its columns permuted and each entry multiplied by 1 + noise*U(-1, 1), columns renormalised.
Eigen::MatrixXd noisy_permutation(const Eigen::MatrixXd& truth, const std::vector<int>& perm, double noise,
                                  std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(-1, 1);
    Eigen::MatrixXd W(truth.rows(), truth.cols());
    for (Eigen::Index c = 0; c < truth.cols(); ++c) {
        W.col(c) = truth.col(perm[c]);
        for (Eigen::Index i = 0; i < W.rows(); ++i) W(i, c) *= 1 + noise * u(rng);
        W.col(c) /= W.col(c).sum();
    }
    return W;
}

TEST(ConsensusPlanted, PermutedNoisyReplicatesRecoverTheTruth) {
    std::mt19937_64 rng(20240601);
    const int K = 4, R = 10;
    Eigen::MatrixXd truth(96, K);
    for (int c = 0; c < K; ++c) truth.col(c) = random_profile(rng);
    std::vector<Eigen::MatrixXd> reps;
    std::vector<std::vector<int>> perms;
    std::vector<int> perm = {0, 1, 2, 3};
    for (int r = 0; r < R; ++r) {
        std::shuffle(perm.begin(), perm.end(), rng);
        perms.push_back(perm);  // replicate r's column c is truth column perm[c]
        reps.push_back(noisy_permutation(truth, perm, 0.05, rng));
    }
    const ConsensusResult c = consensus_signatures(reps);
    ASSERT_EQ(c.member.size(), static_cast<std::size_t>(R));
    std::vector<int> truth_of_cluster(K, -1);
    for (int cl = 0; cl < K; ++cl) {
        // every member of the cluster is the same truth column
        const int t = perms[0][c.member[0][cl]];
        truth_of_cluster[cl] = t;
        for (int r = 0; r < R; ++r) EXPECT_EQ(perms[r][c.member[r][cl]], t) << "replicate " << r << " cluster " << cl;
        EXPECT_GT(cosine(c.mean.col(cl), truth.col(t)), 0.999) << cl;
        EXPECT_GT(c.stability(cl), 0.9) << cl;
        EXPECT_NEAR(c.mean.col(cl).sum(), 1.0, 1e-12);
        EXPECT_NEAR(c.medoid.col(cl).sum(), 1.0, 1e-12);
        // the consensus is the normalised mean of exactly these members
        Eigen::VectorXd m = Eigen::VectorXd::Zero(96);
        for (int r = 0; r < R; ++r) m += reps[r].col(c.member[r][cl]);
        EXPECT_LT((c.mean.col(cl) - m / m.sum()).cwiseAbs().maxCoeff(), 1e-15);
        // the medoid is the member with the smallest total distance to the others
        int best = -1;
        double best_total = HUGE_VAL;
        for (int r = 0; r < R; ++r) {
            double t2 = 0;
            for (int q = 0; q < R; ++q) t2 += 1 - cosine(reps[r].col(c.member[r][cl]), reps[q].col(c.member[q][cl]));
            if (t2 < best_total - 1e-12) best_total = t2, best = r;
        }
        const Eigen::VectorXd med = reps[best].col(c.member[best][cl]);
        EXPECT_LT((c.medoid.col(cl) - med / med.sum()).cwiseAbs().maxCoeff(), 1e-15) << cl;
    }
    std::vector<int> sorted = truth_of_cluster;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<int>{0, 1, 2, 3}));
    for (int r = 0; r < R; ++r) EXPECT_TRUE(is_permutation_of_k(c.member[r], K));
}

TEST(ConsensusOneSignature, StabilityIsTheMeanPairwiseCosine) {
    std::mt19937_64 rng(7);
    const Eigen::VectorXd base = random_profile(rng);
    std::vector<Eigen::MatrixXd> reps;
    for (int r = 0; r < 4; ++r) reps.push_back(noisy_permutation(base, {0}, 0.6, rng));  // quite different
    const ConsensusResult c = consensus_signatures(reps);
    double sum = 0;
    int pairs = 0;
    for (int r = 0; r < 4; ++r)
        for (int q = 0; q < 4; ++q)
            if (r != q) sum += cosine(reps[r].col(0), reps[q].col(0)), ++pairs;
    ASSERT_EQ(c.stability.size(), 1);
    EXPECT_NEAR(c.stability(0), sum / pairs, 1e-12);
    EXPECT_LT(c.stability(0), 0.99);  // the replicates do differ
    for (int r = 0; r < 4; ++r) EXPECT_EQ(c.member[r], std::vector<int>{0});
}

TEST(ConsensusOneReplicate, StabilityIsZero) {
    const std::vector<Eigen::MatrixXd> reps = {columns({at_angle(0), at_angle(90), at_angle(45)})};
    const ConsensusResult c = consensus_signatures(reps);
    ASSERT_EQ(c.stability.size(), 3);
    for (int k = 0; k < 3; ++k) EXPECT_EQ(c.stability(k), 0.0) << k;  // one member per cluster: s = 0
    EXPECT_EQ(c.reference, 0);
    EXPECT_EQ(c.member[0], (std::vector<int>{0, 1, 2}));
    EXPECT_LT((c.mean - reps[0]).cwiseAbs().maxCoeff(), 1e-15);
    EXPECT_LT((c.medoid - reps[0]).cwiseAbs().maxCoeff(), 1e-15);
}

// One member, no pairs: K = 1 with one replicate is not stable (stability 0, as for K >= 2).
TEST(ConsensusOneReplicate, OneSignatureOneReplicateIsNotStable) {
    const ConsensusResult c = consensus_signatures({columns({at_angle(30)})});
    ASSERT_EQ(c.stability.size(), 1);
    EXPECT_EQ(c.stability(0), 0.0);
}

TEST(ConsensusReference, AnOutlierReplicateIsNeverTheReference) {
    std::mt19937_64 rng(99);
    const int K = 3, R = 5;
    Eigen::MatrixXd truth(96, K);
    for (int c = 0; c < K; ++c) truth.col(c) = random_profile(rng);
    Eigen::MatrixXd outlier(96, K);
    for (int c = 0; c < K; ++c) outlier.col(c) = random_profile(rng);
    for (int at = 0; at < R; ++at) {
        SCOPED_TRACE(at);
        std::vector<Eigen::MatrixXd> reps;
        for (int r = 0; r < R; ++r) {
            std::vector<int> perm = {0, 1, 2};
            std::shuffle(perm.begin(), perm.end(), rng);
            reps.push_back(r == at ? outlier : noisy_permutation(truth, perm, 0.1, rng));
        }
        const ConsensusResult c = consensus_signatures(reps);
        EXPECT_NE(c.reference, at);
    }
}

TEST(ConsensusReference, TheMostCentralReplicateIsTheReference) {
    // replicate 2 is the noise-free truth, the others are noisy: 2 agrees best with everyone
    std::mt19937_64 rng(5);
    Eigen::MatrixXd truth(96, 2);
    for (int c = 0; c < 2; ++c) truth.col(c) = random_profile(rng);
    std::vector<Eigen::MatrixXd> reps;
    for (int r = 0; r < 4; ++r) reps.push_back(noisy_permutation(truth, {r % 2, 1 - r % 2}, r == 2 ? 0.0 : 0.3, rng));
    EXPECT_EQ(consensus_signatures(reps).reference, 2);
}

TEST(ConsensusInput, RejectsNoReplicatesAndDifferentShapes) {
    EXPECT_THROW(consensus_signatures({}), std::invalid_argument);
    EXPECT_THROW(consensus_signatures({Eigen::MatrixXd::Constant(4, 2, 0.25), Eigen::MatrixXd::Constant(4, 3, 0.25)}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace sigstream
