// The pipeline runner (src/pipeline/pipeline.h) with toy stages defined here, and pipeline files (read_pipeline)
// with the real stages that need no plugin to be read and described.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/version.h"
#include "pipeline/stages.h"
#include "test_util.h"

namespace sigstream {
namespace {

namespace fs = std::filesystem;
const std::string kDash = " \xE2\x80\x94 ";

// ---------------------------------------------------------------- toy stages

struct ToySettings {
    std::string label = "x";
    int level = 1;
    std::vector<std::string> out;    // the files it writes (names in a run folder, or paths)
    std::vector<std::string> reads;  // the files it says it reads
};

// A stage of any kind that needs and gives what it is told, logs every call, warns once when it runs and writes
// its id into each of its files.
class ToyStage : public StageWith<ToySettings> {
public:
    ToyStage(std::string kind, std::vector<Data> needs, std::vector<Data> gives, std::vector<std::string>* log)
        : kind_(std::move(kind)),
          summary_("the toy " + kind_),
          needs_(std::move(needs)),
          gives_(std::move(gives)),
          log_(log) {}

    std::string_view kind() const override { return kind_; }
    std::string_view summary() const override { return summary_; }
    std::vector<Data> needs() const override { return needs_; }
    std::vector<Data> gives() const override { return gives_; }
    std::vector<std::string> reads() const override { return settings.reads; }
    std::vector<std::string> writes(bool) const override { return settings.out; }
    void prepare(const std::vector<Data>& available) override {
        log_->push_back("prepare " + id);
        available_ = available;
    }
    void run(Workspace& ws, const RunSettings& run) override {
        log_->push_back("run " + id + (ws.counts ? " with counts" : ""));
        for (Data d : gives_)
            if (d == Data::counts) {
                Counts c;
                c.matrix = LabelledMatrix(Context::SBS6, {"s1"});
                ws.counts = std::move(c);
            }
        run.warning("warning from " + id);
    }
    void write(const Workspace&, OutputSink& out) const override {
        log_->push_back("write " + id);
        for (const auto& f : settings.out) out.open(f) << id << "\n";
    }
    void report(const Workspace&, TomlWriter& out) const override { out.integer("reported_level", settings.level); }

    std::vector<Data> available_;

protected:
    const Schema<ToySettings>& schema() const override {
        static const Schema<ToySettings> s = [] {
            Schema<ToySettings> k;
            k.text("label", "L", "a label", [](ToySettings& x) -> std::string& { return x.label; })
                .integer("level", "N", "a level", 0, 100, [](ToySettings& x) -> int& { return x.level; })
                .inputs("out", "FILE", "files to write",
                        [](ToySettings& x) -> std::vector<std::string>& { return x.out; })
                .inputs("reads", "FILE", "files read",
                        [](ToySettings& x) -> std::vector<std::string>& { return x.reads; });
            return k;
        }();
        return s;
    }

private:
    std::string kind_, summary_;
    std::vector<Data> needs_, gives_;
    std::vector<std::string>* log_;
};

std::unique_ptr<ToyStage> giver(std::vector<std::string>* log, std::vector<std::string> out = {}) {
    auto s = std::make_unique<ToyStage>("giver", std::vector<Data>{}, std::vector<Data>{Data::counts}, log);
    s->settings.out = std::move(out);
    return s;
}

std::unique_ptr<ToyStage> taker(std::vector<std::string>* log, std::vector<std::string> out = {}) {
    auto s = std::make_unique<ToyStage>("taker", std::vector<Data>{Data::counts}, std::vector<Data>{}, log);
    s->settings.out = std::move(out);
    return s;
}

template <typename F>
UsageError usage_error(F f) {
    return test::error_of<UsageError>(f);
}

std::set<std::string> tree(const std::string& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        out.insert(fs::relative(e.path(), dir).string() + (e.is_directory() ? "/" : ""));
    return out;
}

toml::table parse_toml(const std::string& text) {
    try {
        return toml::parse(std::string_view(text), std::string_view("metadata.toml"));
    } catch (const toml::parse_error& e) {
        ADD_FAILURE() << "not TOML: " << e.description() << " at line " << e.source().begin.line << " in\n" << text;
        return {};
    }
}

std::vector<std::string> strings_of(const toml::node_view<const toml::node>& v) {
    std::vector<std::string> out;
    if (const toml::array* a = v.as_array())
        for (const auto& el : *a) out.push_back(el.value<std::string>().value_or("(not a string)"));
    return out;
}

// ---------------------------------------------------------------- add() and prepare()

TEST(Pipeline, AddNamesAStageByItsKindAndRefusesTwoOfOneName) {
    std::vector<std::string> log;
    Pipeline p;
    Stage& g = p.add(giver(&log));
    EXPECT_EQ(g.id, "giver");
    const UsageError e = usage_error([&] { p.add(giver(&log)); });
    EXPECT_EQ(std::string(e.what()),
              "two stages are called 'giver'" + kDash + "give the second its own table name, with stage = \"giver\"");
    auto second = giver(&log);
    second->id = "giver2";
    EXPECT_EQ(p.add(std::move(second)).id, "giver2");
    auto third = taker(&log);
    third->id = "giver2";  // an id is unique whatever the kind
    EXPECT_THROW(p.add(std::move(third)), UsageError);
    EXPECT_EQ(p.stages.size(), 2u);
}

TEST(Pipeline, PrepareGoesInOrderTellingEachStageWhatEarlierStagesGive) {
    std::vector<std::string> log;
    Pipeline p;
    auto* g = static_cast<ToyStage*>(&p.add(giver(&log)));
    auto* t = static_cast<ToyStage*>(&p.add(taker(&log)));
    p.prepare();
    EXPECT_EQ(log, (std::vector<std::string>{"prepare giver", "prepare taker"}));
    EXPECT_TRUE(g->available_.empty());
    EXPECT_EQ(t->available_, (std::vector<Data>{Data::counts}));
}

TEST(Pipeline, ANeedNoEarlierStageMeetsIsAUsageErrorNamingTheStage) {
    std::vector<std::string> log;
    Pipeline alone;
    auto t = taker(&log);
    t->id = "use";
    alone.add(std::move(t));
    const UsageError e = usage_error([&] { alone.prepare(); });
    EXPECT_EQ(std::string(e.what()), "stage 'use' (taker) needs a count matrix, which no stage before it gives" +
                                         kDash + "add a count stage before it, or give it a file to read");

    Pipeline reversed;  // the giver comes too late
    reversed.add(taker(&log));
    reversed.add(giver(&log));
    const UsageError r = usage_error([&] { reversed.prepare(); });
    EXPECT_NE(std::string(r.what()).find("stage 'taker'"), std::string::npos) << r.what();
}

TEST(Pipeline, AnEmptyPipelineIsRefused) {
    Pipeline p;
    EXPECT_THROW(p.prepare(), UsageError);
}

// ---------------------------------------------------------------- run()

TEST(Pipeline, RunCallsStagesInOrderAndRecordsWarnings) {
    std::vector<std::string> log, warned;
    Pipeline p;
    p.add(giver(&log));
    p.add(taker(&log));
    p.prepare();
    RunSettings run;
    run.warn = [&](const std::string& w) { warned.push_back(w); };
    Workspace ws;
    p.run(ws, run);
    EXPECT_EQ(log, (std::vector<std::string>{"prepare giver", "prepare taker", "run giver", "run taker with counts"}));
    EXPECT_EQ(ws.warnings, (std::vector<std::string>{"warning from giver", "warning from taker"}));
    EXPECT_EQ(warned, ws.warnings);  // passed on to the caller too
    ASSERT_TRUE(ws.counts.has_value());
}

TEST(Pipeline, WarningsAreRecordedWithoutAWarnCallback) {
    std::vector<std::string> log;
    Pipeline p;
    p.add(giver(&log));
    Workspace ws;
    p.run(ws, RunSettings{});
    EXPECT_EQ(ws.warnings, (std::vector<std::string>{"warning from giver"}));
}

TEST(Pipeline, EveryStageReportsProgressWhenThereIsMoreThanOne) {
    std::vector<std::string> log;
    Pipeline p;
    p.add(giver(&log));
    auto t = taker(&log);
    t->id = "use";
    p.add(std::move(t));
    RunSettings run;
    run.progress = [&](const Progress& pr) {
        EXPECT_EQ(pr.unit, "stage");
        log.push_back("progress " + std::string(pr.stage) + ": " + std::string(pr.detail));
        return Flow::proceed;
    };
    Workspace ws;
    p.run(ws, run);
    EXPECT_EQ(log, (std::vector<std::string>{"progress giver: the toy giver", "run giver",
                                             "progress use: the toy taker", "run use with counts"}));

    std::vector<std::string> one_log;
    Pipeline one;
    one.add(giver(&one_log));
    int events = 0;
    run.progress = [&](const Progress&) {
        ++events;
        return Flow::proceed;
    };
    Workspace ws1;
    one.run(ws1, run);
    EXPECT_EQ(events, 0);
}

TEST(Pipeline, StopFromTheProgressCallbackCancelsBeforeTheNextStage) {
    std::vector<std::string> log;
    Pipeline p;
    p.add(giver(&log));
    p.add(taker(&log));
    RunSettings run;
    int events = 0;
    run.progress = [&](const Progress&) { return ++events == 2 ? Flow::stop : Flow::proceed; };
    Workspace ws;
    EXPECT_THROW(p.run(ws, run), Cancelled);
    EXPECT_EQ(log, (std::vector<std::string>{"run giver"}));
}

// ---------------------------------------------------------------- write() and execute()

TEST(Pipeline, WriteFillsARunFolderWithTheStagesFilesAndMetadata) {
    test::TempDir d;
    std::vector<std::string> log;
    Pipeline p;
    p.command = "test";
    p.argv = {"sigstream", "test", "--label", "two words"};
    p.add(giver(&log, {"giver.tsv"}));
    auto t = taker(&log, {"sub/taker.tsv"});
    t->id = "use";
    t->settings.level = 7;
    p.add(std::move(t));
    RunSettings run;
    run.threads = 3;
    RunFolder folder(d.file("run"), false);
    const Workspace ws = p.execute(run, &folder);
    EXPECT_EQ(tree(d.file("run")), (std::set<std::string>{"giver.tsv", "metadata.toml", "sub/", "sub/taker.tsv"}));
    EXPECT_EQ(test::read_file(d.file("run/giver.tsv")), "giver\n");
    EXPECT_EQ(test::read_file(d.file("run/sub/taker.tsv")), "use\n");

    const toml::table m = parse_toml(test::read_file(d.file("run/metadata.toml")));
    EXPECT_EQ(m["sigstream_version"].value<std::string>(), std::string(version()));
    EXPECT_EQ(m["command_line"].value<std::string>(), "sigstream test --label 'two words'");
    EXPECT_EQ(strings_of(m["argv"]), p.argv);
    EXPECT_EQ(m["working_directory"].value<std::string>(), fs::current_path().string());
    EXPECT_TRUE(m["created"].is_date_time());
    EXPECT_EQ(m["threads"].value<long long>(), 3);
    EXPECT_EQ(strings_of(m["stages"]), (std::vector<std::string>{"giver", "use"}));
    EXPECT_EQ(strings_of(m["warnings"]), (std::vector<std::string>{"warning from giver", "warning from use"}));
    // one table per stage: its settings (describe) and what it found (report); `stage` when the id is not the kind
    ASSERT_TRUE(m["giver"].is_table());
    EXPECT_FALSE(m["giver"].as_table()->contains("stage"));
    EXPECT_EQ(m["giver"]["label"].value<std::string>(), "x");
    EXPECT_EQ(m["giver"]["level"].value<long long>(), 1);
    EXPECT_EQ(strings_of(m["giver"]["out"]), (std::vector<std::string>{"giver.tsv"}));
    EXPECT_EQ(m["giver"]["reported_level"].value<long long>(), 1);
    EXPECT_EQ(m["use"]["stage"].value<std::string>(), "taker");
    EXPECT_EQ(m["use"]["level"].value<long long>(), 7);
    EXPECT_EQ(m["use"]["reported_level"].value<long long>(), 7);
}

TEST(Pipeline, WriteIntoAFileSetWritesOnlyTheStagesFiles) {
    test::TempDir d;
    std::vector<std::string> log;
    Pipeline p;
    p.add(giver(&log, {d.file("a.tsv")}));
    p.add(taker(&log, {d.file("b.tsv")}));
    FileSet files;
    p.execute(RunSettings{}, &files);
    EXPECT_EQ(tree(d.path()), (std::set<std::string>{"a.tsv", "b.tsv"}));
    EXPECT_EQ(test::read_file(d.file("a.tsv")), "giver\n");
    EXPECT_FALSE(fs::exists("metadata.toml"));
}

TEST(Pipeline, ExecuteWithoutASinkWritesNothing) {
    std::vector<std::string> log;
    Pipeline p;
    p.add(giver(&log, {"giver.tsv"}));
    p.add(taker(&log, {"taker.tsv"}));
    const Workspace ws = p.execute(RunSettings{});
    EXPECT_EQ(log, (std::vector<std::string>{"prepare giver", "prepare taker", "run giver", "run taker with counts"}));
    EXPECT_TRUE(ws.counts.has_value());
    EXPECT_EQ(ws.warnings.size(), 2u);
    EXPECT_FALSE(fs::exists("giver.tsv"));
    EXPECT_FALSE(fs::exists("taker.tsv"));
}

TEST(Pipeline, OutputsAreCheckedBeforeAnyStageRuns) {
    test::TempDir d;
    std::vector<std::string> log;
    {
        Pipeline p;  // two stages writing one file of a run folder
        p.add(giver(&log, {"same.tsv"}));
        p.add(taker(&log, {"same.tsv"}));
        RunFolder folder(d.file("run"), false);
        EXPECT_THROW(p.execute(RunSettings{}, &folder), UsageError);
        EXPECT_EQ(log, (std::vector<std::string>{"prepare giver", "prepare taker"}));
    }
    {
        Pipeline p;  // metadata.toml is the run folder's own
        p.add(giver(&log, {"metadata.toml"}));
        RunFolder folder(d.file("run"), false);
        EXPECT_THROW(p.execute(RunSettings{}, &folder), UsageError);
    }
    {
        Pipeline p;  // an output over a file the run reads
        test::write_file(d.file("in.tsv"), "input\n");
        p.add(giver(&log, {d.file("out.tsv")}));
        auto t = taker(&log, {d.file("in.tsv")});
        t->settings.reads = {d.file("in.tsv")};
        p.add(std::move(t));
        FileSet files;
        log.clear();
        EXPECT_THROW(p.execute(RunSettings{}, &files), UsageError);
        EXPECT_EQ(log, (std::vector<std::string>{"prepare giver", "prepare taker"}));
    }
    EXPECT_EQ(tree(d.path()), (std::set<std::string>{"in.tsv"}));
    EXPECT_EQ(test::read_file(d.file("in.tsv")), "input\n");
}

// ---------------------------------------------------------------- read_pipeline()

std::string write_pipeline(const test::TempDir& d, const std::string& text, const std::string& name = "p.toml") {
    test::write_file(d.file(name), text);
    return d.file(name);
}

UsageError pipeline_error(const std::string& path) {
    return usage_error([&] { read_pipeline(path); });
}

TEST(ReadPipeline, StagesInTheListedOrderWithTheirSettings) {
    test::TempDir d;
    fs::create_directories(d.file("ref"));
    fs::create_directories(d.file("abs"));
    for (const char* f : {"ref/r.tsv", "a.tsv", "abs/b.tsv"}) test::write_file(d.file(f), "");
    const std::string path = write_pipeline(d,
                                            "stages = [\"merge\", \"compare\"]\n"
                                            "out-dir = \"out\"\n"
                                            "threads = 3\n"
                                            "force = true\n"
                                            "\n"
                                            "[compare]\n"
                                            "reference = \"ref/r.tsv\"\n"
                                            "all = true\n"
                                            "\n"
                                            "[merge]\n"
                                            "inputs = [\"a.tsv\", \"" +
                                                d.file("abs/b.tsv") + "\"]\n");
    const PipelineFile f = read_pipeline(path);
    EXPECT_EQ(f.out_dir, d.file("out"));
    EXPECT_EQ(f.threads, 3);
    EXPECT_TRUE(f.force);
    ASSERT_EQ(f.pipeline.stages.size(), 2u);
    const auto& merge = dynamic_cast<const MergeStage&>(*f.pipeline.stages[0]);
    const auto& compare = dynamic_cast<const CompareStage&>(*f.pipeline.stages[1]);
    EXPECT_EQ(merge.id, "merge");
    EXPECT_EQ(merge.settings.inputs, (std::vector<std::string>{d.file("a.tsv"), d.file("abs/b.tsv")}));
    EXPECT_EQ(compare.id, "compare");
    EXPECT_EQ(compare.settings.reference, d.file("ref/r.tsv"));
    EXPECT_TRUE(compare.settings.all);
    EXPECT_EQ(compare.settings.signatures, "");  // not given: the default
    EXPECT_FALSE(compare.settings.include_artefacts);
}

TEST(ReadPipeline, TopLevelSettingsAreOptional) {
    test::TempDir d;
    const PipelineFile f = read_pipeline(write_pipeline(d, "stages = [\"merge\"]\n"));
    EXPECT_EQ(f.out_dir, "");
    EXPECT_EQ(f.threads, 0);
    EXPECT_FALSE(f.force);
    ASSERT_EQ(f.pipeline.stages.size(), 1u);
    EXPECT_TRUE(dynamic_cast<const MergeStage*>(f.pipeline.stages[0].get()));
}

TEST(ReadPipeline, ATableOfAnotherNameSaysItsKind) {
    test::TempDir d;
    const std::string path = write_pipeline(d,
                                            "stages = [\"first\", \"second\"]\n"
                                            "[first]\n"
                                            "stage = \"compare\"\n"
                                            "out = \"one.tsv\"\n"
                                            "[second]\n"
                                            "stage = \"compare\"\n"
                                            "out = \"two.tsv\"\n"
                                            "include-artefacts = true\n");
    const PipelineFile f = read_pipeline(path);
    ASSERT_EQ(f.pipeline.stages.size(), 2u);
    const auto& one = dynamic_cast<const CompareStage&>(*f.pipeline.stages[0]);
    const auto& two = dynamic_cast<const CompareStage&>(*f.pipeline.stages[1]);
    EXPECT_EQ(one.id, "first");
    EXPECT_EQ(one.kind(), "compare");
    EXPECT_EQ(one.settings.out, d.file("one.tsv"));
    EXPECT_FALSE(one.settings.include_artefacts);
    EXPECT_EQ(two.id, "second");
    EXPECT_EQ(two.settings.out, d.file("two.tsv"));
    EXPECT_TRUE(two.settings.include_artefacts);
}

TEST(ReadPipeline, AnUnknownTopLevelKeyNamesFileLineAndKey) {
    test::TempDir d;
    const std::string path = write_pipeline(d, "stages = [\"merge\"]\ncolour = \"red\"\n");
    const UsageError e = pipeline_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 2u);
    EXPECT_EQ(std::string(e.what()).rfind(path + ":2: colour = red: is not a pipeline setting", 0), 0u) << e.what();
}

TEST(ReadPipeline, ATableNotListedInStagesIsRefused) {
    test::TempDir d;
    const std::string path = write_pipeline(d,
                                            "stages = [\"merge\"]\n"  // 1
                                            "[merge]\n"               // 2
                                            "inputs = [\"a.tsv\"]\n"  // 3
                                            "\n"                      // 4
                                            "[compare]\n"             // 5
                                            "all = true\n");          // 6
    const UsageError e = pipeline_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 5u);
    EXPECT_NE(std::string(e.what()).find("[compare]"), std::string::npos) << e.what();
}

// A file to read that is not there stops the pipeline before anything runs, naming file, line and key (exit status
// 2); files to write need not exist, and `-` and cosmic-v3.4 are no files.
TEST(ReadPipeline, AMissingInputFileNamesFileLineAndKey) {
    test::TempDir d;
    test::write_file(d.file("a.tsv"), "");
    const std::string path = write_pipeline(d,
                                            "stages = [\"merge\", \"compare\"]\n"  // 1
                                            "[merge]\n"                            // 2
                                            "inputs = [\"a.tsv\", \"b.tsv\"]\n"    // 3
                                            "out = \"new/merged.tsv\"\n"           // 4
                                            "[compare]\n"                          // 5
                                            "signatures = \"cosmic-v3.4\"\n"       // 6
                                            "reference = \"nowhere/r.tsv\"\n");    // 7
    const UsageError e = pipeline_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 3u);
    EXPECT_EQ(e.problem(), "inputs = [a.tsv, b.tsv]: '" + d.file("b.tsv") + "' does not exist");
    test::write_file(d.file("b.tsv"), "");
    const UsageError r = pipeline_error(path);
    EXPECT_EQ(r.line(), 7u);
    EXPECT_EQ(r.problem(), "reference = nowhere/r.tsv: '" + d.file("nowhere/r.tsv") + "' does not exist");
    fs::create_directories(d.file("nowhere"));
    test::write_file(d.file("nowhere/r.tsv"), "");
    EXPECT_NO_THROW(read_pipeline(path));
}

TEST(ReadPipeline, AListedNameThatIsNoKindIsRefused) {
    test::TempDir d;
    const std::string path = write_pipeline(d, "# a pipeline\nstages = [\"merge\", \"mystery\"]\n");
    const UsageError e = pipeline_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("'mystery'"), std::string::npos) << e.what();

    const std::string bad_kind = write_pipeline(d, "stages = [\"x\"]\n[x]\nstage = \"nokind\"\n", "k.toml");
    const UsageError k = pipeline_error(bad_kind);
    EXPECT_EQ(k.file(), bad_kind);
    EXPECT_EQ(k.line(), 1u);
}

TEST(ReadPipeline, AStageListedTwiceIsRefused) {
    test::TempDir d;
    const std::string path = write_pipeline(d, "threads = 2\nstages = [\"merge\", \"compare\", \"merge\"]\n");
    const UsageError e = pipeline_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("'merge' twice"), std::string::npos) << e.what();
}

TEST(ReadPipeline, ASettingOfTheWrongTypeNamesFileLineAndKey) {
    test::TempDir d;
    test::write_file(d.file("r.tsv"), "");
    const std::string path = write_pipeline(d,
                                            "stages = [\"compare\"]\n"  // 1
                                            "[compare]\n"               // 2
                                            "reference = \"r.tsv\"\n"   // 3
                                            "all = \"yes\"\n");         // 4
    const UsageError e = pipeline_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 4u);
    EXPECT_EQ(std::string(e.what()).rfind(path + ":4: all = yes: must be true or false", 0), 0u) << e.what();

    const std::string list = write_pipeline(d, "stages = [\"merge\"]\n[merge]\ninputs = 3\n", "l.toml");
    EXPECT_EQ(pipeline_error(list).line(), 3u);
    const std::string top = write_pipeline(d, "stages = [\"merge\"]\nthreads = \"4\"\n", "t.toml");
    EXPECT_EQ(pipeline_error(top).line(), 2u);
    const std::string stages = write_pipeline(d, "stages = 5\n", "s.toml");
    EXPECT_EQ(pipeline_error(stages).line(), 1u);
}

TEST(ReadPipeline, AnUnknownSettingOfAStageNamesFileLineAndKey) {
    test::TempDir d;
    test::write_file(d.file("a"), "");
    const std::string path = write_pipeline(d, "stages = [\"merge\"]\n[merge]\ninputs = [\"a\"]\nspeed = 3\n");
    const UsageError e = pipeline_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 4u);
    EXPECT_NE(std::string(e.what()).find("is not a setting of stage merge"), std::string::npos) << e.what();
}

TEST(ReadPipeline, NoStagesIsRefused) {
    test::TempDir d;
    const std::string path = write_pipeline(d, "threads = 2\n");
    EXPECT_EQ(pipeline_error(path).file(), path);
}

// pipeline.h: read_pipeline() throws a "UsageError naming the file, line and key for ... a value of the wrong
// type"; SettingValue's reads do. DEFECT: some stage settings check their values with a plain UsageError that
// names a command-line option and no file or line: in a pipeline file, `k = 0` of [extract] gives
// "--k 0 is below 1" (likewise extract's replicates and replicate-range, crossval's k and splits).
TEST(ReadPipeline, AValueOutOfRangeNamesFileAndLine) {
    test::TempDir d;
    const std::string path = write_pipeline(d,
                                            "stages = [\"extract\"]\n"  // 1
                                            "[extract]\n"               // 2
                                            "k = 0\n");                 // 3
    const UsageError e = pipeline_error(path);
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 3u);
}

// ---------------------------------------------------------------- describe() and reading it back

TEST(PipelineDescribe, ReadingTheDescriptionBackGivesTheSameDescription) {
    test::TempDir d;
    fs::create_directory(d.file("again"));
    for (const char* f : {"g.fa", "a.vcf", "b.vcf", "m1.tsv", "m2.tsv", "my ref.tsv"}) test::write_file(d.file(f), "");
    // every kind, some renamed, with settings of every type
    const std::string path = write_pipeline(d,
                                            "stages = [\"count\", \"merge\", \"extract\", \"consensus\", \"select\", "
                                            "\"refine\", \"fit\", \"compare\", \"other compare\", \"crossval\"]\n"
                                            "out-dir = \"run\"\n"
                                            "[count]\n"
                                            "ref = \"g.fa\"\n"
                                            "inputs = [\"a.vcf\", \"b.vcf\"]\n"
                                            "context = \"sbs6,sbs96\"\n"
                                            "pass-only = true\n"
                                            "adjacent-snvs = \"keep\"\n"
                                            "max-ref-mismatch = 0.1\n"
                                            "[merge]\n"
                                            "inputs = [\"m1.tsv\", \"m2.tsv\"]\n"
                                            "out = \"merged.tsv\"\n"
                                            "[extract]\n"
                                            "k-range = \"2:4\"\n"
                                            "replicates = 5\n"
                                            "seed = 42\n"
                                            "tol = 0\n"
                                            "normalise = \"log2\"\n"
                                            "param = [\"nmf.objective=kl\"]\n"
                                            "[consensus]\n"
                                            "[select]\n"
                                            "min-stability = 0.25\n"
                                            "[refine]\n"
                                            "refine = \"none\"\n"
                                            "[fit]\n"
                                            "signatures = \"cosmic-v3.4\"\n"
                                            "sparse = true\n"
                                            "[compare]\n"
                                            "all = true\n"
                                            "[\"other compare\"]\n"
                                            "stage = \"compare\"\n"
                                            "reference = \"my ref.tsv\"\n"
                                            "[crossval]\n"
                                            "k = 3\n"
                                            "backends = \"nmf,aenmf\"\n"
                                            "preset = \"paper\"\n"
                                            "test-fraction = 0.25\n");
    const PipelineFile first = read_pipeline(path);
    const std::string text = first.pipeline.describe(first.out_dir, 2);
    const std::string again = write_pipeline(d, text, "again/described.toml");  // another folder: paths are absolute
    const PipelineFile second = read_pipeline(again);
    EXPECT_EQ(second.out_dir, first.out_dir);
    EXPECT_EQ(second.threads, 2);
    EXPECT_EQ(second.pipeline.describe(second.out_dir, 2), text);

    // what the text says
    EXPECT_NE(text.find("out-dir = \"" + d.file("run") + "\"\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\n[\"other compare\"]\n"), std::string::npos) << text;
    EXPECT_NE(text.find("stage = \"compare\"\nreference = \"" + d.file("my ref.tsv") + "\"\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("context = [\"sbs6\", \"sbs96\"]\n"), std::string::npos) << text;
    EXPECT_NE(text.find("inputs = [\"" + d.file("m1.tsv") + "\", \"" + d.file("m2.tsv") + "\"]\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("max-iter = 10000\n"), std::string::npos) << text;  // a default, shown
    EXPECT_NE(text.find("tol = 0.0\n"), std::string::npos) << text;
    const toml::table t = parse_toml(text);
    EXPECT_EQ(strings_of(t["stages"]),
              (std::vector<std::string>{"count", "merge", "extract", "consensus", "select", "refine", "fit", "compare",
                                        "other compare", "crossval"}));
    EXPECT_EQ(t["threads"].value<long long>(), 2);
    EXPECT_EQ(t["extract"]["seed"].value<long long>(), 42);
    EXPECT_EQ(t["select"]["min-stability"].value<double>(), 0.25);
}

TEST(PipelineDescribe, ListsWhatEachStageNeedsGivesAndWrites) {
    std::vector<std::string> log;
    Pipeline p;
    p.add(giver(&log, {"g.tsv", "h.tsv"}));
    p.add(taker(&log));
    const std::string text = p.describe("", 4);
    EXPECT_EQ(text,
              "# The pipeline with every setting resolved, defaults included (`sigstream run --dry-run`).\n"
              "threads = 4\n"
              "stages = [\"giver\", \"taker\"]\n"
              "\n"
              "[giver]\n"
              "# the toy giver\n"
              "# needs: nothing; gives: a count matrix; writes: g.tsv, h.tsv\n"
              "label = \"x\"\n"
              "level = 1\n"
              "out = [\"g.tsv\", \"h.tsv\"]\n"
              "\n"
              "[taker]\n"
              "# the toy taker\n"
              "# needs: a count matrix; gives: nothing; writes: nothing\n"
              "label = \"x\"\n"
              "level = 1\n");
}

}  // namespace
}  // namespace sigstream
