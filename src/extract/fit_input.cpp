#include "extract/fit_input.h"

#include <cmath>
#include <set>

#include "core/errors.h"
#include "core/format.h"

namespace sigstream {

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

}  // namespace sigstream
