// Extraction backends on the host side: finding and loading plugins (dlopen, like bcftools'
// BCFTOOLS_PLUGINS), checking their ABI version, and running one fit through the C ABI of
// src/abi/sigstream_backend.h.
//
// Search path: SIGSTREAM_PLUGIN_PATH, a colon-separated list of folders; an empty component stands for
// the default folders. Unset, the default folders are used: `<folder of the sigstream binary>/plugins`
// (the build tree), `<folder of the binary>/../lib/sigstream/plugins` (a relocated install) and the
// install folder compiled in. Every `*.so` in them is a candidate; the first plugin found with a name wins.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct sigstream_backend;

namespace sigstream {

struct BackendParam {
    std::string key, default_value, description;
};

struct FitRequest {
    int k = 0;
    std::uint64_t seed = 0;
    int max_iter = 10000;
    double tol = 1e-8;
    std::map<std::string, std::string> params;  // keys without the backend prefix
    const Eigen::MatrixXd* W0 = nullptr;        // optional start, both or neither
    const Eigen::MatrixXd* H0 = nullptr;
    // Called with (iteration, objective); return false to ask the backend to stop.
    std::function<bool(int, double)> progress;
};

struct FitResult {
    Eigen::MatrixXd W;          // channels x k, as the backend returned it (not normalised)
    Eigen::MatrixXd H;          // k x samples
    std::vector<double> trace;  // objective at the start and after each iteration
    int iterations = 0;
    bool stopped = false;  // stopped at the host's request
    std::string message;
};

class Backend {
public:
    const std::string& name() const;
    const std::string& version() const;
    const std::string& description() const;
    const std::string& objective() const;
    const std::vector<BackendParam>& params() const;
    const std::string& origin() const;  // the plugin's file, or "built-in"

    // Runs one fit of V (channels x samples, non-negative, no all-zero column). Throws UsageError for
    // an unknown parameter key or a value the backend rejects, DataError for a numerical breakdown or
    // another failure of the backend (its message included).
    FitResult fit(const Eigen::MatrixXd& V, const FitRequest& request) const;

    // Wraps a backend description linked into the program (not loaded from a file).
    static Backend built_in(const sigstream_backend* info);
    // Loads one plugin file. Throws Error (with the file) when it is not a loadable shared object, lacks
    // the exported functions, or was built for another ABI version.
    static Backend load(const std::string& path);

private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;
};

class BackendRegistry {
public:
    // Loads every plugin on the search path. Plugins that cannot be loaded are not fatal: they are listed
    // in problems() (and a request for their name says why).
    static BackendRegistry from_environment();
    explicit BackendRegistry(const std::vector<std::string>& folders);

    // The backend called `name`; UsageError naming the available ones (and any refused plugin of
    // that name, with the reason) when there is none.
    const Backend& get(const std::string& name) const;
    const std::vector<Backend>& backends() const { return backends_; }
    const std::vector<std::string>& problems() const { return problems_; }

    // The folders searched, in order, after expanding SIGSTREAM_PLUGIN_PATH.
    static std::vector<std::string> search_path();

private:
    std::vector<Backend> backends_;
    std::vector<std::string> problems_;
};

}  // namespace sigstream
