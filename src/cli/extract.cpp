// `sigstream extract`: one factorisation of a count matrix with one backend and one K, written as a run
// folder (DESIGN §4): signatures.tsv, exposures.tsv, sample_stats.tsv, trace.tsv, metadata.toml.
//
// The folder appears whole or not at all: every file is written into a temporary folder next to the
// output folder (`.<name>.tmp.XXXXXX`), which is renamed to the output folder at the end.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/errors.h"
#include "extract/backend.h"
#include "extract/extract.h"
#include "io/matrix_tsv.h"
#include "io/output_file.h"
#include "io/run_tsv.h"

namespace sigstream::cli {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kDefaultSeed = 1;
constexpr int kDefaultMaxIter = 10000;
constexpr double kDefaultTol = 1e-8;
constexpr long long kMaxIterLimit = 10000000;  // the trace holds max_iter + 1 doubles

Parser extract_parser() {
    Parser p("extract", "--matrix M --backend NAME --k K --out-dir D [options]",
             "Extracts K mutational signatures from a count matrix with one backend (one fit) and writes a run\n"
             "folder: signatures.tsv (columns sum to 1), exposures.tsv (mutations attributed to each signature),\n"
             "sample_stats.tsv (Total, Cosine, L1_pct, L2_pct, KL of each sample's reconstruction), trace.tsv\n"
             "(the objective at the start and after each iteration) and metadata.toml (version, command line,\n"
             "seed, backend, every parameter). Everything but metadata.toml is byte-identical for the same\n"
             "inputs, seed and sigstream version. Samples without mutations are left out of the fit and get\n"
             "zero exposures. The folder appears only when complete; a failed run leaves nothing.");
    p.section("Input").option("matrix", "FILE",
                              "count matrix (channels x samples; TSV or CSV, .gz accepted; rows matched by label)");
    p.section("Extraction")
        .option("backend", "NAME", "extraction backend: nmf, cnmf, aenmf, … (`sigstream backends` lists them)")
        .option("k", "K", "number of signatures, from 1 to min(channels, non-empty samples) - 1")
        .option("seed", "S", "root seed: the only source of randomness", std::to_string(kDefaultSeed))
        .option("max-iter", "N", "at most N iterations", std::to_string(kDefaultMaxIter))
        .option("tol", "T",
                "stop once the objective's relative decrease over the backend's window falls below T; 0 runs "
                "exactly --max-iter iterations",
                "1e-08")
        .option("param", "KEY=VALUE",
                "backend parameter, KEY = BACKEND.NAME (e.g. nmf.objective=frobenius) or just NAME", "", true)
        .option("threads", "N", "accepted for consistency with the other commands; a single fit uses one thread", "1");
    p.section("Output")
        .option("out-dir", "D", "run folder to create; it must not exist or be empty (see --force)")
        .flag("force", "replace --out-dir if it is an existing folder (only once the new run folder is complete)")
        .flag("quiet", "no progress or warnings on stderr");
    return p;
}

// ---------------------------------------------------------------- number and text formatting

std::string toml_string(const std::string& s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                o += "\\\"";
                break;
            case '\\':
                o += "\\\\";
                break;
            case '\n':
                o += "\\n";
                break;
            case '\t':
                o += "\\t";
                break;
            case '\r':
                o += "\\r";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    o += buf;
                } else {
                    o += static_cast<char>(c);
                }
        }
    }
    return o + "\"";
}

std::string toml_key(const std::string& k) {
    bool bare = !k.empty();
    for (char c : k)
        bare &= (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    return bare ? k : toml_string(k);
}

std::string toml_float(double v) {
    std::string s = exact_number(v);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // "1" would read back as an integer
    return s;
}

std::string toml_string_array(const std::vector<std::string>& items) {
    std::string o = "[";
    for (std::size_t i = 0; i < items.size(); ++i) o += (i ? ", " : "") + toml_string(items[i]);
    return o + "]";
}

std::string shell_quote(const std::string& s) {
    bool plain = !s.empty();
    for (char c : s) plain &= std::isalnum(static_cast<unsigned char>(c)) || std::strchr("@%_-+=:,./", c) != nullptr;
    if (plain) return s;
    std::string o = "'";
    for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return o + "'";
}

// ---------------------------------------------------------------- SHA-256 of the input file (FIPS 180-4)

class Sha256 {
public:
    void update(const unsigned char* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            block_[fill_++] = p[i];
            if (fill_ == 64) {
                compress();
                fill_ = 0;
            }
        }
        bits_ += static_cast<std::uint64_t>(n) * 8;
    }
    std::string hex() {
        std::uint64_t bits = bits_;
        unsigned char pad = 0x80;
        update(&pad, 1);
        unsigned char zero = 0;
        while (fill_ != 56) update(&zero, 1);
        unsigned char len[8];
        for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
        update(len, 8);
        std::string out;
        char buf[9];
        for (std::uint32_t v : h_) {
            std::snprintf(buf, sizeof buf, "%08x", v);
            out += buf;
        }
        return out;
    }

private:
    static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
    void compress() {
        static constexpr std::uint32_t k[64] = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        std::uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = (std::uint32_t(block_[4 * i]) << 24) | (std::uint32_t(block_[4 * i + 1]) << 16) |
                   (std::uint32_t(block_[4 * i + 2]) << 8) | std::uint32_t(block_[4 * i + 3]);
        for (int i = 16; i < 64; ++i) {
            std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
        for (int i = 0; i < 64; ++i) {
            std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
            std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h_[0] += a;
        h_[1] += b;
        h_[2] += c;
        h_[3] += d;
        h_[4] += e;
        h_[5] += f;
        h_[6] += g;
        h_[7] += h;
    }
    std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char block_[64] = {};
    std::size_t fill_ = 0;
    std::uint64_t bits_ = 0;
};

// The SHA-256 of a file's bytes, or "" when it cannot be read again (e.g. standard input).
std::string file_sha256(const std::string& path) {
    if (path == "-") return {};
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    Sha256 sha;
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        sha.update(reinterpret_cast<const unsigned char*>(buf.data()), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) return {};
    return sha.hex();
}

// ---------------------------------------------------------------- the run folder

std::string strip_trailing_slashes(std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

bool entry_exists(const fs::path& p) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(p, ec));
}

bool is_empty_real_folder(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(fs::symlink_status(p, ec)) && fs::is_empty(p, ec) && !ec;
}

// The output folder: checked up front (before the fit), assembled in a temporary folder next to it,
// and renamed into place by commit(). Until then, the destructor removes the temporary folder.
class RunFolder {
public:
    RunFolder(std::string path, bool force) : path_(strip_trailing_slashes(std::move(path))), force_(force) {
        if (path_.empty()) throw UsageError("", 0, "--out-dir is empty", "give the run folder to create");
        check();
    }
    ~RunFolder() {
        std::error_code ec;
        if (!temp_.empty()) fs::remove_all(temp_, ec);
        if (!old_.empty() && entry_exists(old_)) fs::remove_all(old_, ec);
    }
    RunFolder(const RunFolder&) = delete;
    RunFolder& operator=(const RunFolder&) = delete;

    // Throws unless the folder can be created (or, with --force, replaced).
    void check() const {
        fs::path parent = parent_of();
        std::error_code ec;
        if (!fs::is_directory(parent, ec))
            throw IoError(path_, 0, "cannot create the run folder: folder '" + parent.string() + "' does not exist",
                          "create it first or choose another --out-dir");
        if (access(parent.c_str(), W_OK) != 0)
            throw IoError(path_, 0, "cannot create the run folder: folder '" + parent.string() + "' is not writable",
                          "choose a folder you can write to");
        if (!entry_exists(path_) || is_empty_real_folder(path_)) return;
        if (!fs::is_directory(fs::symlink_status(path_, ec)))
            throw UsageError(path_, 0, "--out-dir exists and is not a folder", "choose another --out-dir");
        if (!force_)
            throw UsageError(path_, 0, "the output folder already exists and is not empty",
                             "choose another --out-dir, empty it, or give --force to replace it");
    }

    // With --force, refuses to replace a folder that holds `input` (it would delete the input).
    void check_not_inside(const std::string& input) const {
        if (!force_ || input == "-" || !entry_exists(path_)) return;
        std::error_code ec1, ec2;
        fs::path in = fs::weakly_canonical(input, ec1), out = fs::weakly_canonical(path_, ec2);
        if (ec1 || ec2) return;
        auto o = out.begin(), i = in.begin();
        for (; o != out.end() && i != in.end() && *o == *i; ++o, ++i) {
        }
        if (o == out.end())
            throw UsageError(path_, 0, "--force would replace the folder holding the input matrix " + input,
                             "choose another --out-dir");
    }

    // The temporary folder the files are written into (created on first use).
    const std::string& temp() {
        if (temp_.empty()) {
            fs::path name = fs::path(path_).filename();
            std::string templ = (parent_of() / ("." + name.string() + ".tmp.XXXXXX")).string();
            if (!mkdtemp(templ.data()))
                throw IoError(path_, 0, std::string("cannot create a temporary folder: ") + std::strerror(errno),
                              "check the folder's permissions and free space");
            temp_ = templ;
            mode_t mask = umask(0);
            umask(mask);
            chmod(temp_.c_str(), 0777 & ~mask);  // mkdtemp creates 0700: give a normal folder's permissions
        }
        return temp_;
    }

    std::string file(const std::string& name) { return (fs::path(temp()) / name).string(); }

    void commit() {
        check();
        if (entry_exists(path_) && !is_empty_real_folder(path_)) {  // --force: move the old one aside first
            old_ = temp_ + ".old";
            if (std::rename(path_.c_str(), old_.c_str()) != 0) {
                int err = errno;
                old_.clear();
                throw IoError(path_, 0, std::string("cannot replace the existing output: ") + std::strerror(err),
                              "check the permissions, or choose another --out-dir");
            }
        }
        if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
            int err = errno;
            if (!old_.empty() && std::rename(old_.c_str(), path_.c_str()) == 0) old_.clear();
            throw IoError(path_, 0,
                          std::string("cannot move the finished run folder into place: ") + std::strerror(err),
                          "check the permissions, or choose another --out-dir");
        }
        temp_.clear();
        if (!old_.empty()) {
            std::error_code ec;
            fs::remove_all(old_, ec);
            old_.clear();
        }
    }

    const std::string& path() const { return path_; }

private:
    fs::path parent_of() const {
        fs::path parent = fs::path(path_).parent_path();
        return parent.empty() ? fs::path(".") : parent;
    }
    std::string path_;
    bool force_;
    std::string temp_, old_;
};

// ---------------------------------------------------------------- parameters

// `--param KEY=VALUE` items → the backend's keys (no prefix). UsageError for a malformed item, a key of
// another backend, an unknown key, or a key given twice.
std::map<std::string, std::string> parse_params(const std::vector<std::string>& items, const Backend& backend) {
    std::map<std::string, std::string> out;
    auto known = [&](const std::string& key) {
        for (const auto& p : backend.params())
            if (p.key == key) return true;
        return false;
    };
    for (const auto& item : items) {
        std::size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("", 0, "--param '" + item + "' is not KEY=VALUE",
                             "e.g. --param " + backend.name() + ".objective=frobenius");
        std::string key = item.substr(0, eq), value = item.substr(eq + 1);
        if (std::size_t dot = key.find('.'); dot != std::string::npos && !known(key)) {
            std::string prefix = key.substr(0, dot);
            if (prefix != backend.name())
                throw UsageError(
                    "", 0,
                    "--param '" + item + "' is for backend '" + prefix + "', but --backend is '" + backend.name() + "'",
                    "drop it, or write " + backend.name() + ".KEY=VALUE");
            key = key.substr(dot + 1);
            if (key.empty())
                throw UsageError("", 0, "--param '" + item + "' names no parameter",
                                 "e.g. --param " + backend.name() + ".objective=frobenius");
        }
        if (!known(key)) {
            std::string list;
            for (const auto& p : backend.params()) list += (list.empty() ? "" : ", ") + p.key;
            throw UsageError(
                "", 0, "backend '" + backend.name() + "' has no parameter '" + key + "'",
                list.empty() ? "it takes no parameters" : "its parameters are " + list + " (see `sigstream backends`)");
        }
        if (!out.emplace(key, value).second)
            throw UsageError("", 0, "--param " + key + " is given twice", "give each parameter once");
    }
    return out;
}

// ---------------------------------------------------------------- writers

void write_trace(const ExtractResult& r, std::ostream& out) {
    out << "Iteration\tObjective\n";
    for (std::size_t i = 0; i < r.trace.size(); ++i) out << i << "\t" << exact_number(r.trace[i]) << "\n";
}

struct RunInfo {
    std::vector<std::string> argv;
    std::string matrix, sha256;
    std::uint64_t seed = 0;
    int k = 0, max_iter = 0, threads = 1;
    double tol = 0;
    std::map<std::string, std::string> user_params;
};

void write_metadata(const RunInfo& run, const Backend& backend, const LabelledMatrix& counts, const ExtractResult& r,
                    std::ostream& out) {
    std::string command;
    for (const auto& a : run.argv) command += (command.empty() ? "" : " ") + shell_quote(a);
    std::time_t now = std::time(nullptr);
    char when[32];
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);

    out << "# Written by `sigstream extract`. Every other file of this run folder is byte-reproducible from the\n"
           "# same input, seed, parameters and sigstream version; this one also records when and where.\n";
    out << "sigstream_version = " << toml_string(SIGSTREAM_VERSION_STRING) << "\n";
    out << "command_line = " << toml_string(command) << "\n";
    out << "argv = " << toml_string_array(run.argv) << "\n";
    out << "working_directory = " << toml_string(ec ? std::string() : cwd.string()) << "\n";
    out << "created = " << when << "\n";
    out << "root_seed = " << run.seed << "\n";
    out << "k = " << run.k << "\n";
    out << "max_iter = " << run.max_iter << "\n";
    out << "tol = " << toml_float(run.tol) << "\n";
    out << "iterations = " << r.iterations << "\n";
    out << "threads = " << run.threads << "\n";
    out << "signatures = " << toml_string_array(r.signatures.columns) << "\n";

    out << "\n[input]\n";
    out << "matrix = " << toml_string(run.matrix) << "\n";
    if (run.matrix != "-") {
        fs::path abs = fs::absolute(run.matrix, ec);
        if (!ec) out << "matrix_absolute = " << toml_string(abs.lexically_normal().string()) << "\n";
    }
    if (!run.sha256.empty()) out << "sha256 = " << toml_string(run.sha256) << "\n";
    out << "context = " << toml_string(std::string(context_name(counts.context))) << "\n";
    out << "samples = " << counts.columns.size() << "\n";
    out << "empty_samples = " << toml_string_array(r.empty_samples) << "\n";

    out << "\n[backend]\n";
    out << "name = " << toml_string(backend.name()) << "\n";
    out << "version = " << toml_string(backend.version()) << "\n";
    out << "objective = " << toml_string(backend.objective()) << "\n";
    out << "file = " << toml_string(backend.origin()) << "\n";
    out << "message = " << toml_string(r.message) << "\n";
    out << "\n# Every parameter: the backend's defaults, overridden by --param.\n[backend.params]\n";
    for (const auto& p : backend.params()) {
        auto it = run.user_params.find(p.key);
        out << toml_key(p.key) << " = " << toml_string(it == run.user_params.end() ? p.default_value : it->second)
            << "\n";
    }
    out << "\n# The parameters given with --param (the rest are the backend's defaults).\n[backend.user_params]\n";
    for (const auto& [k, v] : run.user_params) out << toml_key(k) << " = " << toml_string(v) << "\n";
}

// ---------------------------------------------------------------- the command

int run_extract(int argc, char** argv) {
    const Parser parser = extract_parser();
    Args args = parser.parse(argc, argv);
    if (args.help()) {
        std::cout << parser.help_text();
        BackendRegistry reg = BackendRegistry::from_environment();
        std::string list;
        for (const auto& b : reg.backends()) list += (list.empty() ? "" : ", ") + b.name();
        std::cout << "\nBackends found: " << (list.empty() ? "none" : list)
                  << " (`sigstream backends` lists them with their parameters)\n";
        return 0;
    }
    if (!args.positionals().empty())
        throw UsageError("", 0, "unexpected argument '" + args.positionals()[0] + "'",
                         "see `sigstream extract --help`");
    for (const char* required : {"matrix", "backend", "k", "out-dir"})
        if (!args.has(required))
            throw UsageError("", 0, std::string("--") + required + " is required", "see `sigstream extract --help`");

    RunInfo run;
    run.argv.push_back("sigstream");
    run.argv.push_back("extract");
    for (int i = 0; i < argc; ++i) run.argv.push_back(argv[i]);
    run.matrix = args.get("matrix");
    const long long k = args.get_int("k", 0, LLONG_MIN, LLONG_MAX);
    if (k < 1)
        throw UsageError("", 0, "--k " + std::to_string(k) + " is below 1",
                         "give the number of signatures, from 1 to min(channels, non-empty samples) - 1");
    run.k = static_cast<int>(std::min<long long>(k, INT_MAX));
    run.seed = static_cast<std::uint64_t>(args.get_int("seed", static_cast<long long>(kDefaultSeed), 0, LLONG_MAX));
    run.max_iter = static_cast<int>(args.get_int("max-iter", kDefaultMaxIter, 1, kMaxIterLimit));
    run.tol = args.get_double("tol", kDefaultTol, 0.0, 1.0);
    run.threads = static_cast<int>(args.get_int("threads", 1, 1, 1024));
    const bool quiet = args.flag("quiet");

    RunFolder folder(args.get("out-dir"), args.flag("force"));  // fails now rather than after the fit
    folder.check_not_inside(run.matrix);
    BackendRegistry registry = BackendRegistry::from_environment();
    const Backend& backend = registry.get(args.get("backend"));
    run.user_params = parse_params(args.all("param"), backend);

    LabelledMatrix counts = read_count_matrix(run.matrix);
    run.sha256 = file_sha256(run.matrix);

    ExtractOptions opt;
    opt.k = run.k;
    opt.seed = run.seed;
    opt.max_iter = run.max_iter;
    opt.tol = run.tol;
    opt.params = run.user_params;
    opt.source = run.matrix;
    const bool tty = isatty(STDERR_FILENO);
    const auto start = std::chrono::steady_clock::now();
    auto last_report = start;
    bool reported = false;
    int last_length = 0;
    if (!quiet) {
        opt.progress = [&](int iteration, double objective) {
            auto now = std::chrono::steady_clock::now();
            if (std::chrono::duration<double>(now - last_report).count() < (tty ? 1.0 : 30.0)) return true;
            last_report = now;
            reported = true;
            char line[256];
            int len = std::snprintf(line, sizeof line,
                                    "sigstream extract: %s K=%d: iteration %d of at most %d, objective %.10g, %.0f s",
                                    backend.name().c_str(), run.k, iteration, run.max_iter, objective,
                                    std::chrono::duration<double>(now - start).count());
            if (tty) {  // rewrite the line in place, blanking what a longer previous line left
                std::fprintf(stderr, "\r%s%*s", line, std::max(0, last_length - len), "");
                last_length = len;
            } else {
                std::fprintf(stderr, "%s\n", line);
            }
            std::fflush(stderr);
            return true;
        };
    }
    ExtractResult result = extract_signatures(counts, backend, opt);
    if (!quiet && tty && reported) std::fprintf(stderr, "\n");
    if (!quiet) {
        for (const auto& w : result.warnings) warn("extract", w);
        if (run.tol > 0 && result.iterations >= run.max_iter)
            warn("extract", "the fit ran all " + std::to_string(run.max_iter) +
                                " iterations of --max-iter without meeting --tol; raise --max-iter if the trace "
                                "is still falling");
    }

    std::vector<std::unique_ptr<OutputFile>> files;
    auto open = [&](const std::string& name) -> std::ostream& {
        files.push_back(std::make_unique<OutputFile>(folder.file(name)));
        return files.back()->stream();
    };
    write_labelled_matrix(result.signatures, open("signatures.tsv"), "MutationType");
    write_exposures(result.samples, result.signatures.columns, result.exposures, open("exposures.tsv"));
    write_sample_stats(result.stats, open("sample_stats.tsv"));
    write_trace(result, open("trace.tsv"));
    write_metadata(run, backend, counts, result, open("metadata.toml"));
    for (auto& f : files) f->commit();
    folder.commit();

    if (!quiet) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::string objective = result.trace.empty() ? "n/a" : exact_number(result.trace.back());
        std::fprintf(stderr,
                     "sigstream extract: %s K=%d: %d iteration(s)%s, objective %s, %zu sample(s) in %.1f s -> %s\n",
                     backend.name().c_str(), run.k, result.iterations,
                     result.message.empty() ? "" : (" (" + result.message + ")").c_str(), objective.c_str(),
                     counts.columns.size(), secs, folder.path().c_str());
    }
    return 0;
}

}  // namespace

int extract_main(int argc, char** argv) {
    return guarded("extract", [&] { return run_extract(argc, argv); });
}

}  // namespace sigstream::cli
