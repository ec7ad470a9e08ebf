// The nmf backend behind the ABI: request checks and parameters (the ABI glue is plugin_kit.h).
#include <algorithm>
#include <cmath>
#include <string_view>

#include "nmf_core.h"
#include "plugin_kit.h"

namespace sigstream::nmf {
namespace {

const sigstream_param_spec kParams[] = {
    {sizeof(sigstream_param_spec), "objective", "kl",
     "kl (generalised Kullback-Leibler divergence) or frobenius (0.5 squared Frobenius error); accepted: "
     "kl|frobenius"},
    {sizeof(sigstream_param_spec), "solver", "ccd-her",
     "ccd-her (kl: ccd with extrapolation and restarts, Ang & Gillis 2019, ~4x fewer iterations than ccd at the "
     "same cost per iteration; frobenius: as ccd), ccd: coordinate descent (kl: safeguarded Newton steps per "
     "entry, Hsieh & Dhillon 2011; frobenius: HALS), mu: Lee-Seung multiplicative updates; accepted: "
     "ccd-her|ccd|mu"},
    {sizeof(sigstream_param_spec), "init", "random",
     "start when the host gives none: random (uniform x sqrt(mean(V)/K)), nndsvd, nndsvda (nndsvd with zeros "
     "set to mean(V)); accepted: random|nndsvd|nndsvda"},
};

constexpr plugin_kit::Choice<Objective> kObjectives[] = {{"kl", Objective::kl}, {"frobenius", Objective::frobenius}};
constexpr plugin_kit::Choice<Solver> kSolvers[] = {
    {"ccd", Solver::ccd}, {"mu", Solver::mu}, {"ccd-her", Solver::ccd_her}};
constexpr plugin_kit::Choice<Init> kInits[] = {
    {"random", Init::random}, {"nndsvd", Init::nndsvd}, {"nndsvda", Init::nndsvda}};

int run(const sigstream_fit_request& request, sigstream_fit_result& result) {
    const int rows = request.rows, cols = request.cols, k = request.k;
    if (!plugin_kit::well_formed(request, result) || k > std::min(rows, cols))
        throw plugin_kit::Failure("invalid request (dimensions, k, max_iter, tol, tol_window or a missing array)");
    Options options;
    plugin_kit::copy_settings(options, request);
    plugin_kit::for_each_param(request, [&](std::string_view key, std::string_view value) {
        if (key == "objective")
            plugin_kit::choose(key, value, kObjectives, options.objective);
        else if (key == "solver")
            plugin_kit::choose(key, value, kSolvers, options.solver);
        else if (key == "init")
            plugin_kit::choose(key, value, kInits, options.init);
        else
            plugin_kit::unknown_param(key, kParams);
    });
    const Eigen::MatrixXd V = Eigen::Map<const Eigen::MatrixXd>(request.V, rows, cols);
    plugin_kit::check_entries("V", V);
    Eigen::MatrixXd W0, H0;
    const bool start = request.W0 != nullptr && request.H0 != nullptr;
    if (start) {
        W0 = Eigen::Map<const Eigen::MatrixXd>(request.W0, rows, k);
        H0 = Eigen::Map<const Eigen::MatrixXd>(request.H0, k, cols);
        plugin_kit::check_entries("W0 or H0", W0, H0);
    }
    const Result fitted =
        fit(V, options, start ? &W0 : nullptr, start ? &H0 : nullptr, plugin_kit::progress_of(request));
    Eigen::Map<Eigen::MatrixXd>(result.W, rows, k) = fitted.W;
    Eigen::Map<Eigen::MatrixXd>(result.H, k, cols) = fitted.H;
    return plugin_kit::finish("nmf", fitted, fitted.W.allFinite() && fitted.H.allFinite(), request, result);
}

int fit_entry(const sigstream_fit_request* request, sigstream_fit_result* result) noexcept {
    return plugin_kit::guarded_fit("nmf", request, result, run);
}

const sigstream_backend kBackend = plugin_kit::description(
    "nmf", "1.2.1",
    "NMF V ~ W H (W updated first, then H); solver=ccd-her (default: coordinate descent with extrapolation), "
    "ccd or mu (Lee-Seung); "
    "entries floored at 1e-16 after each update",
    "KL divergence sum V log(V/WH) - V + WH (objective=kl), 0.5*squared Frobenius error (frobenius)", kParams,
    fit_entry);

}  // namespace

const sigstream_backend* backend() {
    return &kBackend;
}

}  // namespace sigstream::nmf
