// Normalisation of hypermutated samples (src/extract/normalise.h). Expected factors and caps are computed
// here from the header's definitions (cap, median, log2 formula, the lower mixture component's μ + 2σ).
#include "extract/normalise.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/errors.h"

namespace sigstream {
namespace {

// A channels x totals.size() matrix whose column j sums to totals[j] (to rounding), with an uneven profile.
Eigen::MatrixXd with_totals(const std::vector<double>& totals, int channels = 96) {
    Eigen::MatrixXd V(channels, static_cast<Eigen::Index>(totals.size()));
    for (Eigen::Index j = 0; j < V.cols(); ++j) {
        Eigen::VectorXd p(channels);
        for (int i = 0; i < channels; ++i) p(i) = 1 + (i * 5 + j * 3) % 7;
        V.col(j) = p / p.sum() * totals[static_cast<std::size_t>(j)];
    }
    return V;
}

Eigen::VectorXd column_totals(const Eigen::MatrixXd& V) {
    return V.colwise().sum().transpose();
}

TEST(NormaliseNames, RoundTripAndCaseInsensitive) {
    for (Normalisation n : {Normalisation::none, Normalisation::gmm, Normalisation::x100, Normalisation::log2})
        EXPECT_EQ(parse_normalisation(normalisation_name(n)), n);
    EXPECT_STREQ(normalisation_name(Normalisation::none), "none");
    EXPECT_STREQ(normalisation_name(Normalisation::gmm), "gmm");
    EXPECT_STREQ(normalisation_name(Normalisation::x100), "100x");
    EXPECT_STREQ(normalisation_name(Normalisation::log2), "log2");
    EXPECT_EQ(parse_normalisation("GMM"), Normalisation::gmm);
    EXPECT_EQ(parse_normalisation("100X"), Normalisation::x100);
    EXPECT_EQ(parse_normalisation("Log2"), Normalisation::log2);
    EXPECT_EQ(parse_normalisation("NONE"), Normalisation::none);
}

TEST(NormaliseNames, BadNamesAreUsageErrors) {
    for (const char* bad : {"", "x100", "100", "log", "log10", "gmm ", " none", "median", "100x\n"}) {
        SCOPED_TRACE(bad);
        EXPECT_THROW(parse_normalisation(bad), UsageError);
    }
}

TEST(NormaliseNone, EveryFactorIsOne) {
    const Eigen::MatrixXd V = with_totals({5, 1e7, 0, 300});
    EXPECT_EQ(normalisation_factors(V, Normalisation::none), Eigen::VectorXd::Ones(4));
}

TEST(Normalise100x, CapsAt100TimesChannels) {
    const std::vector<double> totals = {500, 9600, 9601, 1e6, 0, 123456.5, 9599.5};
    const Eigen::MatrixXd V = with_totals(totals);
    const Eigen::VectorXd t = column_totals(V);
    const Eigen::VectorXd f = normalisation_factors(V, Normalisation::x100);
    ASSERT_EQ(f.size(), 7);
    EXPECT_EQ(f(0), 1.0);  // below the cap
    EXPECT_EQ(f(4), 1.0);  // empty
    EXPECT_EQ(f(6), 1.0);
    EXPECT_NEAR(f(2), 9600.0 / t(2), 1e-15);
    EXPECT_NEAR(f(3), 9600.0 / t(3), 1e-15);
    EXPECT_NEAR(f(3), 0.0096, 1e-12);
    for (int j : {2, 3, 5}) EXPECT_NEAR(f(j) * t(j), 9600.0, 1e-8) << j;
    // exactly at the cap: "more than" 9600 is scaled, 9600 itself not (up to the rounding of the column sum)
    EXPECT_NEAR(f(1), 1.0, 1e-12);
}

TEST(Normalise100x, CapFollowsTheNumberOfChannels) {
    const Eigen::MatrixXd V = with_totals({599, 601, 6000}, 6);  // SBS6: cap 600
    const Eigen::VectorXd t = column_totals(V);
    const Eigen::VectorXd f = normalisation_factors(V, Normalisation::x100);
    EXPECT_EQ(f(0), 1.0);
    EXPECT_NEAR(f(1) * t(1), 600.0, 1e-10);
    EXPECT_NEAR(f(2), 0.1, 1e-14);
}

TEST(Normalise100x, ProfileOfAScaledSampleIsUnchanged) {
    const Eigen::MatrixXd V = with_totals({200, 50000});
    const Eigen::VectorXd f = normalisation_factors(V, Normalisation::x100);
    const Eigen::MatrixXd N = V * f.asDiagonal();
    EXPECT_NEAR(N.col(1).sum(), 9600.0, 1e-8);
    const Eigen::VectorXd before = V.col(1) / V.col(1).sum(), after = N.col(1) / N.col(1).sum();
    EXPECT_LT((before - after).cwiseAbs().maxCoeff(), 1e-15);
    EXPECT_EQ(N.col(0), V.col(0));
}

double log2_factor(double T, double M) {
    return M * std::log2(1.0 + T) / std::log2(1.0 + M) / T;
}

TEST(NormaliseLog2, OddNumberOfSamplesMedianIsTheMiddleTotal) {
    // non-empty totals 10, 1000, 100 (median 100); one empty sample
    const Eigen::MatrixXd V = with_totals({10, 0, 1000, 100});
    const Eigen::VectorXd t = column_totals(V);
    const Eigen::VectorXd f = normalisation_factors(V, Normalisation::log2);
    const double M = t(3);
    EXPECT_NEAR(M, 100, 1e-10);
    EXPECT_EQ(f(1), 1.0);
    for (int j : {0, 2, 3}) EXPECT_NEAR(f(j), log2_factor(t(j), M), 1e-14) << j;
    EXPECT_NEAR(f(3) * t(3), 100, 1e-10);                                        // the median keeps its size
    EXPECT_NEAR(f(2) * t(2), 100 * std::log2(1001.0) / std::log2(101.0), 1e-9);  // 1000 -> ~149.7
    EXPECT_NEAR(f(0) * t(0), 100 * std::log2(11.0) / std::log2(101.0), 1e-10);   // 10 -> ~52.0 (grows)
    EXPECT_GT(f(0), 1.0);
}

TEST(NormaliseLog2, EvenNumberOfSamplesMedianIsTheMeanOfTheMiddleTwo) {
    const Eigen::MatrixXd V = with_totals({10000, 10, 100, 0, 1000});
    const Eigen::VectorXd t = column_totals(V);
    const Eigen::VectorXd f = normalisation_factors(V, Normalisation::log2);
    const double M = 550;  // (100 + 1000) / 2
    EXPECT_EQ(f(3), 1.0);
    for (int j : {0, 1, 2, 4}) EXPECT_NEAR(f(j), log2_factor(t(j), M), 1e-13) << j;
    // a sample 1000 times the median becomes about 2-3 times larger
    const Eigen::MatrixXd W = with_totals({550, 550, 550000});
    const Eigen::VectorXd g = normalisation_factors(W, Normalisation::log2);
    const double ratio = g(2) * 550000 / 550;
    EXPECT_NEAR(ratio, std::log2(550001.0) / std::log2(551.0), 1e-9);
    EXPECT_GT(ratio, 2.0);
    EXPECT_LT(ratio, 3.0);
}

// The expected gmm cap when the two modes are far apart: the majority component is exactly the lower
// mode's points, so μ and σ are their mean and (population) standard deviation of log10(total), and
// the cap is 10^(μ + 3σ).
double separated_cap(const std::vector<double>& lower) {
    double mu = 0;
    for (double t : lower) mu += std::log10(t);
    mu /= static_cast<double>(lower.size());
    double var = 0;
    for (double t : lower) var += (std::log10(t) - mu) * (std::log10(t) - mu);
    var /= static_cast<double>(lower.size());
    return std::pow(10.0, mu + 3 * std::sqrt(var));
}

TEST(NormaliseGmm, BimodalCohortCapIsAboveTheLowerModeOnlyTheHighModeIsScaled) {
    // 60 samples around 20000 (log10 spread +-0.1), 6 hypermutated around 1e7
    std::vector<double> totals, lower;
    for (int j = 0; j < 60; ++j) {
        lower.push_back(std::round(20000 * std::pow(10.0, -0.1 + 0.2 * j / 59.0)));
        totals.push_back(lower.back());
    }
    for (int j = 0; j < 6; ++j) totals.insert(totals.begin() + 10 * j + 3, 1e7 * (1 + 0.1 * j));
    const double expected = separated_cap(lower);
    ASSERT_GT(expected, 9600);  // the lower component, not the floor, sets the cap here
    const Eigen::VectorXd t =
        Eigen::Map<const Eigen::VectorXd>(totals.data(), static_cast<Eigen::Index>(totals.size()));
    EXPECT_NEAR(gmm_cap(t, 96), expected, 1e-6 * expected);

    const Eigen::MatrixXd V = with_totals(totals);
    const Eigen::VectorXd tv = column_totals(V);
    const Eigen::VectorXd f = normalisation_factors(V, Normalisation::gmm);
    int scaled = 0;
    for (Eigen::Index j = 0; j < f.size(); ++j) {
        if (totals[static_cast<std::size_t>(j)] >= 1e7) {
            ++scaled;
            EXPECT_NEAR(f(j) * tv(j), expected, 1e-6 * expected) << j;
        } else {
            EXPECT_EQ(f(j), 1.0) << j;
        }
    }
    EXPECT_EQ(scaled, 6);
}

TEST(NormaliseGmm, BimodalCohortBelowTheFloorIsCappedAtTheFloor) {
    // 60 samples ~ 2000, 6 ~ 1e6: the lower mode's μ + 2σ is far below 9600, so the cap is 9600
    std::vector<double> totals;
    for (int j = 0; j < 60; ++j)
        totals.push_back(std::round(2000 * std::pow(10.0, -0.15 + 0.3 * ((j * 37) % 60) / 59.0)));
    for (int j = 0; j < 6; ++j) totals.push_back(1e6 * (1 + 0.2 * j));
    const Eigen::VectorXd t =
        Eigen::Map<const Eigen::VectorXd>(totals.data(), static_cast<Eigen::Index>(totals.size()));
    const double cap = gmm_cap(t, 96);
    EXPECT_EQ(cap, 9600.0);
    EXPECT_GT(cap, *std::max_element(totals.begin(), totals.begin() + 60));
    EXPECT_LT(cap, 1e6);
    const Eigen::MatrixXd V = with_totals(totals);
    const Eigen::VectorXd tv = column_totals(V);
    const Eigen::VectorXd f = normalisation_factors(V, Normalisation::gmm);
    for (Eigen::Index j = 0; j < 60; ++j) EXPECT_EQ(f(j), 1.0) << j;
    for (Eigen::Index j = 60; j < 66; ++j) EXPECT_NEAR(f(j) * tv(j), 9600.0, 1e-7) << j;
}

TEST(NormaliseGmm, UnimodalSmallCohortHasNoCapAndNoSampleIsTouched) {
    std::vector<double> totals;
    for (int j = 0; j < 25; ++j) totals.push_back(500 + 100 * ((j * 7) % 25));  // 500 .. 2900
    const Eigen::VectorXd t = Eigen::Map<const Eigen::VectorXd>(totals.data(), 25);
    EXPECT_EQ(gmm_cap(t, 96), HUGE_VAL);
    EXPECT_EQ(normalisation_factors(with_totals(totals), Normalisation::gmm), Eigen::VectorXd::Ones(25));
}

// One group of whole-genome burdens (log-normal, σ = 0.5 in natural log, around 20000): no hypermutators,
// so nothing may be scaled, however the tail falls.
TEST(NormaliseGmm, LogNormalCohortWithoutHypermutatorsIsLeftAlone) {
    std::mt19937_64 rng(2024);
    std::lognormal_distribution<double> burden(std::log(20000.0), 0.5);
    for (int draw = 0; draw < 5; ++draw) {
        std::vector<double> totals;
        for (int j = 0; j < 200; ++j) totals.push_back(std::round(burden(rng)));
        const Eigen::VectorXd t = Eigen::Map<const Eigen::VectorXd>(totals.data(), 200);
        EXPECT_EQ(gmm_cap(t, 96), HUGE_VAL) << draw;
    }
}

// A minority of failed samples (~50 mutations) below a normal cohort must not make the normal samples
// look hypermutated: the cap comes from the majority group, above its bulk.
TEST(NormaliseGmm, FailedLowSamplesDoNotCapTheNormalOnes) {
    std::vector<double> totals;
    for (int j = 0; j < 180; ++j) totals.push_back(std::round(20000 * std::pow(10.0, -0.2 + 0.4 * j / 179.0)));
    for (int j = 0; j < 20; ++j) totals.push_back(40 + j);
    const Eigen::VectorXd t = Eigen::Map<const Eigen::VectorXd>(totals.data(), 200);
    const double cap = gmm_cap(t, 96);
    EXPECT_GT(cap, *std::max_element(totals.begin(), totals.end()));
}

TEST(NormaliseGmm, FewerThanTenNonEmptySamplesUseTheFloor) {
    // 9 non-empty (one hypermutated) + 4 empty: no mixture, cap = 100 x channels
    std::vector<double> totals = {1000, 0, 1200, 900, 0, 1e6, 1100, 0, 950, 1050, 0, 990, 1010};
    const Eigen::VectorXd t = Eigen::Map<const Eigen::VectorXd>(totals.data(), 13);
    EXPECT_EQ(gmm_cap(t, 96), 9600.0);
    EXPECT_EQ(gmm_cap(t, 6), 600.0);
    const Eigen::MatrixXd V = with_totals(totals);
    const Eigen::VectorXd tv = column_totals(V);
    const Eigen::VectorXd f = normalisation_factors(V, Normalisation::gmm);
    for (Eigen::Index j = 0; j < 13; ++j) {
        if (j == 5)
            EXPECT_NEAR(f(j) * tv(j), 9600.0, 1e-8);
        else
            EXPECT_EQ(f(j), 1.0) << j;
    }
    // ... and the scaled sample's profile is unchanged
    const Eigen::MatrixXd N = V * f.asDiagonal();
    EXPECT_LT((N.col(5) / N.col(5).sum() - V.col(5) / V.col(5).sum()).cwiseAbs().maxCoeff(), 1e-15);
}

TEST(NormaliseGmm, EmptySamplesGetFactorOne) {
    std::vector<double> totals(30, 0.0);
    for (int j = 0; j < 30; j += 2) totals[static_cast<std::size_t>(j)] = 1000 + 10 * j;
    totals[4] = 5e6;
    const Eigen::VectorXd f = normalisation_factors(with_totals(totals), Normalisation::gmm);
    for (int j = 1; j < 30; j += 2) EXPECT_EQ(f(j), 1.0) << j;
    EXPECT_LT(f(4), 1.0);
}

}  // namespace
}  // namespace sigstream
