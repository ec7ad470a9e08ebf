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

TEST(Errors, AHugeQuotedFieldIsShortenedToItsEnds) {
    const std::string cell = "1" + std::string(1 << 20, 'x') + "2";
    const FormatError e("m.tsv", 2, "the value '" + cell + "' is not a number", "fix it");
    const std::string what = e.what();
    // 400 bytes of the part, the note, its last 150 bytes: "m.tsv:2: " + … + " — fix it"
    const std::string part = "the value '" + cell + "' is not a number";
    const std::string expected = "m.tsv:2: " + part.substr(0, 400) + "\xE2\x80\xA6[" +
                                 std::to_string(part.size() - 550) + " bytes]\xE2\x80\xA6" +
                                 part.substr(part.size() - 150) + " \xE2\x80\x94 fix it";
    EXPECT_EQ(what, expected);
    EXPECT_EQ(e.problem(), part);  // the part itself is kept whole
    // never cut inside a UTF-8 character: 'é' (two bytes) at bytes 399 and 400 goes whole, not halved
    const FormatError u("", 0, std::string(399, 'a') + std::string(300, 'b').replace(0, 2, "\xC3\xA9"));
    EXPECT_EQ(std::string(u.what()).substr(398, 5), "a\xE2\x80\xA6[");
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
