#include "extract/extract.h"

#include <cmath>
#include <set>

#include "core/errors.h"
#include "core/format.h"
#include "extract/normalise.h"

namespace sigstream {

std::vector<int> scale_signatures(Eigen::MatrixXd& W, Eigen::MatrixXd* H) {
    std::vector<int> zero;
    for (Eigen::Index s = 0; s < W.cols(); ++s) {
        const double sum = W.col(s).sum();
        if (sum > 0) {
            W.col(s) /= sum;
            if (H) H->row(s) *= sum;
        } else {
            W.col(s).setConstant(1.0 / static_cast<double>(W.rows()));
            if (H) H->row(s).setZero();
            zero.push_back(static_cast<int>(s));
        }
    }
    return zero;
}

std::string signature_name(Context context, int index) {
    std::string letters;
    for (long long n = static_cast<long long>(index) + 1; n > 0; n = (n - 1) / 26)
        letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
    return std::string(context_name(context)) + letters;
}

std::vector<SampleStats> sample_stats(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H,
                                      const std::vector<std::string>& samples) {
    const Eigen::MatrixXd R = W * H;
    std::vector<SampleStats> out(static_cast<std::size_t>(V.cols()));
    for (Eigen::Index j = 0; j < V.cols(); ++j) {
        SampleStats& s = out[static_cast<std::size_t>(j)];
        if (static_cast<std::size_t>(j) < samples.size()) s.sample = samples[static_cast<std::size_t>(j)];
        double total = 0, l1_v = 0, l2_v = 0, l2_r = 0, dot = 0, l1_d = 0, l2_d = 0, kl = 0;
        for (Eigen::Index i = 0; i < V.rows(); ++i) {
            const double v = V(i, j), r = R(i, j), d = v - r;
            total += v;
            l1_v += std::abs(v);
            l2_v += v * v;
            l2_r += r * r;
            dot += v * r;
            l1_d += std::abs(d);
            l2_d += d * d;
            if (v > 0)
                kl += r > 0 ? v * std::log(v / r) - v + r : HUGE_VAL;
            else
                kl += r;  // 0 log 0 = 0
        }
        s.total = total;
        if (!(total > 0)) continue;  // an empty sample: every statistic 0
        s.cosine = l2_r > 0 ? dot / (std::sqrt(l2_v) * std::sqrt(l2_r)) : 0.0;
        s.l1_pct = 100.0 * l1_d / l1_v;
        s.l2_pct = 100.0 * std::sqrt(l2_d) / std::sqrt(l2_v);
        s.kl = kl;
    }
    return out;
}

FitInput prepare_fit_input(const LabelledMatrix& counts, const std::string& source, std::size_t min_samples) {
    const Eigen::MatrixXd& V = counts.values;
    const Eigen::Index channels = V.rows(), n = V.cols();
    if (static_cast<std::size_t>(channels) != channel_count(counts.context))
        throw DataError(source, 0,
                        "the matrix has " + std::to_string(channels) + " rows, not the " +
                            std::to_string(channel_count(counts.context)) + " channels of " +
                            std::string(context_name(counts.context)),
                        "read matrices with read_count_matrix");
    if (counts.columns.size() != static_cast<std::size_t>(n))
        throw DataError(source, 0,
                        "the matrix has " + std::to_string(n) + " columns but " +
                            std::to_string(counts.columns.size()) + " sample names",
                        "give one name per column");
    std::set<std::string> names;
    for (const auto& c : counts.columns)
        if (!names.insert(c).second)
            throw DataError(source, 0, "sample '" + c + "' appears twice in the matrix",
                            "give every sample a unique name");
    FitInput in;
    for (Eigen::Index j = 0; j < n; ++j) {
        double sum = 0;
        for (Eigen::Index i = 0; i < channels; ++i) {
            const double v = V(i, j);
            if (!std::isfinite(v) || v < 0)
                throw DataError(
                    source, 0,
                    "sample '" + counts.columns[static_cast<std::size_t>(j)] + "' has a negative or non-finite count",
                    "counts must be finite and non-negative");
            sum += v;
        }
        if (sum > 0)
            in.kept.push_back(j);
        else
            in.empty_samples.push_back(counts.columns[static_cast<std::size_t>(j)]);
    }
    if (in.kept.size() < min_samples)
        throw DataError(source, 0,
                        "only " + std::to_string(in.kept.size()) + " of the " + std::to_string(n) +
                            " samples have any mutations; extraction needs at least two",
                        "add samples with mutations, or check that the counting step found SNVs");
    if (!in.empty_samples.empty())
        in.warnings.push_back(std::to_string(in.empty_samples.size()) +
                              " sample(s) have no mutations; they are left out of the fit and get zero exposures: " +
                              name_list(in.empty_samples));
    in.max_k = static_cast<int>(
        std::max<long long>(0, std::min<long long>(channels, static_cast<long long>(in.kept.size())) - 1));
    in.V.resize(channels, static_cast<Eigen::Index>(in.kept.size()));
    for (std::size_t c = 0; c < in.kept.size(); ++c) in.V.col(static_cast<Eigen::Index>(c)) = V.col(in.kept[c]);
    return in;
}

void check_k(int k, const FitInput& in, const std::string& source) {
    if (k < 1 || k > in.max_k)
        throw UsageError(source, 0,
                         "K = " + std::to_string(k) + " is out of range: with " + std::to_string(in.V.rows()) +
                             " channels and " + std::to_string(in.kept.size()) +
                             " non-empty samples K must be from 1 to " + std::to_string(in.max_k),
                         "K must be at least 1 and below min(channels, non-empty samples)");
}

ExtractResult extract_signatures(const LabelledMatrix& counts, const Backend& backend, const ExtractOptions& options) {
    const Eigen::MatrixXd& V = counts.values;
    const Eigen::Index n = V.cols();
    FitInput in = prepare_fit_input(counts, options.source);
    check_k(options.k, in, options.source);
    ExtractResult r;
    r.samples = counts.columns;
    r.empty_samples = in.empty_samples;
    r.warnings = in.warnings;
    const std::vector<Eigen::Index>& kept = in.kept;
    const Eigen::VectorXd factors = normalisation_factors(in.V, options.normalise);
    const Eigen::MatrixXd Vfit = in.V * factors.asDiagonal();

    FitRequest req;
    req.k = options.k;
    req.seed = options.seed;
    req.max_iter = options.max_iter;
    req.tol = options.tol;
    req.params = options.params;
    req.progress = options.progress;
    FitResult fit = backend.fit(Vfit, req);

    // Signatures sum to 1; the scale goes into the exposures, so W H is unchanged.
    const int K = options.k;
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
    r.exposures = Eigen::MatrixXd::Zero(K, n);
    for (std::size_t c = 0; c < kept.size(); ++c)  // back to the true totals
        r.exposures.col(kept[c]) = Hfit.col(static_cast<Eigen::Index>(c)) / factors(static_cast<Eigen::Index>(c));

    r.stats = sample_stats(V, W, r.exposures, counts.columns);
    r.trace = std::move(fit.trace);
    r.iterations = fit.iterations;
    r.stopped = fit.stopped;
    r.message = fit.message;
    return r;
}

}  // namespace sigstream
