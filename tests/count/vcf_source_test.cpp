#include "count/vcf_source.h"

#include <gtest/gtest.h>

#include <string>

#include "core/errors.h"
#include "io/output_file.h"
#include "test_util.h"

namespace sigstream {
namespace {

constexpr const char* kHeader =
    "##fileformat=VCFv4.2\n##tumor_sample=T1\n##contig=<ID=chr1>\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT1\tN1\n";

// n records with long INFO fields, so that lines cross the 64 KiB chunks of compressed input.
std::string make_vcf(int n) {
    std::string s = kHeader;
    for (int i = 1; i <= n; ++i) {
        s += "chr1\t" + std::to_string(i * 3) + "\t.\tC\tT,G\t50\t" + (i % 3 ? "PASS" : (i % 2 ? "." : "LowQual")) +
             "\tDP=" + std::to_string(i) + ";NOTE=" + std::string(static_cast<std::size_t>(i % 97), 'x') +
             "\tGT:DP\t0/" + std::to_string(i % 3) + ":7\t0/0:9\n";
    }
    return s;
}

void expect_reads_all(const std::string& path, int n) {
    VcfSource src(path, true);
    EXPECT_EQ(src.samples(), (std::vector<std::string>{"T1", "N1"}));
    ASSERT_TRUE(src.tumor_sample().has_value());
    EXPECT_EQ(*src.tumor_sample(), "T1");
    VariantRecord rec;
    int i = 0;
    while (src.next(rec)) {
        ++i;
        ASSERT_EQ(rec.pos, i * 3) << path;
        ASSERT_EQ(rec.chrom, "chr1");
        ASSERT_EQ(rec.ref, "C");
        ASSERT_EQ(rec.alt, "T,G");
        ASSERT_EQ(rec.filter, i % 3 ? FilterStatus::Pass : (i % 2 ? FilterStatus::Missing : FilterStatus::Other));
        ASSERT_EQ(rec.line, static_cast<std::uint64_t>(4 + i));
        ASSERT_EQ(rec.carried[0], i % 3 == 0 ? 0u : (std::uint64_t{1} << (i % 3))) << "record " << i;
        ASSERT_EQ(rec.carried[1], 0u);
    }
    EXPECT_EQ(i, n) << path;
}

TEST(VcfSource, PlainGzipAndBgzfTextReadAlike) {
    test::TempDir d;
    const int n = 20000;  // ~2.5 MB of text: many chunks
    const std::string text = make_vcf(n);
    test::write_file(d.file("a.vcf"), text);
    expect_reads_all(d.file("a.vcf"), n);
    expect_reads_all(test::bgzip_file(d.file("a.vcf")), n);
    {
        OutputFile gz(d.file("b.vcf.gz"));  // Boost.Iostreams: plain gzip, not BGZF
        gz.stream() << text;
        gz.commit();
    }
    expect_reads_all(d.file("b.vcf.gz"), n);
}

TEST(VcfSource, CrlfLineEndsAndMissingFinalNewline) {
    test::TempDir d;
    std::string text =
        "##fileformat=VCFv4.2\r\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\r\n"
        "1\t5\t.\tA\tG\t.\tPASS\t.\r\n2\t7\t.\tC\tT\t.\t.\t.";
    test::write_file(d.file("c.vcf"), text);
    VcfSource src(d.file("c.vcf"), false);
    VariantRecord rec;
    ASSERT_TRUE(src.next(rec));
    EXPECT_EQ(rec.filter, FilterStatus::Pass);
    ASSERT_TRUE(src.next(rec));
    EXPECT_EQ(rec.chrom, "2");
    EXPECT_EQ(rec.pos, 7);
    EXPECT_EQ(rec.filter, FilterStatus::Missing);
    EXPECT_FALSE(src.next(rec));
}

TEST(VcfSource, MalformedRecordNamesItsLine) {
    test::TempDir d;
    test::write_file(
        d.file("m.vcf"),
        std::string(kHeader) + "chr1\t5\t.\tC\tT\t.\tPASS\t.\tGT\t0/1\t0/0\nchr1\tfive\t.\tC\tT\t.\tPASS\t.\n");
    VcfSource src(d.file("m.vcf"), false);
    VariantRecord rec;
    ASSERT_TRUE(src.next(rec));
    try {
        src.next(rec);
        FAIL() << "no error";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.line(), 6u);
        EXPECT_NE(e.problem().find("POS 'five'"), std::string::npos);
    }
}

TEST(VcfSource, TruncatedBgzfIsAnIoError) {
    test::TempDir d;
    test::write_file(d.file("t.vcf"), make_vcf(20000));
    std::string gz = test::bgzip_file(d.file("t.vcf"));
    std::string bytes = test::read_file(gz);
    test::write_file(gz, bytes.substr(0, bytes.size() / 2));
    VcfSource src(gz, false);
    VariantRecord rec;
    EXPECT_THROW(
        {
            while (src.next(rec)) {
            }
        },
        IoError);
}

}  // namespace
}  // namespace sigstream
