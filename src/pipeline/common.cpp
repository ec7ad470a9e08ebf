#include "pipeline/common.h"

#include <charconv>
#include <filesystem>

#include "abi/sigstream_isa.h"
#include "core/errors.h"
#include "core/isa.h"
#include "io/checksum.h"
#include "io/matrix_tsv.h"
#include "io/tables.h"

namespace sigstream {

namespace fs = std::filesystem;

const BackendRegistry& plugin_registry() {
    static const BackendRegistry registry = BackendRegistry::from_environment();
    return registry;
}

const Counts& stage_counts(Workspace& ws, const std::string& file, MatrixValues values) {
    if (!file.empty()) {
        Counts c;
        c.matrix = read_count_matrix(file, values);
        c.source = file;
        c.absolute = absolute_path(file);
        c.md5 = file_md5(file);
        ws.counts = std::move(c);
    }
    if (!ws.counts)
        throw UsageError("", 0, "no count matrix: no file is given and no earlier stage made one",
                         "give the matrix, or put a count stage first");
    return *ws.counts;
}

std::string signature_path(const std::string& given) {
    if (given.empty()) return {};
    std::error_code ec;
    if (fs::is_directory(given, ec)) return (fs::path(given) / "signatures.tsv").string();
    return reference_file(given);
}

std::string signature_setting(const SettingValue& v) {
    return v.text() == kCosmicReference ? v.text() : v.existing(v.text());
}

std::string absolute_path(const std::string& file) {
    if (file.empty() || file == "-") return file;
    std::error_code ec;
    const fs::path abs = fs::absolute(file, ec);
    return ec ? file : abs.lexically_normal().string();
}

void write_solution(OutputSink& out, const Solution& s, const std::string& dir,
                    const std::vector<std::string>& samples) {
    write_labelled_matrix(s.signatures, out.open(dir + "signatures.tsv"), "MutationType");
    write_labelled_matrix(s.medoids, out.open(dir + "medoids.tsv"), "MutationType");
    write_exposures(samples, s.signatures.columns, s.exposures, out.open(dir + "exposures.tsv"));
    write_sample_stats(s.stats, out.open(dir + "sample_stats.tsv"));
    TsvWriter t(out.open(dir + "stability.tsv"));
    t.header({"Signature", "Stability", "ReplicateCosine", "MedoidCosine"});
    for (int c = 0; c < s.k; ++c)
        t.text(s.signatures.columns[static_cast<std::size_t>(c)])
            .number(s.stability(c))
            .number(s.member_cosine(c))
            .number(s.medoid_cosine(c))
            .end_row();
    if (s.refined) write_labelled_matrix(s.consensus, out.open(dir + "consensus.tsv"), "MutationType");
}

void write_input_table(TomlWriter& out, const std::string& table, const Counts& counts,
                       const std::vector<std::string>& empty_samples) {
    out.table(table + ".input");
    out.text("matrix", counts.source.empty() ? std::string("(made by an earlier stage)") : counts.source);
    if (!counts.absolute.empty() && counts.absolute != "-") out.text("matrix_absolute", counts.absolute);
    if (!counts.md5.empty()) out.text("md5", counts.md5);
    out.text("context", std::string(context_name(counts.matrix.context)));
    out.integer("samples", static_cast<long long>(counts.matrix.columns.size()));
    out.texts("empty_samples", empty_samples);
}

void write_backend_tables(TomlWriter& out, const std::string& table, const std::string& name,
                          const std::string& version, const std::string& objective, const std::string& file,
                          const std::vector<std::pair<std::string, std::string>>& params) {
    out.table(table + ".backend_info");
    out.text("name", name);
    out.text("version", version);
    if (!objective.empty()) out.text("objective", objective);
    if (!file.empty()) out.text("file", file);
    if (!file.empty()) out.text("kernels", sigstream_isa_name(kernel_level()));
    out.table(table + ".params");
    out.comment("Every parameter of the backend: its default, or the value given.");
    for (const auto& [k, v] : params) out.text(k, v);
}

namespace {

int k_bound(const std::string& part, const std::string& whole, const SettingValue* v) {
    long long n = 0;
    const auto r = std::from_chars(part.data(), part.data() + part.size(), n);
    const std::string hint = "e.g. 2:15";
    if (r.ec != std::errc() || r.ptr != part.data() + part.size() || n > 100000) {
        if (v) v->fail("is not a range A:B of whole numbers", hint);
        throw UsageError("", 0, "--k-range '" + whole + "' is not a range A:B of whole numbers", hint);
    }
    if (n < 1) {
        if (v) v->fail("starts below 1: K is at least 1", hint);
        throw UsageError("", 0, "--k-range '" + whole + "' starts below 1: K is at least 1", hint);
    }
    return static_cast<int>(n);
}

std::vector<int> k_range(const std::string& text, const SettingValue* v) {
    const std::size_t colon = text.find(':');
    const int a = k_bound(text.substr(0, colon), text, v);
    const int b = colon == std::string::npos ? a : k_bound(text.substr(colon + 1), text, v);
    if (b < a) {
        const std::string what = "is empty (its end is below its start)", hint = "give A:B with A <= B, e.g. 2:15";
        if (v) v->fail(what, hint);
        throw UsageError("", 0, "--k-range " + text + " " + what, hint);
    }
    std::vector<int> ks;
    for (int k = a; k <= b; ++k) ks.push_back(k);
    return ks;
}

}  // namespace

std::vector<int> parse_k_range(const SettingValue& v) {
    return k_range(v.text(), &v);
}

std::vector<int> parse_k_range(const std::string& text) {
    return k_range(text, nullptr);
}

}  // namespace sigstream
