// The labelled matrix and the names of extracted signatures (src/core/matrix.h).
#include "core/matrix.h"

#include <gtest/gtest.h>

namespace sigstream {
namespace {

TEST(LabelledMatrix, StartsAtZeroWithOneColumnPerName) {
    const LabelledMatrix m(Context::SBS6, {"a", "b"});
    EXPECT_EQ(m.channels(), 6u);
    EXPECT_EQ(m.values.rows(), 6);
    EXPECT_EQ(m.values.cols(), 2);
    EXPECT_TRUE(m.values.isZero(0));
}

TEST(SignatureName, LettersAfterTheContext) {
    EXPECT_EQ(signature_name(Context::SBS96, 0), "SBS96A");
    EXPECT_EQ(signature_name(Context::SBS96, 1), "SBS96B");
    EXPECT_EQ(signature_name(Context::SBS96, 25), "SBS96Z");
    EXPECT_EQ(signature_name(Context::SBS96, 26), "SBS96AA");
    EXPECT_EQ(signature_name(Context::SBS96, 27), "SBS96AB");
    EXPECT_EQ(signature_name(Context::SBS96, 51), "SBS96AZ");
    EXPECT_EQ(signature_name(Context::SBS96, 52), "SBS96BA");
    EXPECT_EQ(signature_name(Context::SBS96, 701), "SBS96ZZ");
    EXPECT_EQ(signature_name(Context::SBS96, 702), "SBS96AAA");
    EXPECT_EQ(signature_name(Context::SBS6, 2), "SBS6C");
    EXPECT_EQ(signature_name(Context::SBS1536, 0), "SBS1536A");
}

}  // namespace
}  // namespace sigstream
