// Consensus solutions and the choice of K (src/extract/selection.h), on hand-made replicate sets over a
// matrix V = W_true H_true with three planted signatures. Exposures, reconstruction metrics, silhouettes
// and deviance gains are recomputed here from the header's definitions.
#include "extract/selection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace sigstream {
namespace {

// The consensus solutions of every K and the choice among them (what the consensus and select stages do).
struct Selection {
    std::vector<Solution> solutions;
    std::size_t chosen = 0;
    std::string reason;
    std::vector<std::string> warnings;
};

Selection select_k(const LabelledMatrix& counts, const FitInput& input, const std::vector<Replicate>& replicates,
                   const SelectionRule& rule, Normalisation normalise = Normalisation::none) {
    Selection s;
    s.solutions = build_solutions(counts, input, replicates, normalise);
    const Choice c = choose_k(s.solutions, rule, input.kept.size());
    s.chosen = c.chosen;
    s.reason = c.reason;
    s.warnings = c.warnings;
    return s;
}

constexpr int kSamples = 41;  // 40 with mutations, S8 empty
constexpr int kEmpty = 7;

Eigen::VectorXd random_profile(std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    Eigen::VectorXd v(96);
    for (int i = 0; i < 96; ++i) v(i) = 0.02 * u(rng) + (u(rng) < 0.1 ? 0.3 + u(rng) : 0.0);
    return v / v.sum();
}

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    return a.dot(b) / (a.norm() * b.norm());
}

struct Planted {
    Eigen::MatrixXd W;  // 96 x 3, columns sum to 1
    Eigen::MatrixXd H;  // 3 x kSamples (zero column kEmpty)
    LabelledMatrix counts;
    FitInput input;
};

// Row totals of H: signature 1 the largest, then 2, then 0, so the solution's order is 1, 2, 0.
Planted planted() {
    std::mt19937_64 rng(314159);
    Planted p;
    p.W.resize(96, 3);
    for (int c = 0; c < 3; ++c) p.W.col(c) = random_profile(rng);
    p.H = Eigen::MatrixXd::Zero(3, kSamples);
    for (int j = 0; j < kSamples; ++j) {
        if (j == kEmpty) continue;
        p.H(0, j) = 40 + (j * 37) % 90;
        p.H(1, j) = j % 4 == 0 ? 0 : 300 + (j * 53) % 400;
        p.H(2, j) = j % 5 == 1 ? 0 : 120 + (j * 17) % 150;
    }
    p.counts.context = Context::SBS96;
    for (int j = 0; j < kSamples; ++j) p.counts.columns.push_back("S" + std::to_string(j + 1));
    p.counts.values = p.W * p.H;
    p.input = prepare_fit_input(p.counts, "planted.tsv");
    return p;
}

// Replicate sets. Each returns R replicates of one K, with the given indices.
Eigen::MatrixXd perturb(Eigen::MatrixXd W, double noise, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(-1, 1);
    for (Eigen::Index c = 0; c < W.cols(); ++c) {
        for (Eigen::Index i = 0; i < W.rows(); ++i) W(i, c) *= 1 + noise * u(rng);
        W.col(c) /= W.col(c).sum();
    }
    return W;
}

Replicate make_replicate(int k, int index, Eigen::MatrixXd W) {
    Replicate r;
    r.k = k;
    r.index = index;
    r.W = std::move(W);
    return r;
}

// The truth's columns `cols`, permuted differently in each replicate, with relative noise.
std::vector<Replicate> true_replicates(const Eigen::MatrixXd& truth, std::vector<int> cols, int R, double noise,
                                       std::mt19937_64& rng) {
    std::vector<Replicate> out;
    for (int r = 0; r < R; ++r) {
        std::shuffle(cols.begin(), cols.end(), rng);
        Eigen::MatrixXd W(96, static_cast<Eigen::Index>(cols.size()));
        for (std::size_t c = 0; c < cols.size(); ++c) W.col(static_cast<Eigen::Index>(c)) = truth.col(cols[c]);
        out.push_back(make_replicate(static_cast<int>(cols.size()), r, noise > 0 ? perturb(W, noise, rng) : W));
    }
    return out;
}

// K = 4: the truth plus a fourth column that differs in every replicate (two channels of its own).
std::vector<Replicate> spurious_replicates(const Eigen::MatrixXd& truth, int R, std::mt19937_64& rng) {
    std::vector<Replicate> out;
    for (int r = 0; r < R; ++r) {
        Eigen::MatrixXd W(96, 4);
        W.leftCols(3) = perturb(truth, 1e-3, rng);
        W.col(3).setZero();
        W(10 + 2 * r, 3) = 0.7;
        W(11 + 2 * r, 3) = 0.3;
        std::vector<int> perm = {0, 1, 2, 3};
        std::shuffle(perm.begin(), perm.end(), rng);
        Eigen::MatrixXd P(96, 4);
        for (int c = 0; c < 4; ++c) P.col(c) = W.col(perm[c]);
        out.push_back(make_replicate(4, r, P));
    }
    return out;
}

// K = 2: every column a random mixture of the three true signatures.
std::vector<Replicate> merged_replicates(const Eigen::MatrixXd& truth, int R, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<Replicate> out;
    for (int r = 0; r < R; ++r) {
        Eigen::MatrixXd W(96, 2);
        for (int c = 0; c < 2; ++c) {
            Eigen::Vector3d w(u(rng), u(rng), u(rng));
            W.col(c) = truth * (w / w.sum());
        }
        out.push_back(make_replicate(2, r, W));
    }
    return out;
}

std::vector<Replicate> concat(std::vector<std::vector<Replicate>> sets) {
    std::vector<Replicate> all;
    for (auto& s : sets)
        for (auto& r : s) all.push_back(std::move(r));
    return all;
}

// min ||W x - v|| subject to x >= 0 by enumerating supports: the optimum is the least-squares solution on
// its own support, with positive coefficients there, and no other such solution fits better.
Eigen::VectorXd nnls_by_enumeration(const Eigen::MatrixXd& W, const Eigen::VectorXd& v) {
    const int K = static_cast<int>(W.cols());
    Eigen::VectorXd best = Eigen::VectorXd::Zero(K);
    double best_res = v.squaredNorm();
    for (int mask = 1; mask < (1 << K); ++mask) {
        std::vector<int> S;
        for (int c = 0; c < K; ++c)
            if (mask & (1 << c)) S.push_back(c);
        Eigen::MatrixXd WS(W.rows(), static_cast<Eigen::Index>(S.size()));
        for (std::size_t c = 0; c < S.size(); ++c) WS.col(static_cast<Eigen::Index>(c)) = W.col(S[c]);
        const Eigen::VectorXd xs = WS.colPivHouseholderQr().solve(v);
        if ((xs.array() <= 0).any()) continue;
        const double res = (WS * xs - v).squaredNorm();
        if (res < best_res) {
            best_res = res;
            best.setZero();
            for (std::size_t c = 0; c < S.size(); ++c) best(S[c]) = xs(static_cast<Eigen::Index>(c));
        }
    }
    return best;
}

// Mean silhouette of each signature's cluster, from the solution's memberships (distance 1 - cos).
Eigen::VectorXd silhouettes(const Solution& s) {
    const int K = s.k, R = static_cast<int>(s.replicates.size());
    auto point = [&](int c, int r) -> Eigen::VectorXd { return s.replicates[r]->W.col(s.member[r][c]); };
    auto dist = [&](int c1, int r1, int c2, int r2) { return 1 - cosine(point(c1, r1), point(c2, r2)); };
    Eigen::VectorXd out = Eigen::VectorXd::Zero(K);
    for (int c = 0; c < K; ++c) {
        for (int r = 0; r < R; ++r) {
            double a = 0;
            for (int q = 0; q < R; ++q)
                if (q != r) a += dist(c, r, c, q);
            a /= R - 1;
            double b = HUGE_VAL;
            for (int o = 0; o < K; ++o) {
                if (o == c) continue;
                double m = 0;
                for (int q = 0; q < R; ++q) m += dist(c, r, o, q);
                b = std::min(b, m / R);
            }
            out(c) += (b - a) / std::max(a, b);
        }
        out(c) /= R;
    }
    return out;
}

// FrobeniusPct, KL and MeanSampleCosine of a solution over the non-empty samples, from the definitions.
struct Metrics {
    double frob, kl, cos;
};
Metrics metrics(const Solution& s, const Eigen::MatrixXd& V) {
    const Eigen::MatrixXd R = s.signatures.values * s.exposures;
    double res = 0, norm = 0, kl = 0, cos = 0;
    int n = 0;
    for (Eigen::Index j = 0; j < V.cols(); ++j) {
        if (V.col(j).sum() == 0) continue;
        ++n;
        for (Eigen::Index i = 0; i < V.rows(); ++i) {
            const double v = V(i, j), h = R(i, j);
            res += (v - h) * (v - h);
            norm += v * v;
            kl += (v > 0 ? v * std::log(v / h) : 0.0) - v + h;
        }
        cos += cosine(V.col(j), R.col(j));
    }
    return {100 * std::sqrt(res / norm), kl, cos / n};
}

void expect_exposures_are_nnls(const Solution& s, const Planted& p) {
    ASSERT_EQ(s.exposures.rows(), s.k);
    ASSERT_EQ(s.exposures.cols(), kSamples);
    for (int j = 0; j < kSamples; ++j) {
        SCOPED_TRACE("sample " + std::to_string(j));
        if (j == kEmpty) {
            EXPECT_TRUE(s.exposures.col(j).isZero(0));
            continue;
        }
        const Eigen::VectorXd x = nnls_by_enumeration(s.signatures.values, p.counts.values.col(j));
        EXPECT_LT((s.exposures.col(j) - x).cwiseAbs().maxCoeff(), 1e-7 * (1 + x.cwiseAbs().maxCoeff()));
    }
}

void expect_metrics_from_definitions(const Solution& s, const Planted& p) {
    const Metrics m = metrics(s, p.counts.values);
    EXPECT_NEAR(s.frobenius_pct, m.frob, 1e-9 * (1 + m.frob));
    EXPECT_NEAR(s.kl, m.kl, 1e-7 * (1 + m.kl));
    EXPECT_NEAR(s.mean_sample_cosine, m.cos, 1e-12);
}

void expect_ordered_by_exposure(const Solution& s) {
    const Eigen::VectorXd load = s.exposures.rowwise().sum();
    for (int c = 0; c + 1 < s.k; ++c) EXPECT_GE(load(c), load(c + 1)) << c;
    for (int c = 0; c < s.k; ++c) EXPECT_EQ(s.signatures.columns[c], signature_name(Context::SBS96, c));
    EXPECT_EQ(s.medoids.columns, s.signatures.columns);
}

TEST(SelectionPlanted, NoiseFreeTruthGivesTheTrueExposuresInOrderOfLoad) {
    const Planted p = planted();
    std::mt19937_64 rng(1);
    std::vector<Replicate> reps = true_replicates(p.W, {0, 1, 2}, 5, 0.0, rng);
    std::vector<const Replicate*> ptrs;
    for (int r : {3, 0, 4, 1, 2}) ptrs.push_back(&reps[r]);  // any order: used by index
    const Solution s = build_solution(p.counts, p.input, 3, ptrs);
    ASSERT_EQ(s.k, 3);
    ASSERT_EQ(s.replicates.size(), 5u);
    for (int r = 0; r < 5; ++r) EXPECT_EQ(s.replicates[r]->index, r);
    const int order[3] = {1, 2, 0};  // by decreasing row total of H
    ASSERT_GT(p.H.row(1).sum(), p.H.row(2).sum());
    ASSERT_GT(p.H.row(2).sum(), p.H.row(0).sum());
    EXPECT_EQ(s.signatures.columns, (std::vector<std::string>{"SBS96A", "SBS96B", "SBS96C"}));
    for (int pos = 0; pos < 3; ++pos) {
        SCOPED_TRACE(pos);
        const int t = order[pos];
        EXPECT_LT((s.signatures.values.col(pos) - p.W.col(t)).cwiseAbs().maxCoeff(), 1e-15);
        EXPECT_LT((s.medoids.values.col(pos) - p.W.col(t)).cwiseAbs().maxCoeff(), 1e-15);
        EXPECT_LT((s.exposures.row(pos) - p.H.row(t)).cwiseAbs().maxCoeff(), 1e-9);
        EXPECT_NEAR(s.member_cosine(pos), 1.0, 1e-12);
        EXPECT_NEAR(s.medoid_cosine(pos), 1.0, 1e-12);
        for (int r = 0; r < 5; ++r)  // member[r][pos] is the column of replicate r holding truth t
            EXPECT_LT((reps[r].W.col(s.member[r][pos]) - p.W.col(t)).cwiseAbs().maxCoeff(), 1e-15) << r;
    }
    // a perfect reconstruction
    EXPECT_LT(s.frobenius_pct, 1e-9);
    EXPECT_LT(s.kl, 1e-9);
    EXPECT_NEAR(s.mean_sample_cosine, 1.0, 1e-12);
    ASSERT_EQ(s.stats.size(), static_cast<std::size_t>(kSamples));
    EXPECT_EQ(s.stats[kEmpty].sample, "S8");
    EXPECT_EQ(s.stats[kEmpty].total, 0);
    EXPECT_EQ(s.stats[kEmpty].cosine, 0);
    EXPECT_NEAR(s.stats[3].total, p.counts.values.col(3).sum(), 1e-9);
    EXPECT_NEAR(s.stats[3].cosine, 1.0, 1e-12);
}

TEST(SelectionPlanted, ChoosesThePlantedKWithStableFlagsMetricsAndExposures) {
    const Planted p = planted();
    std::mt19937_64 rng(2);
    const int R = 6;
    const std::vector<Replicate> all = concat({spurious_replicates(p.W, R, rng), merged_replicates(p.W, R, rng),
                                               true_replicates(p.W, {0, 1, 2}, R, 1e-3, rng)});
    const Selection sel = select_k(p.counts, p.input, all, SelectionRule{});
    ASSERT_EQ(sel.solutions.size(), 3u);
    EXPECT_EQ(sel.solutions[0].k, 2);
    EXPECT_EQ(sel.solutions[1].k, 3);
    EXPECT_EQ(sel.solutions[2].k, 4);
    EXPECT_EQ(sel.chosen, 1u);
    EXPECT_NE(sel.reason.find("K = 3"), std::string::npos) << sel.reason;
    EXPECT_TRUE(sel.warnings.empty());

    for (const Solution& s : sel.solutions) {
        SCOPED_TRACE("K = " + std::to_string(s.k));
        ASSERT_EQ(s.replicates.size(), static_cast<std::size_t>(R));
        const Eigen::VectorXd sil = silhouettes(s);
        for (int c = 0; c < s.k; ++c) EXPECT_NEAR(s.stability(c), sil(c), 1e-12) << c;
        EXPECT_NEAR(s.mean_stability, sil.mean(), 1e-12);
        EXPECT_NEAR(s.min_stability, sil.minCoeff(), 1e-12);
        EXPECT_EQ(s.stable, sil.mean() >= 0.8 && sil.minCoeff() >= 0.2);
        expect_ordered_by_exposure(s);
        expect_exposures_are_nnls(s, p);
        expect_metrics_from_definitions(s, p);
    }
    EXPECT_FALSE(sel.solutions[0].stable);  // random mixtures
    EXPECT_TRUE(sel.solutions[1].stable);
    EXPECT_GT(sel.solutions[1].min_stability, 0.95);
    EXPECT_FALSE(sel.solutions[2].stable);  // a different fourth signature in every replicate
    EXPECT_LT(sel.solutions[2].min_stability, 0.0);

    const Solution& s3 = sel.solutions[1];
    const int order[3] = {1, 2, 0};
    for (int pos = 0; pos < 3; ++pos) EXPECT_GT(cosine(s3.signatures.values.col(pos), p.W.col(order[pos])), 0.99999);
    EXPECT_LT(s3.frobenius_pct, 0.1);
    EXPECT_GT(sel.solutions[0].frobenius_pct, 1.0);
}

TEST(SelectionRule, ALargerStableKWithAGainAboveMinGainWins) {
    const Planted p = planted();
    std::mt19937_64 rng(3);
    // K = 2: two of the three true signatures (stable, but misses the third); K = 3: the truth
    const std::vector<Replicate> all =
        concat({true_replicates(p.W, {0, 1}, 5, 1e-3, rng), true_replicates(p.W, {0, 1, 2}, 5, 1e-3, rng)});
    const Selection sel = select_k(p.counts, p.input, all, SelectionRule{});
    ASSERT_EQ(sel.solutions.size(), 2u);
    ASSERT_TRUE(sel.solutions[0].stable);
    ASSERT_TRUE(sel.solutions[1].stable);
    const double kl2 = metrics(sel.solutions[0], p.counts.values).kl,
                 kl3 = metrics(sel.solutions[1], p.counts.values).kl;
    const double gain = (2 * kl2 - 2 * kl3) / (1.0 * (40 + 96 - 1));
    EXPECT_NEAR(deviance_gain(sel.solutions[0], sel.solutions[1], 40), gain, 1e-9 * gain);
    EXPECT_GT(gain, 2.0);
    EXPECT_EQ(sel.solutions[sel.chosen].k, 3);
    // K = 3 is the top of the range tried: the one warning says so
    ASSERT_EQ(sel.warnings.size(), 1u);
    EXPECT_NE(sel.warnings[0].find("top of the K range"), std::string::npos) << sel.warnings[0];

    // ... unless min_gain is above the gain: then the smaller stable K stands
    SelectionRule strict;
    strict.min_gain = gain * 1.01;
    const Selection sel2 = select_k(p.counts, p.input, all, strict);
    EXPECT_EQ(sel2.solutions[sel2.chosen].k, 2);
    EXPECT_NE(sel2.reason.find("K = 2"), std::string::npos) << sel2.reason;
}

TEST(SelectionRule, AStableButUselessLargerKDoesNotWin) {
    // K = 4: the truth plus the same extra profile in every replicate, which the data does not use
    const Planted p = planted();
    std::mt19937_64 rng(4);
    const Eigen::VectorXd extra = random_profile(rng);
    Eigen::MatrixXd truth4(96, 4);
    truth4 << p.W, extra;
    const std::vector<Replicate> all =
        concat({true_replicates(p.W, {0, 1, 2}, 5, 1e-3, rng), true_replicates(truth4, {0, 1, 2, 3}, 5, 1e-3, rng)});
    const Selection sel = select_k(p.counts, p.input, all, SelectionRule{});
    ASSERT_EQ(sel.solutions.size(), 2u);
    ASSERT_TRUE(sel.solutions[0].stable);
    ASSERT_TRUE(sel.solutions[1].stable);
    EXPECT_LT(deviance_gain(sel.solutions[0], sel.solutions[1], 40), 2.0);
    EXPECT_EQ(sel.solutions[sel.chosen].k, 3);
    // the unused signature comes last, with (almost) no exposure
    const Solution& s4 = sel.solutions[1];
    EXPECT_GT(cosine(s4.signatures.values.col(3), extra), 0.9999);
    EXPECT_LT(s4.exposures.row(3).sum(), 1e-3 * s4.exposures.sum());
    expect_exposures_are_nnls(s4, p);
}

TEST(SelectionRule, NoStableKFallsBackToTheHighestMeanStabilityWithAWarning) {
    const Planted p = planted();
    std::mt19937_64 rng(5);
    const std::vector<Replicate> all = concat({merged_replicates(p.W, 6, rng), spurious_replicates(p.W, 6, rng)});
    const Selection sel = select_k(p.counts, p.input, all, SelectionRule{});
    ASSERT_EQ(sel.solutions.size(), 2u);
    EXPECT_FALSE(sel.solutions[0].stable);
    EXPECT_FALSE(sel.solutions[1].stable);
    const std::size_t best = silhouettes(sel.solutions[1]).mean() > silhouettes(sel.solutions[0]).mean() ? 1 : 0;
    EXPECT_EQ(sel.chosen, best);
    ASSERT_EQ(sel.warnings.size(), 1u);
    EXPECT_NE(sel.warnings[0].find("K = " + std::to_string(sel.solutions[best].k)), std::string::npos)
        << sel.warnings[0];
}

TEST(SelectionRule, FallbackTiesGoToTheSmallerK) {
    // one replicate per K: every cluster has one member, every stability is 0
    const Planted p = planted();
    std::mt19937_64 rng(6);
    const std::vector<Replicate> all =
        concat({true_replicates(p.W, {0, 1, 2}, 1, 1e-3, rng), true_replicates(p.W, {0, 1}, 1, 1e-3, rng)});
    const Selection sel = select_k(p.counts, p.input, all, SelectionRule{});
    ASSERT_EQ(sel.solutions.size(), 2u);
    EXPECT_EQ(sel.solutions[0].mean_stability, 0.0);
    EXPECT_EQ(sel.solutions[1].mean_stability, 0.0);
    EXPECT_EQ(sel.solutions[sel.chosen].k, 2);
    EXPECT_EQ(sel.warnings.size(), 1u);
}

TEST(SelectionGain, DevianceGainByHand) {
    Solution small, large;
    small.k = 2;
    small.kl = 1000.5;
    small.signatures.values = Eigen::MatrixXd::Zero(96, 2);
    large.k = 5;
    large.kl = 400.25;
    large.signatures.values = Eigen::MatrixXd::Zero(96, 5);
    // 2 (1000.5 - 400.25) / ((5 - 2)(40 + 96 - 1)) = 1200.5 / 405
    EXPECT_DOUBLE_EQ(deviance_gain(small, large, 40), 1200.5 / 405);
    // SBS6, one added signature, 10 samples: 2 (10 - 4) / (10 + 6 - 1) = 0.8
    small.k = 1;
    small.kl = 10;
    small.signatures.values = Eigen::MatrixXd::Zero(6, 1);
    large.k = 2;
    large.kl = 4;
    large.signatures.values = Eigen::MatrixXd::Zero(6, 2);
    EXPECT_DOUBLE_EQ(deviance_gain(small, large, 10), 0.8);
    // a worse larger K has a negative gain
    large.kl = 12;
    EXPECT_DOUBLE_EQ(deviance_gain(small, large, 10), -4.0 / 15);
}

}  // namespace
}  // namespace sigstream
