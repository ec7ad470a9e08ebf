#include "io/input_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/errors.h"
#include "io/output_file.h"
#include "io/outputs.h"
#include "test_util.h"

namespace sigstream {
namespace {

namespace fs = std::filesystem;

TEST(InputFiles, AnInputIsFoundUnderEveryNameOfItsFile) {
    test::TempDir d;
    test::write_file(d.file("in.vcf"), "x\n");
    fs::create_symlink(d.file("in.vcf"), d.file("soft.vcf"));
    fs::create_hard_link(d.file("in.vcf"), d.file("hard.vcf"));
    test::write_file(d.file("other.vcf"), "x\n");
    note_input(d.file("in.vcf"));
    for (const char* name : {"in.vcf", "soft.vcf", "hard.vcf"}) EXPECT_EQ(input_at(d.file(name)), d.file("in.vcf"));
    EXPECT_EQ(input_at(d.file("other.vcf")), "");  // same content, another file
    EXPECT_EQ(input_at(d.file("missing.vcf")), "");
    EXPECT_EQ(input_inside(d.path()), d.file("in.vcf"));
}

TEST(InputFiles, ADeletedInputIsForgottenEvenWhenItsInodeIsReused) {
    test::TempDir d;
    test::write_file(d.file("gone.tsv"), "x\n");
    note_input(d.file("gone.tsv"));
    const auto id = file_id(d.file("gone.tsv"));
    fs::remove(d.file("gone.tsv"));
    // new files until one takes the old inode (ext4 and tmpfs reuse it at once), or give up
    std::string reused;
    for (int i = 0; i < 64 && reused.empty(); ++i) {
        const std::string p = d.file("new" + std::to_string(i));
        test::write_file(p, "y\n");
        if (file_id(p) == id) reused = p;
    }
    if (reused.empty()) GTEST_SKIP() << "the file system did not reuse the inode";
    EXPECT_EQ(input_at(reused), "");
}

TEST(InputFiles, AFileSetRefusesAnOutputOverAnInputThroughALink) {
    test::TempDir d;
    test::write_file(d.file("ref.fa"), ">a\nACGT\n");
    fs::create_hard_link(d.file("ref.fa"), d.file("out.tsv"));
    FileSet out;
    out.reserve(d.file("out.tsv"));
    try {
        out.protect(d.file("ref.fa"));
        FAIL() << "no UsageError";
    } catch (const UsageError& e) {
        EXPECT_EQ(e.file(), d.file("ref.fa"));
        EXPECT_EQ(e.problem(), "an output of the run would be written over this input");
    }
}

TEST(InputFiles, AnOutputFileIsNotMovedOverAnInputReadDuringTheRun) {
    test::TempDir d;
    test::write_file(d.file("list.txt"), "a.vcf\n");
    note_input(d.file("list.txt"));
    OutputFile f(d.file("list.txt"));
    f.stream() << "counts\n";
    EXPECT_THROW(f.commit(), UsageError);
    EXPECT_EQ(test::read_file(d.file("list.txt")), "a.vcf\n");
}

TEST(InputFiles, SpecialFilesAreRefusedWhereAFileIsReadAtRandom) {
    test::TempDir d;
    ASSERT_EQ(mkfifo(d.file("fifo").c_str(), 0600), 0);
    try {
        require_regular_file(d.file("fifo"), "the reference FASTA", "it is read at random places");
        FAIL() << "no UsageError";
    } catch (const UsageError& e) {
        EXPECT_EQ(e.problem(), "the reference FASTA is a FIFO, not a regular file: it is read at random places");
    }
    EXPECT_THROW(require_regular_file("/dev/null", "x", "y"), UsageError);
    test::write_file(d.file("plain"), "x");
    EXPECT_NO_THROW(require_regular_file(d.file("plain"), "x", "y"));
}

TEST(InputFiles, AFifoNobodyWritesToIsGivenUpOnInTime) {
    test::TempDir d;
    ASSERT_EQ(mkfifo(d.file("fifo").c_str(), 0600), 0);
    setenv("SIGSTREAM_FIFO_WAIT", "1", 1);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(open_fifo_input(d.file("fifo")), IoError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    // with a writer, the descriptor reads what it wrote
    std::thread writer([&] { test::write_file(d.file("fifo"), "hello\n"); });
    const int fd = open_fifo_input(d.file("fifo"));
    ASSERT_GE(fd, 0);
    char buf[16] = {};
    std::size_t got = 0;
    for (ssize_t n; (n = read(fd, buf + got, sizeof buf - 1 - got)) > 0;) got += static_cast<std::size_t>(n);
    close(fd);
    writer.join();
    unsetenv("SIGSTREAM_FIFO_WAIT");
    EXPECT_STREQ(buf, "hello\n");
    EXPECT_EQ(open_fifo_input(d.file("missing")), -1);  // not a FIFO: open it as usual
}

TEST(InputFiles, AWriteToAFullDeviceFails) {
    OutputFile f("/dev/full");
    f.stream() << std::string(100000, 'x');
    try {
        f.commit();
        FAIL() << "no IoError";
    } catch (const IoError& e) {
        EXPECT_EQ(e.problem(), "cannot write the output: No space left on device");
    }
}

}  // namespace
}  // namespace sigstream
