// The nmf backend behind the ABI: request checks and parameters.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "nmf_core.h"

namespace sigstream::nmf {
namespace {

const sigstream_param_spec kParams[] = {
    {"objective", "kl",
     "kl (generalised Kullback-Leibler divergence) or frobenius (0.5 squared Frobenius error); accepted: "
     "kl|frobenius"},
    {"solver", "ccd",
     "ccd: coordinate descent (kl: safeguarded Newton steps per entry, Hsieh & Dhillon 2011; frobenius: HALS), "
     "~7x fewer iterations than mu for the same or less time; mu: Lee-Seung multiplicative updates; accepted: "
     "ccd|mu"},
    {"init", "random",
     "start when the host gives none: random (uniform x sqrt(mean(V)/K)), nndsvd, nndsvda (nndsvd with zeros "
     "set to mean(V)); accepted: random|nndsvd|nndsvda"},
};

void set_message(sigstream_fit_result* result, const std::string& text) {
    std::snprintf(result->message, sizeof result->message, "%s", text.c_str());
}

template <typename T>
bool choose(const char* value, std::initializer_list<std::pair<const char*, T>> choices, T& out) {
    for (const auto& [name, v] : choices) {
        if (std::strcmp(value, name) == 0) {
            out = v;
            return true;
        }
    }
    return false;
}

int run(const sigstream_fit_request* request, sigstream_fit_result* result) {
    if (request->api_version != SIGSTREAM_BACKEND_API_VERSION) {
        set_message(result, "nmf: host API version " + std::to_string(request->api_version) + ", backend " +
                                std::to_string(SIGSTREAM_BACKEND_API_VERSION));
        return SIGSTREAM_FIT_FAILED;
    }
    const int rows = request->rows, cols = request->cols, k = request->k;
    if (rows < 1 || cols < 1 || k < 1 || k > std::min(rows, cols) || request->V == nullptr || request->max_iter < 0 ||
        !(request->tol >= 0) || !std::isfinite(request->tol) || result->W == nullptr || result->H == nullptr ||
        result->trace == nullptr || (request->n_params > 0 && request->params == nullptr)) {
        set_message(result, "nmf: invalid request (dimensions, k, max_iter, tol or a missing array)");
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
            set_message(result, "nmf: a parameter has no key or no value");
            return SIGSTREAM_FIT_BAD_PARAM;
        }
        bool ok = true;
        std::string accepted;
        if (std::strcmp(key, "objective") == 0) {
            ok = choose<Objective>(value, {{"kl", Objective::kl}, {"frobenius", Objective::frobenius}},
                                   options.objective);
            accepted = "kl, frobenius";
        } else if (std::strcmp(key, "solver") == 0) {
            ok = choose<Solver>(value, {{"ccd", Solver::ccd}, {"mu", Solver::mu}}, options.solver);
            accepted = "ccd, mu";
        } else if (std::strcmp(key, "init") == 0) {
            ok = choose<Init>(value, {{"random", Init::random}, {"nndsvd", Init::nndsvd}, {"nndsvda", Init::nndsvda}},
                              options.init);
            accepted = "random, nndsvd, nndsvda";
        } else {
            set_message(result, std::string("nmf: unknown parameter '") + key + "'; accepted: objective, solver, init");
            return SIGSTREAM_FIT_BAD_PARAM;
        }
        if (!ok) {
            set_message(result, std::string("nmf: ") + key + "=" + value + " is not accepted; accepted: " + accepted);
            return SIGSTREAM_FIT_BAD_PARAM;
        }
    }
    const Eigen::MatrixXd V = Eigen::Map<const Eigen::MatrixXd>(request->V, rows, cols);
    if (!V.allFinite()) {
        set_message(result, "nmf: V has a NaN or infinite entry");
        return SIGSTREAM_FIT_NUMERICAL;
    }
    if ((V.array() < 0).any()) {
        set_message(result, "nmf: V has a negative entry");
        return SIGSTREAM_FIT_FAILED;
    }
    Eigen::MatrixXd W0, H0;
    const bool start = request->W0 != nullptr && request->H0 != nullptr;
    if (start) {
        W0 = Eigen::Map<const Eigen::MatrixXd>(request->W0, rows, k);
        H0 = Eigen::Map<const Eigen::MatrixXd>(request->H0, k, cols);
        if (!W0.allFinite() || !H0.allFinite()) {
            set_message(result, "nmf: W0 or H0 has a NaN or infinite entry");
            return SIGSTREAM_FIT_NUMERICAL;
        }
        if ((W0.array() < 0).any() || (H0.array() < 0).any()) {
            set_message(result, "nmf: W0 or H0 has a negative entry");
            return SIGSTREAM_FIT_FAILED;
        }
    }
    const auto progress = [request](int iteration, double f) {
        return request->progress != nullptr && request->progress(request->host, iteration, f) != 0;
    };
    const Result fitted = fit(V, options, start ? &W0 : nullptr, start ? &H0 : nullptr, progress);
    Eigen::Map<Eigen::MatrixXd>(result->W, rows, k) = fitted.W;
    Eigen::Map<Eigen::MatrixXd>(result->H, k, cols) = fitted.H;
    for (std::size_t t = 0; t < fitted.trace.size(); ++t) result->trace[t] = fitted.trace[t];
    result->trace_length = static_cast<int32_t>(fitted.trace.size());
    result->iterations = fitted.iterations;
    set_message(result, fitted.message);
    switch (fitted.status) {
        case Status::stopped:
            return SIGSTREAM_FIT_STOPPED;
        case Status::numerical:
            set_message(result, "nmf: " + fitted.message);
            return SIGSTREAM_FIT_NUMERICAL;
        case Status::ok:
            break;
    }
    if (!fitted.W.allFinite() || !fitted.H.allFinite()) {
        set_message(result, "nmf: the factors have a NaN or infinite entry");
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
        set_message(result, "nmf: no request");
        return SIGSTREAM_FIT_FAILED;
    }
    try {
        return run(request, result);
    } catch (const std::exception& e) {
        set_message(result, std::string("nmf: ") + e.what());
    } catch (...) {
        set_message(result, "nmf: unknown exception");
    }
    return SIGSTREAM_FIT_FAILED;
}

const sigstream_backend kBackend = {
    SIGSTREAM_BACKEND_API_VERSION,
    "nmf",
    "1.0.0",
    "NMF V ~ W H (W updated first, then H); solver=ccd (default: coordinate descent) or mu (Lee-Seung); "
    "entries floored at 1e-16 after each update; tol: stop at every 10th iteration t once "
    "(f[t-10]-f[t])/f[t] < tol",
    "KL divergence sum V log(V/WH) - V + WH (objective=kl), 0.5*squared Frobenius error (frobenius)",
    static_cast<int32_t>(sizeof kParams / sizeof kParams[0]),
    kParams,
    fit_entry,
};

}  // namespace

const sigstream_backend* backend() {
    return &kBackend;
}

}  // namespace sigstream::nmf
