#include "count/contig_names.h"

#include <gtest/gtest.h>

namespace sigstream {
namespace {

TEST(ContigNames, ExactNameWins) {
    ContigNames n({"chr1", "1"});
    EXPECT_EQ(n.find("1"), 1);
    EXPECT_EQ(n.find("chr1"), 0);
}

TEST(ContigNames, ChrPrefixAddedOrRemoved) {
    ContigNames ucsc({"chr1", "chrX"});
    EXPECT_EQ(ucsc.find("1"), 0);
    EXPECT_EQ(ucsc.find("X"), 1);
    ContigNames ensembl({"1", "X"});
    EXPECT_EQ(ensembl.find("chr1"), 0);
    EXPECT_EQ(ensembl.find("chrX"), 1);
    EXPECT_EQ(ensembl.find("chr2"), -1);
}

TEST(ContigNames, MitochondrionAliases) {
    EXPECT_EQ(ContigNames({"chrM"}).find("MT"), 0);
    EXPECT_EQ(ContigNames({"MT"}).find("chrM"), 0);
    EXPECT_EQ(ContigNames({"chrMT"}).find("M"), 0);
    EXPECT_EQ(ContigNames({"chr1"}).find("MT"), -1);
}

}  // namespace
}  // namespace sigstream
