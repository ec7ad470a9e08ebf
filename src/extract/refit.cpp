#include "extract/refit.h"

#include "core/errors.h"
#include "extract/statistics.h"
#include "numeric/nnls.h"

namespace sigstream {

namespace {

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    const double d = a.norm() * b.norm();
    return d > 0 ? a.dot(b) / d : 0.0;
}

// Backward elimination and forward addition around the NNLS fit of one sample.
Eigen::VectorXd sparse_fit(const Nnls& nnls, const Eigen::MatrixXd& W, const Eigen::VectorXd& v, double threshold) {
    const std::size_t K = static_cast<std::size_t>(W.cols());
    std::vector<bool> allowed(K, true);
    Eigen::VectorXd x = nnls.solve(v);
    double cos_x = cosine(v, W * x);
    for (std::size_t round = 0; round < 2 * K + 2; ++round) {
        bool changed = false;
        // Remove: the signature whose removal costs the least cosine, while that cost is below threshold.
        for (;;) {
            int best = -1;
            double best_cos = -1;
            Eigen::VectorXd best_x;
            for (std::size_t k = 0; k < K; ++k) {
                if (!allowed[k] || x(static_cast<Eigen::Index>(k)) <= 0) continue;
                allowed[k] = false;
                Eigen::VectorXd y = nnls.solve_subset(v, allowed);
                allowed[k] = true;
                const double c = cosine(v, W * y);
                if (c > best_cos) {
                    best_cos = c;
                    best = static_cast<int>(k);
                    best_x = y;
                }
            }
            if (best < 0 || cos_x - best_cos >= threshold) break;
            allowed[static_cast<std::size_t>(best)] = false;
            x = best_x;
            cos_x = best_cos;
            changed = true;
        }
        // Add: the signature whose addition gains the most cosine, when that gain exceeds threshold.
        int best = -1;
        double best_cos = cos_x;
        Eigen::VectorXd best_x;
        for (std::size_t k = 0; k < K; ++k) {
            if (allowed[k]) continue;
            allowed[k] = true;
            Eigen::VectorXd y = nnls.solve_subset(v, allowed);
            allowed[k] = false;
            const double c = cosine(v, W * y);
            if (c > best_cos) {
                best_cos = c;
                best = static_cast<int>(k);
                best_x = y;
            }
        }
        if (best >= 0 && best_cos - cos_x > threshold) {
            allowed[static_cast<std::size_t>(best)] = true;
            x = best_x;
            cos_x = best_cos;
            changed = true;
        }
        if (!changed) break;
    }
    return x;
}

}  // namespace

Exposures refit_exposures(const LabelledMatrix& counts, const LabelledMatrix& signatures, const RefitOptions& options) {
    if (counts.context != signatures.context)
        throw UsageError("", 0,
                         "the matrix is " + std::string(context_name(counts.context)) + " but the signatures are " +
                             std::string(context_name(signatures.context)),
                         "fit a matrix with signatures of the same catalogue");
    if (options.threshold < 0 || options.threshold >= 1)
        throw UsageError("", 0, "the sparse threshold must be in [0, 1)", "e.g. 0.01");
    Exposures r;
    r.samples = counts.columns;
    r.signatures = signatures.columns;
    const Eigen::MatrixXd& W = signatures.values;
    Nnls nnls(W);
    r.values.resize(W.cols(), counts.values.cols());
    for (Eigen::Index j = 0; j < counts.values.cols(); ++j) {
        const Eigen::VectorXd v = counts.values.col(j);
        r.values.col(j) = options.sparse ? sparse_fit(nnls, W, v, options.threshold) : nnls.solve(v);
    }
    r.stats = sample_stats(counts.values, W, r.values, counts.columns);
    return r;
}

}  // namespace sigstream
