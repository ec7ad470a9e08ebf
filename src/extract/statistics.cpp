#include "extract/statistics.h"

#include <algorithm>
#include <cmath>

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
        s.cosine = l2_r > 0 ? std::min(1.0, dot / (std::sqrt(l2_v) * std::sqrt(l2_r))) : 0.0;  // rounding can pass 1
        s.l1_pct = 100.0 * l1_d / l1_v;
        s.l2_pct = 100.0 * std::sqrt(l2_d) / std::sqrt(l2_v);
        s.kl = kl;
    }
    return out;
}

}  // namespace sigstream
