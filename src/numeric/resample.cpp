#include "numeric/resample.h"

#include <cmath>
#include <random>
#include <string>

#include "core/errors.h"
#include "core/format.h"
#include "core/random.h"
#include "numeric/binomial.h"

namespace sigstream {

Eigen::MatrixXd bootstrap_counts(const Eigen::MatrixXd& V, std::uint64_t seed) {
    // One engine per column, seeded from (seed, column): a column's draw does not depend on the others.
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(V.rows(), V.cols());
    for (Eigen::Index j = 0; j < V.cols(); ++j) {
        const double total = V.col(j).sum();
        if (!(total <= static_cast<double>(kBinomialMaxTrials)))  // also NaN
            throw DataError("", 0, "a sample has " + exact_number(total) + " mutations, too many to bootstrap",
                            "a bootstrap draws at most 2^53 - 1 = " + std::to_string(kBinomialMaxTrials) +
                                " mutations per sample; check the counts");
        long long remaining = std::llround(total);
        if (remaining <= 0) continue;
        std::mt19937_64 engine(splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(j))));
        // Sequential conditional binomials: channel i gets Binomial(remaining, p_i / mass left), drawn by the
        // portable sampler (numeric/binomial.h): the same bootstrap from every build.
        double mass = total;
        for (Eigen::Index i = 0; i < V.rows() && remaining > 0; ++i) {
            const double p = V(i, j);
            if (p <= 0) continue;
            long long draw;
            if (i + 1 == V.rows() || p >= mass) {
                draw = remaining;
            } else {
                draw = static_cast<long long>(
                    binomial(static_cast<std::uint64_t>(remaining), std::min(1.0, p / mass), engine));
            }
            out(i, j) = static_cast<double>(draw);
            remaining -= draw;
            mass -= p;
        }
    }
    return out;
}

}  // namespace sigstream
