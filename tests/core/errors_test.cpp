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
