// The count stage: somatic VCF/BCF files + the user's reference FASTA -> SBS6/SBS96/SBS1536 count matrices and
// a per-sample summary (the rules: count/count.h, docs/counting.md).
//
// Files: with `out` one context's matrix, with `out-prefix` P every context's P.<CONTEXT>.tsv, with `summary`
// the summary. In a run folder the defaults are counts.<CONTEXT>.tsv and counts.summary.tsv; on their own
// (`sigstream count`), a single context goes to standard output.
#include <charconv>

#include <filesystem>
#include "count/reference.h"
#include "count/summary_tsv.h"
#include "io/line_reader.h"
#include "io/matrix_tsv.h"
#include "io/tables.h"

#include "pipeline/stages.h"

namespace sigstream {

namespace {

std::vector<Context> parse_contexts(const SettingValue& v) {
    std::vector<Context> out;
    for (const std::string& item : v.list(true)) {
        const auto c = parse_context(item);
        if (!c) v.fail("names an unknown context '" + item + "'", "use sbs6, sbs96 and/or sbs1536, comma-separated");
        bool dup = false;
        for (Context x : out) dup |= x == *c;
        if (!dup) out.push_back(*c);
    }
    if (out.empty()) v.fail("names no context", "use sbs6, sbs96 and/or sbs1536");
    return out;
}

std::string context_list(const std::vector<Context>& contexts) {
    std::vector<std::string> names;
    for (Context c : contexts) {
        std::string n(context_name(c));
        for (char& ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        names.push_back(n);
    }
    return toml_string_array(names);
}

[[noreturn]] void contradiction() {
    throw UsageError("", 0, "--pass-only and --all-filters contradict each other", "give one of them");
}

}  // namespace

std::string_view CountStage::summary() const {
    return "count somatic SNVs from VCF/BCF into SBS6/SBS96/SBS1536 matrices";
}

const Schema<CountSettings>& CountStage::schema() const {
    using S = CountSettings;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Input")
            .input("ref", "FASTA",
                   "reference genome the variants were called against (plain or bgzipped; .fai built if "
                   "missing)",
                   [](S& x) -> std::string& { return x.ref; })
            .inputs("inputs", "INPUT", "VCF, VCF.gz or BCF files; `-` reads standard input (needs --sample)",
                    [](S& x) -> std::vector<std::string>& { return x.inputs; })
            .input("list", "FILE",
                   "file of inputs, one path per line; an optional TAB-separated second column names "
                   "the sample",
                   [](S& x) -> std::string& { return x.list; })
            .text("sample", "NAME", "sample name of the single input (otherwise ##tumor_sample= or the file name)",
                  [](S& x) -> std::string& { return x.sample; })
            .flag("per-genotype-sample",
                  "one column per VCF sample whose GT carries the ALT allele, instead of one per file",
                  [](S& x) -> bool& { return x.options.per_genotype_sample; })
            .input("regions", "BED", "count only variants inside these regions (BED, 0-based half-open)",
                   [](S& x) -> std::string& { return x.options.regions_bed; });
        k.section("Counting")
            .add(
                {"pass-only", "", "count only FILTER=PASS records (default: PASS or '.')"},
                [](S& x, const SettingValue& v) {
                    if (v.on() && x.options.filter == FilterMode::All) contradiction();
                    if (v.on())
                        x.options.filter = FilterMode::PassOnly;
                    else if (x.options.filter == FilterMode::PassOnly)
                        x.options.filter = FilterMode::PassOrMissing;
                },
                [](const S& x) { return std::string(x.options.filter == FilterMode::PassOnly ? "true" : "false"); })
            .add(
                {"all-filters", "", "count records whatever their FILTER"},
                [](S& x, const SettingValue& v) {
                    if (v.on() && x.options.filter == FilterMode::PassOnly) contradiction();
                    if (v.on())
                        x.options.filter = FilterMode::All;
                    else if (x.options.filter == FilterMode::All)
                        x.options.filter = FilterMode::PassOrMissing;
                },
                [](const S& x) { return std::string(x.options.filter == FilterMode::All ? "true" : "false"); })
            .choice<bool>("adjacent-snvs", "SNVs at consecutive positions are doublets: leave them out or count them",
                          {{"drop", false}, {"keep", true}}, [](S& x) -> bool& { return x.options.keep_adjacent_snvs; })
            .flag("split-mnv", "split MNV records (REF length > 1) into their SNVs instead of skipping them",
                  [](S& x) -> bool& { return x.options.split_mnv; })
            .flag("split-multiallelic", "count each ALT of multi-allelic records instead of skipping them",
                  [](S& x) -> bool& { return x.options.split_multiallelic; })
            .number("max-ref-mismatch", "FRACTION",
                    "fail when more than this fraction of SNVs disagree with the FASTA (wrong build)", 0.0, 1.0,
                    [](S& x) -> double& { return x.options.max_ref_mismatch; });
        k.section("Output")
            .add(
                {"context", "LIST", "comma-separated contexts: sbs6, sbs96, sbs1536"},
                [](S& x, const SettingValue& v) { x.contexts = parse_contexts(v); },
                [](const S& x) { return context_list(x.contexts); })
            .path("out", "FILE",
                  "output matrix for a single context; `-` = standard output; .gz compresses [default: -, or "
                  "counts.<CONTEXT>.tsv in a run folder]",
                  [](S& x) -> std::string& { return x.out; })
            .path("out-prefix", "P", "write P.SBS6.tsv, P.SBS96.tsv, P.SBS1536.tsv for the chosen contexts",
                  [](S& x) -> std::string& { return x.out_prefix; })
            .path("summary", "FILE",
                  "per-sample table of counted and skipped variants, by reason [default in a run "
                  "folder: counts.summary.tsv]",
                  [](S& x) -> std::string& { return x.summary; });
        return k;
    }();
    return s;
}

std::vector<std::string> CountStage::reads() const {
    std::vector<std::string> out = settings.inputs;
    out.push_back(settings.ref);
    out.push_back(settings.ref + ".fai");
    if (!settings.list.empty()) out.push_back(settings.list);
    std::error_code ec;  // the files it lists (a pipe or FIFO can be read only once: by run(), later)
    if (!settings.list.empty() && std::filesystem::is_regular_file(settings.list, ec))
        for (const CountInput& in : collect_inputs()) out.push_back(in.path);
    if (!settings.options.regions_bed.empty()) out.push_back(settings.options.regions_bed);
    return out;
}

std::vector<std::string> CountStage::writes(bool folder) const {
    const CountSettings& s = settings;
    std::vector<std::string> out;
    if (!s.out.empty()) {
        out.push_back(s.out);
    } else if (!s.out_prefix.empty() || folder) {
        const std::string prefix = s.out_prefix.empty() ? "counts" : s.out_prefix;
        for (Context c : s.contexts) out.push_back(prefix + "." + std::string(context_name(c)) + ".tsv");
    } else if (s.contexts.size() > 1) {
        throw UsageError("", 0, "several contexts need --out-prefix", "e.g. --out-prefix results/cohort");
    } else {
        out.push_back("-");
    }
    if (!s.summary.empty())
        out.push_back(s.summary);
    else if (folder)
        out.push_back("counts.summary.tsv");
    return out;
}

void CountStage::prepare(const std::vector<Data>&) {
    const CountSettings& s = settings;
    if (s.ref.empty())
        throw UsageError("", 0, "--ref is required", "give the reference FASTA the variants were called against");
    if (s.inputs.empty() && s.list.empty())
        throw UsageError("", 0, "no input files", "give VCF/BCF paths, `-`, or --list FILE");
    if (!s.out.empty() && !s.out_prefix.empty())
        throw UsageError("", 0, "--out and --out-prefix contradict each other", "give one of them");
    if (!s.out.empty() && s.contexts.size() > 1)
        throw UsageError("", 0, "several contexts need --out-prefix", "e.g. --out-prefix results/cohort");
    if (!s.sample.empty() && s.options.per_genotype_sample)
        throw UsageError("", 0, "--sample and --per-genotype-sample contradict each other",
                         "with --per-genotype-sample the columns take the VCF's sample names");
}

std::vector<CountInput> CountStage::collect_inputs() const {
    std::vector<CountInput> inputs;
    for (const auto& p : settings.inputs) inputs.push_back(CountInput{p, ""});
    if (!settings.list.empty()) {
        LineReader list(settings.list);
        std::string line;
        while (list.next(line)) {
            if (line.find_first_not_of(" \t") == std::string::npos || line[0] == '#') continue;  // blank, comment
            const std::size_t tab = line.find('\t');
            CountInput in{line.substr(0, tab), tab == std::string::npos ? "" : line.substr(tab + 1)};
            auto trim = [](std::string& s) {
                while (!s.empty() && s.back() == ' ') s.pop_back();
                while (!s.empty() && s.front() == ' ') s.erase(0, 1);
            };
            trim(in.path);
            trim(in.sample);
            if (in.path.empty())
                throw FormatError(list.path(), list.line_number(), "empty path",
                                  "one path per line, optional TAB and sample name");
            if (in.sample.find('\t') != std::string::npos)
                throw FormatError(list.path(), list.line_number(), "more than two TAB-separated columns",
                                  "give a path and, optionally, a sample name");
            inputs.push_back(in);
        }
    }
    if (inputs.empty()) throw UsageError("", 0, "no input files", "give VCF/BCF paths, `-`, or --list FILE");
    if (!settings.sample.empty()) {
        if (inputs.size() != 1)
            throw UsageError("", 0,
                             "--sample names the column of a single input, but " + std::to_string(inputs.size()) +
                                 " inputs are given",
                             "name several samples with a --list file's second column");
        inputs[0].sample = settings.sample;
    }
    if (!settings.options.per_genotype_sample)
        for (const auto& in : inputs)
            if (in.path == "-" && in.sample.empty())
                throw UsageError("<stdin>", 0, "standard input has no file name to name its sample",
                                 "give the sample's name with --sample NAME");
    return inputs;
}

void CountStage::run(Workspace& ws, const RunSettings& run) {
    const std::vector<CountInput> inputs = collect_inputs();
    CountOptions options = settings.options;
    options.want_sbs1536 = false;
    for (Context c : settings.contexts) options.want_sbs1536 |= c == Context::SBS1536;
    const Reference ref(settings.ref);
    CountResult r = count_mutations(ref, inputs, options, run);
    for (const auto& w : r.warnings) run.warning(w);
    Counts c;
    for (Context ctx : settings.contexts)
        c.contexts.push_back(ctx == Context::SBS6 ? r.sbs6 : ctx == Context::SBS96 ? r.sbs96 : r.sbs1536);
    c.matrix = c.contexts.front();
    c.summary = std::move(r.summary);
    c.records = r.records;
    ws.counts = std::move(c);
}

void CountStage::write(const Workspace& ws, OutputSink& out) const {
    const std::vector<std::string> files = writes(out.is_folder());
    const Counts& c = *ws.counts;
    for (std::size_t i = 0; i < c.contexts.size(); ++i) write_count_matrix(c.contexts[i], out.open(files[i]));
    if (files.size() > c.contexts.size()) write_count_summary(c.summary, out.open(files.back()));
}

void CountStage::report(const Workspace& ws, TomlWriter& out) const {
    std::uint64_t counted = 0;
    for (const auto& s : ws.counts->summary) counted += s.counted;
    out.integer("samples", static_cast<long long>(ws.counts->matrix.columns.size()));
    out.unsigned_integer("counted", counted);
}

}  // namespace sigstream
