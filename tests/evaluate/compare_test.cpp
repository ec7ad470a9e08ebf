#include "evaluate/compare.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/errors.h"
#include "io/data_files.h"
#include "io/matrix_tsv.h"

namespace sigstream {
namespace {

LabelledMatrix cosmic() {
    return read_signatures(data_file("cosmic/COSMIC_v3.4_SBS_GRCh37.txt"));
}

TEST(Compare, ArtefactListIsCosmics) {
    for (const char* a : {"SBS27", "SBS43", "SBS45", "SBS50", "SBS60", "SBS95"})
        EXPECT_TRUE(is_cosmic_artefact(a)) << a;
    for (const char* a : {"SBS1", "SBS44", "SBS61", "SBS7a", "SBS17b", "SBS94", "SBS4"})
        EXPECT_FALSE(is_cosmic_artefact(a)) << a;
}

TEST(Compare, CosmicAgainstItselfMatchesEverySignatureToItself) {
    LabelledMatrix c = cosmic();
    Comparison r = compare_signatures(c, c, false);
    std::size_t artefacts = 0;
    for (const auto& name : c.columns) artefacts += is_cosmic_artefact(name);
    EXPECT_EQ(artefacts, 19u);  // SBS27, SBS43, SBS45-60 (16), SBS95
    EXPECT_EQ(r.reference.size(), c.columns.size() - artefacts);
    for (const auto& m : r.matches) {
        if (is_cosmic_artefact(m.signature)) continue;
        EXPECT_EQ(m.matched, m.signature);
        EXPECT_NEAR(m.matched_cosine, 1.0, 1e-12);
        EXPECT_NEAR(m.best_cosine, 1.0, 1e-12);
    }
}

TEST(Compare, OneToOneDiffersFromBestWhenTwoSignaturesWantTheSameReference) {
    // Two extracted signatures, both closest to reference A; the matching gives one of them B.
    LabelledMatrix ref, sig;
    ref.columns = {"A", "B"};
    ref.values = Eigen::MatrixXd::Zero(96, 2);
    ref.values(0, 0) = 1;
    ref.values(1, 1) = 1;
    sig.columns = {"x", "y"};
    sig.values = Eigen::MatrixXd::Zero(96, 2);
    sig.values(0, 0) = 0.9;  // x: cos(A) = 0.9/|x|, cos(B) = 0.1/|x|
    sig.values(1, 0) = 0.1;
    sig.values(0, 1) = 0.6;  // y: cos(A) = 0.6/|y|, cos(B) = 0.4/|y|
    sig.values(1, 1) = 0.4;
    Comparison r = compare_signatures(sig, ref, true);
    EXPECT_EQ(r.matches[0].best_match, "A");
    EXPECT_EQ(r.matches[1].best_match, "A");
    EXPECT_EQ(r.matches[0].matched, "A");
    EXPECT_EQ(r.matches[1].matched, "B");
    EXPECT_NEAR(r.matches[1].matched_cosine, 0.4 / std::sqrt(0.52), 1e-15);
}

TEST(Compare, MoreSignaturesThanReferencesLeavesSomeUnmatched) {
    LabelledMatrix ref, sig;
    ref.columns = {"A"};
    ref.values = Eigen::MatrixXd::Constant(96, 1, 1.0 / 96);
    sig.columns = {"x", "y"};
    sig.values = Eigen::MatrixXd::Constant(96, 2, 1.0 / 96);
    sig.values(0, 1) = 0.5;
    Comparison r = compare_signatures(sig, ref, true);
    EXPECT_EQ(r.matches[0].matched, "A");  // x is the uniform profile: cosine 1
    EXPECT_TRUE(r.matches[1].matched.empty());
}

TEST(Compare, DifferentCataloguesAreAUsageError) {
    LabelledMatrix a = cosmic(), b;
    b.context = Context::SBS6;
    b.columns = {"x"};
    b.values = Eigen::MatrixXd::Constant(6, 1, 1.0 / 6);
    EXPECT_THROW(compare_signatures(b, a, false), UsageError);
}

}  // namespace
}  // namespace sigstream
