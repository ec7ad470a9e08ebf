// The cnmf backend behind the ABI: request checks, parameters, and the conversion between convex NMF's
// (G, H) and the host's (W, H) (the ABI glue is plugin_kit.h).
#include <cmath>
#include <string_view>

#include "cnmf_core.h"
#include "plugin_kit.h"

namespace sigstream::cnmf {
namespace {

const sigstream_param_spec kParams[] = {
    {sizeof(sigstream_param_spec), "solver", "hals",
     "hals (block coordinate descent: each signature moved to (or towards: one pass over the samples per sweep, "
     "finished by later sweeps) the projection of its update onto the cone of the samples, each exposure column "
     "exact; tens to hundreds of iterations) or mu (Ding et al.'s multiplicative "
     "updates, the solver of version 1.0; 10^4-10^5 iterations); accepted: hals|mu"},
    {sizeof(sigstream_param_spec), "init", "nmf",
     "start when the host gives none: nmf (an NMF fit from NNDSVD, k-means medoids or uniform random factors, its "
     "signatures projected onto the cone of the samples), kmeans (Ding et al.: k-means on the sample profiles, "
     "indicators + 0.2) or random (uniform); accepted: nmf|kmeans|random"},
    {sizeof(sigstream_param_spec), "starts", "8",
     "starts tried when the host gives none (each run until it stalls; the lowest objective goes on): a whole "
     "number from 1 to 1000; 1 = the single start of version 1.0"},
};

constexpr plugin_kit::Choice<Init> kInits[] = {{"nmf", Init::nmf}, {"kmeans", Init::kmeans}, {"random", Init::random}};
constexpr plugin_kit::Choice<Solver> kSolvers[] = {{"hals", Solver::hals}, {"mu", Solver::mu}};

int run(const sigstream_fit_request& request, sigstream_fit_result& result) {
    const int rows = request.rows, cols = request.cols, k = request.k;
    if (!plugin_kit::well_formed(request, result) || k > cols)
        throw plugin_kit::Failure("invalid request (dimensions, k, max_iter, tol, tol_window or a missing array)");
    Options options;
    plugin_kit::copy_settings(options, request);
    plugin_kit::for_each_param(request, [&](std::string_view key, std::string_view value) {
        if (key == "init")
            plugin_kit::choose(key, value, kInits, options.init);
        else if (key == "solver")
            plugin_kit::choose(key, value, kSolvers, options.solver);
        else if (key == "starts")
            options.starts =
                static_cast<int>(plugin_kit::number_param(key, value, "a whole number from 1 to 1000", [](double x) {
                    return x >= 1 && x <= 1000 && x == std::floor(x);
                }));
        else
            plugin_kit::unknown_param(key, kParams);
    });
    const Eigen::MatrixXd V = Eigen::Map<const Eigen::MatrixXd>(request.V, rows, cols);
    plugin_kit::check_entries("V", V);
    if (!std::isfinite(V.squaredNorm())) throw plugin_kit::Numerical("the squared norm of V overflows");
    Eigen::MatrixXd W0, H0;
    const bool start = request.W0 != nullptr && request.H0 != nullptr;
    if (start) {
        W0 = Eigen::Map<const Eigen::MatrixXd>(request.W0, rows, k);
        H0 = Eigen::Map<const Eigen::MatrixXd>(request.H0, k, cols).transpose();
        plugin_kit::check_entries("W0 or H0", W0, H0);
    }
    Result fitted = fit(V, options, start ? &W0 : nullptr, start ? &H0 : nullptr, plugin_kit::progress_of(request));
    const Eigen::MatrixXd W = V * fitted.G;
    Eigen::Map<Eigen::MatrixXd>(result.W, rows, k) = W;
    Eigen::Map<Eigen::MatrixXd>(result.H, k, cols) = fitted.H.transpose();
    return plugin_kit::finish("cnmf", fitted, W.allFinite() && fitted.H.allFinite(), request, result);
}

int fit_entry(const sigstream_fit_request* request, sigstream_fit_result* result) noexcept {
    return plugin_kit::guarded_fit("cnmf", request, result, run);
}

const sigstream_backend kBackend = plugin_kit::description(
    "cnmf", "1.2.1",
    "convex NMF (Ding, Li & Jordan 2010): V ~ V G H^T, signatures W = V G are non-negative combinations of the "
    "samples; block coordinate descent with projections onto the cone of the samples from the best of "
    "several NMF-based starts (solver=mu init=kmeans starts=1: version 1.0's multiplicative updates); A = V^T V is "
    "never formed (O(rows*cols*K) per iteration); a host start W0 is mapped to G by non-negative least squares, "
    "H0 is used exactly",
    "squared Frobenius error ||V - V G H^T||_F^2 (no 1/2)", kParams, fit_entry);

}  // namespace

const sigstream_backend* backend() {
    return &kBackend;
}

}  // namespace sigstream::cnmf
