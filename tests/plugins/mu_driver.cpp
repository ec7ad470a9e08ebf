// mu_driver RULE N V.txt W0.txt H0.txt W.out H.out
//
// Runs exactly N iterations of RULE from the given start and writes the factors, for the NumPy
// cross-check (mu_numpy_test.py):
//   kl         Lee-Seung multiplicative updates for the KL divergence (nmf solver=mu)
//   frobenius  Lee-Seung multiplicative updates for the Frobenius error (nmf solver=mu)
//   cnmf       Ding et al.'s convex NMF rules; W0/H0 and W.out/H.out are then G and H (both cols x K)
// Matrices are whitespace-separated text, one matrix row per line; output has 17 significant digits.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cnmf_core.h"
#include "nmf_core.h"

namespace {

Eigen::MatrixXd read(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::vector<double> row;
        double x;
        while (fields >> x) row.push_back(x);
        if (!row.empty()) rows.push_back(std::move(row));
    }
    if (rows.empty()) throw std::runtime_error(path + " is empty");
    Eigen::MatrixXd M(rows.size(), rows[0].size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() != rows[0].size()) throw std::runtime_error(path + ": ragged rows");
        for (std::size_t j = 0; j < rows[i].size(); ++j)
            M(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
    }
    return M;
}

void write(const std::string& path, const Eigen::MatrixXd& M) {
    std::FILE* out = std::fopen(path.c_str(), "w");
    if (out == nullptr) throw std::runtime_error("cannot write " + path);
    for (Eigen::Index i = 0; i < M.rows(); ++i) {
        for (Eigen::Index j = 0; j < M.cols(); ++j) std::fprintf(out, j ? " %.17g" : "%.17g", M(i, j));
        std::fputc('\n', out);
    }
    if (std::fclose(out) != 0) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 8) {
        std::cerr << "usage: mu_driver kl|frobenius|cnmf N V.txt W0.txt H0.txt W.out H.out\n";
        return 2;
    }
    try {
        const std::string rule = argv[1];
        const int n = std::stoi(argv[2]);
        const Eigen::MatrixXd V = read(argv[3]);
        Eigen::MatrixXd A = read(argv[4]), B = read(argv[5]);
        if (rule == "kl" || rule == "frobenius") {
            if (A.rows() != V.rows() || B.cols() != V.cols() || A.cols() != B.rows())
                throw std::runtime_error("W0/H0 do not match V");
            sigstream::nmf::iterate(V, A, B,
                                    rule == "kl" ? sigstream::nmf::Objective::kl : sigstream::nmf::Objective::frobenius,
                                    sigstream::nmf::Solver::mu, n);
        } else if (rule == "cnmf") {
            if (A.rows() != V.cols() || B.rows() != V.cols() || A.cols() != B.cols())
                throw std::runtime_error("G0/H0 do not match V");
            sigstream::cnmf::iterate(V, A, B, n);
        } else {
            throw std::runtime_error("unknown rule " + rule + " (kl, frobenius, cnmf)");
        }
        write(argv[6], A);
        write(argv[7], B);
    } catch (const std::exception& e) {
        std::cerr << "mu_driver: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
