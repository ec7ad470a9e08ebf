// An extraction backend on the host side: its description and one fit through the C ABI of
// src/abi/sigstream_backend.h. Backends come from plugin files (backend/loader.cpp, found by the registry in
// backend/registry.h) or are linked into the program (built_in).
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/settings.h"

struct sigstream_backend;

namespace sigstream {

struct BackendParam {
    std::string key, default_value, description;
};

// One fit: the fit settings (K, seed, stop rule, parameters), an optional start, and progress.
struct FitRequest {
    FitSettings fit;                      // fit.k >= 1; fit.params: keys without the backend prefix
    const Eigen::MatrixXd* W0 = nullptr;  // optional start, both or neither
    const Eigen::MatrixXd* H0 = nullptr;
    ProgressFn progress;  // after iterations: unit "iterations", done, objective
    // Whether the caller keeps the whole trace (trace.tsv). When not, a backend may compute the objective only
    // where the stop rule looks (every fit.tol_window iterations) and after the last iteration; the other trace
    // entries (and the objective given to progress) are then NaN. The factors are the same either way.
    bool keep_trace = true;
};

struct FitResult {
    Eigen::MatrixXd W;          // channels x k, as the backend returned it (not normalised)
    Eigen::MatrixXd H;          // k x samples
    std::vector<double> trace;  // objective at the start and after each iteration (see FitRequest::keep_trace)
    int iterations = 0;
    std::string message;
};

class Backend {
public:
    // A checked description and what keeps the plugin loaded (made by load() and built_in()).
    struct Description {
        std::shared_ptr<void> handle;  // the dlopen handle (null for a built-in backend)
        const sigstream_backend* info = nullptr;
        std::string name, version, description, objective, origin;
        std::vector<BackendParam> params;
    };
    explicit Backend(Description d) : d_(std::make_shared<const Description>(std::move(d))) {}

    const std::string& name() const { return d_->name; }
    const std::string& version() const { return d_->version; }
    const std::string& description() const { return d_->description; }
    const std::string& objective() const { return d_->objective; }
    const std::vector<BackendParam>& params() const { return d_->params; }
    const std::string& origin() const { return d_->origin; }  // the plugin's file, or "built-in"

    // UsageError naming the backend's parameters unless every key of `params` is one of them.
    void check_params(const BackendParams& params) const;
    // Every parameter of the backend, in its order: the default, or the value in `given`.
    std::vector<std::pair<std::string, std::string>> effective_params(const BackendParams& given) const;

    // Runs one fit of V (channels x samples, non-negative, no all-zero column). Throws UsageError for an
    // unknown parameter key or a value the backend rejects, DataError for a numerical breakdown or another
    // failure of the backend (its message included), Cancelled when request.progress asked to stop.
    FitResult fit(const Eigen::MatrixXd& V, const FitRequest& request) const;

    // Wraps a backend description linked into the program (not loaded from a file).
    static Backend built_in(const sigstream_backend* info);
    // Loads one plugin file. Throws Error (with the file) when it is not a loadable shared object, lacks the
    // exported functions, or was built for another ABI version.
    static Backend load(const std::string& path);

private:
    std::shared_ptr<const Description> d_;
};

}  // namespace sigstream
