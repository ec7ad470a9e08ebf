// AE-NMF speed benchmark driver (see README.md here).
//   aenmf_bench MATRIX [steps=N] [k=K] [seed=S] [target=LOSS] [tol=T] [reps=R] [isa=I] [lr_factor=F] [KEY=VALUE ...]
// MATRIX: whitespace-separated numbers, one matrix row (channel) per line. Other KEY=VALUE pairs are
// backend parameters (constraint, loss, init, lr, ...). Prints the time per Adam step (best of R runs),
// the loss at a few checkpoints and, with target=, the steps and wall time until the loss first fell
// to the target. isa=sse2|avx2|avx512 picks the kernels' version (default: the best this CPU runs).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "aenmf_core.h"

int run(int argc, char** argv);

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "aenmf_bench: " << e.what() << "\n";
        return 1;
    }
}

int run(int argc, char** argv) {
    using namespace sigstream::aenmf;
    if (argc < 2) {
        std::cerr << "usage: aenmf_bench MATRIX [steps=N] [k=K] [seed=S] [target=LOSS] [tol=T] [reps=R] [KEY=VALUE]\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    std::vector<std::vector<double>> rows;
    for (std::string line; std::getline(in, line);) {
        std::istringstream ls(line);
        std::vector<double> row;
        for (double x; ls >> x;) row.push_back(x);
        if (!row.empty()) rows.push_back(row);
    }
    if (rows.empty()) {
        std::cerr << "empty matrix\n";
        return 1;
    }
    Eigen::MatrixXd V(rows.size(), rows[0].size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[0].size(); ++j) V(i, j) = rows[i][j];

    Options options;
    options.k = 5;
    options.max_iter = 1000;
    options.tol = 0.0;
    double target = -1.0;
    double lr_factor = -1.0;
    int reps = 1;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto eq = arg.find('=');
        const std::string key = arg.substr(0, eq), value = arg.substr(eq + 1);
        if (key == "steps")
            options.max_iter = std::stoi(value);
        else if (key == "k")
            options.k = std::stoi(value);
        else if (key == "seed")
            options.seed = std::stoull(value);
        else if (key == "target")
            target = std::stod(value);
        else if (key == "tol")
            options.tol = std::stod(value);
        else if (key == "reps")
            reps = std::stoi(value);
        else if (key == "lr_factor")
            lr_factor = std::stod(value);
        else if (key == "isa")
            options.isa = value == "sse2"   ? kernels::Isa::sse2
                          : value == "avx2" ? kernels::Isa::avx2
                                            : kernels::Isa::avx512;
        else
            apply_param(options, key, value);
    }

    if (lr_factor > 0.0) {  // lr = lr_factor * RMS of the starting weights (the auto rule with another factor)
        Eigen::MatrixXd E, D;
        initialise(V, options, E, D);
        options.lr = lr_factor * std::sqrt((E.squaredNorm() + D.squaredNorm()) / (2.0 * E.size()));
    }
    using clock = std::chrono::steady_clock;
    double best_per_step = 1e300;
    Result r;
    long hit_step = -1;
    double hit_time = -1.0;
    for (int rep = 0; rep < reps; ++rep) {
        const auto t0 = clock::now();
        long hit = -1;
        double hit_t = -1.0;
        auto progress = [&](int it, double loss) {
            if (hit < 0 && target > 0.0 && loss <= target) {
                hit = it;
                hit_t = std::chrono::duration<double>(clock::now() - t0).count();
            }
            return false;
        };
        r = fit(V, options, nullptr, nullptr, progress);
        const double secs = std::chrono::duration<double>(clock::now() - t0).count();
        best_per_step = std::min(best_per_step, secs / std::max(1, r.iterations));
        if (rep == 0) {
            hit_step = hit;
            hit_time = hit_t;
        }
    }
    std::printf("[%s] V %ldx%ld k=%d steps=%d lr=%.6g per-step %.2f us  start %.8g final %.8g  %s\n",
                kernels::name(options.isa), static_cast<long>(V.rows()), static_cast<long>(V.cols()), options.k,
                r.iterations, r.lr, best_per_step * 1e6, r.trace.front(), r.trace.back(), r.message.c_str());
    for (std::size_t s : {1u, 10u, 100u, 300u, 1000u, 2000u, 3000u, 5000u, 10000u, 20000u, 50000u, 100000u})
        if (s < r.trace.size()) std::printf("  step %zu loss %.10g\n", s, r.trace[s]);
    if (target > 0.0) {
        if (hit_step >= 0)
            std::printf("target %.10g reached at step %ld after %.4f s\n", target, hit_step, hit_time);
        else
            std::printf("target %.10g not reached\n", target);
    }
    return 0;
}
