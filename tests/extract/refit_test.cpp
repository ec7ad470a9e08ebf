#include "extract/refit.h"

#include <gtest/gtest.h>

#include <random>

#include "core/errors.h"
#include "io/data_files.h"
#include "io/matrix_tsv.h"

namespace sigstream {
namespace {

LabelledMatrix cosmic_subset(const std::vector<std::string>& names) {
    LabelledMatrix c = read_signatures(data_file("cosmic/COSMIC_v3.4_SBS_GRCh37.txt"));
    LabelledMatrix out;
    out.columns = names;
    out.values.resize(96, static_cast<Eigen::Index>(names.size()));
    for (std::size_t a = 0; a < names.size(); ++a) {
        auto it = std::find(c.columns.begin(), c.columns.end(), names[a]);
        out.values.col(static_cast<Eigen::Index>(a)) = c.values.col(it - c.columns.begin());
    }
    return out;
}

TEST(Refit, ExactMixturesAreRecovered) {
    LabelledMatrix W = cosmic_subset({"SBS1", "SBS4", "SBS13"});
    Eigen::MatrixXd H(3, 3);
    H << 500, 0, 20, 0, 1500, 0, 250, 300, 0;
    LabelledMatrix V;
    V.columns = {"a", "b", "c"};
    V.values = W.values * H;
    Exposures r = refit_exposures(V, W);
    EXPECT_LT((r.values - H).cwiseAbs().maxCoeff(), 1e-8);
    ASSERT_EQ(r.stats.size(), 3u);
    EXPECT_NEAR(r.stats[0].cosine, 1.0, 1e-12);
    EXPECT_NEAR(r.stats[0].total, 750, 1e-9);
}

TEST(Refit, SparseDropsSignaturesThatDoNotHelp) {
    // Poisson counts from SBS4 + SBS5; fitted to SBS4, SBS5 and five others. Plain NNLS spreads some
    // mutations over the others; the sparse refit keeps only what changes the cosine by >= 0.01.
    LabelledMatrix W = cosmic_subset({"SBS4", "SBS5", "SBS1", "SBS2", "SBS13", "SBS18", "SBS40a"});
    std::mt19937_64 rng(9);
    Eigen::VectorXd mean = 1400 * W.values.col(0) + 600 * W.values.col(1);
    LabelledMatrix V;
    V.columns = {"t"};
    V.values.resize(96, 1);
    for (int i = 0; i < 96; ++i) V.values(i, 0) = std::poisson_distribution<int>(mean(i))(rng);
    Exposures plain = refit_exposures(V, W);
    RefitOptions opt;
    opt.sparse = true;
    Exposures sparse = refit_exposures(V, W, opt);
    EXPECT_GT(sparse.values(0, 0), 1000);
    for (Eigen::Index k = 2; k < 7; ++k) EXPECT_EQ(sparse.values(k, 0), 0.0) << W.columns[static_cast<std::size_t>(k)];
    EXPECT_GE(sparse.stats[0].cosine, plain.stats[0].cosine - 0.01 * 7);
    int plain_active = 0;
    for (Eigen::Index k = 0; k < 7; ++k) plain_active += plain.values(k, 0) > 0;
    EXPECT_GT(plain_active, 2);  // so the test shows something
}

TEST(Refit, DifferentCataloguesAreAUsageError) {
    LabelledMatrix W = cosmic_subset({"SBS1"});
    LabelledMatrix V;
    V.context = Context::SBS6;
    V.columns = {"a"};
    V.values = Eigen::MatrixXd::Ones(6, 1);
    EXPECT_THROW(refit_exposures(V, W), UsageError);
}

}  // namespace
}  // namespace sigstream
