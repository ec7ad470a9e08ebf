// Where a run's files go (src/io/outputs.h): a RunFolder appears whole at commit or not at all; a FileSet's files
// all appear together at commit; both refuse two outputs to one place and outputs over the run's inputs.
#include "io/outputs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "core/errors.h"
#include "test_util.h"

namespace sigstream {
namespace {

namespace fs = std::filesystem;

// The names in `dir` (hidden ones included).
std::set<std::string> entries(const std::string& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

// Every file under `dir`, relative to it (folders end in '/').
std::set<std::string> tree(const std::string& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        out.insert(fs::relative(e.path(), dir).string() + (e.is_directory() ? "/" : ""));
    return out;
}

// ---------------------------------------------------------------- RunFolder

TEST(RunFolder, AppearsOnlyAtCommitWithEveryFile) {
    test::TempDir d;
    const std::string run = d.file("run");
    {
        RunFolder f(run, false);
        EXPECT_TRUE(f.is_folder());
        EXPECT_EQ(f.path(), run);
        f.reserve("a.tsv");
        f.reserve("solutions/K3/b.tsv");
        f.open("a.tsv") << "alpha\n";
        f.open("solutions/K3/b.tsv") << "beta\n";
        EXPECT_FALSE(fs::exists(run));
        f.commit();
        EXPECT_EQ(tree(run), (std::set<std::string>{"a.tsv", "solutions/", "solutions/K3/", "solutions/K3/b.tsv"}));
    }
    EXPECT_EQ(test::read_file(run + "/a.tsv"), "alpha\n");
    EXPECT_EQ(test::read_file(run + "/solutions/K3/b.tsv"), "beta\n");
    EXPECT_EQ(entries(d.path()), (std::set<std::string>{"run"}));  // no temporary folder left next to it
}

TEST(RunFolder, NothingIsLeftWithoutCommit) {
    test::TempDir d;
    {
        RunFolder f(d.file("run"), false);
        f.open("a.tsv") << "partial";
        f.open("sub/b.tsv") << "partial";
    }
    EXPECT_TRUE(entries(d.path()).empty());  // neither the folder nor a hidden .run.tmp.* next to it
}

TEST(RunFolder, ACommitWithoutFilesGivesAnEmptyFolder) {
    test::TempDir d;
    {
        RunFolder f(d.file("run"), false);
        f.commit();
    }
    EXPECT_TRUE(fs::is_directory(d.file("run")));
    EXPECT_TRUE(fs::is_empty(d.file("run")));
    EXPECT_EQ(entries(d.path()), (std::set<std::string>{"run"}));
}

TEST(RunFolder, AnEmptyExistingFolderIsUsed) {
    test::TempDir d;
    fs::create_directory(d.file("run"));
    RunFolder f(d.file("run/"), false);  // a trailing slash names the same folder
    EXPECT_EQ(f.path(), d.file("run"));
    f.open("x.tsv") << "x\n";
    f.commit();
    EXPECT_EQ(test::read_file(d.file("run/x.tsv")), "x\n");
}

TEST(RunFolder, ANonEmptyFolderIsRefusedWithoutForce) {
    test::TempDir d;
    fs::create_directory(d.file("run"));
    test::write_file(d.file("run/old.tsv"), "old\n");
    try {
        RunFolder f(d.file("run"), false);
        ADD_FAILURE() << "accepted a non-empty folder";
    } catch (const UsageError& e) {
        EXPECT_EQ(e.file(), d.file("run"));
        EXPECT_NE(std::string(e.what()).find("--force"), std::string::npos) << e.what();
    }
    EXPECT_EQ(test::read_file(d.file("run/old.tsv")), "old\n");
}

TEST(RunFolder, AFileOrAMissingParentIsRefused) {
    test::TempDir d;
    test::write_file(d.file("file"), "x");
    EXPECT_THROW(RunFolder(d.file("file"), false), UsageError);
    EXPECT_THROW(RunFolder(d.file("file"), true), UsageError);
    EXPECT_THROW(RunFolder(d.file("no/such/run"), false), IoError);
    EXPECT_THROW(RunFolder("", false), UsageError);
    EXPECT_EQ(entries(d.path()), (std::set<std::string>{"file"}));
}

// An earlier run's folder: what --force may replace (its metadata.toml names the sigstream version).
void make_old_run(const std::string& run) {
    fs::create_directories(run);
    test::write_file(run + "/old.tsv", "old\n");
    test::write_file(run + "/metadata.toml", "# Written by `sigstream extract`.\nsigstream_version = \"0.1.0\"\n");
}

TEST(RunFolder, ForceReplacesTheOldFolderOnlyAtCommit) {
    test::TempDir d;
    const std::string run = d.file("run");
    make_old_run(run);
    {
        RunFolder f(run, true);
        f.open("new.tsv") << "new\n";
        EXPECT_EQ(entries(run), (std::set<std::string>{"metadata.toml", "old.tsv"}));  // untouched until commit
        f.commit();
    }
    EXPECT_EQ(entries(run), (std::set<std::string>{"new.tsv"}));
    EXPECT_EQ(test::read_file(run + "/new.tsv"), "new\n");
    EXPECT_EQ(entries(d.path()), (std::set<std::string>{"run"}));  // the old folder is gone, no leftovers
}

TEST(RunFolder, ForceWithoutCommitKeepsTheOldFolder) {
    test::TempDir d;
    const std::string run = d.file("run");
    make_old_run(run);
    {
        RunFolder f(run, true);
        f.open("new.tsv") << "new\n";
    }
    EXPECT_EQ(entries(run), (std::set<std::string>{"metadata.toml", "old.tsv"}));
    EXPECT_EQ(test::read_file(run + "/old.tsv"), "old\n");
    EXPECT_EQ(entries(d.path()), (std::set<std::string>{"run"}));
}

TEST(RunFolder, ForceReplacesOnlyAFolderASigstreamRunMade) {
    test::TempDir d;
    const std::string run = d.file("photos");
    fs::create_directories(run);
    test::write_file(run + "/holiday.jpg", "jpeg\n");
    test::write_file(run + "/metadata.toml", "title = \"not ours\"\n");
    try {
        RunFolder f(run, true);
        FAIL() << "no UsageError";
    } catch (const UsageError& e) {
        EXPECT_NE(e.problem().find("--force replaces only a run folder sigstream made"), std::string::npos);
    }
    EXPECT_EQ(entries(run), (std::set<std::string>{"holiday.jpg", "metadata.toml"}));
}

TEST(RunFolder, ALinkToAFolderIsFollowed) {
    test::TempDir d;
    fs::create_directories(d.file("real"));
    fs::create_directory_symlink("real", d.file("link"));
    {
        RunFolder f(d.file("link"), false);
        f.open("a.tsv") << "a\n";
        f.commit();
    }
    EXPECT_TRUE(fs::is_symlink(d.file("link")));
    EXPECT_EQ(test::read_file(d.file("real/a.tsv")), "a\n");
    fs::create_directory_symlink("nowhere", d.file("dangling"));
    EXPECT_THROW(RunFolder(d.file("dangling"), false), UsageError);
}

TEST(RunFolder, ProtectRefusesToReplaceAFolderHoldingAnInput) {
    test::TempDir d;
    const std::string run = d.file("run");
    make_old_run(run);
    fs::create_directories(run + "/sub");
    test::write_file(run + "/sub/in.tsv", "input\n");
    test::write_file(d.file("elsewhere.tsv"), "input\n");
    RunFolder f(run, true);
    EXPECT_THROW(f.protect(run + "/sub/in.tsv"), UsageError);
    EXPECT_THROW(f.protect(d.file("other/../run/sub/in.tsv")), UsageError);  // the same file by another path
    EXPECT_THROW(f.protect(run), UsageError);  // the folder itself given as an input (a run folder's signatures)
    EXPECT_NO_THROW(f.protect(d.file("elsewhere.tsv")));
    EXPECT_NO_THROW(f.protect(d.file("run-b/in.tsv")));  // a sibling whose name starts like the folder's
    EXPECT_NO_THROW(f.protect("-"));
    EXPECT_NO_THROW(f.protect(""));
    try {
        f.protect(run + "/sub/in.tsv");
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find(run + "/sub/in.tsv"), std::string::npos) << e.what();
    }
    EXPECT_EQ(test::read_file(run + "/sub/in.tsv"), "input\n");
}

TEST(RunFolder, ProtectHasNothingToRefuseWithoutForce) {
    test::TempDir d;
    const std::string run = d.file("run");
    RunFolder fresh(run, true);  // --force but no folder yet: nothing can be deleted
    EXPECT_NO_THROW(fresh.protect(run + "/in.tsv"));
    fs::create_directory(run);
    RunFolder empty(run, false);
    EXPECT_NO_THROW(empty.protect(run + "/in.tsv"));
}

TEST(RunFolder, TheSameNameIsRefusedTwice) {
    test::TempDir d;
    RunFolder f(d.file("run"), false);
    f.reserve("a.tsv");
    f.reserve("b.tsv");
    EXPECT_THROW(f.reserve("a.tsv"), UsageError);
    f.open("a.tsv") << "1\n";
    EXPECT_THROW(f.open("a.tsv"), UsageError);
    f.open("b.tsv") << "2\n";
    f.commit();
    EXPECT_EQ(test::read_file(d.file("run/a.tsv")), "1\n");  // the refused second open() did not touch the first
}

// ---------------------------------------------------------------- FileSet

TEST(FileSet, FilesAppearOnlyAtCommitAllTogether) {
    test::TempDir d;
    {
        FileSet s;
        EXPECT_FALSE(s.is_folder());
        s.reserve(d.file("a.tsv"));
        s.reserve(d.file("b.tsv"));
        s.open(d.file("a.tsv")) << "alpha\n";
        s.open(d.file("b.tsv")) << "beta\n";
        EXPECT_FALSE(fs::exists(d.file("a.tsv")));  // the first is complete but waits for the second
        EXPECT_FALSE(fs::exists(d.file("b.tsv")));
        s.commit();
    }
    EXPECT_EQ(test::read_file(d.file("a.tsv")), "alpha\n");
    EXPECT_EQ(test::read_file(d.file("b.tsv")), "beta\n");
    EXPECT_EQ(entries(d.path()), (std::set<std::string>{"a.tsv", "b.tsv"}));
}

TEST(FileSet, NothingIsLeftWithoutCommit) {
    test::TempDir d;
    test::write_file(d.file("b.tsv"), "old\n");
    {
        FileSet s;
        s.reserve(d.file("a.tsv"));
        s.reserve(d.file("b.tsv"));
        s.open(d.file("a.tsv")) << "alpha\n";
        s.open(d.file("b.tsv")) << "beta\n";
    }
    EXPECT_EQ(entries(d.path()), (std::set<std::string>{"b.tsv"}));
    EXPECT_EQ(test::read_file(d.file("b.tsv")), "old\n");  // an existing file is replaced only at commit
}

TEST(FileSet, ReserveRefusesTwoOutputsToOnePlace) {
    test::TempDir d;
    fs::create_directory(d.file("sub"));
    FileSet s;
    s.reserve(d.file("a.tsv"));
    EXPECT_THROW(s.reserve(d.file("a.tsv")), UsageError);
    EXPECT_THROW(s.reserve(d.file("sub/../a.tsv")), UsageError);
    s.reserve("-");
    EXPECT_THROW(s.reserve("/dev/stdout"), UsageError);  // standard output under another name
    EXPECT_NO_THROW(s.reserve(d.file("sub/a.tsv")));
}

TEST(FileSet, ReserveRefusesAMissingFolderAndAFolder) {
    test::TempDir d;
    FileSet s;
    EXPECT_THROW(s.reserve(d.file("no/such/a.tsv")), IoError);
    EXPECT_THROW(s.reserve(d.path()), IoError);
}

TEST(FileSet, ProtectRefusesAnOutputEqualToAnInput) {
    test::TempDir d;
    test::write_file(d.file("in.tsv"), "input\n");
    fs::create_directory(d.file("sub"));
    FileSet s;
    s.reserve(d.file("in.tsv"));
    s.reserve("-");
    try {
        s.protect(d.file("sub/../in.tsv"));
        ADD_FAILURE() << "an output over an input was accepted";
    } catch (const UsageError& e) {
        EXPECT_EQ(e.file(), d.file("sub/../in.tsv"));
    }
    EXPECT_NO_THROW(s.protect(d.file("other.tsv")));
    EXPECT_NO_THROW(s.protect("-"));  // reading standard input while writing standard output is fine
    EXPECT_NO_THROW(s.protect(""));
    EXPECT_EQ(test::read_file(d.file("in.tsv")), "input\n");
}

TEST(FileSet, CreateFolderIsUndoneWithoutCommit) {
    test::TempDir d;
    {
        FileSet s;
        s.create_folder(d.file("out"));
        EXPECT_TRUE(fs::is_directory(d.file("out")));
        s.reserve(d.file("out/e.tsv"));
        s.open(d.file("out/e.tsv")) << "x\n";
    }
    EXPECT_TRUE(entries(d.path()).empty());
}

TEST(FileSet, CreateFolderIsKeptAfterCommit) {
    test::TempDir d;
    {
        FileSet s;
        s.create_folder(d.file("out"));
        s.reserve(d.file("out/e.tsv"));
        s.open(d.file("out/e.tsv")) << "x\n";
        s.commit();
    }
    EXPECT_EQ(test::read_file(d.file("out/e.tsv")), "x\n");
}

TEST(FileSet, CreateFolderLeavesAnExistingFolderAlone) {
    test::TempDir d;
    fs::create_directory(d.file("out"));
    test::write_file(d.file("out/keep.tsv"), "keep\n");
    {
        FileSet s;
        s.create_folder(d.file("out"));
    }
    EXPECT_EQ(test::read_file(d.file("out/keep.tsv")), "keep\n");
}

TEST(FileSet, CreateFolderRefusesAFileAndAMissingParent) {
    test::TempDir d;
    test::write_file(d.file("f"), "x");
    FileSet s;
    EXPECT_THROW(s.create_folder(d.file("f")), UsageError);
    EXPECT_THROW(s.create_folder(d.file("no/such")), IoError);
    EXPECT_EQ(test::read_file(d.file("f")), "x");
}

}  // namespace
}  // namespace sigstream
