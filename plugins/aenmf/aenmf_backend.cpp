// The aenmf backend behind the ABI: request checks, parameters, and the conversion between the autoencoder's
// weights (E, D) and the host's (W, H) (the ABI glue is plugin_kit.h).
#include <cmath>
#include <string_view>

#include "aenmf_core.h"
#include "plugin_kit.h"

namespace sigstream::aenmf {
namespace {

const sigstream_param_spec kParams[] = {
    {sizeof(sigstream_param_spec), "constraint", "abs",
     "non-negativity: abs (f = |.| in the forward pass, the paper) or project (clamp E, D at 0 after each step); "
     "accepted: abs|project"},
    {sizeof(sigstream_param_spec), "loss", "mse",
     "mse (mean squared error, the paper) or poisson (generalised KL divergence, floor 1e-10*mean(V)); accepted: "
     "mse|poisson"},
    {sizeof(sigstream_param_spec), "init", "cnmf",
     "start when the host gives none: cnmf (the convex NMF fit of the cnmf backend's defaults, the same model, with "
     "`starts` starts), scaled (uniform [0,1) weights times the least-squares scale of the data) or uniform ([0,1), "
     "the paper); accepted: cnmf|scaled|uniform"},
    {sizeof(sigstream_param_spec), "starts", "8",
     "init=cnmf: the starts of that convex NMF fit (the best goes on): a whole number from 1 to 1000"},
    {sizeof(sigstream_param_spec), "lr", "auto",
     "Adam step size: a positive number, or auto (0.2 x RMS of the starting weights; 1e-4 with init=uniform)"},
    {sizeof(sigstream_param_spec), "schedule", "auto",
     "step size: backtrack (a step that does not lower the loss is undone and the step size halved), plateau "
     "(halved whenever `patience` steps bring no new best loss), constant (the paper), or auto (backtrack with "
     "init=cnmf, plateau otherwise); accepted: auto|backtrack|plateau|constant"},
    {sizeof(sigstream_param_spec), "beta1", "0.9", "Adam first-moment decay, in [0, 1)"},
    {sizeof(sigstream_param_spec), "beta2", "0.999", "Adam second-moment decay, in [0, 1)"},
    {sizeof(sigstream_param_spec), "eps", "1e-8", "Adam denominator epsilon, a positive number"},
    {sizeof(sigstream_param_spec), "patience", "auto",
     "steps without a new best loss before the plateau schedule halves the step size: a whole number, or auto (half "
     "the host's --tol window, so the step shrinks before the stop rule sees a stall)"},
};

constexpr plugin_kit::Choice<Constraint> kConstraints[] = {{"abs", Constraint::abs}, {"project", Constraint::project}};
constexpr plugin_kit::Choice<LossKind> kLosses[] = {{"mse", LossKind::mse}, {"poisson", LossKind::poisson}};
constexpr plugin_kit::Choice<Init> kInits[] = {
    {"cnmf", Init::cnmf}, {"scaled", Init::scaled}, {"uniform", Init::uniform}};
// schedule=auto is Options::schedule_auto (no Schedule of its own).
constexpr plugin_kit::Choice<int> kSchedules[] = {{"auto", -1},
                                                  {"backtrack", static_cast<int>(Schedule::backtrack)},
                                                  {"plateau", static_cast<int>(Schedule::plateau)},
                                                  {"constant", static_cast<int>(Schedule::constant)}};

void apply_param(Options& options, std::string_view key, std::string_view value) {
    if (key == "constraint") {
        plugin_kit::choose(key, value, kConstraints, options.constraint);
    } else if (key == "loss") {
        plugin_kit::choose(key, value, kLosses, options.loss);
    } else if (key == "init") {
        plugin_kit::choose(key, value, kInits, options.init);
    } else if (key == "schedule") {
        int chosen = -1;
        plugin_kit::choose(key, value, kSchedules, chosen);
        options.schedule_auto = chosen < 0;
        if (chosen >= 0) options.schedule = static_cast<Schedule>(chosen);
    } else if (key == "starts") {
        options.starts =
            static_cast<int>(plugin_kit::number_param(key, value, "a whole number from 1 to 1000", [](double x) {
                return x >= 1 && x <= 1000 && x == std::floor(x);
            }));
    } else if (key == "lr") {
        options.lr = value == "auto" ? 0.0
                                     : plugin_kit::number_param(key, value, "auto or a positive number",
                                                                [](double x) { return x > 0.0; });
    } else if (key == "beta1" || key == "beta2") {
        (key == "beta1" ? options.beta1 : options.beta2) =
            plugin_kit::number_param(key, value, "a number in [0, 1)", [](double x) { return x >= 0.0 && x < 1.0; });
    } else if (key == "eps") {
        options.eps = plugin_kit::number_param(key, value, "a positive number", [](double x) { return x > 0.0; });
    } else if (key == "patience") {
        options.patience = value == "auto" ? 0
                                           : static_cast<int>(plugin_kit::number_param(
                                                 key, value, "auto or an integer from 1 to 1000000",
                                                 [](double x) { return x >= 1.0 && x <= 1e6 && x == std::floor(x); }));
    } else {
        plugin_kit::unknown_param(key, kParams);
    }
}

int run(const sigstream_fit_request& request, sigstream_fit_result& result) {
    const int rows = request.rows, cols = request.cols, k = request.k;
    if (!plugin_kit::well_formed(request, result))
        throw plugin_kit::Failure("invalid request (dimensions, k, max_iter, tol, tol_window or a missing array)");
    if ((request.W0 == nullptr) != (request.H0 == nullptr)) throw plugin_kit::Failure("give both W0 and H0 or neither");
    Options options;
    plugin_kit::copy_settings(options, request);
    plugin_kit::for_each_param(request,
                               [&](std::string_view key, std::string_view value) { apply_param(options, key, value); });
    const Eigen::Map<const Eigen::MatrixXd> V(request.V, rows, cols);
    if (!V.allFinite() || V.minCoeff() < 0.0 || !(V.sum() > 0.0))
        throw plugin_kit::Failure("V must be finite, non-negative and not all zero");
    Eigen::MatrixXd E0, D0;
    const bool start = request.W0 != nullptr;
    if (start) {
        const Eigen::Map<const Eigen::MatrixXd> W0(request.W0, rows, k), H0(request.H0, k, cols);
        start_from_factors(V, W0, H0, E0, D0);
    }
    const Result fitted =
        fit(V, options, start ? &E0 : nullptr, start ? &D0 : nullptr, plugin_kit::progress_of(request));
    Eigen::Map<Eigen::MatrixXd> W(result.W, rows, k), H(result.H, k, cols);
    if (fitted.status != Status::numerical) {
        W.noalias() = V * activate(fitted.E, options.constraint);
        H = activate(fitted.D, options.constraint);
    }
    return plugin_kit::finish("aenmf", fitted, W.allFinite() && H.allFinite(), request, result);
}

int fit_entry(const sigstream_fit_request* request, sigstream_fit_result* result) noexcept {
    return plugin_kit::guarded_fit("aenmf", request, result, run);
}

const sigstream_backend kBackend = plugin_kit::description(
    "aenmf", "1.1.0",
    "AE-NMF: shallow non-negative linear autoencoder V f(E) f(D) (convex NMF), full-batch Adam from the convex NMF "
    "fit of the cnmf backend (init=cnmf, steps that do not lower the loss undone); init=scaled schedule=plateau: "
    "version 1.0's defaults",
    "mean squared error ||V - V f(E) f(D)||_F^2/(rows*cols) (loss=mse); generalised KL divergence "
    "sum(mu - V + V log(V/mu)), mu = V f(E) f(D) + 1e-10*mean(V) (loss=poisson)",
    kParams, fit_entry);

}  // namespace

const sigstream_backend* backend() {
    return &kBackend;
}

}  // namespace sigstream::aenmf
