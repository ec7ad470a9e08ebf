// The reference for the nmf backend's multiplicative updates: the same KL update written plainly in Eigen, as a
// user would write it, compiled once per instruction-set level (bench/CMakeLists.txt: mu_eigen_generic, _v2, _v3,
// _v4, each with -march for its level; Eigen then uses that level's vectors and, at v3/v4, fused multiply-adds).
//
//   mu_eigen_v3 --V V.npy --W0 W0.npy --H0 H0.npy --iter N [--reps R]
//
// One iteration is what nmf's solver=mu does for objective=kl (plugins/nmf/nmf_core.h), with the same reuse:
//   W <- max(1e-16, W o ((V / WH) H^T) / (1 H^T))     ((V / WH) H^T kept from the objective's evaluation)
//   H <- max(1e-16, H o (W^T (V / WH)) / (W^T 1))
//   the KL divergence at the new (W, H), and (V / WH) H^T for the next W update,
// i.e. four products of rows x cols x K and two elementwise passes (one with a log). Prints one JSON object: the
// time per iteration (the fastest of the repetitions), and the objective after N iterations (to check that it is
// the same computation as the plugin's).
#include <Eigen/Dense>
#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "matrix_io.h"

namespace {

Eigen::MatrixXd to_eigen(const bench::Matrix& m) {
    return Eigen::Map<const Eigen::MatrixXd>(m.data.data(), m.rows, m.cols);
}

struct Mu {
    const Eigen::MatrixXd& V;
    Eigen::MatrixXd W, H, WH, R, NW, P;
    double vsum;

    // R <- V / WH for the current (W, H); returns the KL divergence when asked.
    double ratio(bool objective) {
        WH.noalias() = W * H;
        R = V.array() / WH.array().max(1e-300);
        if (!objective) return 0;
        return (V.array() * R.array().max(DBL_MIN).log()).sum() + WH.sum() - vsum;
    }
    double reset() {
        const double f = ratio(true);
        NW.noalias() = R * H.transpose();
        return f;
    }
    double step() {
        const Eigen::VectorXd hsum = H.rowwise().sum();
        W = ((W.array() * NW.array()).rowwise() / hsum.transpose().array()).max(1e-16).matrix();
        ratio(false);
        P.noalias() = W.transpose() * R;
        const Eigen::VectorXd wsum = W.colwise().sum().transpose();
        H = ((H.array() * P.array()).colwise() / wsum.array()).max(1e-16).matrix();
        const double f = ratio(true);
        NW.noalias() = R * H.transpose();
        return f;
    }
};

}  // namespace

int main(int argc, char** argv) {
    std::string vpath, wpath, hpath;
    int iterations = 200, reps = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--V")
            vpath = value;
        else if (key == "--W0")
            wpath = value;
        else if (key == "--H0")
            hpath = value;
        else if (key == "--iter")
            iterations = std::stoi(value);
        else if (key == "--reps")
            reps = std::stoi(value);
        else {
            std::cerr << "mu_eigen: unknown option " << key << "\n";
            return 2;
        }
    }
    if (vpath.empty() || wpath.empty() || hpath.empty() || iterations < 1 || reps < 1) {
        std::cerr << "usage: mu_eigen --V V.npy --W0 W0.npy --H0 H0.npy [--iter N] [--reps R]\n";
        return 2;
    }
    try {
        const Eigen::MatrixXd V = to_eigen(bench::read_matrix(vpath));
        const Eigen::MatrixXd W0 = to_eigen(bench::read_matrix(wpath)), H0 = to_eigen(bench::read_matrix(hpath));
        double best = 1e300, f = 0;
        for (int r = 0; r < reps; ++r) {
            Mu mu{V, W0.cwiseMax(1e-16), H0.cwiseMax(1e-16), {}, {}, {}, {}, V.sum()};
            mu.reset();
            const auto start = std::chrono::steady_clock::now();
            for (int t = 0; t < iterations; ++t) f = mu.step();
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            best = std::min(best, s / iterations);
        }
        std::printf(
            "{\"tool\": \"eigen_mu\", \"simd\": \"%s\", \"rows\": %ld, \"cols\": %ld, \"k\": %ld, "
            "\"iterations\": %d, \"per_iter_s\": %.9g, \"objective\": %.17g}\n",
            Eigen::SimdInstructionSetsInUse(), static_cast<long>(V.rows()), static_cast<long>(V.cols()),
            static_cast<long>(W0.cols()), iterations, best, f);
    } catch (const std::exception& e) {
        std::cerr << "mu_eigen: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
