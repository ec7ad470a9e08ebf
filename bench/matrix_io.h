// Matrices for the benchmark drivers (backend_bench, mu_eigen): dense column-major doubles read from .npy files
// (float64 or int64, C or Fortran order, as numpy.save writes them) or whitespace-separated text, and written as
// .npy (Fortran order, float64).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A dense column-major matrix.
struct Matrix {
    std::int64_t rows = 0, cols = 0;
    std::vector<double> data;
    double& at(std::int64_t i, std::int64_t j) { return data[static_cast<std::size_t>(j * rows + i)]; }
};

inline bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// .npy version 1.0-3.0: the header is a Python dict literal with 'descr', 'fortran_order' and 'shape'.
inline Matrix read_npy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open");
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw Error(path + ": not a .npy file");
    std::uint32_t header_len = 0;
    if (magic[6] == 1) {
        unsigned char b[2];
        in.read(reinterpret_cast<char*>(b), 2);
        header_len = b[0] | (b[1] << 8);
    } else {
        unsigned char b[4];
        in.read(reinterpret_cast<char*>(b), 4);
        header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
    }
    std::string header(header_len, '\0');
    if (!in.read(header.data(), header_len)) throw Error(path + ": truncated .npy header");
    // The text after "'key':", leading blanks removed.
    auto value_of = [&](const std::string& key) {
        const auto p = header.find("'" + key + "'");
        if (p == std::string::npos) throw Error(path + ": .npy header lacks " + key);
        const auto v = header.find_first_not_of(' ', header.find(':', p) + 1);
        return v == std::string::npos ? std::string() : header.substr(v);
    };
    const std::string descr = value_of("descr");
    const bool f8 = descr.rfind("'<f8'", 0) == 0;
    const bool i8 = descr.rfind("'<i8'", 0) == 0;
    if (!f8 && !i8) throw Error(path + ": only little-endian float64 or int64 .npy files are read");
    const bool fortran = value_of("fortran_order").rfind("True", 0) == 0;
    std::string shape = value_of("shape");
    shape = shape.substr(shape.find('(') + 1, shape.find(')') - shape.find('(') - 1);
    std::vector<std::int64_t> dims;
    std::stringstream ss(shape);
    for (std::string item; std::getline(ss, item, ',');)
        if (item.find_first_not_of(" ") != std::string::npos) dims.push_back(std::stoll(item));
    if (dims.size() == 1) dims.push_back(1);
    if (dims.size() != 2) throw Error(path + ": a 2-D array is needed");
    Matrix m;
    m.rows = dims[0];
    m.cols = dims[1];
    const std::size_t n = static_cast<std::size_t>(m.rows * m.cols);
    std::vector<double> raw(n);
    if (f8) {
        in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(n * sizeof(double)));
    } else {
        std::vector<std::int64_t> ints(n);
        in.read(reinterpret_cast<char*>(ints.data()), static_cast<std::streamsize>(n * sizeof(std::int64_t)));
        for (std::size_t i = 0; i < n; ++i) raw[i] = static_cast<double>(ints[i]);
    }
    if (!in) throw Error(path + ": truncated .npy data");
    if (fortran) {
        m.data = std::move(raw);
    } else {
        m.data.resize(n);
        for (std::int64_t i = 0; i < m.rows; ++i)
            for (std::int64_t j = 0; j < m.cols; ++j) m.at(i, j) = raw[static_cast<std::size_t>(i * m.cols + j)];
    }
    return m;
}

inline Matrix read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open");
    std::vector<std::vector<double>> rows;
    for (std::string line; std::getline(in, line);) {
        std::istringstream ls(line);
        std::vector<double> row;
        for (double x; ls >> x;) row.push_back(x);
        if (row.empty()) continue;
        if (!rows.empty() && row.size() != rows[0].size()) throw Error(path + ": rows of different lengths");
        rows.push_back(std::move(row));
    }
    if (rows.empty()) throw Error(path + ": empty matrix");
    Matrix m;
    m.rows = static_cast<std::int64_t>(rows.size());
    m.cols = static_cast<std::int64_t>(rows[0].size());
    m.data.resize(static_cast<std::size_t>(m.rows * m.cols));
    for (std::int64_t i = 0; i < m.rows; ++i)
        for (std::int64_t j = 0; j < m.cols; ++j)
            m.at(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    return m;
}

inline Matrix read_matrix(const std::string& path) {
    return ends_with(path, ".npy") ? read_npy(path) : read_text(path);
}

inline void write_npy(const std::string& path, std::int64_t rows, std::int64_t cols, const double* data) {
    std::string header = "{'descr': '<f8', 'fortran_order': True, 'shape': (" + std::to_string(rows) + ", " +
                         std::to_string(cols) + "), }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    const unsigned char len[2] = {static_cast<unsigned char>(header.size() & 0xff),
                                  static_cast<unsigned char>(header.size() >> 8)};
    out.write("\x93NUMPY\x01\x00", 8);
    out.write(reinterpret_cast<const char*>(len), 2);
    out << header;
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(rows * cols * sizeof(double)));
    if (!out) throw Error(path + ": cannot write");
}

}  // namespace bench
