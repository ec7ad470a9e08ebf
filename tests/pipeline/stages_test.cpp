// The stages that need no extraction plugin (src/pipeline/stages.h), run on a Workspace in memory or on small
// files: merge, compare, fit; the count stage's file names; make_stage() for every kind.
#include "pipeline/stages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "test_util.h"

namespace sigstream {
namespace {

namespace fs = std::filesystem;

// The SBS6 channels in SigProfiler order (core/channels.h: C>A, C>G, C>T, T>A, T>C, T>G).
const std::vector<std::string> kSbs6 = {"C>A", "C>G", "C>T", "T>A", "T>C", "T>G"};

// A TSV matrix of SBS6 rows: `columns` named, `rows[i]` the cells of channel i (given in `order`).
std::string sbs6_table(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows,
                       const std::vector<int>& order = {0, 1, 2, 3, 4, 5}) {
    std::string t = "MutationType";
    for (const auto& c : columns) t += "\t" + c;
    t += "\n";
    for (int i : order) {
        t += kSbs6[static_cast<std::size_t>(i)];
        for (const auto& cell : rows[static_cast<std::size_t>(i)]) t += "\t" + cell;
        t += "\n";
    }
    return t;
}

// An SBS6 LabelledMatrix with the given columns (each a vector of 6 values).
LabelledMatrix sbs6(const std::vector<std::string>& names, const std::vector<std::vector<double>>& columns) {
    LabelledMatrix m(Context::SBS6, names);
    for (std::size_t j = 0; j < columns.size(); ++j)
        for (std::size_t i = 0; i < 6; ++i) m.at(i, j) = columns[j][i];
    return m;
}

std::set<std::string> tree(const std::string& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        out.insert(fs::relative(e.path(), dir).string() + (e.is_directory() ? "/" : ""));
    return out;
}

// ---------------------------------------------------------------- make_stage()

TEST(MakeStage, EveryKindMakesAStageOfThatKind) {
    EXPECT_EQ(stage_kinds(), (std::vector<std::string>{"count", "merge", "extract", "consensus", "select", "refine",
                                                       "fit", "compare", "crossval"}));
    for (const std::string& kind : stage_kinds()) {
        SCOPED_TRACE(kind);
        const auto s = make_stage(kind);
        ASSERT_NE(s, nullptr);
        EXPECT_EQ(s->kind(), kind);
        EXPECT_EQ(s->id, "");  // named by Pipeline::add() or the pipeline file
        EXPECT_FALSE(s->summary().empty());
        EXPECT_FALSE(s->keys().empty());
    }
}

TEST(MakeStage, AnUnknownKindIsAUsageErrorListingTheKinds) {
    const UsageError e = test::error_of<UsageError>([] { make_stage("counts"); });
    EXPECT_EQ(std::string(e.what()),
              "'counts' is not a stage \xE2\x80\x94 the stages are count, merge, extract, consensus, select, refine, "
              "fit, compare, crossval");
    EXPECT_THROW(make_stage(""), UsageError);
    EXPECT_THROW(make_stage("Count"), UsageError);
}

TEST(MakeStage, DefaultDataFlow) {
    // With default settings (no files given), each stage takes its input from earlier stages.
    struct Flow {
        const char* kind;
        std::vector<Data> needs, gives;
    };
    const std::vector<Flow> flows = {
        {"count", {}, {Data::counts}},
        {"merge", {}, {Data::counts}},
        {"extract", {Data::counts}, {Data::replicates}},
        {"consensus", {Data::replicates}, {Data::solutions}},
        {"select", {Data::solutions}, {Data::signatures}},
        {"refine", {Data::solutions, Data::signatures}, {Data::signatures}},
        {"fit", {Data::counts, Data::signatures}, {Data::exposures}},
        {"compare", {Data::signatures}, {Data::comparison}},
        {"crossval", {Data::counts}, {Data::crossval}},
    };
    for (const Flow& f : flows) {
        SCOPED_TRACE(f.kind);
        const auto s = make_stage(f.kind);
        EXPECT_EQ(s->needs(), f.needs);
        EXPECT_EQ(s->gives(), f.gives);
    }
}

// A stage that reads its own count matrix makes it the run's: a later stage without a matrix uses it.
TEST(MakeStage, AStageThatReadsAMatrixGivesItOn) {
    for (const char* kind : {"extract", "fit", "crossval"}) {
        SCOPED_TRACE(kind);
        auto s = make_stage(kind);
        s->set(SettingValue::from_cli("matrix", {"m.tsv"}));
        const auto gives = s->gives();
        EXPECT_NE(std::find(gives.begin(), gives.end(), Data::counts), gives.end());
        EXPECT_TRUE(make_stage(kind)->needs() == std::vector<Data>{Data::counts} ||
                    std::string(kind) == "fit");  // fit needs signatures too (DefaultDataFlow)
    }
    auto consensus = make_stage("consensus");
    consensus->set(SettingValue::from_cli("shards", {"a.shard"}));
    EXPECT_EQ(consensus->gives(), (std::vector<Data>{Data::counts, Data::replicates, Data::solutions}));
}

// ---------------------------------------------------------------- extract's stop rule

// Replicate fits stop at 1e-4 unless --tol is given; one fit of the matrix at 1e-7 (core/settings.h).
TEST(ExtractTol, ReplicatesDefaultToTheLooserTolOneFitToTheTighter) {
    auto tol_of = [](const std::vector<std::pair<std::string, std::string>>& given) {
        ExtractStage s;
        for (const auto& [key, text] : given) s.set(SettingValue::from_cli(key, {text}));
        return s.settings.effective_tol();
    };
    EXPECT_EQ(tol_of({}), 1e-4);                                      // K range, 20 replicates
    EXPECT_EQ(tol_of({{"k", "3"}, {"replicates", "4"}}), 1e-4);       // fixed K, replicates
    EXPECT_EQ(tol_of({{"k", "3"}}), 1e-7);                            // one fit
    EXPECT_EQ(tol_of({{"k", "3"}, {"shard-out", "a.shard"}}), 1e-4);  // a shard holds replicates
    EXPECT_EQ(tol_of({{"tol", "1e-7"}}), 1e-7);                       // given: kept
    EXPECT_EQ(tol_of({{"k", "3"}, {"tol", "1e-5"}}), 1e-5);
    EXPECT_EQ(tol_of({{"tol", "0"}}), 0.0);
}

// ---------------------------------------------------------------- merge

class MergeFiles : public ::testing::Test {
protected:
    void SetUp() override {
        test::write_file(a, sbs6_table({"S1", "S2"},
                                       {{"1", "10"}, {"2", "20"}, {"3", "30"}, {"4", "40"}, {"5", "50"}, {"6", "60"}}));
        // rows in another order: matched by label
        test::write_file(
            b, sbs6_table({"S3"}, {{"100"}, {"200"}, {"300"}, {"400"}, {"500"}, {"600"}}, {5, 3, 1, 0, 2, 4}));
    }
    test::TempDir d;
    const std::string a = d.file("a.tsv"), b = d.file("b.tsv");
};

TEST_F(MergeFiles, JoinsTheColumnsInTheOrderGiven) {
    MergeStage m;
    m.settings.inputs = {a, b};
    m.prepare({});
    Workspace ws;
    m.run(ws, RunSettings{});
    ASSERT_TRUE(ws.counts.has_value());
    const LabelledMatrix& x = ws.counts->matrix;
    EXPECT_EQ(x.context, Context::SBS6);
    EXPECT_EQ(x.columns, (std::vector<std::string>{"S1", "S2", "S3"}));
    Eigen::MatrixXd expected(6, 3);
    expected << 1, 10, 100,  //
        2, 20, 200,          //
        3, 30, 300,          //
        4, 40, 400,          //
        5, 50, 500,          //
        6, 60, 600;
    EXPECT_EQ(x.values, expected);

    m.settings.out = d.file("merged.tsv");
    FileSet files;
    m.reserve(files);
    m.write(ws, files);
    files.commit();
    EXPECT_EQ(test::read_file(d.file("merged.tsv")),
              "MutationType\tS1\tS2\tS3\n"
              "C>A\t1\t10\t100\n"
              "C>G\t2\t20\t200\n"
              "C>T\t3\t30\t300\n"
              "T>A\t4\t40\t400\n"
              "T>C\t5\t50\t500\n"
              "T>G\t6\t60\t600\n");
}

TEST_F(MergeFiles, TheOtherOrderGivesTheOtherColumnOrder) {
    MergeStage m;
    m.settings.inputs = {b, a};
    Workspace ws;
    m.run(ws, RunSettings{});
    EXPECT_EQ(ws.counts->matrix.columns, (std::vector<std::string>{"S3", "S1", "S2"}));
    EXPECT_EQ(ws.counts->matrix.values(0, 0), 100);
    EXPECT_EQ(ws.counts->matrix.values(5, 2), 60);
}

TEST_F(MergeFiles, ASampleInTwoMatricesNamesBothFiles) {
    const std::string c = d.file("c.tsv");
    test::write_file(
        c, sbs6_table({"S9", "S2"}, {{"0", "1"}, {"0", "1"}, {"0", "1"}, {"0", "1"}, {"0", "1"}, {"0", "1"}}));
    MergeStage m;
    m.settings.inputs = {a, b, c};
    Workspace ws;
    const DataError e = test::error_of<DataError>([&] { m.run(ws, RunSettings{}); });
    EXPECT_EQ(e.file(), c);
    const std::string what = e.what();
    EXPECT_NE(what.find("'S2'"), std::string::npos) << what;
    EXPECT_NE(what.find(a), std::string::npos) << what;  // the other file
    EXPECT_FALSE(ws.counts.has_value());
}

TEST_F(MergeFiles, DifferentCataloguesAreADataError) {
    const std::string big = d.file("sbs96.tsv");
    std::string t = "MutationType\tS7\n";
    for (const std::string& label : channel_labels(Context::SBS96)) t += label + "\t1\n";
    test::write_file(big, t);
    MergeStage m;
    m.settings.inputs = {a, big};
    Workspace ws;
    const DataError e = test::error_of<DataError>([&] { m.run(ws, RunSettings{}); });
    EXPECT_EQ(e.file(), big);
    EXPECT_NE(std::string(e.what()).find("SBS96"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("SBS6"), std::string::npos) << e.what();
}

// Count summaries among the inputs are joined row-wise into `summary`, in the order of the matrices' samples.
TEST_F(MergeFiles, JoinsTheSummariesOfTheMatrices) {
    const std::string zeros = "\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n";
    const std::string header =
        "Sample\tCounted\tOutsideRegions\tFiltered\tMultiallelic\tOther\tIndel\tMNV\tUnknownContig\tContigEdge\t"
        "RefMismatch\tAmbiguousContext\tDuplicate\tDoublet\tNoSbs1536Context\n";
    test::write_file(d.file("a.summary.tsv"), header + "S1\t21" + zeros + "S2\t210" + zeros);
    test::write_file(d.file("b.summary.tsv"), header + "S3\t2100" + zeros);
    MergeStage m;
    m.settings.inputs = {a, d.file("a.summary.tsv"), b, d.file("b.summary.tsv")};  // any interleaving
    m.settings.out = d.file("merged.tsv");
    m.settings.summary = d.file("merged.summary.tsv");
    EXPECT_EQ(m.writes(true), (std::vector<std::string>{m.settings.out, m.settings.summary}));
    m.prepare({});
    Workspace ws;
    m.run(ws, RunSettings{});
    EXPECT_EQ(ws.counts->matrix.columns, (std::vector<std::string>{"S1", "S2", "S3"}));
    ASSERT_EQ(ws.counts->summary.size(), 3u);
    EXPECT_EQ(ws.counts->summary[2].counted, 2100u);
    FileSet files;
    m.reserve(files);
    m.write(ws, files);
    files.commit();
    EXPECT_EQ(test::read_file(d.file("merged.summary.tsv")),
              header + "S1\t21" + zeros + "S2\t210" + zeros + "S3\t2100" + zeros);

    // summaries in another order than the matrices, or one missing: a DataError naming the first summary
    m.settings.inputs = {a, b, d.file("b.summary.tsv"), d.file("a.summary.tsv")};
    Workspace ws2;
    EXPECT_EQ(test::error_of<DataError>([&] { m.run(ws2, RunSettings{}); }).file(), d.file("b.summary.tsv"));
    m.settings.inputs = {a, b, d.file("a.summary.tsv")};
    EXPECT_THROW(m.run(ws2, RunSettings{}), DataError);
    // summaries without `summary`, `summary` without summaries, summaries alone: usage errors
    m.settings.summary.clear();
    m.settings.inputs = {a, d.file("a.summary.tsv")};
    EXPECT_EQ(test::error_of<UsageError>([&] { m.run(ws2, RunSettings{}); }).file(), d.file("a.summary.tsv"));
    m.settings.summary = d.file("s.tsv");
    m.settings.inputs = {a};
    EXPECT_THROW(m.run(ws2, RunSettings{}), UsageError);
    m.settings.inputs = {d.file("a.summary.tsv")};
    EXPECT_THROW(m.run(ws2, RunSettings{}), UsageError);
    EXPECT_FALSE(ws2.counts.has_value());
}

TEST(Merge, NothingToMergeIsAUsageErrorAndFileNamesFollowTheSink) {
    MergeStage m;
    EXPECT_THROW(m.prepare({}), UsageError);
    EXPECT_EQ(m.writes(true), (std::vector<std::string>{"merged.tsv"}));
    EXPECT_EQ(m.writes(false), (std::vector<std::string>{"-"}));
    m.settings.inputs = {"x.tsv"};
    EXPECT_EQ(m.reads(), (std::vector<std::string>{"x.tsv"}));
    m.settings.out = "m.tsv";
    EXPECT_EQ(m.writes(true), (std::vector<std::string>{"m.tsv"}));
    EXPECT_EQ(m.writes(false), (std::vector<std::string>{"m.tsv"}));
}

// ---------------------------------------------------------------- compare

// Reference R1 = C>A alone, R2 = a quarter each on C>T, T>A, T>C, T>G. Signatures S1 = C>A alone, S2 = a quarter each
// on C>A, C>T, T>A, T>C, S3 = T>G alone. Cosines (every norm is 1 or 1/2, so all are exact):
//        R1    R2
//   S1   1     0
//   S2   0.5   0.75   (3/16 over 1/4)
//   S3   0     0.5
// One-to-one: S1-R1 + S2-R2 = 1.75 beats every other pairing (S1-R1 + S3-R2 = 1.5, ...); S3 is left unmatched.
class CompareCase : public ::testing::Test {
protected:
    void SetUp() override {
        test::write_file(
            reference,
            sbs6_table({"R1", "R2"},
                       {{"1", "0"}, {"0", "0"}, {"0", "0.25"}, {"0", "0.25"}, {"0", "0.25"}, {"0", "0.25"}}));
        ws.signatures =
            sbs6({"S1", "S2", "S3"}, {{1, 0, 0, 0, 0, 0}, {0.25, 0, 0.25, 0.25, 0.25, 0}, {0, 0, 0, 0, 0, 1}});
    }
    test::TempDir d;
    const std::string reference = d.file("ref.tsv");
    Workspace ws;
};

TEST_F(CompareCase, BestAndOneToOneMatchesWithEveryCosine) {
    CompareStage c;
    c.settings.reference = reference;
    c.settings.all = true;
    c.settings.out = d.file("cmp.tsv");
    EXPECT_EQ(c.needs(), (std::vector<Data>{Data::signatures}));
    c.prepare({Data::signatures});
    c.run(ws, RunSettings{});
    FileSet files;
    c.reserve(files);
    c.write(ws, files);
    files.commit();
    EXPECT_EQ(test::read_file(d.file("cmp.tsv")),
              "Signature\tBestMatch\tBestCosine\tMatched\tMatchedCosine\tR1\tR2\n"
              "S1\tR1\t1\tR1\t1\t1\t0\n"
              "S2\tR2\t0.75\tR2\t0.75\t0.5\t0.75\n"
              "S3\tR2\t0.5\tNA\tNA\t0\t0.5\n");
}

TEST_F(CompareCase, WithoutAllAndIntoARunFolder) {
    CompareStage c;
    c.settings.reference = reference;
    c.prepare({Data::signatures});
    c.run(ws, RunSettings{});
    EXPECT_EQ(c.writes(true), (std::vector<std::string>{"cosmic.tsv"}));
    RunFolder folder(d.file("run"), false);
    c.reserve(folder);
    c.write(ws, folder);
    folder.commit();
    EXPECT_EQ(test::read_file(d.file("run/cosmic.tsv")),
              "Signature\tBestMatch\tBestCosine\tMatched\tMatchedCosine\n"
              "S1\tR1\t1\tR1\t1\n"
              "S2\tR2\t0.75\tR2\t0.75\n"
              "S3\tR2\t0.5\tNA\tNA\n");
}

TEST_F(CompareCase, SignaturesFromAFileOrARunFolder) {
    fs::create_directory(d.file("run"));
    test::write_file(d.file("run/signatures.tsv"), sbs6_table({"X"}, {{"0"}, {"0"}, {"0"}, {"0"}, {"0"}, {"1"}}));
    CompareStage c;
    c.settings.signatures = d.file("run");
    c.settings.reference = reference;
    EXPECT_TRUE(c.needs().empty());
    EXPECT_EQ(c.reads().front(), d.file("run/signatures.tsv"));
    EXPECT_EQ(c.writes(false), (std::vector<std::string>{d.file("run/cosmic.tsv")}));  // next to the signatures
    EXPECT_EQ(c.writes(true), (std::vector<std::string>{"cosmic.tsv"}));
    c.prepare({});
    Workspace fresh;
    c.run(fresh, RunSettings{});
    ASSERT_TRUE(fresh.comparison.has_value());
    ASSERT_EQ(fresh.comparison->matches.size(), 1u);
    EXPECT_EQ(fresh.comparison->matches[0].best_match, "R2");
    EXPECT_EQ(fresh.comparison->matches[0].best_cosine, 0.5);
    EXPECT_EQ(fresh.comparison->matches[0].matched, "R2");

    c.settings.signatures = d.file("run/signatures.tsv");  // a file: the table goes to standard output
    EXPECT_EQ(c.writes(false), (std::vector<std::string>{"-"}));
}

TEST(Compare, SignaturesAreRequiredWhenNoEarlierStageGivesThem) {
    CompareStage c;
    EXPECT_THROW(c.prepare({}), UsageError);
    EXPECT_NO_THROW(c.prepare({Data::signatures}));
}

// ---------------------------------------------------------------- fit

// A = a quarter each on C>A, C>G, C>T, T>A; B = a quarter each on C>T, T>A, T>C, T>G.
// s1 = 40 A + 20 B = (10, 10, 15, 15, 5, 5); s2 = 8 B = (0, 0, 2, 2, 2, 2): exact mixtures, recovered exactly.
class FitCase : public ::testing::Test {
protected:
    void SetUp() override {
        Counts c;
        c.matrix = sbs6({"s1", "s2"}, {{10, 10, 15, 15, 5, 5}, {0, 0, 2, 2, 2, 2}});
        ws.counts = c;
        ws.signatures = sbs6({"A", "B"}, {{0.25, 0.25, 0.25, 0.25, 0, 0}, {0, 0, 0.25, 0.25, 0.25, 0.25}});
    }
    Workspace ws;
};

TEST_F(FitCase, RecoversTheExposuresOfAnExactMixture) {
    FitStage f;
    EXPECT_EQ(f.needs(), (std::vector<Data>{Data::counts, Data::signatures}));
    f.prepare({Data::counts, Data::signatures});
    f.run(ws, RunSettings{});
    ASSERT_TRUE(ws.exposures.has_value());
    const Exposures& e = *ws.exposures;
    EXPECT_EQ(e.samples, (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(e.signatures, (std::vector<std::string>{"A", "B"}));
    ASSERT_EQ(e.values.rows(), 2);
    ASSERT_EQ(e.values.cols(), 2);
    EXPECT_NEAR(e.values(0, 0), 40, 1e-9);
    EXPECT_NEAR(e.values(1, 0), 20, 1e-9);
    EXPECT_NEAR(e.values(0, 1), 0, 1e-9);
    EXPECT_NEAR(e.values(1, 1), 8, 1e-9);
    ASSERT_EQ(e.stats.size(), 2u);
    EXPECT_EQ(e.stats[0].sample, "s1");
    EXPECT_EQ(e.stats[0].total, 60);
    EXPECT_EQ(e.stats[1].total, 8);
    for (const SampleStats& s : e.stats) {
        EXPECT_NEAR(s.cosine, 1, 1e-12);
        EXPECT_NEAR(s.l1_pct, 0, 1e-9);
        EXPECT_NEAR(s.l2_pct, 0, 1e-9);
        EXPECT_NEAR(s.kl, 0, 1e-9);
    }
}

TEST_F(FitCase, WritesExposuresAndStatsIntoTheRunFoldersFitFolder) {
    FitStage f;
    f.prepare({Data::counts, Data::signatures});
    f.run(ws, RunSettings{});
    EXPECT_EQ(f.writes(true), (std::vector<std::string>{"fit/exposures.tsv", "fit/sample_stats.tsv"}));
    test::TempDir d;
    RunFolder folder(d.file("run"), false);
    f.reserve(folder);
    f.write(ws, folder);
    folder.commit();
    EXPECT_EQ(tree(d.file("run")), (std::set<std::string>{"fit/", "fit/exposures.tsv", "fit/sample_stats.tsv"}));
    const std::string exposures = test::read_file(d.file("run/fit/exposures.tsv"));
    EXPECT_EQ(exposures.substr(0, exposures.find('\n') + 1), "Samples\tA\tB\n");
    std::istringstream rows(exposures.substr(exposures.find('\n') + 1));
    std::string name;
    double a = -1, b = -1;
    rows >> name >> a >> b;
    EXPECT_EQ(name, "s1");
    EXPECT_NEAR(a, 40, 1e-9);
    EXPECT_NEAR(b, 20, 1e-9);
    const std::string stats = test::read_file(d.file("run/fit/sample_stats.tsv"));
    EXPECT_EQ(stats.substr(0, stats.find('\n') + 1), "Sample\tTotal\tCosine\tL1_pct\tL2_pct\tKL\n");
    EXPECT_EQ(std::count(stats.begin(), stats.end(), '\n'), 3);
}

TEST_F(FitCase, AFileSetCreatesTheOutputFolderAndRemovesItUnlessCommitted) {
    test::TempDir d;
    FitStage f;
    f.settings.out_dir = d.file("out");
    EXPECT_EQ(f.writes(false), (std::vector<std::string>{d.file("out/exposures.tsv"), d.file("out/sample_stats.tsv")}));
    f.prepare({Data::counts, Data::signatures});
    f.run(ws, RunSettings{});
    {
        FileSet files;
        f.reserve(files);
        EXPECT_TRUE(fs::is_directory(d.file("out")));
        f.write(ws, files);
    }
    EXPECT_FALSE(fs::exists(d.file("out")));
    {
        FileSet files;
        f.reserve(files);
        f.write(ws, files);
        files.commit();
    }
    EXPECT_EQ(tree(d.path()), (std::set<std::string>{"out/", "out/exposures.tsv", "out/sample_stats.tsv"}));
}

// Restores the working folder when it goes.
class WorkingFolder {
public:
    explicit WorkingFolder(const std::string& dir) : old_(fs::current_path()) { fs::current_path(dir); }
    ~WorkingFolder() { fs::current_path(old_); }

private:
    fs::path old_;
};

// Without out-dir a fit stage in a file set writes into the working folder (as writes() says), from a program
// that embeds the library or a pipeline file (`sigstream fit` requires --out-dir).
TEST_F(FitCase, WithoutOutDirAFileSetWritesWhereWritesSays) {
    test::TempDir d;
    WorkingFolder here(d.path());
    FitStage f;
    EXPECT_EQ(f.writes(false), (std::vector<std::string>{"exposures.tsv", "sample_stats.tsv"}));
    f.prepare({Data::counts, Data::signatures});
    f.run(ws, RunSettings{});
    FileSet files;
    ASSERT_NO_THROW(f.reserve(files));
    f.write(ws, files);
    files.commit();
    EXPECT_EQ(tree(d.path()), (std::set<std::string>{"exposures.tsv", "sample_stats.tsv"}));
}

TEST(Fit, MatrixAndSignaturesAreRequiredWhenNoEarlierStageGivesThem) {
    FitStage f;
    const UsageError e = test::error_of<UsageError>([&] { f.prepare({Data::signatures}); });
    EXPECT_EQ(e.problem(), "--matrix is required");
    const UsageError s = test::error_of<UsageError>([&] { f.prepare({Data::counts}); });
    EXPECT_EQ(s.problem(), "--signatures is required");
    f.settings.matrix = "m.tsv";
    f.settings.signatures = "s.tsv";
    EXPECT_TRUE(f.needs().empty());
    EXPECT_NO_THROW(f.prepare({}));
    EXPECT_EQ(f.reads(), (std::vector<std::string>{"m.tsv", "s.tsv"}));
}

// ---------------------------------------------------------------- count: its files

TEST(CountWrites, InARunFolderEveryContextAndTheSummaryHaveDefaultNames) {
    CountStage c;
    EXPECT_EQ(c.writes(true), (std::vector<std::string>{"counts.SBS96.tsv", "counts.summary.tsv"}));
    c.settings.contexts = {Context::SBS6, Context::SBS96, Context::SBS1536};
    EXPECT_EQ(c.writes(true), (std::vector<std::string>{"counts.SBS6.tsv", "counts.SBS96.tsv", "counts.SBS1536.tsv",
                                                        "counts.summary.tsv"}));
    c.settings.out_prefix = "cohort";
    c.settings.summary = "sum.tsv";
    EXPECT_EQ(c.writes(true),
              (std::vector<std::string>{"cohort.SBS6.tsv", "cohort.SBS96.tsv", "cohort.SBS1536.tsv", "sum.tsv"}));
}

TEST(CountWrites, InAFileSetOneContextGoesToStandardOutput) {
    CountStage c;
    EXPECT_EQ(c.writes(false), (std::vector<std::string>{"-"}));
    c.settings.summary = "s.tsv";
    EXPECT_EQ(c.writes(false), (std::vector<std::string>{"-", "s.tsv"}));
    c.settings.out = "m.tsv.gz";
    EXPECT_EQ(c.writes(false), (std::vector<std::string>{"m.tsv.gz", "s.tsv"}));
    c.settings.out.clear();
    c.settings.summary.clear();
    c.settings.contexts = {Context::SBS6, Context::SBS96};
    c.settings.out_prefix = "res/p";
    EXPECT_EQ(c.writes(false), (std::vector<std::string>{"res/p.SBS6.tsv", "res/p.SBS96.tsv"}));
}

TEST(CountWrites, SeveralContextsWithoutAPrefixInAFileSetAreAUsageError) {
    CountStage c;
    c.settings.contexts = {Context::SBS6, Context::SBS96};
    const UsageError e = test::error_of<UsageError>([&] { c.writes(false); });
    EXPECT_EQ(e.problem(), "several contexts need --out-prefix");
    FileSet files;
    EXPECT_THROW(c.reserve(files), UsageError);
}

TEST(CountWrites, ContextsFromASetting) {
    CountStage c;
    c.set(SettingValue::from_cli("context", {"sbs6,SBS1536,sbs6"}));  // any case; a repeat counts once
    EXPECT_EQ(c.settings.contexts, (std::vector<Context>{Context::SBS6, Context::SBS1536}));
    EXPECT_THROW(c.set(SettingValue::from_cli("context", {"sbs7"})), UsageError);
    EXPECT_THROW(c.set(SettingValue::from_cli("context", {""})), UsageError);
}

}  // namespace
}  // namespace sigstream
