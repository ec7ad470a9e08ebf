// SettingValue (one value of one setting, from the command line or from a TOML file), the normalisation names,
// the presets and RunSettings' progress and warning hooks (src/core/settings.h).
#include "core/settings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/errors.h"
#include "io/config.h"
#include "test_util.h"

namespace sigstream {
namespace {

namespace fs = std::filesystem;
using Kind = SettingValue::Kind;

const std::string kDash = " \xE2\x80\x94 ";  // the em dash between an error's problem and its hint

// The UsageError `f` throws (fails the test when it throws nothing or something else).
template <typename F>
UsageError usage_error(F f) {
    return test::error_of<UsageError>(f);
}

SettingValue cli(const std::string& key, std::vector<std::string> texts) {
    return SettingValue::from_cli(key, std::move(texts));
}

// The values of a TOML text, written to `dir`/name and read by io/config (the way every TOML value is made).
std::vector<SettingValue> toml_values(const test::TempDir& dir, const std::string& text,
                                      const std::string& name = "run.toml") {
    test::write_file(dir.file(name), text);
    return read_config(dir.file(name)).values;
}

// ---------------------------------------------------------------- from the command line

TEST(SettingValueCli, IntegerWithinRange) {
    EXPECT_EQ(cli("max-iter", {"500"}).integer(1, 1000), 500);
    EXPECT_EQ(cli("max-iter", {"1"}).integer(1, 10), 1);
    EXPECT_EQ(cli("max-iter", {"10"}).integer(1, 10), 10);
    EXPECT_EQ(cli("seed", {"-3"}).integer(-5, 5), -3);
}

TEST(SettingValueCli, IntegerMessageNamesOptionTextAndRange) {
    const UsageError e = usage_error([] { cli("max-iter", {"x"}).integer(1, 10); });
    EXPECT_EQ(std::string(e.what()), "--max-iter x is not a whole number from 1 to 10" + kDash + "see --help");
    EXPECT_EQ(e.file(), "");
    EXPECT_EQ(e.line(), 0u);
}

TEST(SettingValueCli, IntegerRefusesOutOfRangeAndMalformedTexts) {
    for (const char* text : {"0", "11", "", "5x", "1.5", " 5", "5 ", "1e3", "0x5", "+5"}) {
        SCOPED_TRACE(text);
        EXPECT_THROW(cli("n", {text}).integer(1, 10), UsageError);
    }
    EXPECT_EQ(std::string(usage_error([] { cli("n", {"11"}).integer(1, 10); }).what()),
              "--n 11 is not a whole number from 1 to 10" + kDash + "see --help");
}

TEST(SettingValueCli, TheLastOccurrenceIsTheValue) {
    EXPECT_EQ(cli("k", {"3", "7"}).integer(1, 10), 7);
    EXPECT_EQ(cli("name", {"a", "b"}).text(), "b");
}

TEST(SettingValueCli, Number) {
    EXPECT_EQ(cli("tol", {"1e-8"}).number(0, 1), 1e-8);
    EXPECT_EQ(cli("tol", {"0.25"}).number(0, 1), 0.25);
    EXPECT_EQ(cli("tol", {"0"}).number(0, 1), 0.0);
    EXPECT_EQ(cli("tol", {"1"}).number(0, 1), 1.0);
    for (const char* text : {"-0.5", "1.5", "abc", "", "0.5x", "inf", "nan"}) {
        SCOPED_TRACE(text);
        EXPECT_THROW(cli("tol", {text}).number(0, 1), UsageError);
    }
    EXPECT_EQ(std::string(usage_error([] { cli("tol", {"2"}).number(0, 1); }).what()),
              "--tol 2 is not a number from 0 to 1" + kDash + "see --help");
}

TEST(SettingValueCli, Switch) {
    EXPECT_TRUE(cli("force", {""}).on());  // given without a value
    for (const char* yes : {"true", "1", "yes"}) EXPECT_TRUE(cli("force", {yes}).on()) << yes;
    for (const char* no : {"false", "0", "no"}) EXPECT_FALSE(cli("force", {no}).on()) << no;
    EXPECT_EQ(std::string(usage_error([] { cli("force", {"maybe"}).on(); }).what()),
              "--force maybe is a switch: give true or false" + kDash + "see --help");
}

TEST(SettingValueCli, ListKeepsOccurrencesAndSplitsCommasOnRequest) {
    const SettingValue v = cli("context", {"sbs6,sbs96", "sbs1536"});
    EXPECT_EQ(v.list(), (std::vector<std::string>{"sbs6,sbs96", "sbs1536"}));
    EXPECT_EQ(v.list(true), (std::vector<std::string>{"sbs6", "sbs96", "sbs1536"}));
    EXPECT_EQ(cli("context", {"sbs96"}).list(true), (std::vector<std::string>{"sbs96"}));
}

TEST(SettingValueCli, PathsAreKeptAsGiven) {
    EXPECT_EQ(cli("out", {"rel/out.tsv"}).path(), "rel/out.tsv");
    EXPECT_EQ(cli("out", {"../x/./y.tsv"}).path(), "../x/./y.tsv");
    EXPECT_EQ(cli("out", {"-"}).path(), "-");
    EXPECT_EQ(cli("out", {"a"}).resolved("b/c"), "b/c");
}

TEST(SettingValueCli, WhereAndKind) {
    const SettingValue v = cli("max-iter", {"5"});
    EXPECT_EQ(v.key(), "max-iter");
    EXPECT_EQ(v.kind(), Kind::cli);
    EXPECT_EQ(v.where(), "--max-iter");
}

TEST(SettingValueCli, FailComposesOptionValueAndHint) {
    const UsageError e = usage_error([] { cli("backend", {"zzz"}).fail("is not a backend", "see backends"); });
    EXPECT_EQ(std::string(e.what()), "--backend zzz is not a backend" + kDash + "see backends");
}

// ---------------------------------------------------------------- from a TOML file

TEST(SettingValueToml, KindsAndTypedReads) {
    test::TempDir d;
    const auto v = toml_values(d,
                               "n = 7\n"
                               "tol = 0.5\n"
                               "force = true\n"
                               "name = \"abc\"\n"
                               "items = [\"a,b\", \"c\"]\n");
    ASSERT_EQ(v.size(), 5u);
    EXPECT_EQ(v[0].kind(), Kind::integer);
    EXPECT_EQ(v[0].integer(1, 10), 7);
    EXPECT_EQ(v[0].number(0, 10), 7.0);  // a whole number is a number too
    EXPECT_EQ(v[0].text(), "7");         // … and text (a sample named 7)
    EXPECT_EQ(v[1].kind(), Kind::number);
    EXPECT_EQ(v[1].number(0, 1), 0.5);
    EXPECT_EQ(v[2].kind(), Kind::boolean);
    EXPECT_TRUE(v[2].on());
    EXPECT_EQ(v[3].kind(), Kind::string);
    EXPECT_EQ(v[3].text(), "abc");
    EXPECT_EQ(v[3].list(), (std::vector<std::string>{"abc"}));
    EXPECT_EQ(v[4].kind(), Kind::list);
    EXPECT_EQ(v[4].list(), (std::vector<std::string>{"a,b", "c"}));
    EXPECT_EQ(v[4].list(true), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(SettingValueToml, AStringWhereANumberIsWantedNamesFileLineAndKey) {
    test::TempDir d;
    const auto v = toml_values(d, "# settings\n\nmax-iter = \"500\"\n");
    ASSERT_EQ(v.size(), 1u);
    const UsageError e = usage_error([&] { v[0].integer(1, 10000); });
    EXPECT_EQ(e.file(), d.file("run.toml"));
    EXPECT_EQ(e.line(), 3u);
    EXPECT_EQ(std::string(e.what()), d.file("run.toml") +
                                         ":3: max-iter = 500: must be a whole number from 1 to 10000, "
                                         "not a string" +
                                         kDash + "write a whole number without quotes");
    EXPECT_EQ(v[0].where(), d.file("run.toml") + ":3: max-iter");
    const UsageError n = usage_error([&] { v[0].number(0, 1); });
    EXPECT_EQ(n.line(), 3u);
    EXPECT_NE(std::string(n.what()).find("max-iter"), std::string::npos) << n.what();
}

TEST(SettingValueToml, WrongKindsAreRefused) {
    test::TempDir d;
    const auto v = toml_values(d,
                               "k = 2.5\n"
                               "flag = 1\n"
                               "name = true\n"
                               "items = 3\n"
                               "list = [\"a\"]\n");
    ASSERT_EQ(v.size(), 5u);
    const UsageError k = usage_error([&] { v[0].integer(1, 10); });  // a float is not a whole number
    EXPECT_EQ(k.line(), 1u);
    EXPECT_EQ(std::string(k.what()), d.file("run.toml") +
                                         ":1: k = 2.5: must be a whole number from 1 to 10, not a "
                                         "number" +
                                         kDash + "write a whole number without quotes");
    const UsageError flag = usage_error([&] { v[1].on(); });
    EXPECT_EQ(flag.line(), 2u);
    EXPECT_EQ(std::string(flag.what()), d.file("run.toml") + ":2: flag = 1: must be true or false, not a whole number" +
                                            kDash + "fix the config file");
    EXPECT_EQ(usage_error([&] { v[2].text(); }).line(), 3u);
    EXPECT_EQ(usage_error([&] { v[2].number(0, 1); }).line(), 3u);
    EXPECT_EQ(usage_error([&] { v[3].list(); }).line(), 4u);
    EXPECT_EQ(usage_error([&] { v[4].text(); }).line(), 5u);
    EXPECT_EQ(usage_error([&] { v[4].integer(0, 1); }).line(), 5u);
}

TEST(SettingValueToml, RangesAreCheckedToo) {
    test::TempDir d;
    const auto v = toml_values(d, "threads = 0\ntol = 2.0\n");
    const UsageError e = usage_error([&] { v[0].integer(1, 1024); });
    EXPECT_EQ(std::string(e.what()), d.file("run.toml") + ":1: threads = 0: is not a whole number from 1 to 1024" +
                                         kDash + "fix the config file");
    EXPECT_EQ(usage_error([&] { v[1].number(0, 1); }).line(), 2u);
    EXPECT_EQ(v[1].number(0, 2), 2.0);
}

TEST(SettingValueToml, RelativePathsAreResolvedAgainstTheFilesFolderAndMadeAbsolute) {
    test::TempDir d;
    fs::create_directory(d.file("cfg"));
    const auto v = toml_values(d,
                               "matrix = \"data/m.tsv\"\n"
                               "up = \"../other/x.tsv\"\n"
                               "abs = \"/srv/ref.fa\"\n"
                               "out = \"-\"\n"
                               "inputs = [\"a.vcf\", \"/b.vcf\"]\n",
                               "cfg/run.toml");
    ASSERT_EQ(v.size(), 5u);
    EXPECT_EQ(v[0].path(), d.file("cfg/data/m.tsv"));
    EXPECT_EQ(v[1].path(), d.file("other/x.tsv"));  // ".." resolved
    EXPECT_EQ(v[2].path(), "/srv/ref.fa");
    EXPECT_EQ(v[3].path(), "-");  // standard output stays standard output
    const auto items = v[4].list();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(v[4].resolved(items[0]), d.file("cfg/a.vcf"));
    EXPECT_EQ(v[4].resolved(items[1]), "/b.vcf");
}

TEST(SettingValueToml, AConfigGivenByARelativePathStillGivesAbsolutePaths) {
    test::TempDir d;
    test::write_file(d.file("run.toml"), "matrix = \"m.tsv\"\n");
    const fs::path relative = fs::relative(d.file("run.toml"));
    ASSERT_TRUE(relative.is_relative());
    const auto v = read_config(relative.string()).values;
    ASSERT_EQ(v.size(), 1u);
    const std::string p = v[0].path();
    EXPECT_TRUE(fs::path(p).is_absolute()) << p;
    EXPECT_EQ(fs::weakly_canonical(p), fs::weakly_canonical(d.file("m.tsv")));
}

TEST(SettingValueToml, FromTomlBuiltByHand) {
    SettingValue v = SettingValue::from_toml("seed", Kind::integer, "p.toml", 12, "/base");
    v.integer_value = 42;
    EXPECT_EQ(v.key(), "seed");
    EXPECT_EQ(v.kind(), Kind::integer);
    EXPECT_EQ(v.where(), "p.toml:12: seed");
    EXPECT_EQ(v.integer(0, 100), 42);
    SettingValue p = SettingValue::from_toml("out", Kind::string, "p.toml", 3, "/base/dir");
    p.strings = {"x/y.tsv"};
    EXPECT_EQ(p.path(), "/base/dir/x/y.tsv");
    EXPECT_EQ(p.resolved(""), "");
}

TEST(SettingValue, WithKeyRenamesAndKeepsTheRest) {
    SettingValue v = SettingValue::from_toml("inputs", Kind::list, "c.toml", 4, "/base");
    v.strings = {"a.vcf", "b.vcf"};
    const SettingValue w = v.with_key("vcf");
    EXPECT_EQ(w.key(), "vcf");
    EXPECT_EQ(w.kind(), Kind::list);
    EXPECT_EQ(w.where(), "c.toml:4: vcf");
    EXPECT_EQ(w.list(), v.list());
    EXPECT_EQ(w.resolved("a.vcf"), "/base/a.vcf");
    EXPECT_EQ(v.key(), "inputs");  // the original is unchanged
    const SettingValue c = cli("inputs", {"x"}).with_key("positional");
    EXPECT_EQ(c.where(), "--positional");
    EXPECT_EQ(c.text(), "x");
}

// ---------------------------------------------------------------- normalisation names

TEST(Normalisation, NamesRoundTrip) {
    for (Normalisation n : {Normalisation::none, Normalisation::gmm, Normalisation::x100, Normalisation::log2})
        EXPECT_EQ(parse_normalisation(normalisation_name(n)), n) << normalisation_name(n);
    EXPECT_STREQ(normalisation_name(Normalisation::none), "none");
    EXPECT_STREQ(normalisation_name(Normalisation::gmm), "gmm");
    EXPECT_STREQ(normalisation_name(Normalisation::x100), "100x");
    EXPECT_STREQ(normalisation_name(Normalisation::log2), "log2");
}

TEST(Normalisation, ParsingIgnoresCaseAndRefusesOtherNames) {
    EXPECT_EQ(parse_normalisation("GMM"), Normalisation::gmm);
    EXPECT_EQ(parse_normalisation("Log2"), Normalisation::log2);
    EXPECT_EQ(parse_normalisation("100X"), Normalisation::x100);
    EXPECT_EQ(parse_normalisation("NONE"), Normalisation::none);
    for (const char* bad : {"", "x100", "log", "gmm ", "100"})
        EXPECT_THROW(parse_normalisation(bad), UsageError) << bad;
    EXPECT_EQ(std::string(usage_error([] { parse_normalisation("zscore"); }).what()),
              "--normalise zscore is not a normalisation" + kDash + "use none, gmm, 100x or log2");
}

// ---------------------------------------------------------------- presets

TEST(Presets, PaperIsTheStudysSettings) {
    const Preset* p = find_preset("paper");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->name, "paper");
    ASSERT_TRUE(p->max_iter.has_value());
    EXPECT_EQ(*p->max_iter, 100000);
    ASSERT_TRUE(p->tol.has_value());
    EXPECT_EQ(*p->tol, 1e-10);
    ASSERT_EQ(p->params.size(), 3u);
    EXPECT_EQ(p->params.at("nmf"), (BackendParams{{"objective", "frobenius"}, {"solver", "mu"}}));
    EXPECT_EQ(p->params.at("cnmf"), (BackendParams{{"solver", "mu"}, {"init", "kmeans"}, {"starts", "1"}}));
    EXPECT_EQ(p->params.at("aenmf"),
              (BackendParams{{"loss", "mse"}, {"constraint", "abs"}, {"init", "uniform"}, {"schedule", "constant"}}));
}

TEST(Presets, NoneIsNoPresetAndUnknownNamesAreRefused) {
    EXPECT_EQ(find_preset("none"), nullptr);
    EXPECT_EQ(preset_names(), (std::vector<std::string>{"none", "paper"}));
    EXPECT_THROW(find_preset("Paper"), UsageError);
    EXPECT_THROW(find_preset(""), UsageError);
    EXPECT_EQ(std::string(usage_error([] { find_preset("fast"); }).what()),
              "--preset fast is not known" + kDash + "give --preset paper (or none)");
}

// ---------------------------------------------------------------- RunSettings

TEST(RunSettings, ReportPassesProgressOnAndThrowsCancelledOnlyOnStop) {
    RunSettings run;
    run.report(Progress{});  // no callback: nothing happens
    std::vector<std::uint64_t> seen;
    Flow answer = Flow::proceed;
    run.progress = [&](const Progress& p) {
        seen.push_back(p.done);
        EXPECT_EQ(p.stage, "fit");
        EXPECT_EQ(p.unit, "iterations");
        EXPECT_EQ(p.total, 10u);
        return answer;
    };
    Progress p;
    p.stage = "fit";
    p.unit = "iterations";
    p.done = 3;
    p.total = 10;
    EXPECT_NO_THROW(run.report(p));
    answer = Flow::stop;
    p.done = 4;
    try {
        run.report(p);
        ADD_FAILURE() << "no Cancelled";
    } catch (const Cancelled& e) {
        EXPECT_NE(std::string(e.what()).find("fit"), std::string::npos) << e.what();
    }
    EXPECT_EQ(seen, (std::vector<std::uint64_t>{3, 4}));
}

TEST(RunSettings, WarningGoesToTheCallbackOrIsDropped) {
    RunSettings run;
    EXPECT_NO_THROW(run.warning("dropped"));
    std::vector<std::string> got;
    run.warn = [&](const std::string& t) { got.push_back(t); };
    run.warning("first");
    run.warning("second");
    EXPECT_EQ(got, (std::vector<std::string>{"first", "second"}));
}

TEST(RunSettings, Defaults) {
    const RunSettings run;
    EXPECT_EQ(run.threads, 1);
    const FitSettings fit;
    EXPECT_EQ(fit.k, 0);
    EXPECT_EQ(fit.seed, 1u);
    EXPECT_EQ(fit.max_iter, 10000);
    EXPECT_EQ(fit.tol, 1e-7);  // 1e-7 over 100 iterations: the stop rule of docs/pipeline.md
    EXPECT_EQ(fit.tol_window, 100);
}

}  // namespace
}  // namespace sigstream
