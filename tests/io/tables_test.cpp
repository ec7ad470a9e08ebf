// TSV tables (src/io/tables.h): the row writer every table goes through, and exposures.tsv / sample_stats.tsv.
#include "io/tables.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace sigstream {

namespace {

TEST(TsvWriter, CellsAreTabSeparatedAndRowsEndInANewline) {
    std::ostringstream out;
    TsvWriter t(out);
    t.header({"Name", "Value", "Count"});
    t.text("a").number(0.25).integer(3).end_row();
    t.text("b c").number(3).integer(-12).end_row();
    EXPECT_EQ(out.str(), "Name\tValue\tCount\na\t0.25\t3\nb c\t3\t-12\n");
}

TEST(TsvWriter, ARowIsWrittenOnlyWhenEnded) {
    std::ostringstream out;
    TsvWriter t(out);
    t.text("x").number(1.5);
    EXPECT_EQ(out.str(), "");
    t.end_row();
    EXPECT_EQ(out.str(), "x\t1.5\n");
    t.end_row();  // an empty row
    EXPECT_EQ(out.str(), "x\t1.5\n\n");
}

TEST(TsvWriter, NumbersAreTheShortestTextThatReadsBack) {
    std::ostringstream out;
    TsvWriter t(out);
    t.number(0.1).number(1e-8).number(3).number(0).number(-2.5).number(1.0 / 3).number(0.30000000000000004).end_row();
    EXPECT_EQ(out.str(), "0.1\t1e-08\t3\t0\t-2.5\t0.3333333333333333\t0.30000000000000004\n");
}

// A total of 100000 mutations reads as 100000, not as 1e+05 (the shortest text); a fraction keeps the shortest.
TEST(TsvWriter, WholeNumbersAreWrittenInFull) {
    std::ostringstream out;
    TsvWriter t(out);
    t.number(1e5).number(-2e6).number(123456789012.0).number(1e20).number(1e21).number(2.5e5 + 0.5).number(1e-5);
    t.end_row();
    EXPECT_EQ(out.str(), "100000\t-2000000\t123456789012\t100000000000000000000\t1e+21\t250000.5\t1e-05\n");
}

TEST(TsvWriter, MissingValuesAreNA) {
    std::ostringstream out;
    TsvWriter t(out);
    t.na()
        .number_or_na(std::numeric_limits<double>::quiet_NaN())
        .number_or_na(std::nan(""))
        .number_or_na(0.5)
        .number_or_na(0)
        .end_row();
    EXPECT_EQ(out.str(), "NA\tNA\tNA\t0.5\t0\n");
}

TEST(TsvWriter, IntegersAtTheirLimits) {
    std::ostringstream out;
    TsvWriter t(out);
    t.integer(std::numeric_limits<long long>::min())
        .integer(std::numeric_limits<long long>::max())
        .unsigned_integer(std::numeric_limits<std::uint64_t>::max())
        .unsigned_integer(0)
        .end_row();
    EXPECT_EQ(out.str(), "-9223372036854775808\t9223372036854775807\t18446744073709551615\t0\n");
}

TEST(TsvWriter, AnEmptyHeaderIsAnEmptyLine) {
    std::ostringstream out;
    TsvWriter(out).header({});
    EXPECT_EQ(out.str(), "\n");
}

TEST(WriteExposures, OneRowPerSampleOneColumnPerSignature) {
    // values is signatures x samples: A gives s1 10 and s2 2.5, B gives s1 0 and s2 0.125, C gives 1e-08 and 7.
    Eigen::MatrixXd values(3, 2);
    values << 10, 2.5,  //
        0, 0.125,       //
        1e-8, 7;
    std::ostringstream out;
    write_exposures({"s1", "s2"}, {"A", "B", "C"}, values, out);
    EXPECT_EQ(out.str(),
              "Samples\tA\tB\tC\n"
              "s1\t10\t0\t1e-08\n"
              "s2\t2.5\t0.125\t7\n");
}

TEST(WriteExposures, FromTheResultTypeAndWithoutSamples) {
    Exposures e;
    e.samples = {"tumour_1"};
    e.signatures = {"SBS96A", "SBS96B"};
    e.values.resize(2, 1);
    e.values << 99.5, 0.5;
    std::ostringstream out;
    write_exposures(e, out);
    EXPECT_EQ(out.str(), "Samples\tSBS96A\tSBS96B\ntumour_1\t99.5\t0.5\n");

    std::ostringstream none;
    write_exposures({}, {"A"}, Eigen::MatrixXd(1, 0), none);
    EXPECT_EQ(none.str(), "Samples\tA\n");
}

TEST(WriteSampleStats, HeaderAndOneRowPerSample) {
    std::vector<SampleStats> stats(2);
    stats[0].sample = "s1";
    stats[0].total = 120;
    stats[0].cosine = 0.75;
    stats[0].l1_pct = 12.5;
    stats[0].l2_pct = 3.25;
    stats[0].kl = 0.0625;
    stats[1].sample = "empty";  // a sample without mutations: every value 0
    std::ostringstream out;
    write_sample_stats(stats, out);
    EXPECT_EQ(out.str(),
              "Sample\tTotal\tCosine\tL1_pct\tL2_pct\tKL\n"
              "s1\t120\t0.75\t12.5\t3.25\t0.0625\n"
              "empty\t0\t0\t0\t0\t0\n");
}

}  // namespace
}  // namespace sigstream
