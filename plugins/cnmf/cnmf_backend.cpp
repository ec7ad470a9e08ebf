// The cnmf backend behind the ABI: request checks, parameters, and the conversion between convex NMF's
// (G, H) and the host's (W, H).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "cnmf_core.h"

namespace sigstream::cnmf {
namespace {

const sigstream_param_spec kParams[] = {
    {"init", "kmeans",
     "start when the host gives none: kmeans (Ding et al.: k-means on the sample profiles, indicators + 0.2) "
     "or random (uniform); accepted: kmeans|random"},
};

void set_message(sigstream_fit_result* result, const std::string& text) {
    std::snprintf(result->message, sizeof result->message, "%s", text.c_str());
}

int run(const sigstream_fit_request* request, sigstream_fit_result* result) {
    if (request->api_version != SIGSTREAM_BACKEND_API_VERSION) {
        set_message(result, "cnmf: host API version " + std::to_string(request->api_version) + ", backend " +
                                std::to_string(SIGSTREAM_BACKEND_API_VERSION));
        return SIGSTREAM_FIT_FAILED;
    }
    const int rows = request->rows, cols = request->cols, k = request->k;
    if (rows < 1 || cols < 1 || k < 1 || k > cols || request->V == nullptr || request->max_iter < 0 ||
        !(request->tol >= 0) || !std::isfinite(request->tol) || result->W == nullptr || result->H == nullptr ||
        result->trace == nullptr || (request->n_params > 0 && request->params == nullptr)) {
        set_message(result, "cnmf: invalid request (dimensions, k, max_iter, tol or a missing array)");
        return SIGSTREAM_FIT_FAILED;
    }
    Options options;
    options.k = k;
    options.max_iter = request->max_iter;
    options.tol = request->tol;
    options.seed = request->seed;
    for (int i = 0; i < request->n_params; ++i) {
        const char* key = request->params[i].key;
        const char* value = request->params[i].value;
        if (key == nullptr || value == nullptr) {
            set_message(result, "cnmf: a parameter has no key or no value");
            return SIGSTREAM_FIT_BAD_PARAM;
        }
        if (std::strcmp(key, "init") == 0) {
            if (std::strcmp(value, "kmeans") == 0) {
                options.init = Init::kmeans;
            } else if (std::strcmp(value, "random") == 0) {
                options.init = Init::random;
            } else {
                set_message(result, std::string("cnmf: init=") + value + " is not accepted; accepted: kmeans, random");
                return SIGSTREAM_FIT_BAD_PARAM;
            }
        } else {
            set_message(result, std::string("cnmf: unknown parameter '") + key + "'; accepted: init");
            return SIGSTREAM_FIT_BAD_PARAM;
        }
    }
    const Eigen::MatrixXd V = Eigen::Map<const Eigen::MatrixXd>(request->V, rows, cols);
    if (!V.allFinite()) {
        set_message(result, "cnmf: V has a NaN or infinite entry");
        return SIGSTREAM_FIT_NUMERICAL;
    }
    if ((V.array() < 0).any()) {
        set_message(result, "cnmf: V has a negative entry");
        return SIGSTREAM_FIT_FAILED;
    }
    Eigen::MatrixXd G0, H0;
    const bool start = request->W0 != nullptr && request->H0 != nullptr;
    if (start) {
        const Eigen::MatrixXd W0 = Eigen::Map<const Eigen::MatrixXd>(request->W0, rows, k);
        H0 = Eigen::Map<const Eigen::MatrixXd>(request->H0, k, cols).transpose();
        if (!W0.allFinite() || !H0.allFinite()) {
            set_message(result, "cnmf: W0 or H0 has a NaN or infinite entry");
            return SIGSTREAM_FIT_NUMERICAL;
        }
        if ((W0.array() < 0).any() || (H0.array() < 0).any()) {
            set_message(result, "cnmf: W0 or H0 has a negative entry");
            return SIGSTREAM_FIT_FAILED;
        }
        G0 = g_from_signatures(V, W0);
    }
    const auto progress = [request](int iteration, double f) {
        return request->progress != nullptr && request->progress(request->host, iteration, f) != 0;
    };
    const Result fitted = fit(V, options, start ? &G0 : nullptr, start ? &H0 : nullptr, progress);
    const Eigen::MatrixXd W = V * fitted.G;
    Eigen::Map<Eigen::MatrixXd>(result->W, rows, k) = W;
    Eigen::Map<Eigen::MatrixXd>(result->H, k, cols) = fitted.H.transpose();
    for (std::size_t t = 0; t < fitted.trace.size(); ++t) result->trace[t] = fitted.trace[t];
    result->trace_length = static_cast<int32_t>(fitted.trace.size());
    result->iterations = fitted.iterations;
    set_message(result, fitted.message);
    switch (fitted.status) {
        case Status::stopped:
            return SIGSTREAM_FIT_STOPPED;
        case Status::numerical:
            set_message(result, "cnmf: " + fitted.message);
            return SIGSTREAM_FIT_NUMERICAL;
        case Status::ok:
            break;
    }
    if (!W.allFinite() || !fitted.H.allFinite()) {
        set_message(result, "cnmf: the factors have a NaN or infinite entry");
        return SIGSTREAM_FIT_NUMERICAL;
    }
    return SIGSTREAM_FIT_OK;
}

int fit_entry(const sigstream_fit_request* request, sigstream_fit_result* result) {
    if (result == nullptr) return SIGSTREAM_FIT_FAILED;
    result->message[0] = '\0';
    result->trace_length = 0;
    result->iterations = 0;
    if (request == nullptr) {
        set_message(result, "cnmf: no request");
        return SIGSTREAM_FIT_FAILED;
    }
    try {
        return run(request, result);
    } catch (const std::exception& e) {
        set_message(result, std::string("cnmf: ") + e.what());
    } catch (...) {
        set_message(result, "cnmf: unknown exception");
    }
    return SIGSTREAM_FIT_FAILED;
}

const sigstream_backend kBackend = {
    SIGSTREAM_BACKEND_API_VERSION,
    "cnmf",
    "1.0.0",
    "convex NMF (Ding, Li & Jordan 2010): V ~ V G H^T, signatures W = V G are non-negative combinations of the "
    "samples; multiplicative updates (H, then G); A = V^T V is never formed (O(rows*cols*K) per iteration); "
    "a host start W0 is mapped to G by non-negative least squares, H0 is used exactly; tol: stop at every "
    "10th iteration t once (f[t-10]-f[t])/f[t] < tol",
    "squared Frobenius error ||V - V G H^T||_F^2 (no 1/2)",
    static_cast<int32_t>(sizeof kParams / sizeof kParams[0]),
    kParams,
    fit_entry,
};

}  // namespace

const sigstream_backend* backend() {
    return &kBackend;
}

}  // namespace sigstream::cnmf
