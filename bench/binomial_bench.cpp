// CPU time per draw of sigstream's portable binomial sampler (src/numeric/binomial.h) for small and huge n: the cost
// does not grow with n. Prints a Markdown table; see README.md here.
//
//   cmake --build build -j2 --target binomial_bench && build/bench/binomial_bench [draws per row, default 2000000]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>

#include "numeric/binomial.h"

namespace {

// CPU nanoseconds per draw (process CPU time, std::clock: less disturbed than wall time when other work shares
// the cores), the best of five runs of `draws` draws (the sum of the draws is kept so the loop stays).
template <class Draw>
double ns_per_draw(long draws, Draw draw, std::uint64_t& sink) {
    double best = 1e300;
    for (int run = 0; run < 5; ++run) {
        std::mt19937_64 engine(12345 + static_cast<std::uint64_t>(run));
        const std::clock_t t0 = std::clock();
        for (long i = 0; i < draws; ++i) sink += draw(engine);
        const double ns = 1e9 * static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
        best = std::min(best, ns / static_cast<double>(draws));
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const long draws = argc > 1 ? std::atol(argv[1]) : 2000000;
    if (draws < 1) {
        std::fprintf(stderr, "usage: binomial_bench [draws per row]\n");
        return 2;
    }
    struct Row {
        std::uint64_t n;
        double p;
        const char* method;
    };
    const Row rows[] = {
        {1, 0.5, "waiting times"},
        {5, 0.5, "waiting times"},
        {19, 0.5, "waiting times"},
        {20, 0.5, "BTRD"},
        {1000, 0.5, "BTRD"},
        {1000, 0.3, "BTRD"},
        {1000000, 0.5, "BTRD"},
        {1000000000000, 0.5, "BTRD"},
        {1000000000000, 0.3, "BTRD"},
        {1000000000000, 0.97, "BTRD on 1 - p"},
        {9000000000000000, 0.5, "BTRD"},
        {1000000000000, 4e-12, "waiting times"},
    };
    std::uint64_t sink = 0;
    std::printf("| n | p | method | sigstream::binomial ns/draw | std::binomial_distribution ns/draw |\n");
    std::printf("|---:|---:|---|---:|---:|\n");
    for (const Row& r : rows) {
        const double ours = ns_per_draw(
            draws, [&](std::mt19937_64& e) { return sigstream::binomial(r.n, r.p, e); }, sink);
        const double std_lib = ns_per_draw(
            draws,
            [&](std::mt19937_64& e) {
                std::binomial_distribution<std::uint64_t> b(r.n, r.p);
                return b(e);
            },
            sink);
        const std::string n = r.n < 10000000 ? std::to_string(r.n) : [&] {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.0e", static_cast<double>(r.n));
            return std::string(buf);
        }();
        std::printf("| %s | %g | %s | %.1f | %.1f |\n", n.c_str(), r.p, r.method, ours, std_lib);
    }
    std::fprintf(stderr, "(checksum %llu, %ld draws per row, best of 5)\n", static_cast<unsigned long long>(sink),
                 draws);
    return 0;
}
