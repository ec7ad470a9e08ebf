// Helpers shared by the backends' tests (tests/plugins/<name>_test.cpp): test data, fits through a
// backend's fit() with the buffers a host would give, and loading a built plugin with dlopen().
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "plugin_kit.h"
#include "sigstream_backend.h"

namespace sigstream::test {

// Test data from splitmix64 (plugin_kit::SplitMix64: independent of the standard library).
struct TestRng : plugin_kit::SplitMix64 {
    using SplitMix64::SplitMix64;
    // Uniform on [0, 1): the top 53 bits. (open01(), inherited, is uniform on (0, 1).)
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double a, double b) { return a + (b - a) * uniform(); }
    // Poisson by inversion of open01() draws (fine for the small means used in tests).
    int poisson(double mean) {
        double p = std::exp(-mean), c = p, u = open01();
        int k = 0;
        while (u > c && k < 100000) {
            ++k;
            p *= mean / k;
            c += p;
        }
        return k;
    }
};

// An r x c matrix of TestRng(seed).open01() draws (column-major order) times scale.
inline Eigen::MatrixXd uniform(Eigen::Index r, Eigen::Index c, std::uint64_t seed, double scale = 1.0) {
    TestRng rng(seed);
    Eigen::MatrixXd M(r, c);
    for (Eigen::Index i = 0; i < M.size(); ++i) M.data()[i] = scale * rng.open01();
    return M;
}

// ---------------------------------------------------------------- fits through the ABI

// A request over V (not copied: V must outlive it) with the given settings; no start, no parameters, no
// progress callback.
inline sigstream_fit_request make_request(const Eigen::MatrixXd& V, int k, std::uint64_t seed, int max_iter,
                                          double tol) {
    sigstream_fit_request q{};
    q.struct_size = sizeof q;
    q.api_version = SIGSTREAM_BACKEND_API_VERSION;
    q.tol_window = 100;  // the host's default window (core/settings.h kTolWindow)
    q.rows = static_cast<int32_t>(V.rows());
    q.cols = static_cast<int32_t>(V.cols());
    q.V = V.data();
    q.k = k;
    q.seed = seed;
    q.max_iter = max_iter;
    q.tol = tol;
    return q;
}

struct Request {
    Eigen::MatrixXd V;
    int k = 3;
    std::uint64_t seed = 1;
    const Eigen::MatrixXd* W0 = nullptr;
    const Eigen::MatrixXd* H0 = nullptr;
    int max_iter = 50;
    double tol = 0;
    std::vector<std::pair<std::string, std::string>> params;
    int (*progress)(void*, int32_t, double) = nullptr;
    void* host = nullptr;
    int trace_stride = 1;
};

struct Fit {
    int status = -1;
    Eigen::MatrixXd W, H;
    std::vector<double> trace;
    int iterations = 0;
    std::string message;
};

// One fit of r through backend->fit() (the trace buffer starts as NaN).
inline Fit fit_with(const sigstream_backend* backend, const Request& r) {
    std::vector<sigstream_param> params;
    for (const auto& [k, v] : r.params) params.push_back({sizeof(sigstream_param), k.c_str(), v.c_str()});
    sigstream_fit_request q = make_request(r.V, r.k, r.seed, r.max_iter, r.tol);
    q.W0 = r.W0 ? r.W0->data() : nullptr;
    q.H0 = r.H0 ? r.H0->data() : nullptr;
    q.n_params = static_cast<int32_t>(params.size());
    q.params = params.data();
    q.host = r.host;
    q.progress = r.progress;
    q.trace_stride = r.trace_stride;
    Fit f;
    f.W.resize(r.V.rows(), r.k);
    f.H.resize(r.k, r.V.cols());
    f.trace.assign(static_cast<std::size_t>(r.max_iter) + 1, std::nan(""));
    sigstream_fit_result res{};
    res.struct_size = sizeof res;
    res.W = f.W.data();
    res.H = f.H.data();
    res.trace = f.trace.data();
    f.status = backend->fit(&q, &res);
    f.trace.resize(static_cast<std::size_t>(res.trace_length));
    f.iterations = res.iterations;
    f.message = res.message;
    return f;
}

// ---------------------------------------------------------------- plugins through dlopen()

// A plugin loaded with dlopen(), closed when the object goes.
struct LoadedPlugin {
    void* handle = nullptr;
    int32_t (*api_version)() = nullptr;
    const sigstream_backend* (*info)(int32_t) = nullptr;

    LoadedPlugin() = default;
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;
    ~LoadedPlugin() {
        if (handle != nullptr) dlclose(handle);
    }
};

// Loads the plugin at path (RTLD_NOW | RTLD_LOCAL) and looks up its two entry points, asserting that both exist
// and that it speaks this ABI version. Call it as ASSERT_NO_FATAL_FAILURE(load_plugin(path, plugin)).
inline void load_plugin(const std::string& path, LoadedPlugin& plugin) {
    plugin.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(plugin.handle, nullptr) << "cannot load " << path << ": " << dlerror();
    plugin.api_version = reinterpret_cast<int32_t (*)()>(dlsym(plugin.handle, "sigstream_backend_api_version"));
    plugin.info =
        reinterpret_cast<const sigstream_backend* (*)(int32_t)>(dlsym(plugin.handle, "sigstream_backend_info"));
    ASSERT_NE(plugin.api_version, nullptr);
    ASSERT_NE(plugin.info, nullptr);
    EXPECT_EQ(plugin.api_version(), SIGSTREAM_BACKEND_API_VERSION);
}

}  // namespace sigstream::test
