// Tests of the AE-NMF backend (plugins/aenmf): the paper's equivalence with convex NMF, hand-derived
// gradients against finite differences, the Adam loop, the ABI contract, planted recovery and the plugin
// loaded with dlopen().
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "aenmf_core.h"
#include "aenmf_kernels.h"
#include "cnmf_core.h"
#include "plugin_test_util.h"
#include "sigstream_backend.h"
#include "sigstream_simd.h"

namespace {

using Eigen::MatrixXd;
using sigstream::test::TestRng;
using namespace sigstream::aenmf;

MatrixXd random_matrix(Eigen::Index r, Eigen::Index c, TestRng& rng, double a, double b) {
    MatrixXd X(r, c);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.uniform(a, b);
    return X;
}

// Entries of magnitude in [lo, hi] with random signs (kept away from 0, where |.| has a kink).
MatrixXd signed_matrix(Eigen::Index r, Eigen::Index c, TestRng& rng, double lo, double hi) {
    MatrixXd X = random_matrix(r, c, rng, lo, hi);
    for (Eigen::Index i = 0; i < X.size(); ++i)
        if (rng.uniform() < 0.5) X.data()[i] = -X.data()[i];
    return X;
}

// Count-like data: rows x cols, integers 0..max with some zeros.
MatrixXd count_matrix(Eigen::Index r, Eigen::Index c, TestRng& rng, double max) {
    MatrixXd V(r, c);
    for (Eigen::Index i = 0; i < V.size(); ++i) V.data()[i] = std::floor(rng.uniform(0.0, max));
    for (Eigen::Index j = 0; j < c; ++j) V(0, j) += 1.0;  // every column has a positive sum
    return V;
}

double rel_diff(const MatrixXd& a, const MatrixXd& b) {
    return (a - b).norm() / std::max(a.norm(), b.norm());
}
double rel_diff(double a, double b) {
    return std::abs(a - b) / std::max(std::abs(a), std::abs(b));
}

// Planted noiseless data V = W H with K = 3 well-separated signatures (each concentrated on one
// substitution class) and 150 samples, the first 15 of them pure (5 per signature), so the true
// signatures lie in the cone of the data columns, as convex NMF needs for exact recovery.
struct Planted {
    MatrixXd W, H, V;
};
Planted planted() {
    TestRng rng(2024);
    Planted p;
    const int m = 96, k = 3, n = 150;
    p.W.resize(m, k);
    const int blocks[k] = {2, 0, 4};  // C>T, C>A, T>C
    for (int s = 0; s < k; ++s) {
        for (int i = 0; i < m; ++i) {
            const bool in_block = i / 16 == blocks[s];
            p.W(i, s) = in_block ? rng.uniform(0.5, 1.5) : rng.uniform(0.0, 0.05);
        }
        p.W.col(s) /= p.W.col(s).sum();
    }
    p.H.resize(k, n);
    for (int j = 0; j < n; ++j) {
        const double total = rng.uniform(200.0, 3000.0);
        if (j < 15) {
            p.H.col(j).setZero();
            p.H(j % k, j) = total;
        } else {
            for (int s = 0; s < k; ++s) p.H(s, j) = std::pow(rng.uniform(), 2.0);
            p.H.col(j) *= total / p.H.col(j).sum();
        }
    }
    p.V = p.W * p.H;
    return p;
}

// Best one-to-one matching of the columns of A and B (K small: all permutations) by cosine; returns
// the smallest matched cosine.
double min_matched_cosine(const MatrixXd& A, const MatrixXd& B) {
    const int k = static_cast<int>(A.cols());
    MatrixXd C(k, k);
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j) C(i, j) = A.col(i).dot(B.col(j)) / (A.col(i).norm() * B.col(j).norm());
    std::vector<int> perm(k);
    std::iota(perm.begin(), perm.end(), 0);
    double best_sum = -1e300, best_min = 0.0;
    do {
        double sum = 0.0, mn = 1.0;
        for (int i = 0; i < k; ++i) {
            sum += C(i, perm[i]);
            mn = std::min(mn, C(i, perm[i]));
        }
        if (sum > best_sum) {
            best_sum = sum;
            best_min = mn;
        }
    } while (std::next_permutation(perm.begin(), perm.end()));
    return best_min;
}

// A request over V (which must outlive it) and the buffers of a result.
struct AbiFit {
    MatrixXd V;
    std::vector<double> W, H, trace;
    std::vector<sigstream_param> params;
    std::vector<std::string> storage;
    sigstream_fit_request request{};
    sigstream_fit_result result{};

    AbiFit(const MatrixXd& v, int k, int max_iter, double tol, std::uint64_t seed) : V(v) {
        request = sigstream::test::make_request(V, k, seed, max_iter, tol);
        storage.reserve(64);
    }
    void param(const std::string& key, const std::string& value) {
        storage.push_back(key);
        const char* k = storage.back().c_str();
        storage.push_back(value);
        params.push_back({sizeof(sigstream_param), k, storage.back().c_str()});
    }
    int run(int (*fit)(const sigstream_fit_request*, sigstream_fit_result*) = backend()->fit) {
        W.assign(static_cast<std::size_t>(V.rows()) * request.k, -1.0);
        H.assign(static_cast<std::size_t>(V.cols()) * request.k, -1.0);
        trace.assign(static_cast<std::size_t>(request.max_iter) + 1, -1.0);
        request.n_params = static_cast<int32_t>(params.size());
        request.params = params.empty() ? nullptr : params.data();
        result.struct_size = sizeof result;
        result.W = W.data();
        result.H = H.data();
        result.trace = trace.data();
        return fit(&request, &result);
    }
    MatrixXd Wm() const { return Eigen::Map<const MatrixXd>(W.data(), V.rows(), request.k); }
    MatrixXd Hm() const { return Eigen::Map<const MatrixXd>(H.data(), request.k, V.cols()); }
};

// ---------------------------------------------------------------- the paper's equivalence

TEST(AenmfEquivalence, AutoencoderAtIdentityIsConvexNmf) {
    TestRng rng(1);
    const MatrixXd V = count_matrix(96, 40, rng, 30.0);
    const int k = 4;
    const MatrixXd G = random_matrix(40, k, rng, 0.01, 1.0);  // convex NMF: V ~ V G H^T
    const MatrixXd Hc = random_matrix(40, k, rng, 0.01, 1.0);
    const MatrixXd E = G, D = Hc.transpose();  // AE-NMF: E = G, D = H^T
    const double mn = 96.0 * 40.0;

    for (Constraint c : {Constraint::abs, Constraint::project}) {
        SCOPED_TRACE(c == Constraint::abs ? "abs" : "project");
        // Same reconstruction.
        EXPECT_LT(rel_diff(reconstruction(V, E, D, c), V * G * Hc.transpose()), 1e-10);
        // Same objective: the MSE times rows*cols is convex NMF's squared Frobenius error.
        const double ae = loss(V, E, D, c, LossKind::mse) * mn;
        const double cn = sigstream::cnmf::objective(V, G, Hc);
        EXPECT_LT(rel_diff(ae, cn), 1e-10) << ae << " vs " << cn;
        // Same gradient: dE vs dG and dD^T vs dH, times rows*cols.
        MatrixXd dE, dD, dG, dH;
        gradient(V, E, D, c, LossKind::mse, dE, dD);
        sigstream::cnmf::gradient(V, G, Hc, dG, dH);
        EXPECT_LT(rel_diff(MatrixXd(dE * mn), dG), 1e-10);
        EXPECT_LT(rel_diff(MatrixXd(dD.transpose() * mn), dH), 1e-10);
    }
}

TEST(AenmfEquivalence, FastEvaluatorFormsMatchTheReference) {
    TestRng rng(2);
    const MatrixXd V = count_matrix(96, 50, rng, 20.0);
    const int k = 3;
    const MatrixXd E = signed_matrix(50, k, rng, 0.05, 0.5), D = signed_matrix(k, 50, rng, 0.05, 0.5);
    MatrixXd Theta(50, 2 * k), G(50, 2 * k);
    Theta << E, D.transpose();
    for (Constraint c : {Constraint::abs, Constraint::project}) {
        const MatrixXd Th = c == Constraint::project ? MatrixXd(Theta.cwiseAbs()) : Theta;
        const MatrixXd Ec = Th.leftCols(k), Dc = Th.rightCols(k).transpose();
        for (LossKind l : {LossKind::mse, LossKind::poisson}) {
            MatrixXd dE, dD;
            const double ref = gradient(V, Ec, Dc, c, l, dE, dD);
            MatrixXd Gref(50, 2 * k);
            Gref << dE, dD.transpose();
            for (auto form : {Evaluator::Form::gram, Evaluator::Form::residual, Evaluator::Form::automatic}) {
                if (l == LossKind::poisson && form == Evaluator::Form::gram) continue;  // MSE only
                Evaluator ev(V, k, c, l);
                const double value = ev.evaluate(Th, G, form);
                EXPECT_LT(rel_diff(value, ref), 1e-10);
                EXPECT_LT(rel_diff(G, Gref), 1e-10);
                EXPECT_LT(rel_diff(MatrixXd(ev.signatures()), MatrixXd(V * activate(Ec, c))), 1e-12);
            }
        }
    }
}

// ---------------------------------------------------------------- gradients

double central_difference_error(Constraint c, LossKind l) {
    TestRng rng(3 + static_cast<int>(c) * 10 + static_cast<int>(l));
    const MatrixXd V = count_matrix(10, 12, rng, 9.0);
    const int k = 3;
    MatrixXd E = c == Constraint::abs ? signed_matrix(12, k, rng, 0.2, 1.0) : random_matrix(12, k, rng, 0.2, 1.0);
    MatrixXd D = c == Constraint::abs ? signed_matrix(k, 12, rng, 0.2, 1.0) : random_matrix(k, 12, rng, 0.2, 1.0);
    MatrixXd dE, dD;
    gradient(V, E, D, c, l, dE, dD);
    MatrixXd fdE(E.rows(), E.cols()), fdD(D.rows(), D.cols());
    const double h = 1e-6;
    // Central differences of the loss in each entry of X (E or D: changed in place, then restored).
    const auto central = [&](MatrixXd& X, MatrixXd& fd) {
        for (Eigen::Index i = 0; i < X.size(); ++i) {
            const double x = X.data()[i];
            X.data()[i] = x + h;
            const double up = loss(V, E, D, c, l);
            X.data()[i] = x - h;
            const double down = loss(V, E, D, c, l);
            X.data()[i] = x;
            fd.data()[i] = (up - down) / (2 * h);
        }
    };
    central(E, fdE);
    central(D, fdD);
    return std::max(rel_diff(dE, fdE), rel_diff(dD, fdD));
}

TEST(AenmfGradient, MatchesCentralDifferences) {
    for (Constraint c : {Constraint::abs, Constraint::project})
        for (LossKind l : {LossKind::mse, LossKind::poisson}) {
            SCOPED_TRACE(std::string(c == Constraint::abs ? "abs" : "project") + "/" +
                         (l == LossKind::mse ? "mse" : "poisson"));
            EXPECT_LT(central_difference_error(c, l), 1e-7);
        }
}

TEST(AenmfLoss, PoissonIsTheGeneralisedKlDivergence) {
    TestRng rng(4);
    const MatrixXd V = count_matrix(12, 9, rng, 6.0);
    const MatrixXd E = random_matrix(9, 2, rng, 0.05, 0.5), D = random_matrix(2, 9, rng, 0.05, 0.5);
    const MatrixXd mu = (V * E * D).array() + poisson_floor(V);
    double expected = 0.0;
    for (Eigen::Index i = 0; i < V.size(); ++i) {
        const double v = V.data()[i], u = mu.data()[i];
        expected += u - v + (v > 0 ? v * std::log(v / u) : 0.0);
    }
    EXPECT_LT(rel_diff(loss(V, E, D, Constraint::abs, LossKind::poisson), expected), 1e-12);
    const double mse = (V - V * E * D).squaredNorm() / static_cast<double>(V.size());
    EXPECT_LT(rel_diff(loss(V, E, D, Constraint::abs, LossKind::mse), mse), 1e-12);
}

// ---------------------------------------------------------------- kernels

std::vector<kernels::Isa> supported_isas() {
    std::vector<kernels::Isa> isas;
    for (kernels::Isa isa : sigstream::simd::kLevels)
        if (kernels::supported(isa)) isas.push_back(isa);
    return isas;
}

TEST(AenmfKernels, GemmSumsInOrderBitForBitOnEveryIsa) {
    TestRng rng(20);
    struct Shape {
        std::ptrdiff_t p, q, c, lda_extra;
    };
    // The shapes of a step (96 x cols times cols x 2K, and back) plus remainders in every dimension and an
    // inner dimension longer than the kernels' depth block.
    for (const Shape sh : {Shape{96, 300, 10, 0}, Shape{300, 96, 10, 0}, Shape{37, 1100, 7, 3}, Shape{1, 5, 1, 0},
                           Shape{9, 1, 13, 2}, Shape{64, 2, 4, 0}}) {
        const MatrixXd A = random_matrix(sh.p + sh.lda_extra, sh.q, rng, -1.0, 1.0);
        const MatrixXd B = random_matrix(sh.q, sh.c, rng, -1.0, 1.0);
        const double alpha = 0.37;
        // The documented order: (((0 + a0 b0) + a1 b1) + ...) * alpha, no fused multiply-add.
        MatrixXd expected(sh.p, sh.c);
        for (std::ptrdiff_t i = 0; i < sh.p; ++i)
            for (std::ptrdiff_t j = 0; j < sh.c; ++j) {
                volatile double s = 0.0;
                for (std::ptrdiff_t k = 0; k < sh.q; ++k) {
                    volatile double prod = A(i, k) * B(k, j);
                    s = s + prod;
                }
                expected(i, j) = s * alpha;
            }
        for (kernels::Isa isa : supported_isas()) {
            SCOPED_TRACE(std::string(kernels::name(isa)) + " p=" + std::to_string(sh.p) + " q=" + std::to_string(sh.q));
            MatrixXd C = MatrixXd::Constant(sh.p, sh.c, std::nan(""));
            kernels::gemm(isa, sh.p, sh.q, sh.c, alpha, A.data(), A.rows(), B.data(), B.rows(), C.data(), C.rows());
            EXPECT_EQ(0, std::memcmp(C.data(), expected.data(), sizeof(double) * C.size()));
        }
    }
}

TEST(AenmfKernels, TransposedGemmSumsInFourFixedLanesOnEveryIsa) {
    TestRng rng(25);
    for (const auto& [m, n, c] :
         std::vector<std::tuple<int, int, int>>{{96, 300, 5}, {13, 9, 7}, {3, 5, 1}, {8, 1, 4}}) {
        const MatrixXd A = random_matrix(m + 2, n, rng, -1.0, 1.0), B = random_matrix(m, c, rng, -1.0, 1.0);
        const double alpha = -1.7;
        MatrixXd expected(n, c);
        for (int j = 0; j < n; ++j)
            for (int k = 0; k < c; ++k) {
                volatile double lane[4] = {0, 0, 0, 0};
                for (int i = 0; i < m; ++i) {
                    volatile double prod = A(i, j) * B(i, k);
                    lane[i % 4] = lane[i % 4] + prod;
                }
                volatile double left = lane[0] + lane[1], right = lane[2] + lane[3];
                volatile double total = left + right;
                expected(j, k) = total * alpha;
            }
        for (kernels::Isa isa : supported_isas()) {
            SCOPED_TRACE(std::string(kernels::name(isa)) + " m=" + std::to_string(m));
            MatrixXd C = MatrixXd::Constant(n, c, std::nan(""));
            kernels::gemm_tn(isa, m, n, c, alpha, A.data(), A.rows(), B.data(), m, C.data(), n);
            EXPECT_EQ(0, std::memcmp(C.data(), expected.data(), sizeof(double) * C.size()));
        }
    }
}

TEST(AenmfKernels, ElementwiseStepsAgreeOnEveryIsa) {
    TestRng rng(21);
    const std::ptrdiff_t n = 1003;
    const MatrixXd theta0 = signed_matrix(n, 1, rng, 0.0, 2.0), g = signed_matrix(n, 1, rng, 0.0, 1.0);
    const MatrixXd m0 = signed_matrix(n, 1, rng, 0.0, 0.1), v0 = random_matrix(n, 1, rng, 0.0, 0.1);
    for (bool project : {false, true}) {
        const kernels::AdamStep step{0.9,  0.999,  0.01 / (1 - 0.9 * 0.9), 1 / std::sqrt(1 - 0.999 * 0.999),
                                     1e-8, project};
        MatrixXd ref_theta, ref_m, ref_v, ref_abs, ref_chain;
        for (kernels::Isa isa : supported_isas()) {
            MatrixXd theta = theta0, m = m0, v = v0, x(n, 1), chained = g;
            kernels::adam(isa, n, step, g.data(), m.data(), v.data(), theta.data());
            kernels::absolute(isa, n, theta0.data(), x.data());
            kernels::chain_abs(isa, n, theta0.data(), chained.data());
            if (isa == SIGSTREAM_ISA_GENERIC) {
                ref_theta = theta, ref_m = m, ref_v = v, ref_abs = x, ref_chain = chained;
                // Against the formulas.
                for (std::ptrdiff_t i = 0; i < n; ++i) {
                    const double mi = 0.9 * m0(i) + 0.1 * g(i);
                    const double vi = 0.999 * v0(i) + (1 - 0.999) * (g(i) * g(i));
                    double t = theta0(i) - step.step * mi / (std::sqrt(vi) * step.inv_sqrt_bc2 + 1e-8);
                    if (project) t = std::max(t, 0.0);
                    EXPECT_NEAR(theta(i), t, 1e-15 * (1 + std::abs(t)));
                    EXPECT_EQ(x(i), std::abs(theta0(i)));
                    EXPECT_EQ(chained(i), theta0(i) < 0 ? -g(i) : g(i));
                }
                if (project) {
                    EXPECT_EQ(theta.minCoeff(), 0.0);
                }
            } else {
                SCOPED_TRACE(kernels::name(isa));
                EXPECT_EQ(theta, ref_theta);
                EXPECT_EQ(m, ref_m);
                EXPECT_EQ(v, ref_v);
                EXPECT_EQ(x, ref_abs);
                EXPECT_EQ(chained, ref_chain);
            }
        }
    }
}

TEST(AenmfKernels, VectorLogIsAccurateAndTheSameOnEveryIsa) {
    TestRng rng(23);
    std::vector<double> x;
    for (int i = 0; i < 40000; ++i) x.push_back(std::exp(rng.uniform(-700.0, 700.0)));  // the normal range
    for (int i = 0; i < 40000; ++i) x.push_back(1.0 + rng.uniform(-0.3, 0.3));          // near 1
    for (int i = 0; i < 8000; ++i) x.push_back(1.0 + rng.uniform(-1e-9, 1e-9));         // very near 1
    for (double v : {1.0, 2.0, 0.5, std::numeric_limits<double>::min(), std::numeric_limits<double>::max(),
                     0.7071067811865476, 1.4142135623730951, 3.0, 1e-300, 7.0, 1.0000000000000002, 0.9999999999999999,
                     1e-310, 4.9e-324, 1.5e-320, std::numeric_limits<double>::min() / 3})
        x.push_back(v);
    while (x.size() % 8) x.push_back(1.0);
    std::vector<double> ref(x.size());
    double worst_ulps = 0.0;
    for (std::size_t i = 0; i < x.size(); i += 8) kernels::log8(SIGSTREAM_ISA_GENERIC, &x[i], &ref[i]);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double l = std::log(x[i]);
        const double ulp = std::nextafter(std::abs(l), INFINITY) - std::abs(l);
        worst_ulps = std::max(worst_ulps, l == 0.0 ? std::abs(ref[i]) / 4.9e-324 : std::abs(ref[i] - l) / ulp);
    }
    EXPECT_LE(worst_ulps, 1.0) << "fdlibm's log is within 1 ulp";
    for (kernels::Isa isa : supported_isas()) {
        std::vector<double> y(x.size());
        for (std::size_t i = 0; i < x.size(); i += 8) kernels::log8(isa, &x[i], &y[i]);
        EXPECT_EQ(y, ref) << kernels::name(isa);
    }
}

TEST(AenmfKernels, PoissonPassMatchesTheFormula) {
    TestRng rng(24);
    for (const auto& [rows, cols] : std::vector<std::pair<int, int>>{{96, 30}, {13, 7}, {5, 3}}) {
        MatrixXd V = count_matrix(rows, cols, rng, 6.0);
        V(1, 1) = 1e-310;  // a subnormal ratio: the fallback
        const MatrixXd Vhat = random_matrix(rows, cols, rng, 0.0, 8.0);
        const double delta = 1e-10;
        double expected = 0.0;
        MatrixXd gamma(rows, cols);
        for (Eigen::Index i = 0; i < V.size(); ++i) {
            const double v = V.data()[i], mu = Vhat.data()[i] + delta;
            expected += mu - v + (v > 0 ? v * std::log(v / mu) : 0.0);
            gamma.data()[i] = 1.0 - v / mu;
        }
        double first = 0.0;
        for (kernels::Isa isa : supported_isas()) {
            SCOPED_TRACE(kernels::name(isa));
            MatrixXd R = Vhat;
            const double got = kernels::poisson_pass(isa, rows, cols, V.data(), rows, delta, R.data());
            EXPECT_LT(rel_diff(got, expected), 1e-13);
            EXPECT_EQ(R, gamma);
            if (isa == SIGSTREAM_ISA_GENERIC) first = got;
            EXPECT_EQ(got, first);
        }
    }
}

TEST(AenmfKernels, FitsAreIdenticalWithEveryIsa) {
    TestRng rng(22);
    const MatrixXd V = count_matrix(96, 70, rng, 25.0);
    for (Constraint c : {Constraint::abs, Constraint::project})
        for (LossKind l : {LossKind::mse, LossKind::poisson}) {
            Options o;
            o.k = 4;
            o.constraint = c;
            o.loss = l;
            o.max_iter = 300;
            o.tol = 0.0;
            o.seed = 5;
            o.init = Init::scaled;  // Adam's own steps (from the convex NMF start most are undone)
            o.isa = SIGSTREAM_ISA_GENERIC;
            const Result ref = fit(V, o, nullptr, nullptr, {});
            for (kernels::Isa isa : supported_isas()) {
                SCOPED_TRACE(kernels::name(isa));
                o.isa = isa;
                const Result r = fit(V, o, nullptr, nullptr, {});
                EXPECT_EQ(r.trace, ref.trace);
                EXPECT_EQ(r.E, ref.E);
                EXPECT_EQ(r.D, ref.D);
            }
        }
    std::printf("[ kernels ] best version on this CPU: %s\n", kernels::name(kernels::best_isa()));
}

// ---------------------------------------------------------------- the Adam loop

TEST(AenmfFit, AdamDecreasesTheLossAndKeepsWeightsNonNegative) {
    TestRng rng(5);
    const MatrixXd V = count_matrix(96, 60, rng, 20.0);
    for (Constraint c : {Constraint::abs, Constraint::project})
        for (LossKind l : {LossKind::mse, LossKind::poisson}) {
            SCOPED_TRACE(std::string(c == Constraint::abs ? "abs" : "project") + "/" +
                         (l == LossKind::mse ? "mse" : "poisson"));
            Options o;
            o.k = 4;
            o.constraint = c;
            o.loss = l;
            o.max_iter = 400;
            o.tol = 0.0;
            o.init = Init::scaled;  // version 1.0's default start (schedule auto: plateau)
            const Result r = fit(V, o, nullptr, nullptr, {});
            ASSERT_EQ(r.status, Status::ok);
            ASSERT_EQ(r.schedule, Schedule::plateau);
            ASSERT_EQ(r.trace.size(), 401u);
            EXPECT_LT(r.trace.back(), 0.8 * r.trace.front());
            // Mostly monotone: the best loss of the last 100 steps is below that of the first 100.
            EXPECT_LT(*std::min_element(r.trace.end() - 100, r.trace.end()),
                      *std::min_element(r.trace.begin(), r.trace.begin() + 100));
            if (c == Constraint::project) {
                EXPECT_GE(r.E.minCoeff(), 0.0);
                EXPECT_GE(r.D.minCoeff(), 0.0);
                EXPECT_EQ(r.E.minCoeff(), 0.0) << "the projection was never active";
            }
        }
}

TEST(AenmfFit, AbsGivesNonNegativeSignaturesAndExposures) {
    TestRng rng(6);
    AbiFit f(count_matrix(96, 40, rng, 15.0), 3, 300, 0.0, 11);
    ASSERT_EQ(f.run(), SIGSTREAM_FIT_OK) << f.result.message;
    EXPECT_GE(f.Wm().minCoeff(), 0.0);
    EXPECT_GE(f.Hm().minCoeff(), 0.0);
    EXPECT_GT(f.Wm().sum(), 0.0);
    // With abs the weights themselves go negative somewhere; W and H are V|E| and |D|.
    Options o;
    o.k = 3;
    o.max_iter = 300;
    o.tol = 0.0;
    o.seed = 11;
    const Result r = fit(f.V, o, nullptr, nullptr, {});
    EXPECT_LT(rel_diff(MatrixXd(f.V * r.E.cwiseAbs()), f.Wm()), 1e-14);
    EXPECT_LT(rel_diff(MatrixXd(r.D.cwiseAbs()), f.Hm()), 1e-14);
}

TEST(AenmfFit, ConvergesOverAWindowWhenTolIsPositive) {
    TestRng rng(7);
    AbiFit f(count_matrix(96, 30, rng, 10.0), 2, 100000, 1e-6, 3);
    f.request.tol_window = 50;  // the host's window: the stop rule looks at every 50th step
    ASSERT_EQ(f.run(), SIGSTREAM_FIT_OK) << f.result.message;
    EXPECT_LT(f.result.iterations, 100000);
    EXPECT_EQ(f.result.iterations % 50, 0);
    EXPECT_EQ(f.result.trace_length, f.result.iterations + 1);
    EXPECT_NE(std::string(f.result.message).find("converged"), std::string::npos);
}

// The defaults: the start is the convex NMF fit of plugins/cnmf (the same model, mapped to E = c G, D = H^T / c),
// and with backtracking the loss never rises (a step that would raise it is undone and the step size halved).
TEST(AenmfFit, DefaultStartsFromTheConvexNmfFitAndNeverRaisesTheLoss) {
    TestRng rng(19);
    const MatrixXd V = count_matrix(96, 80, rng, 30.0);
    for (LossKind l : {LossKind::mse, LossKind::poisson}) {
        SCOPED_TRACE(l == LossKind::mse ? "mse" : "poisson");
        Options o;
        o.k = 4;
        o.seed = 3;
        o.loss = l;
        o.max_iter = 300;
        o.tol = 0.0;
        const Result r = fit(V, o, nullptr, nullptr, {});
        ASSERT_EQ(r.status, Status::ok) << r.message;
        EXPECT_EQ(r.schedule, Schedule::backtrack);
        MatrixXd E, D;
        std::string message;
        start_from_cnmf(V, o, E, D, message);
        EXPECT_LT(rel_diff(E.norm(), D.norm()), 1e-12);  // balanced
        EXPECT_LT(rel_diff(r.trace[0], loss(V, E, D, Constraint::abs, l)), 1e-12);
        // The same model: the MSE at the start is the convex NMF objective / (rows cols).
        sigstream::cnmf::Options c;
        c.k = 4;
        c.seed = 3;
        c.max_iter = kCnmfStartMaxIter;
        c.tol = kCnmfStartTol;
        c.tol_window = kCnmfStartWindow;
        const sigstream::cnmf::Result cr = sigstream::cnmf::fit(V, c, nullptr, nullptr, {});
        EXPECT_LT(rel_diff(loss(V, E, D, Constraint::abs, LossKind::mse), cr.trace.back() / V.size()), 1e-10);
        for (std::size_t t = 1; t < r.trace.size(); ++t) ASSERT_LE(r.trace[t], r.trace[t - 1]) << t;
        EXPECT_GE(r.rejected, 1);
        EXPECT_LE(r.final_lr, r.lr);
        // The weights returned are those of the last (= lowest) loss.
        EXPECT_LT(rel_diff(loss(V, r.E, r.D, Constraint::abs, l), r.trace.back()), 1e-10);
    }
}

TEST(AenmfFit, PlateauScheduleHalvesTheStepSize) {
    TestRng rng(18);
    const MatrixXd V = count_matrix(96, 60, rng, 20.0);
    Options o;
    o.k = 3;
    o.max_iter = 3000;
    o.tol = 0.0;
    o.patience = 50;
    o.lr = 0.05;  // large: Adam oscillates at a constant step size
    o.init = Init::scaled;
    o.schedule_auto = false;
    o.schedule = Schedule::constant;
    const Result constant = fit(V, o, nullptr, nullptr, {});
    o.schedule = Schedule::plateau;
    const Result plateau = fit(V, o, nullptr, nullptr, {});
    EXPECT_EQ(constant.final_lr, 0.05);
    EXPECT_LT(plateau.final_lr, 0.05 / 4);
    // The same steps until the first halving (which needs 50 steps without a new best), and a lower loss at the end.
    EXPECT_EQ(constant.trace[50], plateau.trace[50]);
    EXPECT_LT(plateau.trace.back(), constant.trace.back());
    // A halving is by a factor 2.
    const double halvings = std::log2(0.05 / plateau.final_lr);
    EXPECT_NEAR(halvings, std::round(halvings), 1e-12);
}

// ---------------------------------------------------------------- starts

TEST(AenmfInit, UniformIsThePapersStart) {
    TestRng rng(8);
    const MatrixXd V = count_matrix(96, 500, rng, 50.0);
    Options o;
    o.k = 4;
    o.init = Init::uniform;
    o.seed = 99;
    MatrixXd E, D;
    initialise(V, o, E, D);
    ASSERT_EQ(E.rows(), 500);
    ASSERT_EQ(E.cols(), 4);
    ASSERT_EQ(D.rows(), 4);
    ASSERT_EQ(D.cols(), 500);
    for (const MatrixXd* X : {&E, &D}) {
        EXPECT_GE(X->minCoeff(), 0.0);
        EXPECT_LT(X->maxCoeff(), 1.0);
        // Uniform on [0, 1): mean 1/2, variance 1/12 (2000 draws: standard errors 0.0065 and 0.0019).
        const double mean = X->mean();
        const double var = (X->array() - mean).square().mean();
        EXPECT_NEAR(mean, 0.5, 0.03);
        EXPECT_NEAR(var, 1.0 / 12.0, 0.01);
        EXPECT_GT(X->minCoeff(), -1.0);
        EXPECT_LT(X->minCoeff(), 0.01);
        EXPECT_GT(X->maxCoeff(), 0.99);
    }
    // The fit starts there, with the paper's step size, and trace[0] is the loss at that start.
    o.max_iter = 0;
    const Result r = fit(V, o, nullptr, nullptr, {});
    EXPECT_EQ(r.lr, 1e-4);
    EXPECT_EQ(r.E, E);
    EXPECT_EQ(r.D, D);
    EXPECT_LT(rel_diff(r.trace[0], loss(V, E, D, Constraint::abs, LossKind::mse)), 1e-12);
}

TEST(AenmfInit, ScaledStartsOnTheDataScale) {
    TestRng rng(9);
    const MatrixXd V = count_matrix(96, 300, rng, 50.0);
    Options o;
    o.k = 5;
    o.init = Init::scaled;
    MatrixXd E, D, Eu, Du;
    initialise(V, o, E, D);
    o.init = Init::uniform;
    initialise(V, o, Eu, Du);
    // Same draws, one common positive factor (balanced between E and D).
    const double a = E(0, 0) / Eu(0, 0);
    EXPECT_LT(rel_diff(E, MatrixXd(a * Eu)), 1e-14);
    EXPECT_LT(rel_diff(D, MatrixXd(a * Du)), 1e-14);
    // The start reconstructs V on its own scale; the paper's start is hundreds of times too large.
    const double ratio = reconstruction(V, E, D, Constraint::abs).sum() / V.sum();
    EXPECT_GT(ratio, 0.8);
    EXPECT_LT(ratio, 1.25);
    EXPECT_GT(reconstruction(V, Eu, Du, Constraint::abs).sum() / V.sum(), 100.0);
    EXPECT_LT(loss(V, E, D, Constraint::abs, LossKind::mse), 1e-3 * loss(V, Eu, Du, Constraint::abs, LossKind::mse));
    // The Poisson start matches the total count exactly.
    o.init = Init::scaled;
    o.loss = LossKind::poisson;
    initialise(V, o, E, D);
    EXPECT_LT(rel_diff(reconstruction(V, E, D, Constraint::abs).sum(), V.sum()), 1e-12);
}

TEST(AenmfInit, StartsFromGivenSignaturesAndExposures) {
    const Planted p = planted();
    AbiFit f(p.V, 3, 0, 0.0, 1);
    f.request.W0 = p.W.data();
    f.request.H0 = p.H.data();
    ASSERT_EQ(f.run(), SIGSTREAM_FIT_OK) << f.result.message;
    // D = H0 / c and E the NNLS solution of V E = c W0 (c balances the two).
    const double c = p.H.norm() / f.Hm().norm();
    EXPECT_GT(c, 0.0);
    EXPECT_LT(rel_diff(MatrixXd(c * f.Hm()), p.H), 1e-14);
    // W0 lies in the cone of the (pure) samples, so NNLS reproduces it exactly, and the start V f(E) f(D)
    // reconstructs V = W0 H0.
    EXPECT_LT(rel_diff(MatrixXd(f.Wm() / c), p.W), 1e-10);
    EXPECT_GE(f.trace[0], 0.0);
    EXPECT_LT(f.trace[0], 1e-20 * p.V.squaredNorm() / static_cast<double>(p.V.size()));
    // Full-rank data and a W0 outside the cone: V f(E) is the nearest point of the cone (NNLS
    // optimality: the gradient V^T (V e - w) is >= 0, and 0 where e > 0).
    TestRng rng(17);
    const MatrixXd V2 = count_matrix(96, 150, rng, 20.0);
    const MatrixXd W1 = random_matrix(96, 3, rng, 0.0, 1.0);
    MatrixXd E, D;
    start_from_factors(V2, W1, p.H, E, D);
    EXPECT_GE(E.minCoeff(), 0.0);
    const double scale = p.H.norm() / D.norm();
    const MatrixXd grad = V2.transpose() * (V2 * (E / scale) - W1);
    const double gscale = (V2.transpose() * W1).cwiseAbs().maxCoeff();
    EXPECT_GT(grad.minCoeff(), -1e-10 * gscale);
    int active = 0;
    for (Eigen::Index i = 0; i < E.size(); ++i)
        if (E.data()[i] > 0.0) {
            ++active;
            EXPECT_LT(std::abs(grad.data()[i]), 1e-10 * gscale);
        }
    EXPECT_GT(active, 3);
    EXPECT_GT((V2 * (E / scale) - W1).norm(), 1e-3 * W1.norm());  // really outside the cone
    // Only one of the two: rejected.
    f.request.H0 = nullptr;
    EXPECT_EQ(f.run(), SIGSTREAM_FIT_FAILED);
    EXPECT_NE(std::string(f.result.message).find("W0"), std::string::npos);
}

// ---------------------------------------------------------------- the ABI contract

TEST(AenmfAbi, SameSeedGivesBitwiseIdenticalResults) {
    TestRng rng(10);
    const MatrixXd V = count_matrix(96, 50, rng, 25.0);
    for (const char* loss_name : {"mse", "poisson"}) {
        // The random start (init=scaled), where the seed decides the start and so the fit.
        AbiFit a(V, 3, 200, 0.0, 42), b(V, 3, 200, 0.0, 42), c(V, 3, 200, 0.0, 43);
        for (AbiFit* f : {&a, &b, &c}) {
            f->param("loss", loss_name);
            f->param("init", "scaled");
            ASSERT_EQ(f->run(), SIGSTREAM_FIT_OK);
        }
        EXPECT_EQ(0, std::memcmp(a.W.data(), b.W.data(), a.W.size() * sizeof(double)));
        EXPECT_EQ(0, std::memcmp(a.H.data(), b.H.data(), a.H.size() * sizeof(double)));
        EXPECT_EQ(0, std::memcmp(a.trace.data(), b.trace.data(), a.trace.size() * sizeof(double)));
        EXPECT_NE(0, std::memcmp(a.W.data(), c.W.data(), a.W.size() * sizeof(double)));
        // The defaults (the convex NMF start, whose random starts the seed draws) are deterministic too.
        AbiFit d(V, 3, 200, 0.0, 42), e(V, 3, 200, 0.0, 42);
        for (AbiFit* f : {&d, &e}) {
            f->param("loss", loss_name);
            ASSERT_EQ(f->run(), SIGSTREAM_FIT_OK);
        }
        EXPECT_EQ(0, std::memcmp(d.W.data(), e.W.data(), d.W.size() * sizeof(double)));
        EXPECT_EQ(0, std::memcmp(d.trace.data(), e.trace.data(), d.trace.size() * sizeof(double)));
    }
}

TEST(AenmfAbi, ConcurrentFitsEqualSequentialOnes) {
    TestRng rng(11);
    const MatrixXd V = count_matrix(96, 40, rng, 25.0);
    AbiFit ref1(V, 3, 150, 0.0, 1), ref2(V, 3, 150, 0.0, 2), par1(V, 3, 150, 0.0, 1), par2(V, 3, 150, 0.0, 2);
    ASSERT_EQ(ref1.run(), SIGSTREAM_FIT_OK);
    ASSERT_EQ(ref2.run(), SIGSTREAM_FIT_OK);
    int s1 = -1, s2 = -1;
    std::thread t1([&] { s1 = par1.run(); }), t2([&] { s2 = par2.run(); });
    t1.join();
    t2.join();
    EXPECT_EQ(s1, SIGSTREAM_FIT_OK);
    EXPECT_EQ(s2, SIGSTREAM_FIT_OK);
    EXPECT_EQ(ref1.W, par1.W);
    EXPECT_EQ(ref2.W, par2.W);
    EXPECT_EQ(ref1.trace, par1.trace);
}

TEST(AenmfAbi, ZeroTolRunsExactlyMaxIter) {
    TestRng rng(12);
    AbiFit f(count_matrix(96, 30, rng, 10.0), 2, 777, 0.0, 5);
    f.request.tol_window = 1;  // would stop at once if tol were checked
    ASSERT_EQ(f.run(), SIGSTREAM_FIT_OK) << f.result.message;
    EXPECT_EQ(f.result.iterations, 777);
    EXPECT_EQ(f.result.trace_length, 778);
    for (int i = 0; i < 778; ++i) EXPECT_TRUE(std::isfinite(f.trace[i]) && f.trace[i] >= 0.0) << i;
}

int stop_at_seven(void* host, int32_t iteration, double objective) {
    auto* seen = static_cast<std::vector<std::pair<int, double>>*>(host);
    seen->emplace_back(iteration, objective);
    return iteration == 7 ? 1 : 0;
}

TEST(AenmfAbi, ProgressCanStopTheFit) {
    TestRng rng(13);
    AbiFit f(count_matrix(96, 30, rng, 10.0), 2, 1000, 0.0, 5);
    std::vector<std::pair<int, double>> seen;
    f.request.host = &seen;
    f.request.progress = &stop_at_seven;
    ASSERT_EQ(f.run(), SIGSTREAM_FIT_STOPPED);
    EXPECT_EQ(f.result.iterations, 7);
    EXPECT_EQ(f.result.trace_length, 8);
    ASSERT_EQ(seen.size(), 7u);
    for (int i = 0; i < 7; ++i) {
        EXPECT_EQ(seen[i].first, i + 1);
        EXPECT_EQ(seen[i].second, f.trace[i + 1]);
    }
    // The current factors are returned: they reproduce trace[7].
    EXPECT_TRUE(f.Wm().allFinite());
    EXPECT_GE(f.Wm().minCoeff(), 0.0);
    const double mse = (f.V - f.Wm() * f.Hm()).squaredNorm() / static_cast<double>(f.V.size());
    EXPECT_LT(rel_diff(mse, f.trace[7]), 1e-10);
}

TEST(AenmfAbi, BadParametersAreRejectedByName) {
    TestRng rng(14);
    const MatrixXd V = count_matrix(96, 20, rng, 10.0);
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"loss", "l2"},         {"constraint", "relu"}, {"init", "kmeans"},  {"lr", "-1"},
        {"lr", "fast"},         {"lr", "nan"},          {"beta1", "1"},      {"beta2", "-0.1"},
        {"eps", "0"},           {"patience", "0"},      {"patience", "2.5"}, {"lr", "1e-3x"},
        {"schedule", "cosine"}, {"bogus", "1"},         {"starts", "0"},     {"starts", "1.5"}};
    for (const auto& [key, value] : bad) {
        AbiFit f(V, 2, 10, 0.0, 1);
        f.param(key, value);
        EXPECT_EQ(f.run(), SIGSTREAM_FIT_BAD_PARAM) << key << "=" << value;
        const std::string msg = f.result.message;
        // "<key>=<value> is not accepted; accepted: …" (plugin_kit's words for every backend), or for an unknown key
        // "unknown parameter '<key>'; accepted: …"
        EXPECT_TRUE(msg.find(key + "=" + value) != std::string::npos || msg.find("'" + key + "'") != std::string::npos)
            << msg;
        EXPECT_NE(msg.find("accepted"), std::string::npos) << msg;
    }
    // Good values are accepted.
    AbiFit ok(V, 2, 10, 0.0, 1);
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{{"loss", "poisson"},
                                                                                     {"constraint", "project"},
                                                                                     {"init", "uniform"},
                                                                                     {"init", "cnmf"},
                                                                                     {"starts", "2"},
                                                                                     {"schedule", "backtrack"},
                                                                                     {"schedule", "auto"},
                                                                                     {"lr", "auto"},
                                                                                     {"lr", "0.001"},
                                                                                     {"beta1", "0"},
                                                                                     {"beta2", "0.99"},
                                                                                     {"eps", "1e-10"},
                                                                                     {"patience", "20"},
                                                                                     {"schedule", "constant"}})
        ok.param(key, value);
    EXPECT_EQ(ok.run(), SIGSTREAM_FIT_OK) << ok.result.message;
}

TEST(AenmfAbi, DivergenceIsANumericalFailure) {
    TestRng rng(15);
    AbiFit f(count_matrix(96, 20, rng, 10.0), 2, 50, 0.0, 1);
    f.param("lr", "1e200");
    f.param("schedule", "plateau");
    EXPECT_EQ(f.run(), SIGSTREAM_FIT_NUMERICAL);
    EXPECT_NE(std::string(f.result.message).find("lr"), std::string::npos) << f.result.message;
    // With backtracking (the default schedule from the convex NMF start) such steps are undone instead.
    AbiFit b(count_matrix(96, 20, rng, 10.0), 2, 50, 0.0, 1);
    b.param("lr", "1e200");
    ASSERT_EQ(b.run(), SIGSTREAM_FIT_OK) << b.result.message;
    for (int i = 1; i <= 50; ++i) EXPECT_EQ(b.trace[i], b.trace[0]) << i;
    EXPECT_NE(std::string(b.result.message).find("50 of 50 steps undone"), std::string::npos) << b.result.message;
}

TEST(AenmfAbi, MalformedRequestsFailCleanly) {
    TestRng rng(16);
    AbiFit f(count_matrix(96, 20, rng, 10.0), 2, 10, 0.0, 1);
    f.request.api_version = 99;
    EXPECT_EQ(f.run(), SIGSTREAM_FIT_FAILED);
    EXPECT_NE(std::string(f.result.message).find("99"), std::string::npos);
    f.request.api_version = SIGSTREAM_BACKEND_API_VERSION;
    f.V(3, 3) = std::nan("");
    EXPECT_EQ(f.run(), SIGSTREAM_FIT_FAILED);
    EXPECT_EQ(backend()->fit(nullptr, &f.result), SIGSTREAM_FIT_FAILED);
    EXPECT_EQ(backend()->fit(&f.request, nullptr), SIGSTREAM_FIT_FAILED);
}

// ---------------------------------------------------------------- planted recovery

TEST(AenmfRecovery, PlantedSignaturesAreRecovered) {
    const Planted p = planted();
    // The defaults (abs, MSE, the convex NMF start, backtracking) for several seeds, the projection, and version
    // 1.0's defaults (init=scaled: random start, plateau schedule). The required cosine is 0.99; this achieves
    // > 0.9999 (printed).
    const std::vector<std::tuple<const char*, const char*, std::uint64_t>> runs = {
        {"abs", "cnmf", 1}, {"abs", "cnmf", 2}, {"abs", "cnmf", 3}, {"project", "cnmf", 1}, {"abs", "scaled", 1}};
    for (const auto& [constraint, init, seed] : runs) {
        AbiFit f(p.V, 3, 5000, 1e-10, seed);
        f.param("constraint", constraint);
        f.param("init", init);
        ASSERT_EQ(f.run(), SIGSTREAM_FIT_OK) << f.result.message;
        const double cosine = min_matched_cosine(f.Wm(), p.W);
        const double rel_err = (p.V - f.Wm() * f.Hm()).norm() / p.V.norm();
        std::printf("[ planted ] %s init=%s seed %d: %d steps, min matched cosine %.6f, relative error %.2e\n",
                    constraint, init, static_cast<int>(seed), f.result.iterations, cosine, rel_err);
        EXPECT_GE(cosine, 0.999);
        EXPECT_LT(rel_err, 0.01);
        // The exposures match too (signatures normalised to sum 1, the scale moved into the exposures).
        MatrixXd W = f.Wm(), H = f.Hm();
        for (int s = 0; s < 3; ++s) {
            const double sum = W.col(s).sum();
            W.col(s) /= sum;
            H.row(s) *= sum;
        }
        double best = 1e300;
        std::vector<int> perm = {0, 1, 2};
        do {
            MatrixXd Hp(3, H.cols());
            for (int s = 0; s < 3; ++s) Hp.row(s) = H.row(perm[s]);
            best = std::min(best, (Hp - p.H).norm() / p.H.norm());
        } while (std::next_permutation(perm.begin(), perm.end()));
        EXPECT_LT(best, 0.02);
    }
}

// ---------------------------------------------------------------- the plugin, through dlopen

TEST(AenmfPlugin, LoadsWithDlopenAndFits) {
    char exe[4096];
    const ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ASSERT_GT(len, 0);
    exe[len] = '\0';
    std::string path(exe);
    path = path.substr(0, path.rfind('/')) + "/../plugins/aenmf.so";  // built by the aenmf target
    sigstream::test::LoadedPlugin plugin;
    ASSERT_NO_FATAL_FAILURE(sigstream::test::load_plugin(path, plugin));
    const sigstream_backend* b = plugin.info(SIGSTREAM_BACKEND_API_VERSION);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->api_version, SIGSTREAM_BACKEND_API_VERSION);
    EXPECT_STREQ(b->name, "aenmf");
    std::vector<std::string> keys;
    for (int i = 0; i < b->n_params; ++i) {
        const sigstream_param_spec* spec = SIGSTREAM_ARRAY_AT(sigstream_param_spec, b->params, i);
        keys.push_back(spec->key);
        EXPECT_NE(std::string(spec->description), "");
    }
    for (const char* key :
         {"constraint", "loss", "init", "starts", "lr", "schedule", "beta1", "beta2", "eps", "patience"})
        EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key;
    // Internal symbols stay hidden.
    EXPECT_EQ(dlsym(plugin.handle, "_ZN9sigstream5aenmf7backendEv"), nullptr);

    const Planted p = planted();
    AbiFit via_plugin(p.V, 3, 300, 0.0, 7), direct(p.V, 3, 300, 0.0, 7);
    via_plugin.param("loss", "poisson");
    direct.param("loss", "poisson");
    ASSERT_EQ(via_plugin.run(b->fit), SIGSTREAM_FIT_OK) << via_plugin.result.message;
    ASSERT_EQ(direct.run(), SIGSTREAM_FIT_OK);
    EXPECT_EQ(via_plugin.result.trace_length, 301);
    EXPECT_LT(via_plugin.trace[300], via_plugin.trace[0]);
    EXPECT_EQ(via_plugin.W, direct.W);
    EXPECT_EQ(via_plugin.trace, direct.trace);
}

}  // namespace
