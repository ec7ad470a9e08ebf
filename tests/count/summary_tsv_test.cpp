// The count summary table (src/count/summary_tsv.h): its exact text, and reading it back.
#include "count/summary_tsv.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "core/errors.h"
#include "test_util.h"

namespace sigstream {
namespace {

const std::string kHeader =
    "Sample\tCounted\tOutsideRegions\tFiltered\tMultiallelic\tOther\tIndel\tMNV\tUnknownContig\tContigEdge\t"
    "RefMismatch\tAmbiguousContext\tDuplicate\tDoublet\tNoSbs1536Context\n";

std::vector<StreamSummary> two_rows() {
    StreamSummary a;
    a.sample = "T1";
    a.counted = 1452;
    a[Skip::Doublet] = 32;
    a[Skip::OutsideRegions] = 1;
    StreamSummary b;
    b.sample = "T2";
    b.counted = 18446744073709551615ull;  // the largest a summary holds
    b[Skip::NoSbs1536Context] = 7;
    return {a, b};
}

TEST(CountSummary, IsWrittenAsDocumented) {
    std::ostringstream out;
    write_count_summary(two_rows(), out);
    EXPECT_EQ(out.str(), kHeader +
                             "T1\t1452\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t32\t0\n"
                             "T2\t18446744073709551615\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t7\n");
}

TEST(CountSummary, ReadsBackWhatWasWritten) {
    test::TempDir d;
    std::ostringstream out;
    write_count_summary(two_rows(), out);
    // CRLF line ends and a blank last line are accepted
    std::string crlf;
    for (char c : out.str()) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    test::write_file(d.file("s.tsv"), crlf + "\r\n");
    const std::vector<StreamSummary> rows = read_count_summary(d.file("s.tsv"));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].sample, "T1");
    EXPECT_EQ(rows[0].counted, 1452u);
    EXPECT_EQ(rows[0][Skip::OutsideRegions], 1u);
    EXPECT_EQ(rows[0][Skip::Doublet], 32u);
    EXPECT_EQ(rows[0][Skip::Filtered], 0u);
    EXPECT_EQ(rows[1].counted, 18446744073709551615ull);
    EXPECT_EQ(rows[1][Skip::NoSbs1536Context], 7u);
}

TEST(CountSummary, TellsItsHeaderFromAMatrixHeader) {
    EXPECT_TRUE(is_count_summary_header(kHeader.substr(0, kHeader.size() - 1)));
    EXPECT_TRUE(is_count_summary_header("Sample\tCounted\tSomethingNew"));
    EXPECT_FALSE(is_count_summary_header("MutationType\tT1\tT2"));
    EXPECT_FALSE(is_count_summary_header("Sample\tCounted"));  // a matrix with one sample named Counted
    EXPECT_FALSE(is_count_summary_header(""));
}

TEST(CountSummary, RefusesWhatItCannotReadExactly) {
    test::TempDir d;
    const auto line_of = [&](const std::string& text) {
        test::write_file(d.file("s.tsv"), text);
        return test::error_of<FormatError>([&] { read_count_summary(d.file("s.tsv")); }).line();
    };
    // a header of another version (a column less)
    EXPECT_EQ(line_of("Sample\tCounted\tOutsideRegions\n"), 1u);
    // a field missing, a value that is not a whole number, a negative one, no sample name
    EXPECT_EQ(line_of(kHeader + "T1\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"), 2u);
    EXPECT_EQ(line_of(kHeader + "T1\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t1.5\n"), 2u);
    EXPECT_EQ(line_of(kHeader +
                      "T1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\nT2\t-1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"),
              3u);
    EXPECT_EQ(line_of(kHeader + "\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"), 2u);
    // past 2^64 - 1
    EXPECT_EQ(line_of(kHeader + "T1\t18446744073709551616\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"), 2u);
}

}  // namespace
}  // namespace sigstream
