#include "io/checksum.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace sigstream {
namespace {

// RFC 1321's test suite (appendix A.5): digests known independently of any implementation.
TEST(Md5, Rfc1321TestSuite) {
    const std::pair<std::string, std::string> cases[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (const auto& [text, digest] : cases) {
        Md5 whole;
        whole.update(text);
        EXPECT_EQ(whole.hex(), digest) << text;
        Md5 pieces;  // fed a byte at a time: the same digest
        for (char c : text) pieces.update(std::string_view(&c, 1));
        EXPECT_EQ(pieces.hex(), digest) << text;
    }
}

TEST(Md5, FileDigestIsTheBytesDigestAndEmptyForWhatCannotBeReadTwice) {
    test::TempDir d;
    test::write_file(d.file("abc.txt"), "abc");
    EXPECT_EQ(file_md5(d.file("abc.txt")), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(file_md5(d.file("missing.txt")), "");
    EXPECT_EQ(file_md5("-"), "");
    EXPECT_EQ(file_md5("/dev/null"), "");  // not a regular file
}

}  // namespace
}  // namespace sigstream
