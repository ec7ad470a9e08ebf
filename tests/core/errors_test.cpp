#include "core/errors.h"

#include <gtest/gtest.h>

namespace sigstream {
namespace {

TEST(Errors, MessageCarriesFileLineProblemAndAdvice) {
    FormatError e("in.vcf", 12, "malformed record", "fix it");
    EXPECT_STREQ(e.what(), "in.vcf:12: malformed record \xE2\x80\x94 fix it");
    EXPECT_EQ(e.file(), "in.vcf");
    EXPECT_EQ(e.line(), 12u);
}

TEST(Errors, LineAndFileAreOptional) {
    EXPECT_STREQ(IoError("a.fa", 0, "missing", "check").what(), "a.fa: missing \xE2\x80\x94 check");
    EXPECT_STREQ(UsageError("", 0, "bad flag", "see --help").what(), "bad flag \xE2\x80\x94 see --help");
}

TEST(Errors, ControlCharactersAreEscapedSoTheMessageIsOneWholeLine) {
    using namespace std::string_literals;
    const FormatError e("odd\nname.vcf"s, 3, "contig 'chr\0X' is unknown"s, "check\tit\x01"s);
    EXPECT_EQ(std::string(e.what()), "odd\\nname.vcf:3: contig 'chr\\0X' is unknown \xE2\x80\x94 check\\tit\\x01");
    EXPECT_EQ(e.file(), "odd\nname.vcf"s);  // the parts keep their bytes
    EXPECT_STREQ(IoError("a\r\x7f", 0, "x").what(), "a\\r\\x7f: x");
    EXPECT_STREQ(IoError("caf\xC3\xA9.vcf", 0, "x").what(), "caf\xC3\xA9.vcf: x");  // UTF-8 as it is
}

TEST(Errors, TypedHierarchy) {
    try {
        throw DataError("f", 0, "x", "y");
    } catch (const Error& e) {
        EXPECT_NE(dynamic_cast<const DataError*>(&e), nullptr);
        return;
    }
    FAIL();
}

}  // namespace
}  // namespace sigstream
