#include "extract/selection.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "extract/consensus.h"
#include "extract/normalise.h"
#include "extract/statistics.h"
#include "numeric/nnls.h"

namespace sigstream {

// NNLS exposures of the non-empty samples' true counts to W, as a K x (all samples) matrix: empty samples
// get zeros.
Eigen::MatrixXd refit_all(const Eigen::MatrixXd& W, const FitInput& input, Eigen::Index samples) {
    const Eigen::MatrixXd Hkept = Nnls(W).solve_all(input.V);
    Eigen::MatrixXd H = Eigen::MatrixXd::Zero(W.cols(), samples);
    for (std::size_t j = 0; j < input.kept.size(); ++j) H.col(input.kept[j]) = Hkept.col(static_cast<Eigen::Index>(j));
    return H;
}

Solution build_solution(const LabelledMatrix& counts, const FitInput& input, int k,
                        std::vector<const Replicate*> replicates, const Eigen::VectorXd* factors) {
    std::sort(replicates.begin(), replicates.end(),
              [](const Replicate* a, const Replicate* b) { return a->index < b->index; });
    std::vector<Eigen::MatrixXd> Ws;
    for (const Replicate* r : replicates) Ws.push_back(r->W);
    const ConsensusResult c = consensus_signatures(Ws);

    // Exposures by NNLS on the true counts; signatures in order of total exposure.
    const Eigen::Index n = counts.values.cols();
    const Eigen::MatrixXd H = refit_all(c.mean, input, n);
    const Eigen::VectorXd load = H.rowwise().sum();
    std::vector<int> order(static_cast<std::size_t>(k));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return load(a) > load(b); });

    Solution s;
    s.k = k;
    s.replicates = replicates;
    const Eigen::Index channels = input.V.rows();
    s.signatures.context = s.medoids.context = counts.context;
    s.signatures.values.resize(channels, k);
    s.medoids.values.resize(channels, k);
    s.exposures = Eigen::MatrixXd::Zero(k, n);
    s.stability.resize(k);
    s.member_cosine.resize(k);
    s.medoid_cosine.resize(k);
    s.member.assign(replicates.size(), std::vector<int>(static_cast<std::size_t>(k)));
    for (int pos = 0; pos < k; ++pos) {
        const int c_idx = order[static_cast<std::size_t>(pos)];
        const std::string name = signature_name(counts.context, pos);
        s.signatures.columns.push_back(name);
        s.medoids.columns.push_back(name);
        s.signatures.values.col(pos) = c.mean.col(c_idx);
        s.medoids.values.col(pos) = c.medoid.col(c_idx);
        s.exposures.row(pos) = H.row(c_idx);
        s.stability(pos) = c.stability(c_idx);
        s.member_cosine(pos) = c.mean_member_cosine(c_idx);
        const double d = c.mean.col(c_idx).norm() * c.medoid.col(c_idx).norm();
        s.medoid_cosine(pos) = d > 0 ? c.mean.col(c_idx).dot(c.medoid.col(c_idx)) / d : 0.0;
        for (std::size_t r = 0; r < replicates.size(); ++r)
            s.member[r][static_cast<std::size_t>(pos)] = c.member[r][static_cast<std::size_t>(c_idx)];
    }
    s.stats = sample_stats(counts.values, s.signatures.values, s.exposures, counts.columns);

    s.mean_stability = s.stability.mean();
    s.min_stability = s.stability.minCoeff();
    // Reconstruction metrics over the non-empty samples, on the fitted scale (see selection.h).
    const Eigen::VectorXd f = factors ? *factors : Eigen::VectorXd::Ones(static_cast<Eigen::Index>(input.kept.size()));
    const Eigen::MatrixXd residual = (input.V - c.mean * H(Eigen::all, input.kept)) * f.asDiagonal();
    const double l2_res = residual.squaredNorm(), l2_v = (input.V * f.asDiagonal()).squaredNorm();
    double kl = 0, cos = 0;
    for (std::size_t j = 0; j < input.kept.size(); ++j) {
        const SampleStats& st = s.stats[static_cast<std::size_t>(input.kept[j])];
        kl += f(static_cast<Eigen::Index>(j)) * st.kl;
        cos += st.cosine;
    }
    s.frobenius_pct = l2_v > 0 ? 100.0 * std::sqrt(l2_res) / std::sqrt(l2_v) : 0.0;
    s.kl = kl;
    s.mean_sample_cosine = input.kept.empty() ? 0.0 : cos / static_cast<double>(input.kept.size());
    return s;
}

double deviance_gain(const Solution& smaller, const Solution& larger, std::size_t samples) {
    const double channels = static_cast<double>(smaller.signatures.values.rows());
    const double params = static_cast<double>(larger.k - smaller.k) * (static_cast<double>(samples) + channels - 1);
    return 2.0 * (smaller.kl - larger.kl) / params;
}

Eigen::VectorXd fit_factors(const FitInput& input, Normalisation normalise) {
    return normalisation_factors(input.V, normalise);
}

std::vector<Solution> build_solutions(const LabelledMatrix& counts, const FitInput& input,
                                      const std::vector<Replicate>& replicates, Normalisation normalise) {
    const Eigen::VectorXd factors = fit_factors(input, normalise);
    std::map<int, std::vector<const Replicate*>> by_k;
    for (const Replicate& r : replicates) by_k[r.k].push_back(&r);
    std::vector<Solution> out;
    for (auto& [k, reps] : by_k) out.push_back(build_solution(counts, input, k, reps, &factors));
    return out;
}

Choice choose_k(std::vector<Solution>& solutions, const SelectionRule& rule, std::size_t n) {
    for (Solution& s : solutions)
        s.stable = s.mean_stability >= rule.min_mean_stability && s.min_stability >= rule.min_stability;
    auto fmt = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3g", v);
        return std::string(buf);
    };
    Choice choice;
    for (std::size_t i = 0; i < solutions.size(); ++i) {
        const Solution& s = solutions[i];
        if (!s.stable) continue;
        bool beaten = false;
        for (std::size_t j = i + 1; j < solutions.size() && !beaten; ++j)
            if (solutions[j].stable && deviance_gain(s, solutions[j], n) > rule.min_gain) beaten = true;
        if (beaten) continue;
        choice.chosen = i;
        if (i + 1 == solutions.size() && solutions.size() > 1) {
            choice.reason = "K = " + std::to_string(s.k) + " is stable (mean stability " + fmt(s.mean_stability) +
                            ", minimum " + fmt(s.min_stability) +
                            ") and the largest K tried, and no smaller K was "
                            "as good";
            choice.warnings.push_back("the chosen K = " + std::to_string(s.k) +
                                      " is the top of the K range; a larger K may fit better — widen --k-range");
        } else {
            choice.reason = "K = " + std::to_string(s.k) + " is the smallest stable K (mean stability " +
                            fmt(s.mean_stability) + ", minimum " + fmt(s.min_stability) +
                            ") that no larger stable K improves beyond noise (deviance gain > " + fmt(rule.min_gain) +
                            " per parameter)";
        }
        return choice;
    }
    // No stable K: the most stable one.
    std::size_t best = 0;
    for (std::size_t i = 1; i < solutions.size(); ++i)
        if (solutions[i].mean_stability > solutions[best].mean_stability) best = i;
    choice.chosen = best;
    choice.reason = "no K met the stability thresholds (mean >= " + fmt(rule.min_mean_stability) +
                    ", minimum >= " + fmt(rule.min_stability) + "); K = " + std::to_string(solutions[best].k) +
                    " has the highest mean stability (" + fmt(solutions[best].mean_stability) + ")";
    choice.warnings.push_back(choice.reason + " — treat it with care, or fix K with --k");
    return choice;
}

}  // namespace sigstream
