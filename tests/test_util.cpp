#include "test_util.h"

#include <htslib/bgzf.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sigstream::test {

TempDir::TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "sigstream-test.XXXXXX").string();
    if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string bgzip_file(const std::string& path) {
    std::string content = read_file(path);
    std::string out = path + ".gz";
    BGZF* fp = bgzf_open(out.c_str(), "w");
    if (!fp || bgzf_write(fp, content.data(), content.size()) < 0 || bgzf_close(fp) != 0)
        throw std::runtime_error("cannot bgzip " + path);
    return out;
}

}  // namespace sigstream::test
