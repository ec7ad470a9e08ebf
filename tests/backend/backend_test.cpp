// The backend loader, the ABI adapter and the registry (src/backend/), against the out-of-tree test plugins of
// tests/plugins/test_plugin (built into SIGSTREAM_TEST_PLUGIN_DIR) and, when built, the real backends.
#include "backend/backend.h"
#include "backend/registry.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "abi/sigstream_backend.h"
#include "core/errors.h"
#include "test_util.h"

namespace sigstream {
namespace {

namespace fs = std::filesystem;

const std::string kPlugins = SIGSTREAM_TEST_PLUGIN_DIR;
const std::string kGood = kPlugins + "/good/testfixed.so";

// Sets (or unsets) SIGSTREAM_PLUGIN_PATH for one test and restores it afterwards.
class PluginPathEnv {
public:
    explicit PluginPathEnv(const std::optional<std::string>& value) {
        if (const char* old = getenv("SIGSTREAM_PLUGIN_PATH")) old_ = old;
        if (value)
            setenv("SIGSTREAM_PLUGIN_PATH", value->c_str(), 1);
        else
            unsetenv("SIGSTREAM_PLUGIN_PATH");
    }
    ~PluginPathEnv() {
        if (old_)
            setenv("SIGSTREAM_PLUGIN_PATH", old_->c_str(), 1);
        else
            unsetenv("SIGSTREAM_PLUGIN_PATH");
    }

private:
    std::optional<std::string> old_;
};

std::string load_error(const std::string& path) {
    try {
        Backend::load(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "(loaded)";
}

Eigen::MatrixXd small_matrix(int rows = 6, int cols = 4) {
    Eigen::MatrixXd V(rows, cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) V(i, j) = 1 + (i * 7 + j * 3) % 5;
    return V;
}

TEST(BackendLoad, GoodPluginDescribesItself) {
    Backend b = Backend::load(kGood);
    EXPECT_EQ(b.name(), "testfixed");
    EXPECT_EQ(b.version(), "0.0.1");
    EXPECT_EQ(b.description(), "fixed factorisation for sigstream's tests");
    EXPECT_EQ(b.objective(), "1000 / (iteration + 1)");
    EXPECT_EQ(b.origin(), kGood);
    ASSERT_EQ(b.params().size(), 3u);
    EXPECT_EQ(b.params()[0].key, "status");
    EXPECT_EQ(b.params()[0].default_value, "ok");
    EXPECT_EQ(b.params()[1].key, "fail_at");
    EXPECT_EQ(b.params()[1].default_value, "0");
    EXPECT_EQ(b.params()[2].key, "zero_column");
    EXPECT_FALSE(b.params()[2].description.empty());
}

TEST(BackendLoad, AVersion1PluginIsRefusedNamingBothVersions) {
    const std::string path = kPlugins + "/bad/abi1.so";
    EXPECT_EQ(load_error(path),
              path +
                  ": built for backend ABI version 1, but this sigstream speaks version 2 \xE2\x80\x94 "
                  "rebuild the plugin against this sigstream's sigstream_backend.h");
    EXPECT_THROW(Backend::load(path), FormatError);
}

TEST(BackendLoad, DescriptionWithOtherAbiVersionIsRefused) {
    const std::string msg = load_error(kPlugins + "/bad/infoabi.so");
    EXPECT_NE(msg.find("says backend ABI version 3, but this sigstream speaks version 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("rebuild the plugin"), std::string::npos) << msg;
}

TEST(BackendLoad, APluginOfALaterRevisionOfVersion2LoadsAndRuns) {
    // Built as against "version 2 plus one appended field" in every struct: a longer description and longer
    // parameter entries, which the host steps through by their struct_size.
    Backend b = Backend::load(kPlugins + "/grown/testgrown.so");
    EXPECT_EQ(b.name(), "testgrown");
    ASSERT_EQ(b.params().size(), 3u);
    EXPECT_EQ(b.params()[1].key, "fail_at");
    EXPECT_EQ(b.params()[2].key, "zero_column");
    EXPECT_EQ(b.params()[2].default_value, "-1");
    FitRequest req;
    req.fit.k = 2;
    req.fit.max_iter = 5;
    req.fit.params["zero_column"] = "-1";
    const FitResult r = b.fit(small_matrix(), req);
    EXPECT_EQ(r.iterations, 3);
    EXPECT_EQ(r.message, "converged after 3 iterations (window 100)");
}

TEST(BackendLoad, MissingVersionSymbolIsRefused) {
    const std::string path = kPlugins + "/bad/noversion.so";
    const std::string msg = load_error(path);
    EXPECT_EQ(msg.rfind(path + ": not a sigstream backend: it does not export sigstream_backend_api_version", 0), 0u)
        << msg;
}

TEST(BackendLoad, MissingInfoSymbolIsRefused) {
    const std::string path = kPlugins + "/bad/noinfo.so";
    const std::string msg = load_error(path);
    EXPECT_EQ(msg.rfind(path + ": not a sigstream backend: it does not export sigstream_backend_info", 0), 0u) << msg;
}

TEST(BackendLoad, TextFileIsRefusedWithTheLoadersReason) {
    const std::string path = kPlugins + "/bad/broken.so";
    const std::string msg = load_error(path);
    EXPECT_EQ(msg.rfind(path + ": cannot load the plugin: ", 0), 0u) << msg;
    // then dlerror()'s own reason, which names the file again ("...broken.so: file too short")
    const std::size_t reason = (path + ": cannot load the plugin: ").size();
    EXPECT_NE(msg.find("broken.so: ", reason), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
}

TEST(BackendLoad, TruncatedPluginIsRefused) {
    test::TempDir d;
    const std::string whole = test::read_file(kGood);
    // glibc's dlopen() dies of SIGBUS on most of these: the loader must catch them first
    for (std::size_t size :
         {std::size_t{10}, std::size_t{64}, std::size_t{600}, whole.size() / 2, whole.size() - 100, whole.size() - 1}) {
        SCOPED_TRACE(size);
        const std::string path = d.file("truncated" + std::to_string(size) + ".so");
        test::write_file(path, whole.substr(0, size));
        const std::string msg = load_error(path);
        EXPECT_EQ(msg.rfind(path + ": cannot load the plugin: ", 0), 0u) << msg;
        if (size >= 64)
            EXPECT_NE(msg.find("the file is truncated: it is " + std::to_string(size) + " bytes long"),
                      std::string::npos)
                << msg;
        else
            EXPECT_NE(msg.find("too short"), std::string::npos) << msg;  // dlerror()'s words
    }
}

TEST(BackendLoad, MissingFileIsAnIoError) {
    EXPECT_THROW(Backend::load(kPlugins + "/nothing-here.so"), IoError);
}

TEST(BackendLoad, CopiesKeepThePluginLoaded) {
    std::optional<Backend> copy;
    {
        BackendRegistry reg(std::vector<std::string>{kPlugins + "/good"});
        ASSERT_EQ(reg.backends().size(), 1u);
        copy.emplace(reg.backends()[0]);
    }
    {
        Backend second = Backend::load(kGood);  // loaded and dropped again: the handle is reference-counted
    }
    FitRequest req;
    req.fit.k = 2;
    req.fit.max_iter = 3;
    FitResult r = copy->fit(small_matrix(), req);
    EXPECT_EQ(r.iterations, 3);
    EXPECT_EQ(copy->name(), "testfixed");
}

// A backend linked into the program: W = 1, H = 1, one iteration.
int ones_fit(const sigstream_fit_request* rq, sigstream_fit_result* rs) {
    for (int i = 0; i < rq->rows * rq->k; ++i) rs->W[i] = 1;
    for (int i = 0; i < rq->k * rq->cols; ++i) rs->H[i] = 1;
    rs->trace[0] = 2;
    rs->trace[1] = 1;
    rs->trace_length = 2;
    rs->iterations = 1;
    return SIGSTREAM_FIT_OK;
}

TEST(BackendBuiltIn, WrapsALinkedDescription) {
    static const sigstream_param_spec params[] = {{sizeof(sigstream_param_spec), "alpha", "0.5", "a weight"}};
    static const sigstream_backend info = {sizeof(sigstream_backend),
                                           SIGSTREAM_BACKEND_API_VERSION,
                                           "ones",
                                           "2.0",
                                           "all ones",
                                           "none",
                                           1,
                                           params,
                                           ones_fit};
    Backend b = Backend::built_in(&info);
    EXPECT_EQ(b.name(), "ones");
    EXPECT_EQ(b.origin(), "built-in");
    ASSERT_EQ(b.params().size(), 1u);
    EXPECT_EQ(b.params()[0].default_value, "0.5");
    FitRequest req;
    req.fit.k = 2;
    req.fit.max_iter = 10;
    FitResult r = b.fit(small_matrix(), req);
    EXPECT_TRUE(r.W.isOnes());
    EXPECT_EQ(r.trace, (std::vector<double>{2, 1}));
}

TEST(BackendBuiltIn, MalformedDescriptionsAreRefused) {
    sigstream_backend info = {
        sizeof(sigstream_backend), SIGSTREAM_BACKEND_API_VERSION, "Has Spaces", "1", "", "", 0, nullptr, ones_fit};
    EXPECT_THROW(Backend::built_in(&info), FormatError);
    info.name = "nmf.x";  // a dot would break --param NAME.KEY=VALUE
    EXPECT_THROW(Backend::built_in(&info), FormatError);
    info.name = "ok";
    info.fit = nullptr;
    EXPECT_THROW(Backend::built_in(&info), FormatError);
    info.fit = ones_fit;
    info.n_params = 2;  // but no params
    EXPECT_THROW(Backend::built_in(&info), FormatError);
    static const sigstream_param_spec twice[] = {{sizeof(sigstream_param_spec), "a", "1", ""},
                                                 {sizeof(sigstream_param_spec), "a", "2", ""}};
    info.params = twice;
    EXPECT_THROW(Backend::built_in(&info), FormatError);
    info.n_params = 0;
    info.api_version = SIGSTREAM_BACKEND_API_VERSION + 1;
    EXPECT_THROW(Backend::built_in(&info), FormatError);
    info.api_version = SIGSTREAM_BACKEND_API_VERSION;
    info.struct_size = offsetof(sigstream_backend, fit);  // shorter than version 2's description
    EXPECT_THROW(Backend::built_in(&info), FormatError);
    info.struct_size = sizeof info;
    EXPECT_NO_THROW(Backend::built_in(&info));
    EXPECT_THROW(Backend::built_in(nullptr), FormatError);
}

TEST(BackendFit, FactorsThatBreakTheAbiAreRejected) {
    static const sigstream_backend info = {sizeof(sigstream_backend),
                                           SIGSTREAM_BACKEND_API_VERSION,
                                           "negative",
                                           "1",
                                           "",
                                           "",
                                           0,
                                           nullptr,
                                           [](const sigstream_fit_request* rq, sigstream_fit_result* rs) -> int {
                                               ones_fit(rq, rs);
                                               rs->W[0] = -1;
                                               return SIGSTREAM_FIT_OK;
                                           }};
    FitRequest req;
    req.fit.k = 1;
    EXPECT_THROW(Backend::built_in(&info).fit(small_matrix(), req), DataError);
}

// ---------------------------------------------------------------- fit

TEST(BackendFit, ReturnsTheFactorisationTraceAndMessage) {
    Backend b = Backend::load(kGood);
    Eigen::MatrixXd V = small_matrix(6, 4);
    FitRequest req;
    req.fit.k = 2;
    req.fit.max_iter = 50;
    req.fit.tol = 1e-6;
    FitResult r = b.fit(V, req);
    ASSERT_EQ(r.W.rows(), 6);
    ASSERT_EQ(r.W.cols(), 2);
    ASSERT_EQ(r.H.rows(), 2);
    ASSERT_EQ(r.H.cols(), 4);
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 2; ++j) EXPECT_EQ(r.W(i, j), (j + 1) * (1 + (i + j) % 2));
    for (int c = 0; c < 4; ++c)
        for (int j = 0; j < 2; ++j) EXPECT_DOUBLE_EQ(r.H(j, c), V.col(c).sum() / (2 * r.W.col(j).sum()));
    EXPECT_EQ(r.iterations, 3);
    ASSERT_EQ(r.trace.size(), 4u);
    EXPECT_EQ(r.trace[0], 1000.0);
    EXPECT_EQ(r.trace[3], 250.0);
    EXPECT_EQ(r.message, "converged after 3 iterations (window 100)");  // the host's window reached the plugin
}

TEST(BackendFit, ToleranceZeroRunsMaxIter) {
    Backend b = Backend::load(kGood);
    FitRequest req;
    req.fit.k = 1;
    req.fit.max_iter = 7;
    req.fit.tol = 0;
    FitResult r = b.fit(small_matrix(), req);
    EXPECT_EQ(r.iterations, 7);
    EXPECT_EQ(r.trace.size(), 8u);
}

TEST(BackendFit, UnknownParameterNamesTheBackendsParameters) {
    Backend b = Backend::load(kGood);
    FitRequest req;
    req.fit.k = 1;
    req.fit.params["objective"] = "kl";
    try {
        b.fit(small_matrix(), req);
        FAIL() << "no exception";
    } catch (const UsageError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("backend 'testfixed' has no parameter 'objective'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("status, fail_at, zero_column"), std::string::npos) << msg;
    }
}

TEST(BackendFit, StatusesMapToErrors) {
    Backend b = Backend::load(kGood);
    FitRequest req;
    req.fit.k = 1;
    req.fit.params["status"] = "bogus";
    try {
        b.fit(small_matrix(), req);
        FAIL() << "no exception";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("status 'bogus' is not ok, numerical or failed"), std::string::npos)
            << e.what();
    }
    req.fit.params["status"] = "numerical";
    try {
        b.fit(small_matrix(), req);
        FAIL() << "no exception";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("broke down numerically: simulated NaN in H"), std::string::npos)
            << e.what();
    }
    req.fit.params["status"] = "failed";
    try {
        b.fit(small_matrix(), req);
        FAIL() << "no exception";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("backend 'testfixed' failed: simulated failure"), std::string::npos)
            << e.what();
    }
}

TEST(BackendFit, FailureMidFitAfterProgress) {
    Backend b = Backend::load(kPlugins + "/failing/failing.so");
    EXPECT_EQ(b.name(), "failing");
    FitRequest req;
    req.fit.k = 1;
    req.fit.max_iter = 100;
    req.fit.tol = 0;
    std::vector<int> seen;
    req.progress = [&](const Progress& p) {
        seen.push_back(static_cast<int>(p.done));
        return Flow::proceed;
    };
    try {
        b.fit(small_matrix(), req);
        FAIL() << "no exception";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("simulated failure at iteration 2"), std::string::npos) << e.what();
    }
    EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

TEST(BackendFit, ProgressCanStopTheFit) {
    Backend b = Backend::load(kGood);
    FitRequest req;
    req.fit.k = 1;
    req.fit.max_iter = 100;
    req.fit.tol = 0;
    std::vector<std::pair<int, double>> seen;
    req.progress = [&](const Progress& p) {
        EXPECT_EQ(p.unit, "iterations");
        EXPECT_EQ(p.total, 100u);
        seen.emplace_back(static_cast<int>(p.done), p.objective);
        return p.done < 4 ? Flow::proceed : Flow::stop;
    };
    try {
        b.fit(small_matrix(), req);
        FAIL() << "no exception";
    } catch (const Cancelled& e) {  // stop has one meaning: the work ends, nothing is returned
        EXPECT_NE(std::string(e.what()).find("stopped at the caller's request after 4 iterations"), std::string::npos)
            << e.what();
    }
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[0], (std::pair<int, double>{1, 500.0}));
}

TEST(BackendFit, ExceptionInProgressReachesTheCaller) {
    Backend b = Backend::load(kGood);
    FitRequest req;
    req.fit.k = 1;
    req.fit.max_iter = 100;
    req.fit.tol = 0;
    int calls = 0;
    req.progress = [&](const Progress&) -> Flow {
        ++calls;
        throw std::runtime_error("from progress");
    };
    EXPECT_THROW(b.fit(small_matrix(), req), std::runtime_error);
    EXPECT_EQ(calls, 1);  // the backend was asked to stop at once
}

TEST(BackendFit, RequestChecks) {
    Backend b = Backend::load(kGood);
    FitRequest req;
    req.fit.k = 4;  // not below min(6, 4)
    EXPECT_THROW(b.fit(small_matrix(6, 4), req), UsageError);
    req.fit.k = 0;
    EXPECT_THROW(b.fit(small_matrix(6, 4), req), UsageError);
    req.fit.k = 1;
    Eigen::MatrixXd V = small_matrix(6, 4);
    V.col(2).setZero();
    EXPECT_THROW(b.fit(V, req), DataError);
    V = small_matrix(6, 4);
    V(1, 1) = -1;
    EXPECT_THROW(b.fit(V, req), DataError);
    V(1, 1) = std::nan("");
    EXPECT_THROW(b.fit(V, req), DataError);
    Eigen::MatrixXd W0 = Eigen::MatrixXd::Ones(6, 1);
    req.W0 = &W0;
    EXPECT_THROW(b.fit(small_matrix(6, 4), req), UsageError);  // W0 without H0
    Eigen::MatrixXd H0 = Eigen::MatrixXd::Ones(1, 4);
    req.H0 = &H0;
    EXPECT_NO_THROW(b.fit(small_matrix(6, 4), req));
    req.fit.tol = -1;
    EXPECT_THROW(b.fit(small_matrix(6, 4), req), UsageError);
}

// ---------------------------------------------------------------- registry

TEST(BackendRegistry, RefusedPluginsAreListedWithTheirReasons) {
    BackendRegistry reg(std::vector<std::string>{kPlugins + "/bad", kPlugins + "/good", kPlugins + "/no-such-folder"});
    ASSERT_EQ(reg.backends().size(), 1u);
    EXPECT_EQ(reg.backends()[0].name(), "testfixed");
    ASSERT_EQ(reg.problems().size(), 5u);
    const char* files[] = {"abi1.so", "broken.so", "infoabi.so", "noinfo.so", "noversion.so"};  // sorted by name
    for (std::size_t i = 0; i < 5; ++i)
        EXPECT_EQ(reg.problems()[i].rfind(kPlugins + "/bad/" + files[i] + ": ", 0), 0u) << reg.problems()[i];
    EXPECT_NE(reg.problems()[0].find("built for backend ABI version 1"), std::string::npos);
    EXPECT_NE(reg.problems()[4].find("does not export sigstream_backend_api_version"), std::string::npos);
}

TEST(BackendRegistry, GetNamesTheAvailableBackendsAndRefusals) {
    BackendRegistry reg(std::vector<std::string>{kPlugins + "/bad", kPlugins + "/good", kPlugins + "/failing"});
    EXPECT_EQ(reg.get("testfixed").name(), "testfixed");
    EXPECT_EQ(reg.get("failing").origin(), kPlugins + "/failing/failing.so");
    try {
        reg.get("nmf2");
        FAIL() << "no exception";
    } catch (const UsageError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("unknown backend 'nmf2'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("available: testfixed, failing"), std::string::npos) << msg;
    }
    try {
        reg.get("abi1");
        FAIL() << "no exception";
    } catch (const UsageError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("backend 'abi1' is not available"), std::string::npos) << msg;
        EXPECT_NE(msg.find("abi1.so: built for backend ABI version 1"), std::string::npos) << msg;
    }
    BackendRegistry empty(std::vector<std::string>{});
    EXPECT_THROW(empty.get("nmf"), UsageError);
}

TEST(BackendRegistry, FirstPluginWithANameWins) {
    BackendRegistry reg(std::vector<std::string>{kPlugins + "/good", kPlugins + "/dup"});
    ASSERT_EQ(reg.backends().size(), 1u);
    EXPECT_EQ(reg.backends()[0].origin(), kGood);
    ASSERT_EQ(reg.problems().size(), 1u);
    EXPECT_NE(reg.problems()[0].find("dup/testfixed.so: backend 'testfixed' is also in " + kGood), std::string::npos)
        << reg.problems()[0];
    BackendRegistry reversed(std::vector<std::string>{kPlugins + "/dup", kPlugins + "/good"});
    EXPECT_EQ(reversed.get("testfixed").origin(), kPlugins + "/dup/testfixed.so");
}

TEST(BackendRegistry, AFolderListedTwiceLoadsOnce) {
    BackendRegistry reg(std::vector<std::string>{kPlugins + "/good", kPlugins + "/good/", kPlugins + "/good"});
    EXPECT_EQ(reg.backends().size(), 1u);
    EXPECT_TRUE(reg.problems().empty());
}

TEST(BackendRegistry, OnlySoFilesAreCandidates) {
    test::TempDir d;
    test::write_file(d.file("README"), "not a plugin\n");
    test::write_file(d.file("notes.so.txt"), "not a plugin\n");
    fs::copy_file(kGood, d.file("mine.so"));
    BackendRegistry reg(std::vector<std::string>{d.path()});
    ASSERT_EQ(reg.backends().size(), 1u);
    EXPECT_EQ(reg.backends()[0].origin(), d.file("mine.so"));
    EXPECT_TRUE(reg.problems().empty());
}

TEST(BackendSearchPath, UnsetMeansTheDefaultFolders) {
    PluginPathEnv env(std::nullopt);
    std::vector<std::string> path = BackendRegistry::search_path();
    ASSERT_GE(path.size(), 3u);
    const fs::path exe_dir = fs::read_symlink("/proc/self/exe").parent_path();
    EXPECT_EQ(path[0], (exe_dir / "plugins").string());
    EXPECT_EQ(path[1], (exe_dir.parent_path() / "lib" / "sigstream" / "plugins").lexically_normal().string());
    EXPECT_NE(path.back().find("sigstream/plugins"), std::string::npos);
}

TEST(BackendSearchPath, ColonSeparatedFoldersAndEmptyComponents) {
    std::vector<std::string> defaults;
    {
        PluginPathEnv env(std::nullopt);
        defaults = BackendRegistry::search_path();
    }
    {
        PluginPathEnv env(std::string("/a:/b"));
        EXPECT_EQ(BackendRegistry::search_path(), (std::vector<std::string>{"/a", "/b"}));
    }
    {
        PluginPathEnv env(std::string("/a::/b"));
        std::vector<std::string> want{"/a"};
        want.insert(want.end(), defaults.begin(), defaults.end());
        want.push_back("/b");
        EXPECT_EQ(BackendRegistry::search_path(), want);
    }
    {
        PluginPathEnv env(std::string("/a:"));  // trailing empty component: then the defaults
        std::vector<std::string> want{"/a"};
        want.insert(want.end(), defaults.begin(), defaults.end());
        EXPECT_EQ(BackendRegistry::search_path(), want);
    }
    {
        PluginPathEnv env(std::string(""));  // set but empty: the defaults
        EXPECT_EQ(BackendRegistry::search_path(), defaults);
    }
    {
        PluginPathEnv env(std::string("/a:/a"));
        EXPECT_EQ(BackendRegistry::search_path(), (std::vector<std::string>{"/a"}));
    }
}

TEST(BackendSearchPath, FromEnvironmentLoadsThePluginPath) {
    PluginPathEnv env(kPlugins + "/failing:" + kPlugins + "/good");
    BackendRegistry reg = BackendRegistry::from_environment();
    ASSERT_EQ(reg.backends().size(), 2u);
    EXPECT_EQ(reg.backends()[0].name(), "failing");
    EXPECT_EQ(reg.backends()[1].name(), "testfixed");
}

// ---------------------------------------------------------------- the real backends, when built

TEST(RealBackends, LoadAndFitDeterministically) {
    BackendRegistry reg(std::vector<std::string>{SIGSTREAM_BUILD_PLUGIN_DIR});
    for (const auto& p : reg.problems()) ADD_FAILURE() << p;
    if (reg.backends().empty()) GTEST_SKIP() << "no backends built in " << SIGSTREAM_BUILD_PLUGIN_DIR;
    Eigen::MatrixXd V(96, 8);
    for (int i = 0; i < 96; ++i)
        for (int j = 0; j < 8; ++j) V(i, j) = 1 + (i * 13 + j * 29) % 17 + (i % (j + 2) == 0 ? 20 : 0);
    for (const Backend& b : reg.backends()) {
        SCOPED_TRACE(b.name());
        FitRequest req;
        req.fit.k = 3;
        req.fit.seed = 42;
        req.fit.max_iter = 5;
        req.fit.tol = 0;
        FitResult r1 = b.fit(V, req), r2 = b.fit(V, req);
        EXPECT_EQ(r1.iterations, 5);
        EXPECT_EQ(r1.trace.size(), 6u);
        EXPECT_TRUE(r1.W == r2.W);
        EXPECT_TRUE(r1.H == r2.H);
        EXPECT_EQ(r1.trace, r2.trace);
    }
}

}  // namespace
}  // namespace sigstream
