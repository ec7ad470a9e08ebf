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

// The error a FASTA (with `fai`, an index written by hand, when given) gives: its type, line and message.
template <typename E>
std::string load_error(const std::string& fasta, const std::string& fai = "") {
    test::TempDir d;
    test::write_file(d.file("g.fa"), fasta);
    if (!fai.empty()) test::write_file(d.file("g.fa.fai"), fai);  // written after the FASTA: not stale by its time
    try {
        Reference ref(d.file("g.fa"));
    } catch (const E& e) {
        for (const auto& entry : fs::directory_iterator(d.path()))
            if (entry.path().filename().string().rfind(".sigstream-fai", 0) == 0)
                return "a temporary index folder was left behind";
        return std::to_string(e.line()) + " " + e.problem();
    } catch (const std::exception& e) {
        return std::string("another error: ") + e.what();
    }
    return "no error";
}

// kFasta's true index: chr1 at byte 18 (after ">chr1 description\n"), 25 bases in lines of 10 (+ newline); chr2 at 52.
constexpr const char* kFai = "chr1\t25\t18\t10\t11\nchr2\t3\t52\t3\t4\n";

TEST(ReferenceIndex, TheTrueIndexLoads) {
    EXPECT_EQ(load_error<Error>(kFasta, kFai), "no error");
}

TEST(ReferenceIndex, MalformedFieldsAreRefusedWithTheirLine) {
    const std::string chr2 = "chr2\t3\t52\t3\t4\n";
    for (const char* line1 : {"chr1\t25\t-5\t10\t11\n", "chr1\t-25\t18\t10\t11\n", "chr1\t25\t18\t0\t11\n",
                              "chr1\t25\t18\t10\t9\n", "chr1\t25\t18\t10\n", "chr1\t25x\t18\t10\t11\n",
                              "chr1\t10000000000000000000\t18\t10\t11\n", "\t25\t18\t10\t11\n", "chr1 25 18 10 11\n"}) {
        SCOPED_TRACE(line1);
        const std::string e = load_error<FormatError>(kFasta, line1 + chr2);
        EXPECT_EQ(e.rfind("1 malformed FASTA index line", 0), 0u) << e;
    }
}

TEST(ReferenceIndex, EntriesThatWouldOverflowOrRunPastTheFileAreRefused) {
    // 2^63 - 1 bases: the end is past 2^63 bytes (computed without overflow)
    std::string e = load_error<FormatError>(kFasta, "chr1\t9223372036854775807\t18\t10\t11\nchr2\t3\t52\t3\t4\n");
    EXPECT_EQ(e, "1 the index does not match the FASTA: contig 'chr1' would end past 2^63 bytes");
    e = load_error<FormatError>(kFasta, "chr1\t25\t9223372036854775800\t10\t11\nchr2\t3\t52\t3\t4\n");
    EXPECT_EQ(e, "1 the index does not match the FASTA: contig 'chr1' would end past 2^63 bytes");
    e = load_error<FormatError>(kFasta, "chr1\t25\t18\t10\t11\nchr2\t30\t52\t3\t4\n");
    EXPECT_EQ(e, "2 the index does not match the FASTA: contig 'chr2' runs past the FASTA's end (56 bytes)");
}

TEST(ReferenceIndex, AStaleIndexIsRefusedAsStaleNotBlamedOnTheGenomeBuild) {
    // an offset one byte off: the contig does not start after its header
    std::string e = load_error<FormatError>(kFasta, "chr1\t25\t19\t10\t11\nchr2\t3\t52\t3\t4\n");
    EXPECT_EQ(e, "1 the index does not match the FASTA: contig 'chr1' does not start after its header line at byte 19");
    // another name at that header
    e = load_error<FormatError>(kFasta, "chrX\t25\t18\t10\t11\nchr2\t3\t52\t3\t4\n");
    EXPECT_EQ(e, "1 the index does not match the FASTA: contig 'chrX' does not start after its header line at byte 18");
    // lines of another length
    e = load_error<FormatError>(kFasta, "chr1\t25\t18\t9\t10\nchr2\t3\t52\t3\t4\n");
    EXPECT_EQ(e, "1 the index does not match the FASTA: contig 'chr1''s lines are not 9 bases long");
    // a contig shorter in the index than in the FASTA
    e = load_error<FormatError>(kFasta, "chr1\t25\t18\t10\t11\nchr2\t2\t52\t3\t4\n");
    EXPECT_EQ(e, "2 the index does not match the FASTA: contig 'chr2' is longer than 2 bases");
    // a sequence the index does not list
    e = load_error<FormatError>(kFasta, "chr1\t25\t18\t10\t11\n");
    EXPECT_EQ(e, "0 the index does not match the FASTA: it does not list the sequence 'chr2' (FASTA line 5)");
}

TEST(ReferenceIndex, AContigNameTwiceIsRefused) {
    // htslib's indexer keeps the first copy and drops the second: the layout check finds it
    const std::string twice = ">chr1\nACGTACGT\n>chr2\nGGGG\n>chr1\nTTTTTTTT\n";
    EXPECT_EQ(load_error<DataError>(twice), "5 contig 'chr1' is in the FASTA twice");
    // an index that lists it twice
    EXPECT_EQ(load_error<DataError>(">chr1\nACGT\n>chr1\nGGGG\n", "chr1\t4\t6\t4\t5\nchr1\t4\t17\t4\t5\n"),
              "0 contig 'chr1' is in the FASTA twice (index lines 1 and 2)");
}

TEST(ReferenceIndex, ABgzippedFastaWithAContigNameTwiceIsRefusedWhenIndexed) {
    test::TempDir d;
    test::write_file(d.file("g.fa"), ">chr1\nACGTACGT\n>chr2 x\nGGGG\n>chr1\nTTTTTTTT\n");
    const std::string gz = test::bgzip_file(d.file("g.fa"));
    try {
        Reference ref(gz);
        ADD_FAILURE() << "accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.line(), 5u);
        EXPECT_EQ(e.problem(), "contig 'chr1' is in the FASTA twice");
    }
    EXPECT_FALSE(fs::exists(gz + ".fai"));  // the index it built for a FASTA it refused is not left behind
    EXPECT_FALSE(fs::exists(gz + ".gzi"));
}

TEST(ReferenceIndex, AFailedIndexBuildLeavesNoTemporaryFolder) {
    // lines of different lengths inside one sequence: htslib's indexer refuses the file
    const std::string e = load_error<FormatError>(">chr1\nACGT\nAC\nACGT\n");
    EXPECT_EQ(e, "0 cannot index the reference FASTA (is it a FASTA file?)");
}

}  // namespace
}  // namespace sigstream
