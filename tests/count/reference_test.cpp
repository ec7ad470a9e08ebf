#include "count/reference.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/errors.h"
#include "test_util.h"

namespace sigstream {
namespace {

namespace fs = std::filesystem;

// chr1: 25 bases over lines of 10 (so offsets cross line ends); chr2: 3 bases, lowercase and N.
constexpr const char* kFasta = ">chr1 description\nACGTACGTAC\nGTTTGGCCAA\nacgtN\n>chr2\nnAc\n";

std::string window(Reference::Reader& r, int contig, std::int64_t pos, int flank) {
    char buf[16];
    r.window(contig, pos, flank, buf);
    std::string s;
    for (int i = 0; i < 2 * flank + 1; ++i) s += buf[i] ? buf[i] : '.';
    return s;
}

TEST(Reference, BuildsMissingIndexAndReadsAcrossLineEnds) {
    test::TempDir d;
    test::write_file(d.file("g.fa"), kFasta);
    Reference ref(d.file("g.fa"));
    EXPECT_TRUE(fs::exists(d.file("g.fa.fai")));
    ASSERT_EQ(ref.contig_names(), (std::vector<std::string>{"chr1", "chr2"}));
    EXPECT_EQ(ref.contig_length(0), 25);
    EXPECT_EQ(ref.contig_length(1), 3);
    Reference::Reader r(ref);
    EXPECT_EQ(window(r, 0, 10, 1), "CGT");    // 0-based 9..11, across the first line end
    EXPECT_EQ(window(r, 0, 22, 2), "ACGTN");  // lowercase is upper-cased
    EXPECT_EQ(window(r, 0, 0, 2), "..ACG");   // before the start
    EXPECT_EQ(window(r, 0, 24, 1), "TN.");    // after the end
    EXPECT_EQ(window(r, 1, 1, 1), "NAC");
}

TEST(Reference, BgzippedFastaReadsTheSame) {
    test::TempDir d;
    test::write_file(d.file("g.fa"), kFasta);
    std::string gz = test::bgzip_file(d.file("g.fa"));
    Reference ref(gz);
    EXPECT_TRUE(fs::exists(gz + ".fai"));
    EXPECT_TRUE(fs::exists(gz + ".gzi"));
    Reference::Reader r(ref);
    EXPECT_EQ(window(r, 0, 10, 1), "CGT");
    EXPECT_EQ(window(r, 0, 22, 2), "ACGTN");
    EXPECT_EQ(window(r, 1, 1, 1), "NAC");
    EXPECT_EQ(window(r, 0, 24, 1), "TN.");
}

TEST(Reference, HarmonisesContigNames) {
    test::TempDir d;
    test::write_file(d.file("g.fa"), kFasta);
    Reference ref(d.file("g.fa"));
    EXPECT_EQ(ref.find_contig("1"), 0);
    EXPECT_EQ(ref.find_contig("2"), 1);
    EXPECT_EQ(ref.find_contig("chr3"), -1);
}

TEST(Reference, MissingFileAndPlainGzipAreClearErrors) {
    test::TempDir d;
    EXPECT_THROW(Reference(d.file("none.fa")), IoError);
    test::write_file(d.file("g.fa"), kFasta);
    ASSERT_EQ(std::system(("gzip -c " + d.file("g.fa") + " > " + d.file("p.fa.gz")).c_str()), 0);
    EXPECT_THROW(Reference(d.file("p.fa.gz")), FormatError);
}

TEST(Reference, NotAFastaIsAFormatError) {
    test::TempDir d;
    test::write_file(d.file("x.fa"), "this is not a fasta\n");
    EXPECT_THROW(Reference(d.file("x.fa")), Error);
}

}  // namespace
}  // namespace sigstream
