// One fit of a matrix (src/extract/single_fit.h) with the fixed-factorisation test plugin
// (tests/plugins/test_plugin): W(i, j) = (j + 1)(1 + (i + j) % 2), H(j, c) = total_c / (K colsum W_j).
#include "extract/single_fit.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "extract/statistics.h"

namespace sigstream {
namespace {

const std::string kGood = std::string(SIGSTREAM_TEST_PLUGIN_DIR) + "/good/testfixed.so";

LabelledMatrix matrix(Context c, const std::vector<std::string>& names, const Eigen::MatrixXd& values) {
    LabelledMatrix m;
    m.context = c;
    m.columns = names;
    m.values = values;
    return m;
}

// SBS6: S1 = (1,2,3,0,0,0), S2 empty, S3 = (0,0,0,2,2,2).
LabelledMatrix tiny() {
    Eigen::MatrixXd V(6, 3);
    V << 1, 0, 0,  //
        2, 0, 0,   //
        3, 0, 0,   //
        0, 0, 2,   //
        0, 0, 2,   //
        0, 0, 2;
    return matrix(Context::SBS6, {"S1", "S2", "S3"}, V);
}

LabelledMatrix cohort(int n, const std::vector<int>& empty = {}) {
    Eigen::MatrixXd V(96, n);
    std::vector<std::string> names;
    for (int j = 0; j < n; ++j) {
        names.push_back("T" + std::to_string(j + 1));
        for (int i = 0; i < 96; ++i) V(i, j) = (i * 7 + j * 11) % 9 + (i % (j + 3) == 0 ? 5 : 0);
    }
    for (int j : empty) V.col(j).setZero();
    return matrix(Context::SBS96, names, V);
}

TEST(Extract, TinyCaseStatisticsByHand) {
    Backend b = Backend::load(kGood);
    SingleFitOptions opt;
    opt.normalise = Normalisation::none;
    opt.fit.k = 1;
    SingleFit r = fit_single(tiny(), b, opt);

    // W = (1,2,1,2,1,2) / 9; every exposure is the sample's total; S2 (empty) has zero exposure.
    ASSERT_EQ(r.signatures.columns, (std::vector<std::string>{"SBS6A"}));
    EXPECT_EQ(r.signatures.context, Context::SBS6);
    for (int i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(r.signatures.values(i, 0), (1 + i % 2) / 9.0);
    ASSERT_EQ(r.exposures.values.rows(), 1);
    ASSERT_EQ(r.exposures.values.cols(), 3);
    EXPECT_DOUBLE_EQ(r.exposures.values(0, 0), 6);
    EXPECT_EQ(r.exposures.values(0, 1), 0);
    EXPECT_DOUBLE_EQ(r.exposures.values(0, 2), 6);

    // S1: v = (1,2,3,0,0,0), v̂ = (2,4,2,4,2,4)/3
    ASSERT_EQ(r.exposures.stats.size(), 3u);
    const SampleStats& s1 = r.exposures.stats[0];
    EXPECT_EQ(s1.sample, "S1");
    EXPECT_EQ(s1.total, 6);
    EXPECT_NEAR(s1.cosine, (16.0 / 3) / (std::sqrt(14.0) * std::sqrt(20.0 / 3)), 1e-12);
    EXPECT_NEAR(s1.l1_pct, 100.0 * (20.0 / 3) / 6, 1e-10);
    EXPECT_NEAR(s1.l2_pct, 100.0 * std::sqrt(10.0) / std::sqrt(14.0), 1e-10);
    EXPECT_NEAR(s1.kl, std::log(1.5) + 2 * std::log(1.5) + 3 * std::log(4.5), 1e-12);
    // S2: empty — every statistic 0
    const SampleStats& s2 = r.exposures.stats[1];
    EXPECT_EQ(s2.sample, "S2");
    EXPECT_EQ(s2.total, 0);
    EXPECT_EQ(s2.cosine, 0);
    EXPECT_EQ(s2.l1_pct, 0);
    EXPECT_EQ(s2.l2_pct, 0);
    EXPECT_EQ(s2.kl, 0);
    // S3: v = (0,0,0,2,2,2), same v̂
    const SampleStats& s3 = r.exposures.stats[2];
    EXPECT_EQ(s3.total, 6);
    EXPECT_NEAR(s3.cosine, (20.0 / 3) / (std::sqrt(12.0) * std::sqrt(20.0 / 3)), 1e-12);
    EXPECT_NEAR(s3.l1_pct, 100.0 * (16.0 / 3) / 6, 1e-10);
    EXPECT_NEAR(s3.l2_pct, 100.0 * std::sqrt(48.0 / 9) / std::sqrt(12.0), 1e-10);
    EXPECT_NEAR(s3.kl, 4 * std::log(1.5) + 2 * std::log(3.0), 1e-12);

    EXPECT_EQ(r.empty_samples, (std::vector<std::string>{"S2"}));
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("S2"), std::string::npos) << r.warnings[0];
    EXPECT_NE(r.warnings[0].find("zero exposures"), std::string::npos) << r.warnings[0];
    EXPECT_EQ(r.exposures.samples, (std::vector<std::string>{"S1", "S2", "S3"}));
    EXPECT_EQ(r.iterations, 3);
    EXPECT_EQ(r.trace.size(), 4u);
}

TEST(Extract, NormalisationKeepsTheProduct) {
    Backend b = Backend::load(kGood);
    LabelledMatrix m = cohort(10, {3, 7});
    SingleFitOptions opt;
    opt.normalise = Normalisation::none;
    opt.fit.k = 3;
    SingleFit r = fit_single(m, b, opt);
    ASSERT_EQ(r.signatures.values.rows(), 96);
    ASSERT_EQ(r.signatures.values.cols(), 3);
    EXPECT_EQ(r.signatures.columns, (std::vector<std::string>{"SBS96A", "SBS96B", "SBS96C"}));
    for (int s = 0; s < 3; ++s) EXPECT_NEAR(r.signatures.values.col(s).sum(), 1.0, 1e-14);

    // the backend's own product, on the non-empty samples
    Eigen::MatrixXd Vfit(96, 8);
    int c = 0;
    for (int j = 0; j < 10; ++j)
        if (j != 3 && j != 7) Vfit.col(c++) = m.values.col(j);
    FitRequest req;
    req.fit.k = 3;
    FitResult raw = b.fit(Vfit, req);
    Eigen::MatrixXd before = raw.W * raw.H;
    Eigen::MatrixXd after = r.signatures.values * r.exposures.values;
    c = 0;
    for (int j = 0; j < 10; ++j) {
        if (j == 3 || j == 7) {
            EXPECT_TRUE(r.exposures.values.col(j).isZero(0));
            EXPECT_TRUE(after.col(j).isZero(0));
            continue;
        }
        EXPECT_LT((after.col(j) - before.col(c)).cwiseAbs().maxCoeff(), 1e-12 * before.col(c).maxCoeff());
        // exposures are mutations attributed: they add up to the sample's total here
        EXPECT_NEAR(r.exposures.values.col(j).sum(), m.values.col(j).sum(), 1e-9);
        ++c;
    }
    EXPECT_EQ(r.empty_samples, (std::vector<std::string>{"T4", "T8"}));
}

TEST(Extract, ZeroSignatureBecomesUniformWithZeroExposures) {
    Backend b = Backend::load(kGood);
    LabelledMatrix m = cohort(6);
    SingleFitOptions opt;
    opt.normalise = Normalisation::none;
    opt.fit.k = 2;
    opt.fit.params["zero_column"] = "1";
    SingleFit r = fit_single(m, b, opt);
    for (int i = 0; i < 96; ++i) EXPECT_DOUBLE_EQ(r.signatures.values(i, 1), 1.0 / 96);
    EXPECT_TRUE(r.exposures.values.row(1).isZero(0));
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("SBS96B"), std::string::npos) << r.warnings[0];
}

TEST(Extract, KRange) {
    Backend b = Backend::load(kGood);
    LabelledMatrix m = cohort(5, {0});  // 4 non-empty samples: K from 1 to 3
    SingleFitOptions opt;
    opt.normalise = Normalisation::none;
    for (int k : {0, -1, 4, 5, 96}) {
        opt.fit.k = k;
        try {
            fit_single(m, b, opt);
            ADD_FAILURE() << "K = " << k << " accepted";
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find("K must be from 1 to 3"), std::string::npos) << e.what();
        }
    }
    opt.fit.k = 3;
    EXPECT_NO_THROW(fit_single(m, b, opt));
    // channels bound K too: SBS6 with 10 samples allows K up to 5
    LabelledMatrix six = matrix(Context::SBS6, {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"},
                                Eigen::MatrixXd::Constant(6, 10, 3.0));
    opt.fit.k = 6;
    EXPECT_THROW(fit_single(six, b, opt), UsageError);
    opt.fit.k = 5;
    EXPECT_NO_THROW(fit_single(six, b, opt));
}

TEST(Extract, FewerThanTwoNonEmptySamples) {
    Backend b = Backend::load(kGood);
    SingleFitOptions opt;
    opt.normalise = Normalisation::none;
    opt.fit.k = 1;
    LabelledMatrix m = cohort(3, {0, 2});
    try {
        fit_single(m, b, opt);
        FAIL() << "no exception";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("only 1 of the 3 samples have any mutations"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(fit_single(cohort(3, {0, 1, 2}), b, opt), DataError);
}

TEST(Extract, BadMatrices) {
    Backend b = Backend::load(kGood);
    SingleFitOptions opt;
    opt.normalise = Normalisation::none;
    opt.fit.k = 1;
    LabelledMatrix m = cohort(4);
    m.columns[2] = m.columns[0];
    EXPECT_THROW(fit_single(m, b, opt), DataError);
    m = cohort(4);
    m.values(5, 1) = -1;
    EXPECT_THROW(fit_single(m, b, opt), DataError);
    m.values(5, 1) = std::nan("");
    EXPECT_THROW(fit_single(m, b, opt), DataError);
}

TEST(Extract, OptionsReachTheBackend) {
    Backend b = Backend::load(kGood);
    SingleFitOptions opt;
    opt.normalise = Normalisation::none;
    opt.fit.k = 1;
    opt.fit.tol = 0;
    opt.fit.max_iter = 7;
    int calls = 0;
    RunSettings run;
    run.progress = [&](const Progress&) {
        ++calls;
        return Flow::proceed;
    };
    SingleFit r = fit_single(cohort(4), b, opt, run);
    EXPECT_EQ(r.iterations, 7);
    EXPECT_EQ(r.trace.size(), 8u);
    EXPECT_EQ(calls, 7);
    opt.fit.params["status"] = "bogus";
    EXPECT_THROW(fit_single(cohort(4), b, opt), UsageError);
    opt.fit.params = {{"nope", "1"}};
    EXPECT_THROW(fit_single(cohort(4), b, opt), UsageError);
}

}  // namespace
}  // namespace sigstream
