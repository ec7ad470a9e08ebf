#include "cli/run_common.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>

#include <charconv>
#include <memory>
#include "core/format.h"
#include "io/output_file.h"
#include "io/run_tsv.h"

namespace sigstream::cli {

namespace fs = std::filesystem;

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

namespace {

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
}  // namespace

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

// ---------------------------------------------------------------- parameters

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

void write_input_toml(std::ostream& out, const std::string& matrix, const std::string& sha256,
                      const LabelledMatrix& counts, const std::vector<std::string>& empty_samples) {
    out << "\n[input]\n";
    out << "matrix = " << toml_string(matrix) << "\n";
    if (matrix != "-" && !matrix.empty()) {
        std::error_code ec;
        fs::path abs = fs::absolute(matrix, ec);
        if (!ec) out << "matrix_absolute = " << toml_string(abs.lexically_normal().string()) << "\n";
    }
    if (!sha256.empty()) out << "sha256 = " << toml_string(sha256) << "\n";
    out << "context = " << toml_string(std::string(context_name(counts.context))) << "\n";
    out << "samples = " << counts.columns.size() << "\n";
    out << "empty_samples = " << toml_string_array(empty_samples) << "\n";
}

std::vector<std::pair<std::string, std::string>> effective_params(const Backend& backend,
                                                                  const std::map<std::string, std::string>& overrides) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& p : backend.params()) {
        const auto it = overrides.find(p.key);
        out.emplace_back(p.key, it == overrides.end() ? p.default_value : it->second);
    }
    return out;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + shell_quote(a);
    return command;
}

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    char when[32];
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return when;
}

// ---------------------------------------------------------------- replicate runs

namespace {

int parse_positive(const std::string& text, const std::string& flag, const std::string& whole, int min) {
    long long v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v > 100000)
        throw UsageError("", 0, "--" + flag + " '" + whole + "' is not a range A:B of whole numbers",
                         "e.g. --" + flag + (min == 0 ? " 0:10" : " 2:15"));
    if (v < min)
        throw UsageError("", 0,
                         "--" + flag + " '" + whole + "' starts below " + std::to_string(min) +
                             (min == 0 ? ": replicates are numbered from 0" : ": K is at least 1"),
                         "e.g. --" + flag + (min == 0 ? " 0:10" : " 2:15"));
    return static_cast<int>(v);
}

}  // namespace

std::vector<int> parse_k_range(const std::string& text, const std::string& flag) {
    const std::size_t colon = text.find(':');
    const int a = parse_positive(text.substr(0, colon), flag, text, 1);
    const int b = colon == std::string::npos ? a : parse_positive(text.substr(colon + 1), flag, text, 1);
    if (b < a)
        throw UsageError("", 0, "--" + flag + " " + text + " is empty (its end is below its start)",
                         "give A:B with A <= B, e.g. --" + flag + " 2:15");
    std::vector<int> ks;
    for (int k = a; k <= b; ++k) ks.push_back(k);
    return ks;
}

std::pair<int, int> parse_range(const std::string& text, const std::string& flag) {
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos)
        throw UsageError("", 0, "--" + flag + " '" + text + "' is not A:B", "e.g. --" + flag + " 0:10 (A <= i < B)");
    const int a = parse_positive(text.substr(0, colon), flag, text, 0);
    const int b = parse_positive(text.substr(colon + 1), flag, text, 0);
    if (b <= a)
        throw UsageError("", 0, "--" + flag + " " + text + " is empty (A:B holds A <= i < B)",
                         "give A < B, e.g. --" + flag + " 0:10");
    return {a, b};
}

void add_selection_options(Parser& p) {
    const SelectionRule d;
    p.section("Choosing K (docs/choosing-k.md)")
        .option("min-mean-stability", "S", "a stable K has mean signature stability (silhouette) >= S",
                exact_number(d.min_mean_stability))
        .option("min-stability", "S", "… and every signature's stability >= S", exact_number(d.min_stability))
        .option("min-gain", "G",
                "a larger stable K improves the fit significantly when its Poisson deviance drops by more than G "
                "per added parameter (noise alone gives about 1)",
                exact_number(d.min_gain))
        .option(
            "refine", "minvol|none",
            "refine the chosen K's consensus signatures by minimum-volume NMF (undoes the sharpening of overlapping "
            "signatures that maximum likelihood prefers; docs/choosing-k.md §5)",
            "minvol");
}

SelectionRule selection_rule(const Args& args) {
    SelectionRule r;
    r.min_mean_stability = args.get_double("min-mean-stability", r.min_mean_stability, -1.0, 1.0);
    r.min_stability = args.get_double("min-stability", r.min_stability, -1.0, 1.0);
    r.min_gain = args.get_double("min-gain", r.min_gain, 0.0, 1e12);
    const std::string refine = args.get("refine", "minvol");
    if (refine != "minvol" && refine != "none")
        throw UsageError("", 0, "--refine '" + refine + "' is not a refinement", "use minvol or none");
    r.refine = refine == "minvol";
    return r;
}

namespace {

std::string int_list(const std::vector<int>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

void write_stability(const Solution& s, std::ostream& out) {
    out << "Signature\tStability\tReplicateCosine\tMedoidCosine\n";
    for (int c = 0; c < s.k; ++c)
        out << s.signatures.columns[static_cast<std::size_t>(c)] << "\t" << exact_number(s.stability(c)) << "\t"
            << exact_number(s.member_cosine(c)) << "\t" << exact_number(s.medoid_cosine(c)) << "\n";
}

void write_replicates(const Solution& s, std::uint64_t root, std::ostream& out) {
    out << "Replicate\tBootstrapSeed\tStartSeed\tIterations\tObjective";
    for (const auto& name : s.signatures.columns) out << "\t" << name;
    out << "\n";
    for (std::size_t r = 0; r < s.replicates.size(); ++r) {
        const Replicate& rep = *s.replicates[r];
        out << rep.index << "\t" << bootstrap_seed(root, rep.index) << "\t" << start_seed(root, rep.k, rep.index)
            << "\t" << rep.iterations << "\t" << exact_number(rep.objective);
        for (int c : s.member[r]) out << "\t" << (c + 1);  // the replicate's own column, 1-based
        out << "\n";
    }
}

void write_selection(const Selection& sel, std::size_t samples, std::ostream& out) {
    out << "K\tMeanStability\tMinStability\tFrobeniusPct\tKL\tMeanSampleCosine\tChosen\tStable\tDevianceGain\n";
    for (std::size_t i = 0; i < sel.solutions.size(); ++i) {
        const Solution& s = sel.solutions[i];
        out << s.k << "\t" << exact_number(s.mean_stability) << "\t" << exact_number(s.min_stability) << "\t"
            << exact_number(s.frobenius_pct) << "\t" << exact_number(s.kl) << "\t" << exact_number(s.mean_sample_cosine)
            << "\t" << (i == sel.chosen ? 1 : 0) << "\t" << (s.stable ? 1 : 0) << "\t"
            << (i == 0 ? std::string("NA") : exact_number(deviance_gain(sel.solutions[i - 1], s, samples))) << "\n";
    }
}

void write_metadata(const ReplicateRunInfo& info, const LabelledMatrix& counts, const FitInput& input,
                    const Selection& sel, std::ostream& out) {
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);
    const Solution& chosen = sel.solutions[sel.chosen];
    out << "# Written by `sigstream " << info.command
        << "`. Every other file of this run folder is byte-reproducible from the\n"
           "# same input, seed, parameters and sigstream version; this one also records when and where.\n";
    out << "sigstream_version = " << toml_string(SIGSTREAM_VERSION_STRING) << "\n";
    out << "command_line = " << toml_string(command_line(info.argv)) << "\n";
    out << "argv = " << toml_string_array(info.argv) << "\n";
    out << "working_directory = " << toml_string(ec ? std::string() : cwd.string()) << "\n";
    out << "created = " << utc_now() << "\n";
    out << "root_seed = " << info.plan.seed << "\n";
    out << "k_range = " << int_list(info.plan.ks) << "\n";
    out << "replicates = " << info.plan.replicates << "\n";
    out << "chosen_k = " << chosen.k << "\n";
    out << "choice = " << toml_string(sel.reason) << "\n";
    out << "normalise = " << toml_string(normalisation_name(info.plan.normalise)) << "\n";
    out << "max_iter = " << info.plan.max_iter << "\n";
    out << "tol = " << toml_float(info.plan.tol) << "\n";
    out << "threads = " << info.threads << "\n";
    out << "signatures = " << toml_string_array(chosen.signatures.columns) << "\n";
    if (!info.shards.empty()) out << "shards = " << toml_string_array(info.shards) << "\n";

    out << "\n[selection]\n";
    out << "min_mean_stability = " << toml_float(info.rule.min_mean_stability) << "\n";
    out << "min_stability = " << toml_float(info.rule.min_stability) << "\n";
    out << "min_gain = " << toml_float(info.rule.min_gain) << "\n";

    out << "\n[refine]\n";
    out << "method = " << toml_string(info.rule.refine ? "minvol" : "none") << "\n";
    if (chosen.refined) {
        out << "delta = " << toml_float(info.rule.refine_options.delta) << "\n";
        out << "budget_per_sample = " << toml_float(info.rule.refine_options.budget) << "\n";
        out << "lambda_relative = " << toml_float(chosen.refinement.lambda_rel) << "\n";
        out << "kl_ml = " << toml_float(chosen.refinement.kl_ml) << "\n";
        out << "kl = " << toml_float(chosen.refinement.kl) << "\n";
        out << "iterations = " << chosen.refinement.iterations << "\n";
    }

    write_input_toml(out, info.matrix, info.sha256, counts, input.empty_samples);

    out << "\n[backend]\n";
    out << "name = " << toml_string(info.backend) << "\n";
    out << "version = " << toml_string(info.backend_version) << "\n";
    if (!info.backend_objective.empty()) out << "objective = " << toml_string(info.backend_objective) << "\n";
    if (!info.backend_file.empty()) out << "file = " << toml_string(info.backend_file) << "\n";
    out << "\n# Every parameter: the backend's defaults, overridden by --param.\n[backend.params]\n";
    for (const auto& [k, v] : info.params) out << toml_key(k) << " = " << toml_string(v) << "\n";
    if (info.command == "extract") {
        out << "\n# The parameters given with --param (the rest are the backend's defaults).\n[backend.user_params]\n";
        for (const auto& [k, v] : info.user_params) out << toml_key(k) << " = " << toml_string(v) << "\n";
    }
}

}  // namespace

void write_replicate_run(RunFolder& folder, const LabelledMatrix& counts, const FitInput& input,
                         const Selection& selection, const ReplicateRunInfo& info) {
    auto open = [&](const std::string& name) -> std::ostream& { return folder.open(name); };
    auto write_solution = [&](const Solution& s, const std::string& dir) {
        write_labelled_matrix(s.signatures, open(dir + "signatures.tsv"), "MutationType");
        write_labelled_matrix(s.medoids, open(dir + "medoids.tsv"), "MutationType");
        write_exposures(counts.columns, s.signatures.columns, s.exposures, open(dir + "exposures.tsv"));
        write_sample_stats(s.stats, open(dir + "sample_stats.tsv"));
        write_stability(s, open(dir + "stability.tsv"));
        if (s.refined) write_labelled_matrix(s.consensus, open(dir + "consensus.tsv"), "MutationType");
    };
    write_solution(selection.solutions[selection.chosen], "");
    write_selection(selection, input.kept.size(), open("selection.tsv"));
    for (const Solution& s : selection.solutions) {
        const std::string dir = "solutions/K" + std::to_string(s.k) + "/";
        write_solution(s, dir);
        write_replicates(s, info.plan.seed, open(dir + "replicates.tsv"));
    }
    write_metadata(info, counts, input, selection, open("metadata.toml"));
}

}  // namespace sigstream::cli
