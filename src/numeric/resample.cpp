#include "numeric/resample.h"

#include <cmath>
#include <random>

#include "core/random.h"

namespace sigstream {

Eigen::MatrixXd bootstrap_counts(const Eigen::MatrixXd& V, std::uint64_t seed) {
    // One engine per column, seeded from (seed, column): a column's draw does not depend on the others.
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(V.rows(), V.cols());
    for (Eigen::Index j = 0; j < V.cols(); ++j) {
        const double total = V.col(j).sum();
        long long remaining = std::llround(total);
        if (remaining <= 0) continue;
        std::mt19937_64 engine(splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(j))));
        // Sequential conditional binomials: channel i gets Binomial(remaining, p_i / mass left).
        double mass = total;
        for (Eigen::Index i = 0; i < V.rows() && remaining > 0; ++i) {
            const double p = V(i, j);
            if (p <= 0) continue;
            long long draw;
            if (i + 1 == V.rows() || p >= mass) {
                draw = remaining;
            } else {
                std::binomial_distribution<long long> binomial(remaining, std::min(1.0, p / mass));
                draw = binomial(engine);
            }
            out(i, j) = static_cast<double>(draw);
            remaining -= draw;
            mass -= p;
        }
    }
    return out;
}

}  // namespace sigstream
