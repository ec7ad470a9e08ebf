// gen_count_bench: fast, deterministic generator of benchmark inputs for `sigstream count`.
//
//   gen_count_bench fasta OUT.fa --contigs 3 --length 300000000 --seed S
//       Writes a plain FASTA (contigs chr1..chrN, 60 bases per line, random ACGT with soft-masked
//       lowercase stretches and N runs: telomeres, one "centromere" gap per contig and scattered small
//       gaps) and its samtools-compatible OUT.fa.fai. --length is the TOTAL genome length; it is split
//       over the contigs in the ratio N*2 : N*2-1 : ... (3 contigs: 6:5:4, i.e. 120/100/80 Mb).
//
//   gen_count_bench vcf OUT.vcf|- --fasta OUT.fa --records N --seed S [--sample-prefix X]
//       Writes a position-sorted VCFv4.2 (to stdout with "-"; pipe through `bgzip -@2`) that looks like
//       Mutect2 output: full header, two samples (X+TUMOR, X+NORMAL, also named in ##tumor_sample /
//       ##normal_sample), Mutect2 INFO and FORMAT fields. Records are spread over all contigs in
//       proportion to their lengths, never at an N base. Mix: ~88% biallelic SNVs, 1% MNVs (2 bp),
//       4% deletions, 3% insertions, 4% multi-allelic (mostly two SNV alleles, some SNV + deletion);
//       ~82% PASS. Every REF matches the FASTA (upper-cased).
//
// Build: g++ -O2 -std=c++17 -o gen_count_bench gen_count_bench.cpp
// Single file, no dependencies beyond the C++ standard library and POSIX mmap.

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

[[noreturn]] void die(const std::string& msg) {
    std::fprintf(stderr, "gen_count_bench: %s\n", msg.c_str());
    std::exit(2);
}

// ---------------------------------------------------------------- RNG (splitmix64 seeding, xorshift64*)
__extension__ typedef unsigned __int128 u128;

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) {
        uint64_t z = seed + 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        s = z ^ (z >> 31);
        if (s == 0) s = 0x2545F4914F6CDD1DULL;
    }
    uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1DULL;
    }
    // uniform in [0, n) (n > 0); multiply-shift, bias negligible for our purposes
    uint64_t below(uint64_t n) { return (uint64_t)(((u128)next() * n) >> 64); }
    uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }  // inclusive
    bool chance(unsigned per_mille) { return below(1000) < per_mille; }
};

// ---------------------------------------------------------------- buffered output
class Out {
public:
    explicit Out(const std::string& path) {
        if (path == "-") {
            f_ = stdout;
        } else {
            f_ = std::fopen(path.c_str(), "wb");
            if (!f_) die("cannot open " + path + ": " + std::strerror(errno));
            own_ = true;
        }
        buf_.resize(kCap);
    }
    ~Out() { close(); }
    void close() {
        if (!f_) return;
        flush();
        if (own_ ? std::fclose(f_) != 0 : std::fflush(f_) != 0) die("write error");
        f_ = nullptr;
    }
    void flush() {
        if (n_ && std::fwrite(buf_.data(), 1, n_, f_) != n_) die(std::string("write error: ") + std::strerror(errno));
        written_ += n_;
        n_ = 0;
    }
    void reserve(size_t k) {
        if (n_ + k > kCap) flush();
    }
    void ch(char c) {
        reserve(1);
        buf_[n_++] = c;
    }
    void str(const char* s, size_t len) {
        if (len > kCap / 2) {
            flush();
            if (std::fwrite(s, 1, len, f_) != len) die("write error");
            written_ += len;
            return;
        }
        reserve(len);
        std::memcpy(&buf_[n_], s, len);
        n_ += len;
    }
    void str(const char* s) { str(s, std::strlen(s)); }
    void str(const std::string& s) { str(s.data(), s.size()); }
    void u(uint64_t v) {
        char tmp[24];
        int k = 0;
        do {
            tmp[k++] = char('0' + v % 10);
            v /= 10;
        } while (v);
        reserve(k);
        while (k) buf_[n_++] = tmp[--k];
    }
    // fixed-point: value / 10^dec with exactly dec decimals
    void fixed(uint64_t scaled, int dec) {
        uint64_t p = 1;
        for (int i = 0; i < dec; ++i) p *= 10;
        u(scaled / p);
        if (dec == 0) return;
        ch('.');
        uint64_t frac = scaled % p;
        char tmp[24];
        for (int i = dec - 1; i >= 0; --i) {
            tmp[i] = char('0' + frac % 10);
            frac /= 10;
        }
        str(tmp, dec);
    }
    void sfixed(int64_t scaled, int dec) {
        if (scaled < 0) {
            ch('-');
            scaled = -scaled;
        }
        fixed((uint64_t)scaled, dec);
    }
    uint64_t written() const { return written_ + n_; }

private:
    static constexpr size_t kCap = 1 << 20;
    FILE* f_ = nullptr;
    bool own_ = false;
    std::vector<char> buf_;
    size_t n_ = 0;
    uint64_t written_ = 0;
};

// ---------------------------------------------------------------- argument helpers
struct Args {
    std::vector<std::string> pos;
    std::vector<std::pair<std::string, std::string>> opt;
    const std::string* get(const char* name) const {
        for (auto& kv : opt)
            if (kv.first == name) return &kv.second;
        return nullptr;
    }
    uint64_t num(const char* name, uint64_t dflt) const {
        const std::string* v = get(name);
        if (!v) return dflt;
        char* end = nullptr;
        errno = 0;
        unsigned long long x = std::strtoull(v->c_str(), &end, 10);
        if (errno || !end || *end || v->empty()) die(std::string("bad number for ") + name + ": " + *v);
        return x;
    }
    std::string s(const char* name, const char* dflt) const {
        const std::string* v = get(name);
        return v ? *v : std::string(dflt ? dflt : "");
    }
};

Args parse(int argc, char** argv, int from) {
    Args a;
    for (int i = from; i < argc; ++i) {
        std::string t = argv[i];
        if (t.size() > 2 && t[0] == '-' && t[1] == '-') {
            if (i + 1 >= argc) die("missing value for " + t);
            a.opt.emplace_back(t, argv[++i]);
        } else {
            a.pos.push_back(t);
        }
    }
    return a;
}

// ---------------------------------------------------------------- FASTA
struct Gap {
    uint64_t beg, end;  // 0-based, half-open
};

int cmd_fasta(const Args& a) {
    if (a.pos.size() != 1) die("usage: gen_count_bench fasta OUT.fa --contigs 3 --length 300000000 --seed S");
    const std::string path = a.pos[0];
    const uint64_t ncontigs = a.num("--contigs", 3);
    const uint64_t total = a.num("--length", 300000000ULL);
    const uint64_t seed = a.num("--seed", 1);
    for (auto& kv : a.opt)
        if (kv.first != "--contigs" && kv.first != "--length" && kv.first != "--seed")
            die("unknown option " + kv.first);
    if (ncontigs < 1 || ncontigs > 1000) die("--contigs must be 1..1000");
    if (total < ncontigs * 1000) die("--length too small (at least 1000 bases per contig)");
    if (path == "-") die("fasta mode needs a file name (the .fai is written beside it)");

    // contig lengths: weights 2n, 2n-1, ..., n+1
    std::vector<uint64_t> lens(ncontigs);
    uint64_t wsum = 0;
    for (uint64_t i = 0; i < ncontigs; ++i) wsum += 2 * ncontigs - i;
    uint64_t acc = 0;
    for (uint64_t i = 0; i < ncontigs; ++i) {
        lens[i] = (i + 1 == ncontigs) ? total - acc : total * (2 * ncontigs - i) / wsum;
        acc += lens[i];
    }

    Rng rng(seed * 0x100000001B3ULL + 17);
    Out out(path);
    std::string fai;
    const uint64_t W = 60;
    static const char kUp[4] = {'A', 'C', 'G', 'T'};
    static const char kLo[4] = {'a', 'c', 'g', 't'};
    char line[W + 1];

    for (uint64_t c = 0; c < ncontigs; ++c) {
        const uint64_t len = lens[c];
        std::string name = "chr" + std::to_string(c + 1);
        out.ch('>');
        out.str(name);
        out.ch('\n');
        const uint64_t seq_off = out.written();
        fai += name + "\t" + std::to_string(len) + "\t" + std::to_string(seq_off) + "\t60\t61\n";

        // N gaps: telomeres, one centromere-like gap, scattered small gaps (~1 per 5 Mb)
        std::vector<Gap> gaps;
        const uint64_t telo = std::min<uint64_t>(10000, len / 100);
        gaps.push_back({0, telo});
        gaps.push_back({len - telo, len});
        {
            const uint64_t clen = std::min<uint64_t>(300000, len / 50);
            const uint64_t cbeg = len * (30 + rng.below(20)) / 100;
            gaps.push_back({cbeg, std::min(len, cbeg + clen)});
        }
        for (uint64_t k = 0, n = len / 5000000; k < n; ++k) {
            const uint64_t b = rng.below(len);
            gaps.push_back({b, std::min(len, b + 100 + rng.below(5000))});
        }
        std::sort(gaps.begin(), gaps.end(), [](const Gap& x, const Gap& y) { return x.beg < y.beg; });
        std::vector<Gap> merged;
        for (auto& g : gaps) {
            if (!merged.empty() && g.beg <= merged.back().end)
                merged.back().end = std::max(merged.back().end, g.end);
            else
                merged.push_back(g);
        }
        merged.push_back({~0ULL, ~0ULL});  // sentinel
        size_t gi = 0;

        // soft-masking runs: uppercase ~1500 bp mean, lowercase ~800 bp mean (~35% masked)
        bool lower = false;
        uint64_t run_left = rng.range(1, 3000);

        uint64_t bits = 0;
        int nbits = 0;
        for (uint64_t p = 0; p < len;) {
            const uint64_t n = std::min(W, len - p);
            for (uint64_t i = 0; i < n; ++i, ++p) {
                if (run_left == 0) {
                    lower = !lower;
                    run_left = lower ? rng.range(1, 1600) : rng.range(1, 3000);
                }
                --run_left;
                while (p >= merged[gi].end) ++gi;
                if (p >= merged[gi].beg) {
                    line[i] = 'N';
                    continue;
                }
                if (nbits == 0) {
                    bits = rng.next();
                    nbits = 32;
                }
                const unsigned b = bits & 3;
                bits >>= 2;
                --nbits;
                line[i] = lower ? kLo[b] : kUp[b];
            }
            line[n] = '\n';
            out.str(line, n + 1);
        }
    }
    out.close();

    Out fo(path + ".fai");
    fo.str(fai);
    fo.close();
    return 0;
}

// ---------------------------------------------------------------- FASTA reader (mmap + .fai)
struct Contig {
    std::string name;
    uint64_t len, off, lb, lw;
};

struct Fasta {
    std::vector<Contig> contigs;
    const unsigned char* map = nullptr;
    size_t size = 0;

    void open(const std::string& path) {
        FILE* f = std::fopen((path + ".fai").c_str(), "r");
        if (!f) die("cannot open " + path + ".fai (run `gen_count_bench fasta` or `samtools faidx` first)");
        char name[4096];
        unsigned long long len, off, lb, lw;
        while (std::fscanf(f, "%4095s %llu %llu %llu %llu", name, &len, &off, &lb, &lw) == 5)
            contigs.push_back({name, len, off, lb, lw});
        std::fclose(f);
        if (contigs.empty()) die("empty .fai for " + path);
        int fd = ::open(path.c_str(), O_RDONLY);
        if (fd < 0) die("cannot open " + path);
        struct stat st;
        if (fstat(fd, &st) != 0) die("cannot stat " + path);
        size = (size_t)st.st_size;
        void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) die("cannot mmap " + path);
        ::close(fd);
        map = (const unsigned char*)m;
    }
    // upper-cased base at 0-based position p of contig c
    char base(const Contig& c, uint64_t p) const {
        const uint64_t o = c.off + p / c.lb * c.lw + p % c.lb;
        if (o >= size) die("FASTA shorter than its .fai says");
        unsigned char b = map[o];
        return (char)(b >= 'a' && b <= 'z' ? b - 32 : b);
    }
};

inline bool acgt(char b) {
    return b == 'A' || b == 'C' || b == 'G' || b == 'T';
}

// ---------------------------------------------------------------- VCF
const char* kHeaderTail =
    "##FILTER=<ID=PASS,Description=\"All filters passed\">\n"
    "##FILTER=<ID=base_qual,Description=\"alt median base quality\">\n"
    "##FILTER=<ID=clustered_events,Description=\"Clustered events observed in the tumor\">\n"
    "##FILTER=<ID=fragment,Description=\"abs(ref - alt) median fragment length\">\n"
    "##FILTER=<ID=germline,Description=\"Evidence indicates this site is germline, not somatic\">\n"
    "##FILTER=<ID=haplotype,Description=\"Variant near filtered variant on same haplotype.\">\n"
    "##FILTER=<ID=map_qual,Description=\"ref - alt median mapping quality\">\n"
    "##FILTER=<ID=multiallelic,Description=\"Site filtered because too many alt alleles pass tumor LOD\">\n"
    "##FILTER=<ID=normal_artifact,Description=\"artifact_in_normal\">\n"
    "##FILTER=<ID=panel_of_normals,Description=\"Blacklisted site in panel of normals\">\n"
    "##FILTER=<ID=slippage,Description=\"Site filtered due to contraction of short tandem repeat region\">\n"
    "##FILTER=<ID=strand_bias,Description=\"Evidence for alt allele comes from one read direction only\">\n"
    "##FILTER=<ID=weak_evidence,Description=\"Mutation does not meet likelihood threshold\">\n"
    "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths for the ref and alt alleles in the order "
    "listed\">\n"
    "##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"Allele fractions of alternate alleles in the tumor\">\n"
    "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Approximate read depth (reads with MQ=255 or with bad mates "
    "are filtered)\">\n"
    "##FORMAT=<ID=F1R2,Number=R,Type=Integer,Description=\"Count of reads in F1R2 pair orientation supporting each "
    "allele\">\n"
    "##FORMAT=<ID=F2R1,Number=R,Type=Integer,Description=\"Count of reads in F2R1 pair orientation supporting each "
    "allele\">\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "##FORMAT=<ID=SB,Number=4,Type=Integer,Description=\"Per-sample component statistics which comprise the Fisher's "
    "Exact Test to detect strand bias.\">\n"
    "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Approximate read depth; some reads may have been filtered\">\n"
    "##INFO=<ID=ECNT,Number=1,Type=Integer,Description=\"Number of events in this haplotype\">\n"
    "##INFO=<ID=GERMQ,Number=1,Type=Integer,Description=\"Phred-scaled quality that alt alleles are not germline "
    "variants\">\n"
    "##INFO=<ID=MBQ,Number=R,Type=Integer,Description=\"median base quality by allele\">\n"
    "##INFO=<ID=MFRL,Number=R,Type=Integer,Description=\"median fragment length by allele\">\n"
    "##INFO=<ID=MMQ,Number=R,Type=Integer,Description=\"median mapping quality by allele\">\n"
    "##INFO=<ID=MPOS,Number=A,Type=Integer,Description=\"median distance from end of read\">\n"
    "##INFO=<ID=NALOD,Number=A,Type=Float,Description=\"Negative log 10 odds of artifact in normal with same allele "
    "fraction as tumor\">\n"
    "##INFO=<ID=NLOD,Number=A,Type=Float,Description=\"Normal log 10 likelihood ratio of diploid het or hom alt "
    "genotypes\">\n"
    "##INFO=<ID=POPAF,Number=A,Type=Float,Description=\"negative log 10 population allele frequencies of alt "
    "alleles\">\n"
    "##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description=\"Somatic event\">\n"
    "##INFO=<ID=TLOD,Number=A,Type=Float,Description=\"Log 10 likelihood ratio score of variant existing versus not "
    "existing\">\n";

const char* kFilters[] = {"clustered_events", "germline", "weak_evidence", "strand_bias", "normal_artifact", "slippage",
                          "base_qual",        "map_qual", "fragment",      "haplotype",   "panel_of_normals"};
constexpr int kNumFilters = sizeof(kFilters) / sizeof(kFilters[0]);

char snv_alt(Rng& rng, char ref) {
    // ~55% transitions, otherwise one of the two transversions
    const bool transition = rng.below(100) < 55;
    const unsigned pick = (unsigned)rng.below(2);
    switch (ref) {
        case 'A':
            return transition ? 'G' : "CT"[pick];
        case 'C':
            return transition ? 'T' : "AG"[pick];
        case 'G':
            return transition ? 'A' : "CT"[pick];
        default:
            return transition ? 'C' : "AG"[pick];  // 'T'
    }
}

char other_base(Rng& rng, char ref) {
    static const char b[4] = {'A', 'C', 'G', 'T'};
    char x;
    do x = b[rng.below(4)];
    while (x == ref);
    return x;
}

int cmd_vcf(const Args& a) {
    if (a.pos.size() != 1)
        die("usage: gen_count_bench vcf OUT.vcf|- --fasta REF.fa --records N --seed S [--sample-prefix X]");
    for (auto& kv : a.opt)
        if (kv.first != "--fasta" && kv.first != "--records" && kv.first != "--seed" && kv.first != "--sample-prefix")
            die("unknown option " + kv.first);
    const std::string fasta_path = a.s("--fasta", nullptr);
    if (fasta_path.empty()) die("--fasta is required");
    const uint64_t nrec = a.num("--records", 1000000);
    const uint64_t seed = a.num("--seed", 1);
    const std::string prefix = a.s("--sample-prefix", "");

    Fasta fa;
    fa.open(fasta_path);
    uint64_t total = 0;
    for (auto& c : fa.contigs) total += c.len;

    Out out(a.pos[0]);
    out.str("##fileformat=VCFv4.2\n");
    out.str(kHeaderTail);
    out.str("##MutectVersion=2.2\n");
    out.str("##source=gen_count_bench (synthetic Mutect2-like calls)\n");
    for (auto& c : fa.contigs) {
        out.str("##contig=<ID=");
        out.str(c.name);
        out.str(",length=");
        out.u(c.len);
        out.str(">\n");
    }
    {
        std::string ref = fasta_path;
        if (ref.empty() || ref[0] != '/') {
            char cwd[4096];
            if (getcwd(cwd, sizeof cwd)) ref = std::string(cwd) + "/" + ref;
        }
        out.str("##reference=file://" + ref + "\n");
    }
    const std::string tumor = prefix + "TUMOR", normal = prefix + "NORMAL";
    out.str("##normal_sample=" + normal + "\n");
    out.str("##tumor_sample=" + tumor + "\n");
    out.str("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + tumor + "\t" + normal + "\n");

    Rng rng(seed * 0x9E3779B97F4A7C15ULL + 0xC0FFEE);
    uint64_t assigned = 0;
    std::vector<uint32_t> pos;
    std::string ref, alt1, alt2;

    for (size_t ci = 0; ci < fa.contigs.size(); ++ci) {
        const Contig& c = fa.contigs[ci];
        if (c.len > 0xFFFFFFFFULL) die("contig too long for this generator");
        const uint64_t n = (ci + 1 == fa.contigs.size()) ? nrec - assigned : nrec * c.len / total;
        assigned += n;
        // uniform positions that are not at an N (or other non-ACGT) base, then sorted
        pos.clear();
        pos.reserve(n);
        uint64_t tries = 0;
        while (pos.size() < n) {
            if (++tries > 100 * (n + 1000)) die("contig " + c.name + " has too few ACGT bases");
            const uint64_t p0 = rng.below(c.len);
            if (acgt(fa.base(c, p0))) pos.push_back((uint32_t)p0);
        }
        std::sort(pos.begin(), pos.end());

        for (uint32_t p0 : pos) {
            const char rb = fa.base(c, p0);
            ref.assign(1, rb);
            alt1.clear();
            alt2.clear();
            int nalt = 1;
            unsigned kind = (unsigned)rng.below(1000);
            // kinds: <880 SNV, <890 MNV, <930 deletion, <960 insertion, else multi-allelic
            auto ref_ok = [&](uint64_t k) {  // bases p0..p0+k-1 all ACGT and inside the contig
                if (p0 + k > c.len) return false;
                for (uint64_t i = 1; i < k; ++i)
                    if (!acgt(fa.base(c, p0 + i))) return false;
                return true;
            };
            if (kind >= 880 && kind < 890) {  // MNV (doublet)
                if (ref_ok(2)) {
                    ref.push_back(fa.base(c, p0 + 1));
                    alt1.push_back(snv_alt(rng, ref[0]));
                    alt1.push_back(snv_alt(rng, ref[1]));
                } else {
                    kind = 0;
                }
            } else if (kind >= 890 && kind < 930) {  // deletion of 1..~20 bases
                uint64_t k = 1 + (rng.chance(600) ? 1 : rng.chance(500) ? rng.range(2, 4) : rng.range(5, 20));
                if (ref_ok(k + 1)) {
                    for (uint64_t i = 1; i <= k; ++i) ref.push_back(fa.base(c, p0 + i));
                    alt1.assign(1, rb);
                } else {
                    kind = 0;
                }
            } else if (kind >= 930 && kind < 960) {  // insertion of 1..~10 bases
                uint64_t k = rng.chance(600) ? 1 : rng.range(2, 10);
                alt1.assign(1, rb);
                for (uint64_t i = 0; i < k; ++i) alt1.push_back("ACGT"[rng.below(4)]);
            } else if (kind >= 960) {  // multi-allelic
                nalt = 2;
                if (rng.chance(750)) {
                    alt1.assign(1, snv_alt(rng, rb));
                    alt2.assign(1, other_base(rng, rb));
                    while (alt2 == alt1) alt2[0] = other_base(rng, rb);
                } else {  // SNV + deletion sharing the first base: REF=XYZ ALT=X,WYZ
                    uint64_t k = rng.range(1, 4);
                    if (ref_ok(k + 1)) {
                        for (uint64_t i = 1; i <= k; ++i) ref.push_back(fa.base(c, p0 + i));
                        alt1.assign(1, rb);
                        alt2 = ref;
                        alt2[0] = other_base(rng, rb);
                    } else {
                        alt1.assign(1, snv_alt(rng, rb));
                        while (alt2.empty() || alt2 == alt1) alt2.assign(1, other_base(rng, rb));
                    }
                }
            }
            if (alt1.empty()) alt1.assign(1, snv_alt(rng, rb));  // SNV (also the fallback)

            // CHROM POS ID REF ALT QUAL
            out.str(c.name);
            out.ch('\t');
            out.u(p0 + 1);
            out.str("\t.\t", 3);
            out.str(ref);
            out.ch('\t');
            out.str(alt1);
            if (nalt == 2) {
                out.ch(',');
                out.str(alt2);
            }
            out.str("\t.\t", 3);
            // FILTER
            if (rng.below(100) < 82) {
                out.str("PASS", 4);
            } else {
                int f1 = (int)rng.below(kNumFilters);
                if (nalt == 2 && rng.chance(500)) {
                    out.str("multiallelic");
                } else {
                    out.str(kFilters[f1]);
                }
                if (rng.chance(250)) {
                    int f2 = (int)rng.below(kNumFilters);
                    if (f2 != f1) {
                        out.ch(';');
                        out.str(kFilters[f2]);
                    }
                }
            }
            out.ch('\t');

            // read evidence
            const uint64_t dpT = rng.range(20, 200), dpN = rng.range(10, 100);
            uint64_t altT[2], refT, altN[2] = {0, 0}, refN;
            altT[0] = rng.range(2, dpT / 2);
            altT[1] = nalt == 2 ? rng.range(1, (dpT - altT[0]) / 3 + 1) : 0;
            refT = dpT - altT[0] - altT[1];
            if (rng.chance(50)) altN[0] = 1;
            refN = dpN - altN[0];

            // INFO (Mutect2 style, alphabetical; SOMATIC flag as Strelka writes it)
            out.str("DP=", 3);
            out.u(dpT + dpN + rng.below(8));
            out.str(";ECNT=", 6);
            out.u(rng.chance(900) ? 1 : rng.range(2, 4));
            out.str(";GERMQ=", 7);
            out.u(rng.below(94));
            out.str(";MBQ=", 5);
            for (int i = 0; i <= nalt; ++i) {
                if (i) out.ch(',');
                out.u(rng.range(20, 41));
            }
            out.str(";MFRL=", 6);
            for (int i = 0; i <= nalt; ++i) {
                if (i) out.ch(',');
                out.u(rng.range(180, 420));
            }
            out.str(";MMQ=", 5);
            for (int i = 0; i <= nalt; ++i) {
                if (i) out.ch(',');
                out.u(rng.chance(920) ? 60 : rng.range(20, 59));
            }
            out.str(";MPOS=", 6);
            for (int i = 0; i < nalt; ++i) {
                if (i) out.ch(',');
                out.u(rng.range(1, 60));
            }
            out.str(";NALOD=", 7);
            for (int i = 0; i < nalt; ++i) {
                if (i) out.ch(',');
                out.sfixed((int64_t)rng.below(400) - 50, 2);
            }
            out.str(";NLOD=", 6);
            for (int i = 0; i < nalt; ++i) {
                if (i) out.ch(',');
                out.fixed(rng.range(100, 3000), 2);
            }
            out.str(";POPAF=", 7);
            for (int i = 0; i < nalt; ++i) {
                if (i) out.ch(',');
                out.fixed(rng.chance(850) ? 600 : rng.range(50, 599), 2);
            }
            if (rng.chance(800)) out.str(";SOMATIC", 8);
            out.str(";TLOD=", 6);
            for (int i = 0; i < nalt; ++i) {
                if (i) out.ch(',');
                out.fixed(altT[i] * 300 + rng.below(2000), 2);
            }

            // FORMAT + samples: GT:AD:AF:DP:F1R2:F2R1:SB
            out.str("\tGT:AD:AF:DP:F1R2:F2R1:SB\t", 26);
            auto sample = [&](bool is_tumor, uint64_t r, const uint64_t* al, uint64_t dp) {
                if (is_tumor)
                    out.str(nalt == 2 ? "0/1/2" : "0/1");
                else
                    out.str("0/0", 3);
                out.ch(':');
                out.u(r);
                for (int i = 0; i < nalt; ++i) {
                    out.ch(',');
                    out.u(al[i]);
                }
                out.ch(':');
                for (int i = 0; i < nalt; ++i) {
                    if (i) out.ch(',');
                    // allele fraction with 3 decimals; normal gets a small prior-ish value
                    uint64_t af = is_tumor ? (al[i] * 1000 + dp / 2) / dp : (al[i] * 1000 + 10) / (dp + 2);
                    if (!is_tumor && af == 0) af = 1000 / (dp + 2) / 2 + 1;
                    out.fixed(af, 3);
                }
                out.ch(':');
                out.u(dp);
                uint64_t r1 = rng.below(r + 1);
                out.ch(':');
                out.u(r1 / 2 + r / 4);
                uint64_t a1[2];
                for (int i = 0; i < nalt; ++i) {
                    a1[i] = rng.below(al[i] + 1);
                    out.ch(',');
                    out.u(a1[i]);
                }
                out.ch(':');
                out.u(r - (r1 / 2 + r / 4));
                for (int i = 0; i < nalt; ++i) {
                    out.ch(',');
                    out.u(al[i] - a1[i]);
                }
                out.ch(':');
                uint64_t rf = rng.below(r + 1), af_ = rng.below(al[0] + al[1] + 1);
                out.u(rf);
                out.ch(',');
                out.u(r - rf);
                out.ch(',');
                out.u(af_);
                out.ch(',');
                out.u(al[0] + al[1] - af_);
            };
            sample(true, refT, altT, dpT);
            out.ch('\t');
            sample(false, refN, altN, dpN);
            out.ch('\n');
        }
    }
    out.close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage:\n"
                     "  gen_count_bench fasta OUT.fa --contigs 3 --length 300000000 --seed S\n"
                     "  gen_count_bench vcf OUT.vcf|- --fasta REF.fa --records N --seed S [--sample-prefix X]\n");
        return 2;
    }
    const std::string cmd = argv[1];
    Args a = parse(argc, argv, 2);
    if (cmd == "fasta") return cmd_fasta(a);
    if (cmd == "vcf") return cmd_vcf(a);
    die("unknown command " + cmd + " (fasta|vcf)");
}
