#include "io/output_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/errors.h"
#include "io/line_reader.h"
#include "test_util.h"

namespace sigstream {
namespace {

namespace fs = std::filesystem;

std::size_t files_in(const std::string& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}

TEST(OutputFile, NothingAppearsUntilCommit) {
    test::TempDir d;
    const std::string path = d.file("m.tsv");
    {
        OutputFile out(path);
        out.stream() << "hello\n";
        EXPECT_FALSE(fs::exists(path));
        out.commit();
    }
    EXPECT_EQ(test::read_file(path), "hello\n");
    EXPECT_EQ(files_in(d.path()), 1u);
}

TEST(OutputFile, AbandonedOutputLeavesNoFile) {
    test::TempDir d;
    {
        OutputFile out(d.file("m.tsv"));
        out.stream() << "partial";
    }
    EXPECT_EQ(files_in(d.path()), 0u);
}

TEST(OutputFile, MissingFolderIsAnIoErrorBeforeAnyWork) {
    test::TempDir d;
    EXPECT_THROW(OutputFile::check_writable(d.file("no/such/m.tsv")), IoError);
    EXPECT_THROW(OutputFile(d.file("no/m.tsv")), IoError);
}

TEST(OutputFile, GzSuffixCompressesAndLineReaderReadsItBack) {
    test::TempDir d;
    const std::string path = d.file("m.tsv.gz");
    {
        OutputFile out(path);
        out.stream() << "a\tb\n1\t2\n";
        out.commit();
    }
    std::string raw = test::read_file(path);
    ASSERT_GE(raw.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(raw[0]), 0x1f);
    LineReader in(path);
    std::string line;
    ASSERT_TRUE(in.next(line));
    EXPECT_EQ(line, "a\tb");
    ASSERT_TRUE(in.next(line));
    EXPECT_EQ(line, "1\t2");
    EXPECT_FALSE(in.next(line));
}

TEST(OutputFile, ReplacesTheTargetOfALinkNotTheLink) {
    test::TempDir d;
    test::write_file(d.file("real.tsv"), "old\n");
    fs::create_symlink("real.tsv", d.file("link.tsv"));
    OutputFile out(d.file("link.tsv"));
    out.stream() << "new\n";
    out.commit();
    EXPECT_TRUE(fs::is_symlink(d.file("link.tsv")));
    EXPECT_EQ(test::read_file(d.file("real.tsv")), "new\n");
}

TEST(LineReader, StripsCrlfAndByteOrderMark) {
    test::TempDir d;
    test::write_file(d.file("x.tsv"), "\xEF\xBB\xBFType\tS1\r\nA[C>A]A\t1\r\n");
    LineReader in(d.file("x.tsv"));
    std::string line;
    ASSERT_TRUE(in.next(line));
    EXPECT_EQ(line, "Type\tS1");
    ASSERT_TRUE(in.next(line));
    EXPECT_EQ(line, "A[C>A]A\t1");
    EXPECT_EQ(in.line_number(), 2u);
}

TEST(LineReader, MissingFileIsIoError) {
    EXPECT_THROW(LineReader("/nonexistent/x"), IoError);
}

}  // namespace
}  // namespace sigstream
