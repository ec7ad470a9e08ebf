// The reference for the nmf backend's multiplicative updates: the same updates written plainly in Eigen, as a user
// would write them, compiled once per instruction-set level (bench/CMakeLists.txt: mu_eigen_generic, _v2, _v3, _v4,
// each with -march for its level; Eigen then uses that level's vectors and, at v3/v4, fused multiply-adds).
//
//   mu_eigen_v3 --V V.npy --W0 W0.npy --H0 H0.npy [--objective kl|frobenius] [--iter N] [--warmup N] [--reps R]
//
// One iteration is what nmf's solver=mu does (plugins/nmf/nmf_core.h, nmf_core.cpp), with the same reuse:
//   kl         W <- max(1e-16, W o ((V / WH) H^T) / (1 H^T))     ((V / WH) H^T kept from the objective's evaluation)
//              H <- max(1e-16, H o (W^T (V / WH)) / (W^T 1))
//              the KL divergence at the new (W, H), and (V / WH) H^T for the next W update:
//              four products of rows x cols x K and two elementwise passes (one with a log);
//   frobenius  W <- max(1e-16, W o (V H^T) / (W (H H^T)))          (V H^T and H H^T kept from the last iteration)
//              H <- max(1e-16, H o (W^T V) / ((W^T W) H))
//              0.5 ||V - WH||^2 = 0.5 (||V||^2 - 2 <W^T V, H> + <W^T W, H H^T>), and H H^T, V H^T for the next:
//              two products of rows x cols x K and K x K x cols ones.
// Each repetition times (wall clock and the process's CPU time) the whole computation from the start: the copies of
// W0 and H0, the first evaluation and N iterations, as the plugin's fit() is timed; --warmup N runs N iterations
// first, unmeasured. Prints one JSON object: the time per iteration (median of the repetitions, wall and CPU), and the
// objective after N iterations (to check that it is the same computation as the plugin's).
#include <time.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "matrix_io.h"

namespace {

Eigen::MatrixXd to_eigen(const bench::Matrix& m) {
    return Eigen::Map<const Eigen::MatrixXd>(m.data.data(), m.rows, m.cols);
}

// CPU time of the process, seconds.
double cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct MuKl {
    const Eigen::MatrixXd& V;
    Eigen::MatrixXd W, H, WH, R, NW, P;
    double vsum;

    MuKl(const Eigen::MatrixXd& V0, const Eigen::MatrixXd& W0, const Eigen::MatrixXd& H0)
        : V(V0), W(W0), H(H0), vsum(V0.sum()) {}

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

struct MuFrobenius {
    const Eigen::MatrixXd& V;
    Eigen::MatrixXd W, H, HH, NW, WtV, WtW, Den;
    double vnorm2;

    MuFrobenius(const Eigen::MatrixXd& V0, const Eigen::MatrixXd& W0, const Eigen::MatrixXd& H0)
        : V(V0), W(W0), H(H0), vnorm2(V0.squaredNorm()) {}

    double reset() {
        HH.noalias() = H * H.transpose();
        NW.noalias() = V * H.transpose();
        return 0.5 * (V - W * H).squaredNorm();
    }
    double step() {
        Den.noalias() = W * HH;
        W = (W.array() * NW.array() / Den.array()).max(1e-16).matrix();
        WtV.noalias() = W.transpose() * V;
        WtW.noalias() = W.transpose() * W;
        Den.noalias() = WtW * H;
        H = (H.array() * WtV.array() / Den.array()).max(1e-16).matrix();
        HH.noalias() = H * H.transpose();
        NW.noalias() = V * H.transpose();
        return 0.5 * (vnorm2 - 2 * (WtV.array() * H.array()).sum() + (WtW.array() * HH.array()).sum());
    }
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// N iterations from (W0, H0), the first evaluation included; returns the objective after them.
template <class Mu>
double run(const Eigen::MatrixXd& V, const Eigen::MatrixXd& W0, const Eigen::MatrixXd& H0, int iterations) {
    Mu mu(V, W0.cwiseMax(1e-16), H0.cwiseMax(1e-16));
    double f = mu.reset();
    for (int t = 0; t < iterations; ++t) f = mu.step();
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    std::string vpath, wpath, hpath, objective = "kl";
    int iterations = 200, warmup = 0, reps = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--V")
            vpath = value;
        else if (key == "--W0")
            wpath = value;
        else if (key == "--H0")
            hpath = value;
        else if (key == "--objective")
            objective = value;
        else if (key == "--iter")
            iterations = std::stoi(value);
        else if (key == "--warmup")
            warmup = std::stoi(value);
        else if (key == "--reps")
            reps = std::stoi(value);
        else {
            std::cerr << "mu_eigen: unknown option " << key << "\n";
            return 2;
        }
    }
    if (vpath.empty() || wpath.empty() || hpath.empty() || iterations < 1 || warmup < 0 || reps < 1 ||
        (objective != "kl" && objective != "frobenius")) {
        std::cerr << "usage: mu_eigen --V V.npy --W0 W0.npy --H0 H0.npy [--objective kl|frobenius] [--iter N] "
                     "[--warmup N] [--reps R]\n";
        return 2;
    }
    try {
        const Eigen::MatrixXd V = to_eigen(bench::read_matrix(vpath));
        const Eigen::MatrixXd W0 = to_eigen(bench::read_matrix(wpath)), H0 = to_eigen(bench::read_matrix(hpath));
        if (W0.rows() != V.rows() || H0.cols() != V.cols() || W0.cols() != H0.rows())
            throw bench::Error("W0 must be rows x K and H0 K x cols of V");
        const bool kl = objective == "kl";
        auto fit = [&](int n) { return kl ? run<MuKl>(V, W0, H0, n) : run<MuFrobenius>(V, W0, H0, n); };
        if (warmup > 0) fit(warmup);
        std::vector<double> walls, cpus;
        double f = 0;
        for (int r = 0; r < reps; ++r) {
            const double c0 = cpu_now();
            const auto start = std::chrono::steady_clock::now();
            f = fit(iterations);
            walls.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            cpus.push_back(cpu_now() - c0);
        }
        std::string wall_list, cpu_list;
        char buf[64];
        for (int r = 0; r < reps; ++r) {
            std::snprintf(buf, sizeof buf, "%s%.9g", r ? ", " : "", walls[static_cast<std::size_t>(r)]);
            wall_list += buf;
            std::snprintf(buf, sizeof buf, "%s%.9g", r ? ", " : "", cpus[static_cast<std::size_t>(r)]);
            cpu_list += buf;
        }
        std::printf(
            "{\"tool\": \"eigen_mu\", \"objective_name\": \"%s\", \"eigen\": \"%d.%d.%d\", \"simd\": \"%s\", "
            "\"rows\": %ld, \"cols\": %ld, \"k\": %ld, \"iterations\": %d, \"reps\": %d, \"wall_s\": [%s], "
            "\"cpu_s\": [%s], \"per_iter_s\": %.9g, \"cpu_per_iter_s\": %.9g, \"objective\": %.17g}\n",
            objective.c_str(), EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION,
            Eigen::SimdInstructionSetsInUse(), static_cast<long>(V.rows()), static_cast<long>(V.cols()),
            static_cast<long>(W0.cols()), iterations, reps, wall_list.c_str(), cpu_list.c_str(),
            median(walls) / iterations, median(cpus) / iterations, f);
    } catch (const std::exception& e) {
        std::cerr << "mu_eigen: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
