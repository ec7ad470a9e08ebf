#include "extract/single_fit.h"

#include "extract/fit_input.h"
#include "extract/normalise.h"
#include "extract/statistics.h"

namespace sigstream {

SingleFit fit_single(const LabelledMatrix& counts, const Backend& backend, const SingleFitOptions& options,
                     const RunSettings& run) {
    const Eigen::Index n = counts.values.cols();
    const FitInput in = prepare_fit_input(counts, options.source);
    check_k(options.fit.k, in, options.source);
    SingleFit r;
    r.empty_samples = in.empty_samples;
    r.warnings = in.warnings;
    const Eigen::VectorXd factors = normalisation_factors(in.V, options.normalise);
    const Eigen::MatrixXd Vfit = in.V * factors.asDiagonal();

    FitRequest req;
    req.fit = options.fit;
    req.progress = run.progress;
    FitResult fit = backend.fit(Vfit, req);

    // Signatures sum to 1; the scale goes into the exposures, so W H is unchanged.
    const int K = options.fit.k;
    Eigen::MatrixXd W = fit.W;
    Eigen::MatrixXd Hfit = fit.H;
    r.signatures.context = counts.context;
    for (int s = 0; s < K; ++s) r.signatures.columns.push_back(signature_name(counts.context, s));
    for (int s : scale_signatures(W, &Hfit))
        r.warnings.push_back(
            "signature " + r.signatures.columns[static_cast<std::size_t>(s)] + " came back from backend '" +
            backend.name() +
            "' as all zeros; it is written as a uniform profile with zero exposures — try a smaller K");
    r.signatures.values = W;
    r.exposures.samples = counts.columns;
    r.exposures.signatures = r.signatures.columns;
    r.exposures.values = Eigen::MatrixXd::Zero(K, n);
    for (std::size_t c = 0; c < in.kept.size(); ++c)  // back to the true totals
        r.exposures.values.col(in.kept[c]) =
            Hfit.col(static_cast<Eigen::Index>(c)) / factors(static_cast<Eigen::Index>(c));
    r.exposures.stats = sample_stats(counts.values, W, r.exposures.values, counts.columns);
    r.trace = std::move(fit.trace);
    r.iterations = fit.iterations;
    r.message = fit.message;
    return r;
}

}  // namespace sigstream
