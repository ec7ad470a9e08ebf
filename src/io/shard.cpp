#include "io/shard.h"

#include <charconv>
#include <cmath>
#include <set>
#include <sstream>
#include <string_view>

#include "core/errors.h"
#include "core/format.h"
#include "io/checksum.h"
#include "io/line_reader.h"
#include "io/matrix_tsv.h"

namespace sigstream {

namespace {

constexpr const char* kMagic = "##sigstream-shard";
constexpr int kFormat = 4;  // 2 added ##tol_window; 3: bootstraps drawn by numeric/binomial.h; 4: #end has an MD5

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> f;
    std::size_t start = 0;
    for (;;) {
        std::size_t tab = line.find('\t', start);
        f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return f;
        start = tab + 1;
    }
}

class Parser {
public:
    explicit Parser(const std::string& path) : in_(path), path_(path) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw FormatError(path_, in_.line_number(), what,
                          "give shards written by `sigstream extract --shard-out`, complete and unchanged");
    }
    // The next line's fields; every line before #end also goes into the digest.
    std::vector<std::string> line() {
        std::string l;
        if (!in_.next(l)) fail("the shard ends early (truncated?)");
        if (l.rfind("#end\t", 0) != 0) {
            md5_.update(l);
            md5_.update("\n");
        }
        return split_tabs(l);
    }
    std::string digest() { return md5_.hex(); }
    double number(const std::string& s) const {
        double v = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v))
            fail("'" + s + "' is not a finite number");
        return v;
    }
    int integer(const std::string& s) const {
        int v = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size())
            fail("'" + s + "' is not an integer in the range of a shard's counts, K's and indices");
        return v;
    }
    LineReader& reader() { return in_; }

private:
    LineReader in_;
    std::string path_;
    Md5 md5_;
};

}  // namespace

void write_shard(const Shard& s, std::ostream& to) {
    std::ostringstream out;  // the content, for its digest
    out << kMagic << "\t" << kFormat << "\n";
    out << "##sigstream_version\t" << s.sigstream_version << "\n";
    out << "##backend\t" << s.backend << "\n";
    out << "##backend_version\t" << s.backend_version << "\n";
    for (const auto& [k, v] : s.plan.fit.params) out << "##param\t" << k << "\t" << v << "\n";
    out << "##seed\t" << s.plan.fit.seed << "\n";
    out << "##replicates\t" << s.plan.replicates << "\n";
    out << "##k";
    for (int k : s.plan.ks) out << "\t" << k;
    out << "\n##range\t" << s.plan.first << "\t" << s.plan.last << "\n";
    out << "##normalise\t" << normalisation_name(s.plan.normalise) << "\n";
    out << "##resample\t" << (s.plan.resample ? "yes" : "no") << "\n";
    out << "##max_iter\t" << s.plan.fit.max_iter << "\n";
    out << "##tol\t" << exact_number(s.plan.fit.tol) << "\n";
    out << "##tol_window\t" << s.plan.fit.tol_window << "\n";
    out << "##matrix\t" << s.matrix << "\n";
    out << "#counts\t" << s.counts.columns.size() << "\n";
    write_labelled_matrix(s.counts, out, "MutationType");
    const auto& labels = channel_labels(s.counts.context);
    for (const Replicate& r : s.fits) {
        out << "#replicate\t" << r.k << "\t" << r.index << "\t" << r.iterations << "\t" << exact_number(r.objective)
            << "\n";
        std::string line;
        for (Eigen::Index i = 0; i < r.W.rows(); ++i) {
            line = labels[static_cast<std::size_t>(i)];
            for (Eigen::Index c = 0; c < r.W.cols(); ++c) line += "\t" + exact_number(r.W(i, c));
            out << line << "\n";
        }
    }
    const std::string text = out.str();
    Md5 md5;
    md5.update(text);
    to << text << "#end\t" << s.fits.size() << "\t" << md5.hex() << "\n";
}

Shard read_shard(const std::string& path) {
    Parser p(path);
    Shard s;
    auto first = p.line();
    if (first.size() != 2 || first[0] != kMagic)
        throw FormatError(path, 1, "this is not a sigstream extraction shard",
                          "give files written by `sigstream extract --shard-out`");
    if (first[1] != std::to_string(kFormat))
        throw FormatError(
            path, 1,
            "shard format " + first[1] + " is not the format " + std::to_string(kFormat) + " this sigstream reads",
            "merge shards with the sigstream version that wrote them");
    bool have_range = false;
    std::set<std::string> seen;
    std::vector<std::string> f;
    for (;;) {
        f = p.line();
        if (f[0].rfind("##", 0) != 0) break;
        const std::string key = f[0].substr(2);
        if (key != "param" && !seen.insert(key).second) p.fail("the field '" + f[0] + "' appears twice");
        auto need = [&](std::size_t n) {
            if (f.size() != n)
                p.fail("the line '" + f[0] + "' has " + std::to_string(f.size()) + " fields, not " + std::to_string(n));
        };
        if (key == "sigstream_version")
            need(2), s.sigstream_version = f[1];
        else if (key == "backend")
            need(2), s.backend = f[1];
        else if (key == "backend_version")
            need(2), s.backend_version = f[1];
        else if (key == "param")
            need(3), s.plan.fit.params[f[1]] = f[2];
        else if (key == "seed") {
            need(2);
            unsigned long long v = 0;
            auto r = std::from_chars(f[1].data(), f[1].data() + f[1].size(), v);
            if (r.ec != std::errc() || r.ptr != f[1].data() + f[1].size()) p.fail("bad seed '" + f[1] + "'");
            s.plan.fit.seed = v;
        } else if (key == "replicates")
            need(2), s.plan.replicates = static_cast<int>(p.integer(f[1]));
        else if (key == "k") {
            for (std::size_t i = 1; i < f.size(); ++i) s.plan.ks.push_back(static_cast<int>(p.integer(f[i])));
        } else if (key == "range") {
            need(3);
            s.plan.first = static_cast<int>(p.integer(f[1]));
            s.plan.last = static_cast<int>(p.integer(f[2]));
            have_range = true;
        } else if (key == "normalise") {
            need(2);
            try {
                s.plan.normalise = parse_normalisation(f[1]);
            } catch (const UsageError&) {
                p.fail("'" + f[1] + "' is not a normalisation");
            }
        } else if (key == "resample") {
            need(2);
            if (f[1] != "yes" && f[1] != "no") p.fail("'" + f[1] + "' is not yes or no");
            s.plan.resample = f[1] == "yes";
        } else if (key == "max_iter")
            need(2), s.plan.fit.max_iter = static_cast<int>(p.integer(f[1]));
        else if (key == "tol")
            need(2), s.plan.fit.tol = p.number(f[1]);
        else if (key == "tol_window")
            need(2), s.plan.fit.tol_window = static_cast<int>(p.integer(f[1]));
        else if (key == "matrix")
            need(2), s.matrix = f[1];
        else
            p.fail("unknown shard field '" + f[0] + "'");
    }
    for (const char* required : {"sigstream_version", "backend", "backend_version", "seed", "replicates", "k", "range",
                                 "normalise", "resample", "max_iter", "tol", "tol_window", "matrix"})
        if (!seen.count(required)) p.fail(std::string("the shard's header lacks its ##") + required + " line");
    const ReplicatePlan& plan = s.plan;
    if (s.backend.empty() || plan.ks.empty() || !have_range || plan.replicates < 1 || plan.first < 0 ||
        plan.first >= plan.last || plan.last > plan.replicates)
        p.fail("the shard's header is inconsistent (backend, k, replicates, range)");
    if (plan.fit.tol_window < 1) p.fail("the ##tol_window line is below 1");
    if (plan.replicates > kMaxReplicates)
        p.fail("the ##replicates line is above " + std::to_string(kMaxReplicates) + ", the most extract fits");
    for (std::size_t i = 1; i < plan.ks.size(); ++i)
        if (plan.ks[i] <= plan.ks[i - 1]) p.fail("the ##k line is not in ascending order without repeats");
    if (f[0] != "#counts" || f.size() != 2) p.fail("expected the #counts line");
    const int n = p.integer(f[1]);
    if (n < 1) p.fail("the shard holds no samples");
    auto header = p.line();
    if (header.size() != static_cast<std::size_t>(n) + 1)
        p.fail("the counts header does not have " + f[1] + " samples");
    s.counts.columns.assign(header.begin() + 1, header.end());
    std::vector<std::vector<std::string>> rows;
    // The first row's label tells the catalogue.
    auto row = p.line();
    Context ctx = Context::SBS96;
    bool found = false;
    for (Context c : {Context::SBS6, Context::SBS96, Context::SBS1536})
        if (channel_index(c, row[0]) == 0) ctx = c, found = true;
    if (!found) p.fail("the counts do not start with the first channel of a catalogue");
    s.counts.context = ctx;
    const auto& labels = channel_labels(ctx);
    const Eigen::Index channels = static_cast<Eigen::Index>(labels.size());
    s.counts.values.resize(channels, n);
    for (Eigen::Index i = 0; i < channels; ++i) {
        if (i > 0) row = p.line();
        if (row.size() != static_cast<std::size_t>(n) + 1 || row[0] != labels[static_cast<std::size_t>(i)])
            p.fail("expected the counts row of channel " + labels[static_cast<std::size_t>(i)]);
        for (Eigen::Index j = 0; j < n; ++j) {
            s.counts.values(i, j) = p.number(row[static_cast<std::size_t>(j) + 1]);
            if (s.counts.values(i, j) < 0) p.fail("a count is negative");
        }
    }
    for (;;) {
        f = p.line();
        if (f[0] == "#end") break;
        if (f[0] != "#replicate" || f.size() != 5) p.fail("expected a #replicate line or #end");
        Replicate r;
        r.k = static_cast<int>(p.integer(f[1]));
        r.index = static_cast<int>(p.integer(f[2]));
        r.iterations = static_cast<int>(p.integer(f[3]));
        r.objective = p.number(f[4]);
        if (r.k < 1 || r.k > channels) p.fail("K = " + f[1] + " is out of range");
        r.W.resize(channels, r.k);
        for (Eigen::Index i = 0; i < channels; ++i) {
            row = p.line();
            if (row.size() != static_cast<std::size_t>(r.k) + 1 || row[0] != labels[static_cast<std::size_t>(i)])
                p.fail("expected the signature row of channel " + labels[static_cast<std::size_t>(i)]);
            for (Eigen::Index c = 0; c < r.k; ++c) {
                r.W(i, c) = p.number(row[static_cast<std::size_t>(c) + 1]);
                if (r.W(i, c) < 0) p.fail("a signature value is negative");
            }
        }
        for (Eigen::Index c = 0; c < r.k; ++c)
            if (std::abs(r.W.col(c).sum() - 1.0) > 1e-9)
                p.fail("signature " + std::to_string(c + 1) + " of replicate " + f[2] + " of K = " + f[1] +
                       " does not sum to 1");
        s.fits.push_back(std::move(r));
    }
    if (f.size() != 3 || p.integer(f[1]) != static_cast<int>(s.fits.size()))
        p.fail("the #end line does not match the number of replicates");
    if (f[2] != p.digest())
        throw FormatError(path, p.reader().line_number(),
                          "the shard's content does not match its MD5 on the #end line: it was edited or damaged",
                          "rerun the extraction that wrote it (same --replicate-range and seed)");
    std::string extra;
    while (p.reader().next(extra))
        if (!extra.empty()) p.fail("text after #end");
    // The fits must be exactly the header's K's x range, in order.
    std::size_t at = 0;
    for (int k : plan.ks)
        for (int i = plan.first; i < plan.last; ++i, ++at)
            if (at >= s.fits.size() || s.fits[at].k != k || s.fits[at].index != i)
                throw FormatError(path, 0,
                                  "the shard does not hold replicate " + std::to_string(i) +
                                      " of K = " + std::to_string(k) + " where its header says it should",
                                  "give shards written by `sigstream extract --shard-out`, complete and unchanged");
    if (at != s.fits.size())
        throw FormatError(path, 0, "the shard holds more replicates than its header lists",
                          "give shards written by `sigstream extract --shard-out`, complete and unchanged");
    return s;
}

}  // namespace sigstream
