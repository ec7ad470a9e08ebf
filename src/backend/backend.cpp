// One fit through the backend ABI: the request checked and translated, the progress callback bridged, the
// backend's status turned into an exception, its factors checked. See backend.h.
#include "backend/backend.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "abi/sigstream_backend.h"
#include "core/errors.h"
#include "core/format.h"

namespace sigstream {

namespace {

// The C progress callback: forwards to the request's ProgressFn and never lets an exception cross the
// backend's C frames (it is kept and rethrown after fit() returns).
struct ProgressBridge {
    const ProgressFn* fn = nullptr;
    int max_iter = 0;
    bool stopped = false;
    std::exception_ptr error;
};

int progress_bridge(void* host, int32_t iteration, double objective) {
    auto* bridge = static_cast<ProgressBridge*>(host);
    if (bridge->error || bridge->stopped) return SIGSTREAM_STOP;
    try {
        Progress p;
        p.stage = "fit";
        p.unit = "iterations";
        p.done = static_cast<std::uint64_t>(std::max<int32_t>(iteration, 0));
        p.total = static_cast<std::uint64_t>(bridge->max_iter);
        p.objective = objective;
        if ((*bridge->fn)(p) == Flow::stop) bridge->stopped = true;
    } catch (...) {
        bridge->error = std::current_exception();
    }
    return bridge->error || bridge->stopped ? SIGSTREAM_STOP : SIGSTREAM_PROCEED;
}

bool all_finite_nonnegative(const Eigen::MatrixXd& m) {
    const double* p = m.data();
    for (Eigen::Index i = 0; i < m.size(); ++i)
        if (!std::isfinite(p[i]) || p[i] < 0) return false;
    return true;
}

}  // namespace

void Backend::check_params(const BackendParams& params) const {
    for (const auto& [key, value] : params) {
        bool known = false;
        for (const auto& p : d_->params) known |= p.key == key;
        if (known) continue;
        std::string list;
        for (const auto& p : d_->params) list += (list.empty() ? "" : ", ") + p.key;
        throw UsageError(
            "", 0, "backend '" + d_->name + "' has no parameter '" + key + "'",
            list.empty() ? "it takes no parameters" : "its parameters are " + list + " (see `sigstream backends`)");
    }
}

std::vector<std::pair<std::string, std::string>> Backend::effective_params(const BackendParams& given) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& p : d_->params) {
        const auto it = given.find(p.key);
        out.emplace_back(p.key, it == given.end() ? p.default_value : it->second);
    }
    return out;
}

FitResult Backend::fit(const Eigen::MatrixXd& V, const FitRequest& request) const {
    const FitSettings& fit = request.fit;
    check_params(fit.params);  // a typo is the likeliest mistake and the cheapest to report
    const Eigen::Index rows = V.rows(), cols = V.cols();
    constexpr Eigen::Index kMax = 0x7fffffff;
    if (rows < 1 || cols < 1 || rows > kMax || cols > kMax)
        throw DataError("", 0, "cannot fit a " + std::to_string(rows) + " x " + std::to_string(cols) + " matrix",
                        "give at least one channel and one sample");
    if (fit.k < 1 || fit.k >= std::min(rows, cols))
        throw UsageError("", 0,
                         "K = " + std::to_string(fit.k) + " is out of range for a " + std::to_string(rows) + " x " +
                             std::to_string(cols) + " matrix",
                         "K must be at least 1 and below min(channels, samples)");
    if (fit.max_iter < 1 || fit.max_iter > kMaxIterLimit)
        throw UsageError("", 0, "max_iter " + std::to_string(fit.max_iter) + " is out of range",
                         "give a number of iterations from 1 to " + std::to_string(kMaxIterLimit));
    if (!std::isfinite(fit.tol) || fit.tol < 0)
        throw UsageError("", 0, "the tolerance must be a finite number >= 0",
                         "e.g. 1e-7, or 0 to run max_iter iterations");
    if (fit.tol_window < 1) throw UsageError("", 0, "the convergence window must be at least 1 iteration", "e.g. 10");
    if ((request.W0 == nullptr) != (request.H0 == nullptr))
        throw UsageError("", 0, "a starting point needs both W0 and H0", "give both or neither");
    if (request.W0 && (request.W0->rows() != rows || request.W0->cols() != fit.k || request.H0->rows() != fit.k ||
                       request.H0->cols() != cols))
        throw UsageError("", 0, "the starting W0/H0 do not match the matrix and K",
                         "W0 is channels x K, H0 is K x samples");
    for (Eigen::Index j = 0; j < cols; ++j) {
        double sum = 0;
        for (Eigen::Index i = 0; i < rows; ++i) {
            const double v = V(i, j);
            if (!std::isfinite(v) || v < 0)
                throw DataError("", 0,
                                "the matrix has a negative or non-finite value (column " + std::to_string(j + 1) + ")",
                                "counts must be finite and non-negative");
            sum += v;
        }
        if (!(sum > 0))
            throw DataError("", 0, "column " + std::to_string(j + 1) + " of the matrix is all zero",
                            "leave empty samples out of the fit");
    }

    // Eigen::MatrixXd is column-major and contiguous, exactly the ABI's layout: no copies needed.
    std::vector<sigstream_param> params;
    params.reserve(fit.params.size());
    for (const auto& [key, value] : fit.params)
        params.push_back(sigstream_param{sizeof(sigstream_param), key.c_str(), value.c_str()});

    ProgressBridge bridge;
    bridge.fn = &request.progress;
    bridge.max_iter = fit.max_iter;

    sigstream_fit_request req{};
    req.struct_size = sizeof req;
    req.api_version = SIGSTREAM_BACKEND_API_VERSION;
    req.rows = static_cast<int32_t>(rows);
    req.cols = static_cast<int32_t>(cols);
    req.V = V.data();
    req.k = fit.k;
    req.seed = fit.seed;
    req.W0 = request.W0 ? request.W0->data() : nullptr;
    req.H0 = request.H0 ? request.H0->data() : nullptr;
    req.max_iter = fit.max_iter;
    req.tol = fit.tol;
    req.tol_window = fit.tol_window;
    req.n_params = static_cast<int32_t>(params.size());
    req.params = params.empty() ? nullptr : params.data();
    req.host = &bridge;
    req.progress = request.progress ? &progress_bridge : nullptr;
    req.trace_stride = request.keep_trace ? 1 : fit.tol_window;

    FitResult out;
    out.W = Eigen::MatrixXd::Zero(rows, fit.k);
    out.H = Eigen::MatrixXd::Zero(fit.k, cols);
    out.trace.assign(static_cast<std::size_t>(fit.max_iter) + 1, 0.0);
    sigstream_fit_result res{};
    res.struct_size = sizeof res;
    res.W = out.W.data();
    res.H = out.H.data();
    res.trace = out.trace.data();

    const int status = d_->info->fit(&req, &res);
    res.message[sizeof res.message - 1] = '\0';
    out.message = one_line(res.message);
    if (bridge.error) std::rethrow_exception(bridge.error);

    const std::string who = "backend '" + d_->name + "'";
    const std::string said = out.message.empty() ? std::string("(no message)") : out.message;
    switch (status) {
        case SIGSTREAM_FIT_OK:
            break;
        case SIGSTREAM_FIT_STOPPED:
            throw Cancelled(
                "", 0, who + " stopped at the caller's request after " + std::to_string(res.iterations) + " iterations",
                "");
        case SIGSTREAM_FIT_BAD_PARAM:
            throw UsageError("", 0, who + " rejected a parameter: " + said,
                             "see `sigstream backends` for its parameters and their values");
        case SIGSTREAM_FIT_NUMERICAL:
            throw DataError("", 0, who + " broke down numerically: " + said,
                            "try another --seed, objective or backend; check the matrix for extreme samples");
        case SIGSTREAM_FIT_FAILED:
            throw DataError("", 0, who + " failed: " + said, "see the backend's message");
        default:
            throw DataError("", 0, who + " returned an unknown status " + std::to_string(status) + ": " + said,
                            "the plugin does not follow the backend ABI; report this to its authors");
    }
    if (res.trace_length < 0 || res.trace_length > fit.max_iter + 1 || res.iterations < 0 ||
        res.iterations > fit.max_iter)
        throw DataError("", 0,
                        who + " reported " + std::to_string(res.iterations) + " iterations and " +
                            std::to_string(res.trace_length) + " trace values for max_iter " +
                            std::to_string(fit.max_iter),
                        "the plugin does not follow the backend ABI; report this to its authors");
    if (!all_finite_nonnegative(out.W) || !all_finite_nonnegative(out.H))
        throw DataError("", 0, who + " returned negative or non-finite factors",
                        "try another --seed or backend; report this to the backend's authors");
    out.trace.resize(static_cast<std::size_t>(res.trace_length));
    out.iterations = res.iterations;
    return out;
}

}  // namespace sigstream
