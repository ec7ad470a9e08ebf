// `sigstream count`: somatic VCF/BCF files + the user's reference FASTA → SBS count matrices.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/errors.h"
#include "io/count_tsv.h"
#include "io/line_reader.h"
#include "io/output_file.h"
#include "count/reference.h"
#include "count/count.h"

namespace sigstream::cli {

namespace {

Parser count_parser() {
    Parser p("count", "--ref genome.fa [options] INPUT...",
             "Counts somatic single-base substitutions in their trinucleotide (or wider) context and writes\n"
             "SigProfiler-compatible count matrices: one column per input file (or per VCF sample with\n"
             "--per-genotype-sample), one row per channel. The exact rules are in docs/counting.md.");
    p.positionals("INPUT...", "VCF, VCF.gz or BCF files; `-` reads standard input (needs --sample)");
    p.section("Input")
        .option("ref", "FASTA",
                "reference genome the variants were called against (plain or bgzipped; .fai built if missing)")
        .option("list", "FILE",
                "file of inputs, one path per line; an optional TAB-separated second column names the sample")
        .option("sample", "NAME", "sample name of the single input (otherwise ##tumor_sample= or the file name)")
        .flag("per-genotype-sample",
              "one column per VCF sample whose GT carries the ALT allele, instead of one per file")
        .option("regions", "BED", "count only variants inside these regions (BED, 0-based half-open)");
    p.section("Counting")
        .flag("pass-only", "count only FILTER=PASS records (default: PASS or '.')")
        .flag("all-filters", "count records whatever their FILTER")
        .option("adjacent-snvs", "drop|keep",
                "SNVs at consecutive positions are doublets: leave them out or count them", "drop")
        .flag("split-mnv", "split MNV records (REF length > 1) into their SNVs instead of skipping them")
        .flag("split-multiallelic", "count each ALT of multi-allelic records instead of skipping them")
        .option("max-ref-mismatch", "FRACTION",
                "fail when more than this fraction of SNVs disagree with the FASTA (wrong build)", "0.05");
    p.section("Output")
        .option("context", "LIST", "comma-separated contexts: sbs6, sbs96, sbs1536", "sbs96")
        .option("out", "FILE", "output matrix for a single context; `-` = standard output; .gz compresses", "-")
        .option("out-prefix", "P", "write P.SBS6.tsv, P.SBS96.tsv, P.SBS1536.tsv for the chosen contexts")
        .option("summary", "FILE", "per-sample table of counted and skipped variants, by reason")
        .option("threads", "N", "input files counted in parallel", "1")
        .flag("quiet", "no progress or warnings on stderr");
    return p;
}

std::vector<Context> parse_contexts(const std::string& list) {
    std::vector<Context> out;
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = list.find(',', start);
        std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto c = parse_context(item);
        if (!c)
            throw UsageError("", 0, "--context: unknown context '" + item + "'",
                             "use sbs6, sbs96 and/or sbs1536, comma-separated");
        bool dup = false;
        for (Context x : out) dup |= x == *c;
        if (!dup) out.push_back(*c);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::vector<CountInput> collect_inputs(const Args& args) {
    std::vector<CountInput> inputs;
    for (const auto& p : args.positionals()) inputs.push_back(CountInput{p, ""});
    if (args.has("list")) {
        LineReader list(args.get("list"));
        std::string line;
        while (list.next(line)) {
            if (line.empty() || line[0] == '#') continue;
            std::size_t tab = line.find('\t');
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
    return inputs;
}

std::string human_count(std::uint64_t n) {
    char buf[32];
    if (n >= 1000000)
        std::snprintf(buf, sizeof buf, "%.1fM", static_cast<double>(n) / 1e6);
    else if (n >= 1000)
        std::snprintf(buf, sizeof buf, "%.1fk", static_cast<double>(n) / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
    return buf;
}

int run_count(int argc, char** argv) {
    const Parser parser = count_parser();
    Args args = parser.parse(argc, argv);
    if (args.help()) {
        std::cout << parser.help_text();
        return 0;
    }
    if (!args.has("ref"))
        throw UsageError("", 0, "--ref is required", "give the reference FASTA the variants were called against");
    std::vector<CountInput> inputs = collect_inputs(args);
    if (inputs.empty()) throw UsageError("", 0, "no input files", "give VCF/BCF paths, `-`, or --list FILE");
    if (!args.has("sample") && !args.flag("per-genotype-sample"))
        for (const auto& in : inputs)
            if (in.path == "-" && in.sample.empty())
                throw UsageError("<stdin>", 0, "standard input has no file name to name its sample",
                                 "give the sample's name with --sample NAME");

    CountOptions opt;
    if (args.flag("pass-only") && args.flag("all-filters"))
        throw UsageError("", 0, "--pass-only and --all-filters contradict each other", "give one of them");
    opt.filter = args.flag("pass-only")     ? FilterMode::PassOnly
                 : args.flag("all-filters") ? FilterMode::All
                                            : FilterMode::PassOrMissing;
    std::string adjacent = args.get("adjacent-snvs", "drop");
    if (adjacent != "drop" && adjacent != "keep")
        throw UsageError("", 0, "--adjacent-snvs '" + adjacent + "' is not drop or keep", "see --help");
    opt.keep_adjacent_snvs = adjacent == "keep";
    opt.split_mnv = args.flag("split-mnv");
    opt.split_multiallelic = args.flag("split-multiallelic");
    opt.per_genotype_sample = args.flag("per-genotype-sample");
    opt.max_ref_mismatch = args.get_double("max-ref-mismatch", 0.05, 0.0, 1.0);
    opt.regions_bed = args.get("regions");
    opt.threads = static_cast<int>(args.get_int("threads", 1, 1, 1024));
    const bool quiet = args.flag("quiet");

    if (args.has("sample")) {
        if (inputs.size() != 1)
            throw UsageError("", 0,
                             "--sample names the column of a single input, but " + std::to_string(inputs.size()) +
                                 " inputs are given",
                             "name several samples with a --list file's second column");
        if (opt.per_genotype_sample)
            throw UsageError("", 0, "--sample and --per-genotype-sample contradict each other",
                             "with --per-genotype-sample the columns take the VCF's sample names");
        inputs[0].sample = args.get("sample");
    }

    std::vector<Context> contexts = parse_contexts(args.get("context", "sbs96"));
    opt.want_sbs1536 = false;
    for (Context c : contexts) opt.want_sbs1536 |= c == Context::SBS1536;
    std::vector<std::pair<Context, std::string>> outputs;
    if (args.has("out-prefix")) {
        if (args.has("out"))
            throw UsageError("", 0, "--out and --out-prefix contradict each other", "give one of them");
        for (Context c : contexts)
            outputs.emplace_back(c, args.get("out-prefix") + "." + std::string(context_name(c)) + ".tsv");
    } else {
        if (contexts.size() > 1)
            throw UsageError("", 0, "several contexts need --out-prefix", "e.g. --out-prefix results/cohort");
        outputs.emplace_back(contexts[0], args.get("out", "-"));
    }
    if (args.has("summary")) outputs.emplace_back(Context::SBS96, args.get("summary"));
    std::set<std::string> destinations;
    for (const auto& [c, path] : outputs) {
        OutputFile::check_writable(path);
        if (!destinations.insert(OutputFile::destination(path)).second)
            throw UsageError(path, 0, "two outputs would be written to the same place",
                             "give every matrix and the summary its own file");
    }
    if (args.has("summary")) outputs.pop_back();

    Reference ref(args.get("ref"));
    const bool tty = isatty(STDERR_FILENO);
    const auto start = std::chrono::steady_clock::now();
    auto last_report = start;
    CountProgressFn progress;
    if (!quiet) {
        progress = [&](const CountProgress& p) {
            auto now = std::chrono::steady_clock::now();
            double since = std::chrono::duration<double>(now - last_report).count();
            if (since < (tty ? 1.0 : 30.0)) return;
            last_report = now;
            double secs = std::chrono::duration<double>(now - start).count();
            std::fprintf(stderr, "%ssigstream count: %zu/%zu inputs, %s records, %s records/s%s", tty ? "\r" : "",
                         p.inputs_done, p.inputs_total, human_count(p.records).c_str(),
                         human_count(static_cast<std::uint64_t>(static_cast<double>(p.records) / secs)).c_str(),
                         tty ? "" : "\n");
        };
    }
    CountResult result = count_mutations(ref, inputs, opt, progress);
    if (!quiet && tty && last_report != start) std::fprintf(stderr, "\n");
    if (!quiet)
        for (const auto& w : result.warnings) warn("count", w);

    std::vector<std::unique_ptr<OutputFile>> files;
    for (const auto& [c, path] : outputs) {
        const CountMatrix& m = c == Context::SBS6 ? result.sbs6 : c == Context::SBS96 ? result.sbs96 : result.sbs1536;
        files.push_back(std::make_unique<OutputFile>(path));
        write_count_matrix(m, files.back()->stream());
    }
    if (args.has("summary")) {
        files.push_back(std::make_unique<OutputFile>(args.get("summary")));
        write_count_summary(result.summary, files.back()->stream());
    }
    for (auto& f : files) f->finish();  // every file complete before any appears
    for (auto& f : files) f->commit();
    if (!quiet) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::uint64_t counted = 0;
        for (const auto& s : result.summary) counted += s.counted;
        std::fprintf(stderr, "sigstream count: %zu sample(s), %s records read, %s SNVs counted in %.1f s\n",
                     result.summary.size(), human_count(result.records).c_str(), human_count(counted).c_str(), secs);
    }
    return 0;
}

}  // namespace

int count_main(int argc, char** argv) {
    return guarded("count", [&] { return run_count(argc, argv); });
}

}  // namespace sigstream::cli
