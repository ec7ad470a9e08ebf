// Unit tests of the counting stage (sigstream::count_mutations), one test per rule of docs/counting.md.
//
// Every expected count below was worked out by hand from docs/counting.md, never by running the code;
// each test says how. Positions are 1-based VCF positions; "window p-2..p+2" lists the FASTA bases
// around the SNV. For a purine REF (A/G) the window is reverse-complemented: complement every base,
// then read it backwards, and the ALT is complemented.
//
// Most tests share the reference contig S2 (25 bases):
//
//   pos  1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25
//   base T A C G G C A T T C  A  G  C  T  A  G  T  C  A  A  G  C  T  A  C
#include <fcntl.h>
#include <htslib/hts.h>
#include <htslib/vcf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/channels.h"
#include "core/errors.h"
#include "count/count.h"
#include "count/reference.h"
#include "test_util.h"

namespace sigstream {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_file;
using Counts = std::map<std::string, std::uint64_t>;
using Skips = std::map<Skip, std::uint64_t>;
using Contigs = std::vector<std::pair<std::string, std::string>>;

const std::string kS2 = "TACGGCATTCAGCTAGTCAAGCTAC";

// ------------------------------------------------------------------------------------------ helpers

void write_fasta(const std::string& path, const Contigs& contigs, std::size_t width = 60) {
    std::string text;
    for (const auto& [name, seq] : contigs) {
        text += ">" + name + "\n";
        for (std::size_t i = 0; i < seq.size(); i += width) text += seq.substr(i, width) + "\n";
    }
    write_file(path, text);
}

// One VCF record without genotypes.
std::string rec(const std::string& chrom, int pos, const std::string& ref, const std::string& alt,
                const std::string& filter = "PASS") {
    return chrom + "\t" + std::to_string(pos) + "\t.\t" + ref + "\t" + alt + "\t.\t" + filter + "\t.";
}

// One VCF record with a GT column per sample.
std::string gt_rec(const std::string& chrom, int pos, const std::string& ref, const std::string& alt,
                   const std::string& filter, const std::vector<std::string>& gts) {
    std::string s = rec(chrom, pos, ref, alt, filter) + "\tGT";
    for (const auto& g : gts) s += "\t" + g;
    return s;
}

std::string vcf_text(const std::vector<std::string>& records, const std::string& extra_header = "",
                     const std::vector<std::string>& samples = {}) {
    std::string s = "##fileformat=VCFv4.2\n" + extra_header + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO";
    if (!samples.empty()) {
        s += "\tFORMAT";
        for (const auto& n : samples) s += "\t" + n;
    }
    s += "\n";
    for (const auto& r : records) s += r + "\n";
    return s;
}

std::string write_vcf(const TempDir& dir, const std::string& name, const std::vector<std::string>& records,
                      const std::string& extra_header = "", const std::vector<std::string>& samples = {}) {
    std::string path = dir.file(name);
    write_file(path, vcf_text(records, extra_header, samples));
    return path;
}

// Converts a VCF into BCF with htslib's own reader and writer.
void vcf_to_bcf(const std::string& vcf, const std::string& bcf) {
    htsFile* in = hts_open(vcf.c_str(), "r");
    ASSERT_NE(in, nullptr);
    bcf_hdr_t* hdr = bcf_hdr_read(in);
    ASSERT_NE(hdr, nullptr);
    htsFile* out = hts_open(bcf.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    ASSERT_EQ(bcf_hdr_write(out, hdr), 0);
    bcf1_t* b = bcf_init();
    int r;
    while ((r = bcf_read(in, hdr, b)) == 0) ASSERT_EQ(bcf_write(out, hdr, b), 0);
    EXPECT_EQ(r, -1);
    bcf_destroy(b);
    bcf_hdr_destroy(hdr);
    EXPECT_EQ(hts_close(out), 0);
    EXPECT_EQ(hts_close(in), 0);
}

CountResult count(const std::string& fasta, const std::vector<CountInput>& inputs, const CountOptions& opt = {},
                  int threads = 1) {
    Reference ref(fasta);
    RunSettings run;
    run.threads = threads;
    return count_mutations(ref, inputs, opt, run);
}

// Column `col` of `m` holds exactly `expected` (label -> count) and zero everywhere else.
void expect_column(const LabelledMatrix& m, std::size_t col, const Counts& expected) {
    const auto& labels = channel_labels(m.context);
    for (const auto& [label, n] : expected)
        EXPECT_GE(channel_index(m.context, label), 0) << "typo in the test: no channel " << label;
    ASSERT_LT(col, m.columns.size());
    for (std::size_t ch = 0; ch < labels.size(); ++ch) {
        auto it = expected.find(labels[ch]);
        std::uint64_t want = it == expected.end() ? 0 : it->second;
        EXPECT_EQ(m.at(ch, col), want) << context_name(m.context) << " " << labels[ch] << ", column " << col;
    }
}

// The summary counts exactly `counted` SNVs and `skipped` skips, zero for every other reason.
void expect_summary(const StreamSummary& s, std::uint64_t counted, const Skips& skipped) {
    EXPECT_EQ(s.counted, counted) << "sample " << s.sample;
    for (std::size_t i = 0; i < kSkipReasons; ++i) {
        Skip why = static_cast<Skip>(i);
        auto it = skipped.find(why);
        std::uint64_t want = it == skipped.end() ? 0 : it->second;
        EXPECT_EQ(s[why], want) << "sample " << s.sample << ", skip reason " << skip_name(why);
    }
}

bool any_warning_contains(const CountResult& r, const std::string& what) {
    return std::any_of(r.warnings.begin(), r.warnings.end(),
                       [&](const std::string& w) { return w.find(what) != std::string::npos; });
}

// Replaces file descriptor 0 while alive.
class StdinFrom {
public:
    explicit StdinFrom(const std::string& path) : saved_(dup(0)) {
        int fd = open(path.c_str(), O_RDONLY);
        EXPECT_GE(fd, 0);
        dup2(fd, 0);
        close(fd);
    }
    ~StdinFrom() {
        dup2(saved_, 0);
        close(saved_);
    }
    StdinFrom(const StdinFrom&) = delete;
    StdinFrom& operator=(const StdinFrom&) = delete;

private:
    int saved_;
};

// ---------------------------------------------------------------- pyrimidine convention and context

// Contig P = GACTGCATGAGCCAAT:  1 G, 2 A, 3 C, 4 T, 5 G, 6 C, 7 A, 8 T, 9 G, 10 A, 11 G, 12 C, 13 C, 14 A, 15 A, 16 T
const std::string kP = "GACTGCATGAGCCAAT";

TEST(CountPyrimidine, PyrimidineRefIsKeptAsIs) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kP}});
    // pos 3 C>T: window 1..5 G A C T G -> A[C>T]T, GA[C>T]TG
    // pos 8 T>G: window 6..10 C A T G A -> A[T>G]G, CA[T>G]GA
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 3, "C", "T"), rec("chr1", 8, "T", "G")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 2, {});
    expect_column(r.sbs96, 0, {{"A[C>T]T", 1}, {"A[T>G]G", 1}});
    expect_column(r.sbs1536, 0, {{"GA[C>T]TG", 1}, {"CA[T>G]GA", 1}});
    expect_column(r.sbs6, 0, {{"C>T", 1}, {"T>G", 1}});
}

TEST(CountPyrimidine, PurineRefIsReverseComplementedWithOuterBases) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kP}});
    // pos 5 G>A: window 3..7 C T G C A, reverse complement T G C A G, ALT A->T: G[C>T]A, TG[C>T]AG
    //   (the 5' outer base T is the complement of the 3' outer A at pos 7, the 3' outer G that of C at pos 3)
    // pos 10 A>G: window 8..12 T G A G C, reverse complement G C T C A, ALT G->C: C[T>C]C, GC[T>C]CA
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 5, "G", "A"), rec("chr1", 10, "A", "G")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 2, {});
    expect_column(r.sbs96, 0, {{"G[C>T]A", 1}, {"C[T>C]C", 1}});
    expect_column(r.sbs1536, 0, {{"TG[C>T]AG", 1}, {"GC[T>C]CA", 1}});
    expect_column(r.sbs6, 0, {{"C>T", 1}, {"T>C", 1}});
}

TEST(CountSbs6, IsTheCollapseOfSbs96) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kP}});
    // The four SNVs of the two tests above: SBS96 A[C>T]T, G[C>T]A, A[T>G]G, C[T>C]C -> SBS6 C>T 2, T>G 1, T>C 1.
    std::string vcf = write_vcf(
        dir, "s.vcf",
        {rec("chr1", 3, "C", "T"), rec("chr1", 5, "G", "A"), rec("chr1", 8, "T", "G"), rec("chr1", 10, "A", "G")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_column(r.sbs6, 0, {{"C>T", 2}, {"T>G", 1}, {"T>C", 1}});
    // And in general: each SBS6 row is the sum of the 16 SBS96 rows with its substitution.
    const auto& l6 = channel_labels(Context::SBS6);
    const auto& l96 = channel_labels(Context::SBS96);
    for (std::size_t s = 0; s < 6; ++s) {
        std::uint64_t sum = 0;
        for (std::size_t ch = 0; ch < 96; ++ch)
            if (l96[ch].substr(2, 3) == l6[s]) sum += r.sbs96.at(ch, 0);
        EXPECT_EQ(r.sbs6.at(s, 0), sum) << l6[s];
    }
}

TEST(CountSbs1536, DisabledLeavesTheMatrixEmpty) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kP}});
    // pos 3 C>T -> A[C>T]T (see CountPyrimidine.PyrimidineRefIsKeptAsIs)
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 3, "C", "T")});
    CountOptions opt;
    opt.want_sbs1536 = false;
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    EXPECT_EQ(r.sbs1536.values.size(), 0);
    expect_column(r.sbs96, 0, {{"A[C>T]T", 1}});
}

TEST(CountSoftMasked, LowercaseFastaAndVcfBasesCountAsUppercase) {
    TempDir dir;
    // kP with a mix of lowercase (soft-masked) bases: GActGCatGAgcCAat upper-cases to GACTGCATGAGCCAAT.
    write_fasta(dir.file("ref.fa"), {{"chr1", "GActGCatGAgcCAat"}});
    // Same four SNVs as CountSbs6 (REF/ALT of pos 8 and pos 10 written in lowercase), so the same channels:
    // pos 3 (FASTA c, context a/t lowercase) A[C>T]T GA[C>T]TG; pos 5 G[C>T]A TG[C>T]AG;
    // pos 8 (FASTA t) A[T>G]G CA[T>G]GA; pos 10 C[T>C]C GC[T>C]CA.
    std::string vcf = write_vcf(
        dir, "s.vcf",
        {rec("chr1", 3, "C", "T"), rec("chr1", 5, "G", "A"), rec("chr1", 8, "t", "g"), rec("chr1", 10, "a", "G")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 4, {});
    expect_column(r.sbs96, 0, {{"A[C>T]T", 1}, {"G[C>T]A", 1}, {"A[T>G]G", 1}, {"C[T>C]C", 1}});
    expect_column(r.sbs1536, 0, {{"GA[C>T]TG", 1}, {"TG[C>T]AG", 1}, {"CA[T>G]GA", 1}, {"GC[T>C]CA", 1}});
}

// ---------------------------------------------------------------- REF mismatch (check 9, wrong build)

// Contig of "ACGT" repeated: every position p = 3 (mod 4) is a G in the window A C G T A, whose reverse
// complement is T A C G T: G>A there is A[C>T]G, TA[C>T]GT.
std::string acgt_repeat(int times) {
    std::string s;
    for (int i = 0; i < times; ++i) s += "ACGT";
    return s;
}

// `n` G>A SNVs at 3, 7, 11, ...; the first `mismatches` of them give REF T (the FASTA has G).
std::vector<std::string> g_snvs(int n, int mismatches) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(rec("chr1", 3 + 4 * i, i < mismatches ? "T" : "G", "A"));
    return out;
}

TEST(CountRefMismatch, CountedInTheSummary) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", acgt_repeat(22)}});  // 88 bases, pos 88 = T
    CountOptions opt;
    opt.max_ref_mismatch = 1.0;  // look at the tally only
    std::string vcf = write_vcf(dir, "s.vcf",
                                {rec("chr1", 3, "G", "A"),      // counted: A[C>T]G, TA[C>T]GT
                                 rec("chr1", 7, "T", "A"),      // FASTA G != REF T: RefMismatch
                                 rec("chr1", 11, "g", "a"),     // lowercase REF equals FASTA G: counted
                                 rec("chr1", 88, "C", "T"),     // last base: ContigEdge (check 8 before 9)
                                 rec("chr1", 200, "A", "G")});  // past the contig's end: RefMismatch
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 2, {{Skip::RefMismatch, 2}, {Skip::ContigEdge, 1}});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 2}});
    expect_column(r.sbs1536, 0, {{"TA[C>T]GT", 2}});
}

TEST(CountRefMismatch, JustUnderOrAtTheDefaultThresholdPasses) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", acgt_repeat(22)}});
    // 1 of 21 = 4.8% < 5%: passes, 20 counted A[C>T]G.
    std::string under = write_vcf(dir, "under.vcf", g_snvs(21, 1));
    CountResult r = count(dir.file("ref.fa"), {{under, ""}});
    expect_summary(r.summary.at(0), 20, {{Skip::RefMismatch, 1}});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 20}});
    // 1 of 20 = exactly 5%: not *above* --max-ref-mismatch, passes.
    std::string at = write_vcf(dir, "at.vcf", g_snvs(20, 1));
    r = count(dir.file("ref.fa"), {{at, ""}});
    expect_summary(r.summary.at(0), 19, {{Skip::RefMismatch, 1}});
}

TEST(CountRefMismatch, JustOverTheDefaultThresholdIsDataError) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", acgt_repeat(22)}});
    // 1 of 19 = 5.3% > 5%.
    std::string over = write_vcf(dir, "over.vcf", g_snvs(19, 1));
    EXPECT_THROW(count(dir.file("ref.fa"), {{over, ""}}), DataError);
    // SNVs stopped at ContigEdge (pos 1 and 88) never reach check 9, so they do not dilute the ratio:
    // still 1 of 19 (it would be 1 of 21, under 5%, if they were counted).
    std::vector<std::string> recs = {rec("chr1", 1, "A", "G")};
    for (const auto& x : g_snvs(19, 1)) recs.push_back(x);
    recs.push_back(rec("chr1", 88, "T", "C"));
    std::string with_edges = write_vcf(dir, "edges.vcf", recs);
    EXPECT_THROW(count(dir.file("ref.fa"), {{with_edges, ""}}), DataError);
}

TEST(CountRefMismatch, MaxRefMismatchOptionIsHonoured) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", acgt_repeat(22)}});
    // 2 of 20 = 10%.
    std::string vcf = write_vcf(dir, "s.vcf", g_snvs(20, 2));
    EXPECT_THROW(count(dir.file("ref.fa"), {{vcf, ""}}), DataError);  // default 5%
    CountOptions opt;
    opt.max_ref_mismatch = 0.10;  // 10% is not above 10%
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 18, {{Skip::RefMismatch, 2}});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 18}});
    opt.max_ref_mismatch = 0.09;
    EXPECT_THROW(count(dir.file("ref.fa"), {{vcf, ""}}, opt), DataError);
    // 0 tolerates nothing: 1 of 21 fails.
    opt.max_ref_mismatch = 0.0;
    std::string one = write_vcf(dir, "one.vcf", g_snvs(21, 1));
    EXPECT_THROW(count(dir.file("ref.fa"), {{one, ""}}, opt), DataError);
}

// ---------------------------------------------------------------- ambiguous bases in the context

// Contig A = ACNTGACRTANGCATGTAYCGAAC:
//   1 A, 2 C, 3 N, 4 T, 5 G, 6 A, 7 C, 8 R, 9 T, 10 A, 11 N, 12 G, 13 C, 14 A, 15 T, 16 G, 17 T, 18 A,
//   19 Y, 20 C, 21 G, 22 A, 23 A, 24 C
const std::string kAmb = "ACNTGACRTANGCATGTAYCGAAC";

TEST(CountAmbiguousContext, NOrIupacNextToTheSnvIsSkipped) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kAmb}});
    // pos 4 T>A: 5' neighbour pos 3 is N -> AmbiguousContext
    // pos 7 C>A: 3' neighbour pos 8 is R -> AmbiguousContext
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 4, "T", "A"), rec("chr1", 7, "C", "A")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 0, {{Skip::AmbiguousContext, 2}});
    expect_column(r.sbs96, 0, {});
    expect_column(r.sbs1536, 0, {});
}

TEST(CountAmbiguousContext, NOrIupacTwoAwayCountsInSbs96Only) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kAmb}});
    // pos 13 C>G: window 11..15 N G C A T -> G[C>G]A; N at -2: NoSbs1536Context
    // pos 17 T>C: window 15..19 T G T A Y -> G[T>C]A; Y at +2: NoSbs1536Context
    // pos 21 G>T: window 19..23 Y C G A A, reverse complement T T C G R (Y pairs with R), ALT T->A -> T[C>A]G;
    //   the ambiguous base is now the 3' outer one: NoSbs1536Context
    std::string vcf =
        write_vcf(dir, "s.vcf", {rec("chr1", 13, "C", "G"), rec("chr1", 17, "T", "C"), rec("chr1", 21, "G", "T")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 3, {{Skip::NoSbs1536Context, 3}});
    expect_column(r.sbs96, 0, {{"G[C>G]A", 1}, {"G[T>C]A", 1}, {"T[C>A]G", 1}});
    expect_column(r.sbs6, 0, {{"C>G", 1}, {"T>C", 1}, {"C>A", 1}});
    expect_column(r.sbs1536, 0, {});
}

// ---------------------------------------------------------------- contig edges

// Contig "first" = CATGACGA (1 C, 2 A, 3 T, 4 G, 5 A, 6 C, 7 G, 8 A); contig "second" = TTGCA (1 T, 2 T, 3 G, 4 C, 5
// A).
const Contigs kEdgeRef = {{"first", "CATGACGA"}, {"second", "TTGCA"}};

TEST(CountContigEdge, FirstAndLastBaseAreSkipped) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), kEdgeRef);
    std::string vcf =
        write_vcf(dir, "s.vcf",
                  {rec("first", 1, "C", "T"),     // first base: ContigEdge
                   rec("first", 4, "G", "T"),     // window 2..6 A T G A C, rev comp G T C A T: T[C>A]A, GT[C>A]AT
                   rec("first", 8, "A", "T"),     // last base: ContigEdge
                   rec("second", 1, "T", "C"),    // first base of the second contig: ContigEdge
                   rec("second", 5, "A", "C")});  // last base of the second contig: ContigEdge
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 1, {{Skip::ContigEdge, 4}});
    expect_column(r.sbs96, 0, {{"T[C>A]A", 1}});
    expect_column(r.sbs1536, 0, {{"GT[C>A]AT", 1}});
}

TEST(CountContigEdge, SecondAndSecondToLastBaseMissOnlySbs1536) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), kEdgeRef);
    std::string vcf = write_vcf(dir, "s.vcf",
                                {rec("first", 2, "A", "C"),     // window 1..3 C A T, rev comp A T G, ALT C->G: A[T>G]G
                                 rec("first", 7, "G", "A"),     // window 6..8 C G A, rev comp T C G, ALT A->T: T[C>T]G
                                 rec("second", 2, "T", "G"),    // window 1..3 T T G: T[T>G]G
                                 rec("second", 4, "C", "A")});  // window 3..5 G C A: G[C>A]A
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    // Each lacks the base at -2 or +2: counted, NoSbs1536Context.
    expect_summary(r.summary.at(0), 4, {{Skip::NoSbs1536Context, 4}});
    expect_column(r.sbs96, 0, {{"A[T>G]G", 1}, {"T[C>T]G", 1}, {"T[T>G]G", 1}, {"G[C>A]A", 1}});
    expect_column(r.sbs1536, 0, {});
}

// ---------------------------------------------------------------- contig names

// Three contigs whose position 3 is a C in three different trinucleotides, so the channel tells which
// contig a record was looked up in: TTCAGGT pos 3 C>T = T[C>T]A; AACGGTT = A[C>T]G; GGCTTAA = G[C>T]T.
const std::string kCtxTA = "TTCAGGT", kCtxAG = "AACGGTT", kCtxGT = "GGCTTAA";

TEST(CountContigAlias, VcfWithoutChrFindsFastaWithChrAndMtFindsChrM) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kCtxTA}, {"chr2", kCtxAG}, {"chrM", kCtxGT}});
    std::string vcf = write_vcf(dir, "s.vcf",
                                {rec("1", 3, "C", "T"),     // -> chr1: T[C>T]A
                                 rec("2", 3, "C", "T"),     // -> chr2: A[C>T]G
                                 rec("MT", 3, "C", "T")});  // -> chrM: G[C>T]T
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 3, {});
    expect_column(r.sbs96, 0, {{"T[C>T]A", 1}, {"A[C>T]G", 1}, {"G[C>T]T", 1}});
}

TEST(CountContigAlias, VcfWithChrFindsFastaWithoutChrAndChrMFindsMt) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"1", kCtxTA}, {"2", kCtxAG}, {"MT", kCtxGT}});
    std::string vcf = write_vcf(dir, "s.vcf",
                                {rec("chr1", 3, "C", "T"),    // -> 1: T[C>T]A
                                 rec("chr2", 3, "C", "T"),    // -> 2: A[C>T]G
                                 rec("chrM", 3, "C", "T")});  // -> MT: G[C>T]T
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 3, {});
    expect_column(r.sbs96, 0, {{"T[C>T]A", 1}, {"A[C>T]G", 1}, {"G[C>T]T", 1}});
}

TEST(CountContigAlias, ExactNameWinsOverHarmonisedName) {
    TempDir dir;
    // Both "chr1" and "1" exist: VCF "1" must use "1" (A[C>T]G), not "chr1" (T[C>T]A).
    write_fasta(dir.file("ref.fa"), {{"chr1", kCtxTA}, {"1", kCtxAG}});
    std::string vcf = write_vcf(dir, "s.vcf", {rec("1", 3, "C", "T")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}});
}

// ---------------------------------------------------------------- unknown contigs (check 7, wrong reference)

TEST(CountUnknownContig, FewAreSkippedWithAWarning) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // 3 SNVs on chr1 (3 C>T A[C>T]G, 10 C>G T[C>G]A, 13 C>A G[C>A]T), 1 on chrUn: 1 of 4 unknown.
    std::string vcf = write_vcf(
        dir, "s.vcf",
        {rec("chr1", 3, "C", "T"), rec("chr1", 10, "C", "G"), rec("chr1", 13, "C", "A"), rec("chrUn", 5, "A", "G")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 3, {{Skip::UnknownContig, 1}});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}, {"T[C>G]A", 1}, {"G[C>A]T", 1}});
    EXPECT_TRUE(any_warning_contains(r, "chrUn"));
}

TEST(CountUnknownContig, ExactlyHalfStillPasses) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // 1 of 2 SNVs unknown: not *more* than half. Indels on chrUn stop at check 5 and never reach check 7,
    // so they are neither UnknownContig nor part of the ratio.
    std::string vcf = write_vcf(
        dir, "s.vcf",
        {rec("chr1", 3, "C", "T"), rec("chrUn", 5, "A", "AT"), rec("chrUn", 8, "TG", "T"), rec("chrUn", 12, "G", "T")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 1, {{Skip::UnknownContig, 1}, {Skip::Indel, 2}});
    EXPECT_TRUE(any_warning_contains(r, "chrUn"));
}

TEST(CountUnknownContig, MostIsDataError) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // 2 of 3 SNVs unknown: more than half.
    std::string vcf =
        write_vcf(dir, "s.vcf", {rec("chr1", 3, "C", "T"), rec("chrUn", 5, "A", "G"), rec("chrUn", 7, "A", "G")});
    EXPECT_THROW(count(dir.file("ref.fa"), {{vcf, ""}}), DataError);
}

// ---------------------------------------------------------------- duplicates (check 11)

TEST(CountDuplicate, SamePositionAndAltCountsOnce) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf",
                                {rec("chr1", 3, "C", "T"),              // A[C>T]G, TA[C>T]GG
                                 rec("chr1", 3, "C", "T"),              // Duplicate
                                 rec("chr1", 3, "c", "t"),              // Duplicate (case does not matter)
                                 rec("chr1", 3, "C", "G"),              // other ALT: A[C>G]G, TA[C>G]GG
                                 rec("chr1", 10, "C", "A", "LowQual"),  // Filtered: never passed checks 7-10...
                                 rec("chr1", 10, "C", "A")});  // ...so this is no duplicate: T[C>A]A, TT[C>A]AG
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 3, {{Skip::Duplicate, 2}, {Skip::Filtered, 1}});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}, {"A[C>G]G", 1}, {"T[C>A]A", 1}});
    expect_column(r.sbs1536, 0, {{"TA[C>T]GG", 1}, {"TA[C>G]GG", 1}, {"TT[C>A]AG", 1}});
}

TEST(CountDuplicate, IsCheckedBeforeDoublet) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // 5 G>A twice and 6 C>T: the second 5 G>A stops at check 11 (Duplicate); the first and 6 C>T are a
    // doublet (check 12).
    std::string vcf =
        write_vcf(dir, "s.vcf", {rec("chr1", 5, "G", "A"), rec("chr1", 5, "G", "A"), rec("chr1", 6, "C", "T")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 0, {{Skip::Duplicate, 1}, {Skip::Doublet, 2}});
}

// ---------------------------------------------------------------- adjacent SNVs (check 12)

// S2 channels used below:
//   5 G>A: window 3..7 C G G C A, rev comp T G C C G, ALT A->T: G[C>T]C, TG[C>T]CG
//   6 C>T: window 4..8 G G C A T: G[C>T]A, GG[C>T]AT
//  12 G>T: window 10..14 C A G C T, rev comp A G C T G, ALT T->A: G[C>A]T, AG[C>A]TG
//  13 C>A: window 11..15 A G C T A: G[C>A]T, AG[C>A]TA
//  14 T>C: window 12..16 G C T A G: C[T>C]A, GC[T>C]AG

TEST(CountAdjacentSnvs, DropSkipsBothMembersOfADoublet) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 5, "G", "A"), rec("chr1", 6, "C", "T")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 0, {{Skip::Doublet, 2}});
    expect_column(r.sbs96, 0, {});
}

TEST(CountAdjacentSnvs, DropSkipsEveryMemberOfATriplet) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf =
        write_vcf(dir, "s.vcf", {rec("chr1", 12, "G", "T"), rec("chr1", 13, "C", "A"), rec("chr1", 14, "T", "C")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 0, {{Skip::Doublet, 3}});
    expect_column(r.sbs96, 0, {});
}

TEST(CountAdjacentSnvs, KeepCountsThem) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf",
                                {rec("chr1", 5, "G", "A"), rec("chr1", 6, "C", "T"), rec("chr1", 12, "G", "T"),
                                 rec("chr1", 13, "C", "A"), rec("chr1", 14, "T", "C")});
    CountOptions opt;
    opt.keep_adjacent_snvs = true;
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 5, {});
    expect_column(r.sbs96, 0, {{"G[C>T]C", 1}, {"G[C>T]A", 1}, {"G[C>A]T", 2}, {"C[T>C]A", 1}});
    expect_column(r.sbs1536, 0,
                  {{"TG[C>T]CG", 1}, {"GG[C>T]AT", 1}, {"AG[C>A]TG", 1}, {"AG[C>A]TA", 1}, {"GC[T>C]AG", 1}});
}

TEST(CountAdjacentSnvs, FilteredNeighbourIsNotADoublet) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // 9 T>G is filtered (check 2) so never passes 7-11; 10 C>G (window 8..12 T T C A G: T[C>G]A, TT[C>G]AG) counts.
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 9, "T", "G", "LowQual"), rec("chr1", 10, "C", "G")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 1, {{Skip::Filtered, 1}});
    expect_column(r.sbs96, 0, {{"T[C>G]A", 1}});
    expect_column(r.sbs1536, 0, {{"TT[C>G]AG", 1}});
    // With --all-filters both pass, and they are a doublet.
    CountOptions all;
    all.filter = FilterMode::All;
    r = count(dir.file("ref.fa"), {{vcf, ""}}, all);
    expect_summary(r.summary.at(0), 0, {{Skip::Doublet, 2}});
}

TEST(CountAdjacentSnvs, IndelNeighbourIsNotADoublet) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // Insertion at 17 between SNVs at 16 and 18 (which are two apart, not adjacent to each other):
    // 16 G>C: window 14..18 T A G T C, rev comp G A C T A, ALT C->G: A[C>G]T, GA[C>G]TA
    // 18 C>A: window 16..20 G T C A A: T[C>A]A, GT[C>A]AA
    std::string vcf =
        write_vcf(dir, "s.vcf", {rec("chr1", 16, "G", "C"), rec("chr1", 17, "T", "TA"), rec("chr1", 18, "C", "A")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 2, {{Skip::Indel, 1}});
    expect_column(r.sbs96, 0, {{"A[C>G]T", 1}, {"T[C>A]A", 1}});
    expect_column(r.sbs1536, 0, {{"GA[C>G]TA", 1}, {"GT[C>A]AA", 1}});
}

// ---------------------------------------------------------------- multi-allelic (check 3)

TEST(CountMultiallelic, SkippedByDefaultOncePerRecord) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 3, "C", "T,G"), rec("chr1", 10, "C", "CA,T")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 0, {{Skip::Multiallelic, 2}});
    expect_column(r.sbs96, 0, {});
}

TEST(CountMultiallelic, SplitSendsEachAlleleOnAlone) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // 3 C>T,G: window 1..5 T A C G G: A[C>T]G TA[C>T]GG and A[C>G]G TA[C>G]GG (same position, other ALT:
    //   not duplicates, not doublets)
    // 10 C>CA,T: the insertion counts one Indel; C>T: window 8..12 T T C A G: T[C>T]A, TT[C>T]AG
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 3, "C", "T,G"), rec("chr1", 10, "C", "CA,T")});
    CountOptions opt;
    opt.split_multiallelic = true;
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 3, {{Skip::Indel, 1}});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}, {"A[C>G]G", 1}, {"T[C>T]A", 1}});
    expect_column(r.sbs1536, 0, {{"TA[C>T]GG", 1}, {"TA[C>G]GG", 1}, {"TT[C>T]AG", 1}});
}

// ---------------------------------------------------------------- MNVs (check 6)

// Contig M = ATCCAGTCAGGTAC: 1 A, 2 T, 3 C, 4 C, 5 A, 6 G, 7 T, 8 C, 9 A, 10 G, 11 G, 12 T, 13 A, 14 C
//   3 C>T: window 1..5 A T C C A: T[C>T]C, AT[C>T]CA
//   4 C>T: window 2..6 T C C A G: C[C>T]A, TC[C>T]AG
//   8 C>T: window 6..10 G T C A G: T[C>T]A, GT[C>T]AG
//  10 G>A: window 8..12 C A G G T, rev comp A C C T G, ALT A->T: C[C>T]T, AC[C>T]TG
//  11 G>C: window 9..13 A G G T A, rev comp T A C C T, ALT C->G: A[C>G]C, TA[C>G]CT
const std::string kMnv = "ATCCAGTCAGGTAC";

TEST(CountMnv, SkippedByDefault) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kMnv}});
    // CC>TT at 3 and CAG>TAA at 8 are MNVs; 11 G>C is next to the MNV's last base but no doublet: A[C>G]C.
    std::string vcf =
        write_vcf(dir, "s.vcf", {rec("chr1", 3, "CC", "TT"), rec("chr1", 8, "CAG", "TAA"), rec("chr1", 11, "G", "C")});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 1, {{Skip::MNV, 2}});
    expect_column(r.sbs96, 0, {{"A[C>G]C", 1}});
}

TEST(CountMnv, SplitGivesSnvsThatAreNotDoubletsOfEachOther) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kMnv}});
    // CC>TT at 3 -> 3 C>T and 4 C>T, adjacent but from one record: both counted.
    // CAG>TAA at 8 -> 8 C>T and 10 G>A (offset 1 is unchanged).
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 3, "CC", "TT"), rec("chr1", 8, "CAG", "TAA")});
    CountOptions opt;
    opt.split_mnv = true;
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 4, {});
    expect_column(r.sbs96, 0, {{"T[C>T]C", 1}, {"C[C>T]A", 1}, {"T[C>T]A", 1}, {"C[C>T]T", 1}});
    expect_column(r.sbs1536, 0, {{"AT[C>T]CA", 1}, {"TC[C>T]AG", 1}, {"GT[C>T]AG", 1}, {"AC[C>T]TG", 1}});
}

TEST(CountMnv, SplitSnvNextToAnotherRecordIsADoublet) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kMnv}});
    // CAG>TAA at 8 -> 8 C>T (counted, T[C>T]A) and 10 G>A; 11 G>C is another record next to 10: Doublet x2.
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 8, "CAG", "TAA"), rec("chr1", 11, "G", "C")});
    CountOptions opt;
    opt.split_mnv = true;
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 1, {{Skip::Doublet, 2}});
    expect_column(r.sbs96, 0, {{"T[C>T]A", 1}});
}

// ---------------------------------------------------------------- indels and other alleles (checks 4, 5)

TEST(CountIndel, DifferentLengthsAreIndels) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf =
        write_vcf(dir, "s.vcf",
                  {rec("chr1", 3, "C", "CA"), rec("chr1", 6, "CA", "C"), rec("chr1", 10, "c", "cag"),
                   rec("chr1", 13, "CT", "C"), rec("chr1", 18, "C", "A"),  // SNV: window 16..20 G T C A A: T[C>A]A
                   rec("chrUn", 5, "A", "AT")});  // indel on an unknown contig: Indel (check 5 < 7)
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 1, {{Skip::Indel, 5}});
    expect_column(r.sbs96, 0, {{"T[C>A]A", 1}});
}

TEST(CountOther, SymbolicAndNonBaseAllelesAreOther) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf",
                                {rec("chr1", 3, "C", "<DEL>"),        // symbolic
                                 rec("chr1", 6, "C", "*"),            // spanning deletion
                                 rec("chr1", 8, "T", "."),            // no ALT
                                 rec("chr1", 10, "C", "C]chr1:20]"),  // breakend
                                 rec("chr1", 13, "C", "C"),           // ALT = REF
                                 rec("chr1", 14, "t", "T"),           // ALT = REF, other case
                                 rec("chr1", 16, "N", "A"),           // REF not a plain base
                                 rec("chr1", 20, "A", "R"),           // ALT an IUPAC code
                                 rec("chr1", 22, "C", "T,*")});       // split: C>T counts, * is Other
    CountOptions opt;
    opt.split_multiallelic = true;
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    // 22 C>T: window 20..24 A G C T A: G[C>T]T, AG[C>T]TA
    expect_summary(r.summary.at(0), 1, {{Skip::Other, 9}});
    expect_column(r.sbs96, 0, {{"G[C>T]T", 1}});
    expect_column(r.sbs1536, 0, {{"AG[C>T]TA", 1}});
}

// ---------------------------------------------------------------- FILTER (check 2)

// 3 C>T PASS: A[C>T]G; 10 C>G '.': T[C>G]A; 13 C>A LowQual: G[C>A]T;
// 16 G>A q10;LowQual: window 14..18 T A G T C, rev comp G A C T A, ALT A->T: A[C>T]T
std::vector<std::string> filter_records() {
    return {rec("chr1", 3, "C", "T", "PASS"), rec("chr1", 10, "C", "G", "."), rec("chr1", 13, "C", "A", "LowQual"),
            rec("chr1", 16, "G", "A", "q10;LowQual")};
}

TEST(CountFilter, DefaultCountsPassAndMissing) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf", filter_records());
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}});
    expect_summary(r.summary.at(0), 2, {{Skip::Filtered, 2}});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}, {"T[C>G]A", 1}});
}

TEST(CountFilter, PassOnlyCountsPass) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf", filter_records());
    CountOptions opt;
    opt.filter = FilterMode::PassOnly;
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 1, {{Skip::Filtered, 3}});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}});
}

TEST(CountFilter, AllFiltersCountsEverything) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf", filter_records());
    CountOptions opt;
    opt.filter = FilterMode::All;
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 4, {});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}, {"T[C>G]A", 1}, {"G[C>A]T", 1}, {"A[C>T]T", 1}});
}

// ---------------------------------------------------------------- regions (check 1)

TEST(CountRegions, BedIsZeroBasedHalfOpen) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // BED 10..20 (0-based, half-open) holds POS 11..20. Its contig is written "1" (harmonised to chr1);
    // the chrUn line names a contig absent from the FASTA and is ignored with a warning.
    write_file(dir.file("r.bed"), "# regions\n1\t10\t20\nchrUn\t0\t100\n");
    std::string vcf = write_vcf(dir, "s.vcf",
                                {rec("chr1", 10, "C", "T"),    // POS = start: outside
                                 rec("chr1", 11, "A", "G"),    // POS = start+1: inside; window 9..13 T C A G C,
                                                               //   rev comp G C T G A, ALT G->C: C[T>C]G, GC[T>C]GA
                                 rec("chr1", 20, "A", "T"),    // POS = end: inside; window 18..22 C A A G C,
                                                               //   rev comp G C T T G, ALT T->A: C[T>A]T, GC[T>A]TG
                                 rec("chr1", 21, "G", "C")});  // POS = end+1: outside
    CountOptions opt;
    opt.regions_bed = dir.file("r.bed");
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    // 10/11 and 20/21 are adjacent, but outside records never reach check 12: no doublets.
    expect_summary(r.summary.at(0), 2, {{Skip::OutsideRegions, 2}});
    expect_column(r.sbs96, 0, {{"C[T>C]G", 1}, {"C[T>A]T", 1}});
    expect_column(r.sbs1536, 0, {{"GC[T>C]GA", 1}, {"GC[T>A]TG", 1}});
    EXPECT_TRUE(any_warning_contains(r, "absent from the reference"));
}

TEST(CountRegions, ABedThatSelectsNothingIsRefused) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 11, "A", "G")});
    CountOptions opt;
    opt.regions_bed = dir.file("empty.bed");
    write_file(opt.regions_bed, "# no regions\ntrack name=x\n");
    try {
        count(dir.file("ref.fa"), {{vcf, ""}}, opt);
        ADD_FAILURE() << "an empty BED was accepted";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.problem(), "the BED file has no regions, so nothing would be counted");
    }
    write_file(opt.regions_bed, "chrUn\t0\t100\nscaffold_9\t5\t10\n");
    try {
        count(dir.file("ref.fa"), {{vcf, ""}}, opt);
        ADD_FAILURE() << "a BED of unknown contigs was accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.problem(),
                  "none of the BED's 2 contig(s) (e.g. 'chrUn') is in the reference, so nothing would be counted");
    }
}

// ---------------------------------------------------------------- header-only input

TEST(CountHeaderOnly, GivesAColumnOfZeros) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string empty = write_vcf(dir, "empty.vcf", {});
    std::string one = write_vcf(dir, "one.vcf", {rec("chr1", 3, "C", "T")});  // A[C>T]G
    CountResult r = count(dir.file("ref.fa"), {{empty, ""}, {one, ""}});
    ASSERT_EQ(r.sbs96.columns, (std::vector<std::string>{"empty", "one"}));
    EXPECT_EQ(r.records, 1u);
    expect_summary(r.summary.at(0), 0, {});
    expect_column(r.sbs6, 0, {});
    expect_column(r.sbs96, 0, {});
    expect_column(r.sbs1536, 0, {});
    expect_column(r.sbs96, 1, {{"A[C>T]G", 1}});
    // Alone, too.
    r = count(dir.file("ref.fa"), {{empty, ""}});
    ASSERT_EQ(r.sbs96.columns, (std::vector<std::string>{"empty"}));
    expect_column(r.sbs96, 0, {});
}

// ---------------------------------------------------------------- sample names

TEST(CountSampleNameFromPath, StripsFolderAndVcfExtension) {
    EXPECT_EQ(sample_name_from_path("a.vcf"), "a");
    EXPECT_EQ(sample_name_from_path("dir/sub/a.vcf.gz"), "a");
    EXPECT_EQ(sample_name_from_path("/abs/a.vcf.bgz"), "a");
    EXPECT_EQ(sample_name_from_path("x/a.bcf"), "a");
    EXPECT_EQ(sample_name_from_path("tumour.1.vcf.gz"), "tumour.1");
    EXPECT_EQ(sample_name_from_path("dir.vcf/a.txt"), "a.txt");  // other extensions stay
    EXPECT_EQ(sample_name_from_path("a.gz"), "a.gz");
    EXPECT_EQ(sample_name_from_path("a.vcf.gz.vcf"), "a.vcf.gz");  // one extension only
}

TEST(CountSampleName, ExplicitNameWins) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "file.vcf", {}, "##tumor_sample=TUM\n");
    EXPECT_EQ(count(dir.file("ref.fa"), {{vcf, "EXPL"}}).summary.at(0).sample, "EXPL");
    std::string other = write_vcf(dir, "other.vcf", {});
    CountResult r = count(dir.file("ref.fa"), {{vcf, "EXPL"}, {other, "OTHER"}});
    EXPECT_EQ(r.sbs96.columns, (std::vector<std::string>{"EXPL", "OTHER"}));
}

TEST(CountSampleName, TumorSampleHeaderBeatsFileName) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "file.vcf", {}, "##tumor_sample=TUM\n");
    EXPECT_EQ(count(dir.file("ref.fa"), {{vcf, ""}}).summary.at(0).sample, "TUM");
    std::string other = write_vcf(dir, "other.vcf", {});
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}, {other, ""}});
    EXPECT_EQ(r.sbs96.columns, (std::vector<std::string>{"TUM", "other"}));
    // Two files both called x.vcf are named apart by their ##tumor_sample lines: no clash.
    fs::create_directory(dir.file("a"));
    fs::create_directory(dir.file("b"));
    std::string xa = write_vcf(dir, "a/x.vcf", {}, "##tumor_sample=P\n");
    std::string xb = write_vcf(dir, "b/x.vcf", {}, "##tumor_sample=Q\n");
    r = count(dir.file("ref.fa"), {{xa, ""}, {xb, ""}});
    EXPECT_EQ(r.sbs96.columns, (std::vector<std::string>{"P", "Q"}));
}

TEST(CountSampleName, FileNameWithoutExtension) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string plain = write_vcf(dir, "s1.vcf", {});
    std::string gz = test::bgzip_file(write_vcf(dir, "s2.vcf", {}));  // s2.vcf.gz
    std::string bgz_src = test::bgzip_file(write_vcf(dir, "s3.vcf", {}));
    std::string bgz = dir.file("s3.vcf.bgz");
    fs::rename(bgz_src, bgz);
    std::string bcf_src = write_vcf(dir, "s4src.vcf", {}, "##contig=<ID=chr1,length=25>\n");
    std::string bcf = dir.file("s4.bcf");
    vcf_to_bcf(bcf_src, bcf);
    CountResult r = count(dir.file("ref.fa"), {{plain, ""}, {gz, ""}, {bgz, ""}, {bcf, ""}});
    EXPECT_EQ(r.sbs96.columns, (std::vector<std::string>{"s1", "s2", "s3", "s4"}));
    EXPECT_EQ(count(dir.file("ref.fa"), {{gz, ""}}).summary.at(0).sample, "s2");
    EXPECT_EQ(count(dir.file("ref.fa"), {{bcf, ""}}).summary.at(0).sample, "s4");
}

TEST(CountSampleName, TwoStreamsWithOneNameIsDataError) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    fs::create_directory(dir.file("a"));
    fs::create_directory(dir.file("b"));
    std::string a = write_vcf(dir, "a/x.vcf", {});
    std::string b = write_vcf(dir, "b/x.vcf", {});
    std::string ta = write_vcf(dir, "ta.vcf", {}, "##tumor_sample=T\n");
    std::string tb = write_vcf(dir, "tb.vcf", {}, "##tumor_sample=T\n");
    EXPECT_THROW(count(dir.file("ref.fa"), {{a, ""}, {b, ""}}), DataError);    // same file name
    EXPECT_THROW(count(dir.file("ref.fa"), {{a, "S"}, {b, "S"}}), DataError);  // same explicit name
    EXPECT_THROW(count(dir.file("ref.fa"), {{ta, ""}, {tb, ""}}), DataError);  // same ##tumor_sample
    EXPECT_THROW(count(dir.file("ref.fa"), {{a, ""}, {ta, "x"}}), DataError);  // explicit name = other's file name
    // --per-genotype-sample: a VCF sample column named like another file's.
    std::string ga = write_vcf(dir, "ga.vcf", {}, "", {"N", "T"});
    std::string gb = write_vcf(dir, "gb.vcf", {}, "", {"T"});
    CountOptions opt;
    opt.per_genotype_sample = true;
    EXPECT_THROW(count(dir.file("ref.fa"), {{ga, ""}, {gb, ""}}, opt), DataError);
}

// ---------------------------------------------------------------- --per-genotype-sample

TEST(CountPerGenotypeSample, GenotypesChooseTheStreams) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // 3 C>T: A[C>T]G.  10 C>T,G: T[C>T]A (allele 1), T[C>G]A (allele 2).
    std::string vcf = write_vcf(dir, "s.vcf",
                                {gt_rec("chr1", 3, "C", "T", "PASS", {"0/1", "1/1", "0/0", "./.", "1"}),
                                 gt_rec("chr1", 10, "C", "T,G", "PASS", {"1/2", "0|1", "0/2", "0/0", "./."})},
                                "", {"S1", "S2", "S3", "S4", "S5"});
    CountOptions opt;
    opt.per_genotype_sample = true;
    opt.split_multiallelic = true;
    CountResult r = count(dir.file("ref.fa"), {{vcf, "ignored"}}, opt);
    ASSERT_EQ(r.sbs96.columns, (std::vector<std::string>{"S1", "S2", "S3", "S4", "S5"}));
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}, {"T[C>T]A", 1}, {"T[C>G]A", 1}});  // 0/1, then 1/2: both alleles
    expect_column(r.sbs96, 1, {{"A[C>T]G", 1}, {"T[C>T]A", 1}});                  // 1/1, then 0|1
    expect_column(r.sbs96, 2, {{"T[C>G]A", 1}});                                  // 0/0, then 0/2
    expect_column(r.sbs96, 3, {});                                                // ./., then 0/0
    expect_column(r.sbs96, 4, {{"A[C>T]G", 1}});                                  // haploid 1, then ./.
    expect_summary(r.summary.at(0), 3, {});
    expect_summary(r.summary.at(3), 0, {});

    // Without --split-multiallelic the record at 10 is Multiallelic once for each carrier (S1, S2, S3).
    opt.split_multiallelic = false;
    r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 1, {{Skip::Multiallelic, 1}});
    expect_summary(r.summary.at(1), 1, {{Skip::Multiallelic, 1}});
    expect_summary(r.summary.at(2), 0, {{Skip::Multiallelic, 1}});
    expect_summary(r.summary.at(3), 0, {});
    expect_summary(r.summary.at(4), 1, {});
}

TEST(CountPerGenotypeSample, DoubletsArePerStream) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    // A carries 5 G>A and 6 C>T (a doublet) and 13 C>A (G[C>A]T); B carries 5 G>A (G[C>T]C) and
    // 14 T>C (C[T>C]A), and 13/14 are in different streams, so no doublet there.
    std::string vcf = write_vcf(
        dir, "s.vcf",
        {gt_rec("chr1", 5, "G", "A", "PASS", {"0/1", "0/1"}), gt_rec("chr1", 6, "C", "T", "PASS", {"0/1", "0/0"}),
         gt_rec("chr1", 13, "C", "A", "PASS", {"0/1", "0/0"}), gt_rec("chr1", 14, "T", "C", "PASS", {"0/0", "0/1"})},
        "", {"A", "B"});
    CountOptions opt;
    opt.per_genotype_sample = true;
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 1, {{Skip::Doublet, 2}});
    expect_column(r.sbs96, 0, {{"G[C>A]T", 1}});
    expect_summary(r.summary.at(1), 2, {});
    expect_column(r.sbs96, 1, {{"G[C>T]C", 1}, {"C[T>C]A", 1}});
}

TEST(CountPerGenotypeSample, RecordWithoutGtIsAnError) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = dir.file("s.vcf");
    write_file(vcf, vcf_text({rec("chr1", 3, "C", "T") + "\tDP\t12"}, "", {"T"}));
    CountOptions opt;
    opt.per_genotype_sample = true;
    EXPECT_THROW(count(dir.file("ref.fa"), {{vcf, ""}}, opt), FormatError);
}

// ---------------------------------------------------------------- BCF input

// A VCF with everything at once, and the same as BCF. Samples N, T; S2 channels:
//   3 C>T PASS           N 0/0  T 0/1   A[C>T]G
//   5 G>A .              N 0/1  T 0/1   G[C>T]C    } a doublet where both carry them (T, and the
//   6 C>T PASS           N 0/0  T 0/1   G[C>T]A    } single-column default)
//  10 C>T,G PASS         N 0/1  T 1/2   T[C>T]A, T[C>G]A
//  13 C>A LowQual        N 0/1  T 0/1   Filtered
//  16 G>GA PASS          N 0/0  T 0/1   Indel
//  18 C><DEL> PASS       N 0/0  T 1     Other
//  20 A>T PASS           N ./.  T 0/1   C[T>A]T
const std::string kBcfHeader =
    "##tumor_sample=TUM\n##contig=<ID=chr1,length=25>\n##FILTER=<ID=LowQual,Description=\"low\">\n"
    "##ALT=<ID=DEL,Description=\"Deletion\">\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n";
std::vector<std::string> bcf_records() {
    return {
        gt_rec("chr1", 3, "C", "T", "PASS", {"0/0", "0/1"}),     gt_rec("chr1", 5, "G", "A", ".", {"0/1", "0/1"}),
        gt_rec("chr1", 6, "C", "T", "PASS", {"0/0", "0/1"}),     gt_rec("chr1", 10, "C", "T,G", "PASS", {"0/1", "1/2"}),
        gt_rec("chr1", 13, "C", "A", "LowQual", {"0/1", "0/1"}), gt_rec("chr1", 16, "G", "GA", "PASS", {"0/0", "0/1"}),
        gt_rec("chr1", 18, "C", "<DEL>", "PASS", {"0/0", "1"}),  gt_rec("chr1", 20, "A", "T", "PASS", {"./.", "0/1"})};
}

void expect_same(const CountResult& a, const CountResult& b) {
    EXPECT_EQ(a.sbs6.columns, b.sbs6.columns);
    EXPECT_EQ(a.sbs6.values, b.sbs6.values);
    EXPECT_EQ(a.sbs96.values, b.sbs96.values);
    EXPECT_EQ(a.sbs1536.values, b.sbs1536.values);
    EXPECT_EQ(a.records, b.records);
    EXPECT_EQ(a.warnings, b.warnings);
    ASSERT_EQ(a.summary.size(), b.summary.size());
    for (std::size_t i = 0; i < a.summary.size(); ++i) {
        EXPECT_EQ(a.summary[i].sample, b.summary[i].sample);
        EXPECT_EQ(a.summary[i].counted, b.summary[i].counted);
        EXPECT_EQ(a.summary[i].skipped, b.summary[i].skipped);
    }
}

TEST(CountBcf, SameResultAsVcf) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "v.vcf", bcf_records(), kBcfHeader, {"N", "T"});
    std::string bcf = dir.file("b.bcf");
    vcf_to_bcf(vcf, bcf);
    CountResult rv = count(dir.file("ref.fa"), {{vcf, ""}});
    CountResult rb = count(dir.file("ref.fa"), {{bcf, ""}});
    for (const CountResult* r : {&rv, &rb}) {
        EXPECT_EQ(r->summary.at(0).sample, "TUM");
        EXPECT_EQ(r->records, 8u);
        expect_summary(
            r->summary.at(0), 2,
            {{Skip::Doublet, 2}, {Skip::Multiallelic, 1}, {Skip::Filtered, 1}, {Skip::Indel, 1}, {Skip::Other, 1}});
        expect_column(r->sbs96, 0, {{"A[C>T]G", 1}, {"C[T>A]T", 1}});
    }
    expect_same(rv, rb);
}

TEST(CountBcf, SameGenotypeStreamsAsVcf) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "v.vcf", bcf_records(), kBcfHeader, {"N", "T"});
    std::string bcf = dir.file("b.bcf");
    vcf_to_bcf(vcf, bcf);
    CountOptions opt;
    opt.per_genotype_sample = true;
    opt.split_multiallelic = true;
    CountResult rv = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    CountResult rb = count(dir.file("ref.fa"), {{bcf, ""}}, opt);
    for (const CountResult* r : {&rv, &rb}) {
        ASSERT_EQ(r->sbs96.columns, (std::vector<std::string>{"N", "T"}));
        // N: 5 G>A alone (6 is not N's): G[C>T]C; 10 allele 1: T[C>T]A; 13 Filtered.
        expect_summary(r->summary.at(0), 2, {{Skip::Filtered, 1}});
        expect_column(r->sbs96, 0, {{"G[C>T]C", 1}, {"T[C>T]A", 1}});
        // T: 3, 10 (both alleles), 20 counted; 5+6 doublet; 13 Filtered; 16 Indel; 18 Other.
        expect_summary(r->summary.at(1), 4,
                       {{Skip::Doublet, 2}, {Skip::Filtered, 1}, {Skip::Indel, 1}, {Skip::Other, 1}});
        expect_column(r->sbs96, 1, {{"A[C>T]G", 1}, {"T[C>T]A", 1}, {"T[C>G]A", 1}, {"C[T>A]T", 1}});
    }
    expect_same(rv, rb);
}

// ---------------------------------------------------------------- the reference FASTA

// Two contigs over several FASTA lines (10 bases a line): chr1 = S2, chr2 = P.
//   chr1  3 C>T: A[C>T]G, TA[C>T]GG
//   chr1 11 A>G (first base of line 2, window across the line break): C[T>C]G, GC[T>C]GA
//   chr1 22 C>A (line 3): G[C>A]T, AG[C>A]TA
//   chr2  5 G>A: G[C>T]A, TG[C>T]AG
//   chr2 10 A>G: C[T>C]C, GC[T>C]CA
std::string write_two_contig_vcf(const TempDir& dir) {
    return write_vcf(dir, "s.vcf",
                     {rec("chr1", 3, "C", "T"), rec("chr1", 11, "A", "G"), rec("chr1", 22, "C", "A"),
                      rec("chr2", 5, "G", "A"), rec("chr2", 10, "A", "G")});
}
void expect_two_contig_counts(const CountResult& r) {
    expect_summary(r.summary.at(0), 5, {});
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}, {"C[T>C]G", 1}, {"G[C>A]T", 1}, {"G[C>T]A", 1}, {"C[T>C]C", 1}});
    expect_column(r.sbs1536, 0,
                  {{"TA[C>T]GG", 1}, {"GC[T>C]GA", 1}, {"AG[C>A]TA", 1}, {"TG[C>T]AG", 1}, {"GC[T>C]CA", 1}});
}

TEST(CountReference, BgzippedFastaGivesTheSameCounts) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}, {"chr2", kP}}, 10);
    std::string gz = test::bgzip_file(dir.file("ref.fa"));
    std::string vcf = write_two_contig_vcf(dir);
    CountResult plain = count(dir.file("ref.fa"), {{vcf, ""}});
    CountResult bgz = count(gz, {{vcf, ""}});
    expect_two_contig_counts(plain);
    expect_two_contig_counts(bgz);
    expect_same(plain, bgz);
}

TEST(CountReference, MissingFaiIsBuilt) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}, {"chr2", kP}}, 10);
    ASSERT_FALSE(fs::exists(dir.file("ref.fa.fai")));
    std::string vcf = write_two_contig_vcf(dir);
    expect_two_contig_counts(count(dir.file("ref.fa"), {{vcf, ""}}));
    EXPECT_TRUE(fs::exists(dir.file("ref.fa.fai")));
    // And for the bgzipped FASTA, with its .gzi.
    std::string gz = test::bgzip_file(dir.file("ref.fa"));
    expect_two_contig_counts(count(gz, {{vcf, ""}}));
    EXPECT_TRUE(fs::exists(gz + ".fai"));
    EXPECT_TRUE(fs::exists(gz + ".gzi"));
}

// Counts with the FASTA in `folder` (which must be unwritable) and reports: 0 right counts and no index
// written there, 1 wrong counts, 2 an index appeared in the folder, 3 an exception.
int count_in_readonly_folder(const std::string& folder, const std::string& vcf) {
    try {
        CountResult r = count(folder + "/ref.fa", {{vcf, ""}});
        const auto& l96 = channel_labels(Context::SBS96);
        std::map<std::string, std::uint64_t> got;
        for (std::size_t ch = 0; ch < 96; ++ch)
            if (r.sbs96.at(ch, 0)) got[l96[ch]] = r.sbs96.at(ch, 0);
        Counts want = {{"A[C>T]G", 1}, {"C[T>C]G", 1}, {"G[C>A]T", 1}, {"G[C>T]A", 1}, {"C[T>C]C", 1}};
        if (got != want || r.summary.at(0).counted != 5) return 1;
        if (fs::exists(folder + "/ref.fa.fai")) return 2;
        return 0;
    } catch (...) {
        return 3;
    }
}

TEST(CountReference, FastaInReadOnlyFolderWorks) {
    TempDir dir;
    std::string ro = dir.file("ro");
    fs::create_directory(ro);
    write_fasta(ro + "/ref.fa", {{"chr1", kS2}, {"chr2", kP}}, 10);
    std::string vcf = write_two_contig_vcf(dir);
    chmod(dir.path().c_str(), 0755);  // let an unprivileged child in (below)
    chmod(vcf.c_str(), 0644);
    chmod((ro + "/ref.fa").c_str(), 0644);
    ASSERT_EQ(chmod(ro.c_str(), 0555), 0);
    struct RestoreMode {
        std::string path;
        ~RestoreMode() { chmod(path.c_str(), 0755); }
    } restore{ro};

    // Can this process still write there (root ignores the mode)?
    std::string probe = ro + "/probe";
    int fd = open(probe.c_str(), O_CREAT | O_WRONLY, 0644);
    bool privileged = fd >= 0;
    if (privileged) {
        close(fd);
        unlink(probe.c_str());
    }

    bool verified_no_index = false;
    if (!privileged) {
        EXPECT_EQ(count_in_readonly_folder(ro, vcf), 0);
        verified_no_index = true;
    } else {
        // Drop privileges in a child (to nobody) so that the folder is really unwritable for it.
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0) _exit(77);
            if (access(ro.c_str(), W_OK) == 0) _exit(77);
            _exit(count_in_readonly_folder(ro, vcf));
        }
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        int code = WEXITSTATUS(status);
        if (code != 77) {
            EXPECT_EQ(code, 0) << "1 wrong counts, 2 .fai written into the read-only folder, 3 exception";
            verified_no_index = true;
        }
        // Privileged, the same FASTA works as well (an index may then appear; that is allowed).
        expect_two_contig_counts(count(ro + "/ref.fa", {{vcf, ""}}));
    }
    if (!verified_no_index)
        GTEST_SKIP() << "cannot make the folder unwritable for this process (root without setuid); "
                        "counts checked, the no-.fai check skipped";
}

// ---------------------------------------------------------------- threads, order, stdin

TEST(CountThreads, SameResultWithOneAndFourThreads) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::vector<CountInput> inputs = {
        {write_vcf(dir, "t0.vcf", {rec("chr1", 3, "C", "T")}), ""},                             // A[C>T]G
        {write_vcf(dir, "t1.vcf", {rec("chr1", 3, "C", "T"), rec("chr1", 10, "C", "G")}), ""},  // + T[C>G]A
        {write_vcf(dir, "t2.vcf", {rec("chr1", 5, "G", "A"), rec("chr1", 6, "C", "T")}), ""},   // doublet
        {write_vcf(dir, "t3.vcf",
                   {rec("chr1", 3, "C", "T"), rec("chr1", 13, "C", "A"),  // A[C>T]G G[C>A]T
                    rec("chrUn", 5, "A", "G")}),
         ""},                                                                                     // 1 unknown
        {write_vcf(dir, "t4.vcf", {}), ""},                                                       // header only
        {write_vcf(dir, "t5.vcf", {rec("chr1", 13, "C", "A"), rec("chr1", 10, "C", "G")}), ""}};  // backwards
    Reference ref(dir.file("ref.fa"));
    RunSettings one, four, four_reporting;
    four.threads = four_reporting.threads = 4;
    four_reporting.progress = [](const Progress&) { return Flow::proceed; };
    CountResult r1 = count_mutations(ref, inputs, {}, one);
    CountResult r4 = count_mutations(ref, inputs, {}, four);
    CountResult r4p = count_mutations(ref, inputs, {}, four_reporting);
    expect_same(r1, r4);
    expect_same(r1, r4p);
    EXPECT_EQ(r4.records, 10u);
    EXPECT_EQ(r4.sbs96.columns, (std::vector<std::string>{"t0", "t1", "t2", "t3", "t4", "t5"}));
    expect_column(r4.sbs96, 0, {{"A[C>T]G", 1}});
    expect_column(r4.sbs96, 1, {{"A[C>T]G", 1}, {"T[C>G]A", 1}});
    expect_summary(r4.summary.at(2), 0, {{Skip::Doublet, 2}});
    expect_column(r4.sbs96, 3, {{"A[C>T]G", 1}, {"G[C>A]T", 1}});
    expect_summary(r4.summary.at(3), 2, {{Skip::UnknownContig, 1}});
    expect_column(r4.sbs96, 4, {});
    expect_column(r4.sbs96, 5, {{"T[C>G]A", 1}, {"G[C>A]T", 1}});
    EXPECT_EQ(r4.warnings.size(), 2u);  // t3's unknown contig, t5's backward record
}

TEST(CountOrder, BackwardRecordsWarnButContigOrderIsFree) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}, {"chr2", kS2}});
    // 13 then 10 on chr1 go backwards: a warning; both still count (G[C>A]T, T[C>G]A).
    std::string back = write_vcf(dir, "back.vcf", {rec("chr1", 13, "C", "A"), rec("chr1", 10, "C", "G")});
    CountResult r = count(dir.file("ref.fa"), {{back, ""}});
    expect_summary(r.summary.at(0), 2, {});
    EXPECT_TRUE(any_warning_contains(r, "backwards"));
    // chr2 before chr1 is fine: no warning.
    std::string contigs = write_vcf(dir, "contigs.vcf", {rec("chr2", 13, "C", "A"), rec("chr1", 10, "C", "G")});
    r = count(dir.file("ref.fa"), {{contigs, ""}});
    expect_summary(r.summary.at(0), 2, {});
    EXPECT_TRUE(r.warnings.empty());
}

TEST(CountStdin, WithoutSampleNameIsUsageError) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 3, "C", "T")});
    // Standard input is empty: the usage error must come before anything is read from it.
    StdinFrom in("/dev/null");
    EXPECT_THROW(count(dir.file("ref.fa"), {{"-", ""}}), UsageError);
    EXPECT_THROW(count(dir.file("ref.fa"), {{vcf, ""}, {"-", ""}}), UsageError);
}

TEST(CountStdin, WithSampleNameIsRead) {
    TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", kS2}});
    std::string vcf = write_vcf(dir, "s.vcf", {rec("chr1", 3, "C", "T")});  // A[C>T]G
    StdinFrom in(vcf);
    CountResult r = count(dir.file("ref.fa"), {{"-", "S"}});
    EXPECT_EQ(r.sbs96.columns, (std::vector<std::string>{"S"}));
    expect_column(r.sbs96, 0, {{"A[C>T]G", 1}});
}

}  // namespace
}  // namespace sigstream

namespace sigstream {
namespace {

TEST(CountRefMismatch, ThresholdComparesTheFractionNotAProduct) {
    // 29 of 100 with --max-ref-mismatch 0.29: 0.29 * 100 is 28.999999999999996 in floating point, so
    // comparing mismatches > max * SNVs would wrongly fail; the fraction 29/100 is not above 0.29.
    test::TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", acgt_repeat(110)}});
    CountOptions opt;
    opt.max_ref_mismatch = 0.29;
    std::string vcf = write_vcf(dir, "mm.vcf", g_snvs(100, 29));
    CountResult r = count(dir.file("ref.fa"), {{vcf, ""}}, opt);
    expect_summary(r.summary.at(0), 71, {{Skip::RefMismatch, 29}});
    opt.max_ref_mismatch = 0.28;
    EXPECT_THROW(count(dir.file("ref.fa"), {{vcf, ""}}, opt), DataError);
}

TEST(CountInputs, NoInputIsAUsageErrorNotACrash) {
    test::TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", acgt_repeat(4)}});
    Reference ref(dir.file("ref.fa"));
    EXPECT_THROW(count_mutations(ref, {}, {}), UsageError);
}

TEST(CountThreads, SpareThreadsDecompressingAheadGiveTheSameCounts) {
    // One multi-block bgzipped VCF and more threads than inputs: the spare threads decompress BGZF blocks
    // ahead of the reader. The counts must equal the single-threaded ones: 3000 G>A at pos 3, 7, 11, …
    // of ACGT repeats, each A[C>T]G after reverse complement; long INFO fields make many BGZF blocks.
    test::TempDir dir;
    write_fasta(dir.file("ref.fa"), {{"chr1", acgt_repeat(3100)}});
    std::vector<std::string> recs;
    for (int i = 0; i < 3000; ++i) {
        std::string r = rec("chr1", 3 + 4 * i, "G", "A");
        r.replace(r.rfind('.'), 1, "NOTE=" + std::string(200, 'x'));  // INFO
        recs.push_back(r);
    }
    std::string gz = test::bgzip_file(write_vcf(dir, "big.vcf", recs));
    CountResult a = count(dir.file("ref.fa"), {{gz, ""}}, {}, 1);
    CountResult b = count(dir.file("ref.fa"), {{gz, ""}}, {}, 3);
    expect_column(b.sbs96, 0, {{"A[C>T]G", 3000}});
    EXPECT_EQ(a.sbs96.values, b.sbs96.values);
    EXPECT_EQ(a.sbs1536.values, b.sbs1536.values);
}

}  // namespace
}  // namespace sigstream
