#include "extract/normalise.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include "core/errors.h"

namespace sigstream {

namespace {

double quantile_sorted(const std::vector<double>& s, double q) {
    // Linear interpolation between order statistics (type 7, as R and numpy default).
    const double pos = q * static_cast<double>(s.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, s.size() - 1);
    return s[lo] + (pos - static_cast<double>(lo)) * (s[hi] - s[lo]);
}

double normal_pdf(double x, double mu, double var) {
    const double d = x - mu;
    return std::exp(-0.5 * d * d / var) / std::sqrt(2.0 * M_PI * var);
}

}  // namespace

double gmm_cap(const Eigen::VectorXd& totals, int channels) {
    const double floor_cap = 100.0 * channels;
    std::vector<double> x;
    for (Eigen::Index j = 0; j < totals.size(); ++j)
        if (totals(j) > 0) x.push_back(std::log10(totals(j)));
    if (x.size() < 10) return floor_cap;
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    const double n = static_cast<double>(x.size());
    double mean = 0;
    for (double v : x) mean += v;
    mean /= n;
    double var = 0;
    for (double v : x) var += (v - mean) * (v - mean);
    var /= n;
    const double var_floor = 1e-6;
    const double no_cap = HUGE_VAL;
    if (var < var_floor) return no_cap;  // every sample the same size
    double ll1 = 0;
    for (double v : x) ll1 += std::log(std::max(normal_pdf(v, mean, var), 1e-300));

    double mu[2] = {quantile_sorted(sorted, 0.25), quantile_sorted(sorted, 0.75)};
    double s2[2] = {var, var};
    double w[2] = {0.5, 0.5};
    std::vector<double> r0(x.size());
    double ll2 = -HUGE_VAL;
    for (int it = 0; it < 500; ++it) {
        double ll = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {  // E step
            const double p0 = w[0] * normal_pdf(x[i], mu[0], s2[0]), p1 = w[1] * normal_pdf(x[i], mu[1], s2[1]);
            const double p = p0 + p1;
            r0[i] = p > 0 ? p0 / p : 0.5;
            ll += std::log(std::max(p, 1e-300));
        }
        const bool done = std::abs(ll - ll2) < 1e-10;
        ll2 = ll;
        if (done) break;
        double n0 = 0, m0 = 0, m1 = 0;  // M step
        for (std::size_t i = 0; i < x.size(); ++i) {
            n0 += r0[i];
            m0 += r0[i] * x[i];
            m1 += (1 - r0[i]) * x[i];
        }
        const double n1 = n - n0;
        if (n0 < 1e-9 || n1 < 1e-9) break;  // one component took everything: keep the last estimate
        mu[0] = m0 / n0;
        mu[1] = m1 / n1;
        double v0 = 0, v1 = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            v0 += r0[i] * (x[i] - mu[0]) * (x[i] - mu[0]);
            v1 += (1 - r0[i]) * (x[i] - mu[1]) * (x[i] - mu[1]);
        }
        s2[0] = std::max(v0 / n0, var_floor);
        s2[1] = std::max(v1 / n1, var_floor);
        w[0] = n0 / n;
        w[1] = n1 / n;
    }
    // Two groups only when the mixture beats one Gaussian by BIC and the modes are apart (Ashman's D > 2).
    const double bic1 = -2 * ll1 + 2 * std::log(n), bic2 = -2 * ll2 + 5 * std::log(n);
    const double ashman = std::sqrt(2.0) * std::abs(mu[0] - mu[1]) / std::sqrt(s2[0] + s2[1]);
    if (!(bic2 < bic1) || !(ashman > 2)) return no_cap;
    const int major = w[0] >= w[1] ? 0 : 1;
    return std::max(floor_cap, std::pow(10.0, mu[major] + 3.0 * std::sqrt(s2[major])));
}

Eigen::VectorXd normalisation_factors(const Eigen::MatrixXd& V, Normalisation method) {
    const Eigen::VectorXd totals = V.colwise().sum().transpose();
    Eigen::VectorXd f = Eigen::VectorXd::Ones(V.cols());
    const int channels = static_cast<int>(V.rows());
    auto cap_at = [&](double cap) {
        for (Eigen::Index j = 0; j < f.size(); ++j)
            if (totals(j) > cap) f(j) = cap / totals(j);
    };
    switch (method) {
        case Normalisation::none:
            break;
        case Normalisation::x100:
            cap_at(100.0 * channels);
            break;
        case Normalisation::gmm:
            cap_at(gmm_cap(totals, channels));
            break;
        case Normalisation::log2: {
            std::vector<double> t;
            for (Eigen::Index j = 0; j < totals.size(); ++j)
                if (totals(j) > 0) t.push_back(totals(j));
            if (t.empty()) break;
            std::sort(t.begin(), t.end());
            const double m = quantile_sorted(t, 0.5);
            for (Eigen::Index j = 0; j < f.size(); ++j)
                if (totals(j) > 0) f(j) = m * std::log2(1.0 + totals(j)) / std::log2(1.0 + m) / totals(j);
            break;
        }
    }
    return f;
}

}  // namespace sigstream
