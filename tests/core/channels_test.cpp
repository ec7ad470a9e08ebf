#include "core/channels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace sigstream {
namespace {

TEST(Channels, Sbs96StartsAndEndsInSigProfilerOrder) {
    const auto& l = channel_labels(Context::SBS96);
    ASSERT_EQ(l.size(), 96u);
    EXPECT_EQ(l[0], "A[C>A]A");
    EXPECT_EQ(l[1], "A[C>A]C");
    EXPECT_EQ(l[3], "A[C>A]T");
    EXPECT_EQ(l[4], "A[C>G]A");
    EXPECT_EQ(l[24], "C[C>A]A");
    EXPECT_EQ(l[95], "T[T>G]T");
}

TEST(Channels, Sbs96OrderIsAlphabeticalAndUnique) {
    auto l = channel_labels(Context::SBS96);
    EXPECT_TRUE(std::is_sorted(l.begin(), l.end()));
    EXPECT_EQ(std::set<std::string>(l.begin(), l.end()).size(), 96u);
}

TEST(Channels, Sbs96MatchesShippedCosmicRowOrder) {
    // The COSMIC file lists its rows in SigProfiler order; spot-check a few rows of it.
    EXPECT_EQ(channel_index(Context::SBS96, "A[C>A]A"), 0);
    EXPECT_EQ(channel_index(Context::SBS96, "G[T>C]A"), 2 * 24 + 4 * 4 + 0);
    EXPECT_EQ(channel_index(Context::SBS96, "T[T>G]T"), 95);
    EXPECT_EQ(channel_index(Context::SBS96, "T[T>G]N"), -1);
}

TEST(Channels, Sbs6AndSbs1536) {
    const auto& s6 = channel_labels(Context::SBS6);
    EXPECT_EQ(s6, (std::vector<std::string>{"C>A", "C>G", "C>T", "T>A", "T>C", "T>G"}));
    const auto& l = channel_labels(Context::SBS1536);
    ASSERT_EQ(l.size(), 1536u);
    EXPECT_EQ(l[0], "AA[C>A]AA");
    EXPECT_EQ(l[1], "AA[C>A]AC");
    EXPECT_EQ(l[16], "AA[C>G]AA");
    EXPECT_EQ(l[96], "AC[C>A]AA");
    EXPECT_EQ(l[1535], "TT[T>G]TT");
    EXPECT_TRUE(std::is_sorted(l.begin(), l.end()));
}

TEST(Channels, IndexFunctionsAgreeWithLabels) {
    // C>T in A_G context: code A=0, sub C>T=2, G=2 → 0*24 + 2*4 + 2 = 10
    EXPECT_EQ(sbs96_index(0, substitution_index(1, 3), 2), 10);
    EXPECT_EQ(channel_labels(Context::SBS96)[10], "A[C>T]G");
    EXPECT_EQ(sbs6_of_sbs96(10), 2);
    // TC[T>A]GA: five=T(3),C(1); sub T>A=3; three=G(2),A(0)
    int i = sbs1536_index(3, 1, 3, 2, 0);
    EXPECT_EQ(channel_labels(Context::SBS1536)[static_cast<std::size_t>(i)], "TC[T>A]GA");
}

TEST(Channels, BaseCodesAcceptBothCasesOnly) {
    EXPECT_EQ(base_code('a'), 0);
    EXPECT_EQ(base_code('T'), 3);
    EXPECT_EQ(base_code('N'), -1);
    EXPECT_EQ(base_code('R'), -1);
    EXPECT_EQ(substitution_index(1, 1), -1);
}

TEST(Channels, ParseContextNames) {
    EXPECT_EQ(parse_context("SBS96"), Context::SBS96);
    EXPECT_EQ(parse_context("sbs1536"), Context::SBS1536);
    EXPECT_FALSE(parse_context("sbs7").has_value());
    EXPECT_EQ(context_name(Context::SBS6), "SBS6");
}

}  // namespace
}  // namespace sigstream
