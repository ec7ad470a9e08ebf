#include "count/vcf_source.h"

#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/vcf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/errors.h"
#include "io/input_files.h"
#include "io/line_reader.h"

namespace sigstream {

struct VcfSource::Impl {
    htsFile* fp = nullptr;
    bool is_bcf = false;
    std::string carry;            // a line that spans two chunks
    const char* chunk = nullptr;  // unread part of the current chunk of text
    const char* chunk_end = nullptr;
    std::vector<char> buffer;  // uncompressed files only
    // BCF only
    bcf_hdr_t* hdr = nullptr;
    bcf1_t* rec = nullptr;
    std::string alt_buf;
    int32_t* gt = nullptr;
    int n_gt = 0;
    int pass_id = -1;
    // VCF text: FORMAT column of the last record, and where GT sits in it
    std::string last_format;
    int gt_index = -1;

    ~Impl() {
        if (rec) bcf_destroy(rec);
        if (hdr) bcf_hdr_destroy(hdr);
        if (fp) hts_close(fp);
        std::free(gt);
    }
};

namespace {

std::string display_name(const std::string& path) {
    return path == "-" ? "<stdin>" : path;
}

// Splits `s` at TAB into at most `max` fields; returns how many were found. The last field found runs
// to the end of the line.
inline std::size_t split_tabs(std::string_view s, std::string_view* fields, std::size_t max) {
    std::size_t n = 0;
    const char* p = s.data();
    const char* end = p + s.size();
    while (n + 1 < max) {
        const char* t = static_cast<const char*>(std::memchr(p, '\t', static_cast<std::size_t>(end - p)));
        if (!t) break;
        fields[n++] = std::string_view(p, static_cast<std::size_t>(t - p));
        p = t + 1;
    }
    fields[n++] = std::string_view(p, static_cast<std::size_t>(end - p));
    return n;
}

// Marks in `mask` every ALT allele index (1..63) named by a GT value such as `0/1`, `1|2`, `1`, `./.`.
inline bool parse_gt(std::string_view gt, std::uint64_t& mask) {
    std::size_t i = 0;
    while (i < gt.size()) {
        if (gt[i] == '.') {
            ++i;
        } else if (gt[i] >= '0' && gt[i] <= '9') {
            unsigned v = 0;
            while (i < gt.size() && gt[i] >= '0' && gt[i] <= '9') {
                v = v * 10 + static_cast<unsigned>(gt[i] - '0');
                if (v > 1000000) return false;
                ++i;
            }
            if (v >= 1 && v <= 63) mask |= std::uint64_t{1} << v;
        } else {
            return false;
        }
        if (i < gt.size()) {
            if (gt[i] != '/' && gt[i] != '|') return false;
            ++i;
        }
    }
    return true;
}

// BCF lengths (of the header, of a record) above this are damage: htslib would allocate whatever a length claims.
constexpr std::uint64_t kMaxBcfBlock = std::uint64_t{256} << 20;

// The little-endian 32-bit number at byte `at` of what a BGZF stream reads next, without consuming it, when it lies
// within the stream's current block (or the next one); false when it does not (then htslib reads it as usual).
bool peek_u32(BGZF* fp, int at, std::uint64_t& out) {
    if (fp->block_offset >= fp->block_length && bgzf_read_block(fp) != 0) return false;
    if (fp->block_length - fp->block_offset < at + 4) return false;
    const auto* p = static_cast<const unsigned char*>(fp->uncompressed_block) + fp->block_offset + at;
    out = std::uint64_t{p[0]} | std::uint64_t{p[1]} << 8 | std::uint64_t{p[2]} << 16 | std::uint64_t{p[3]} << 24;
    return true;
}

}  // namespace

VcfSource::VcfSource(std::string path, bool want_genotypes, int decompress_threads)
    : path_(std::move(path)), want_genotypes_(want_genotypes), impl_(std::make_unique<Impl>()) {
    const std::string name = display_name(path_);
    // A FIFO is opened without blocking and read once a process writes to it (never waiting forever).
    if (const int fd = open_fifo_input(path_); fd >= 0) {
        hFILE* h = hdopen(fd, "r");
        if (!h) close(fd);
        impl_->fp = h ? hts_hopen(h, path_.c_str(), "r") : nullptr;
        if (h && !impl_->fp) hclose_abruptly(h);
    } else {
        impl_->fp = hts_open(path_.c_str(), "r");
    }
    if (impl_->fp) note_input(path_);
    if (!impl_->fp) {
        int err = errno;
        if (err == ENOEXEC)  // htslib's word for a format it does not know
            throw FormatError(name, 1, "not a VCF or BCF file (a VCF's first line is ##fileformat=VCFv4.x)",
                              "give a VCF, bgzipped VCF or BCF file");
        throw IoError(name, 0, std::string("cannot open: ") + (err ? std::strerror(err) : "unknown error"),
                      "check the path and permissions");
    }
    const htsFormat* fmt = hts_get_format(impl_->fp);
    if (fmt->format == bcf) {
        impl_->is_bcf = true;
    } else if (fmt->format != vcf) {
        if (fmt->format == empty_format)
            throw FormatError(name, 0, "the file is empty, not a VCF", "a VCF needs at least its header lines");
        if (fmt->category == unknown_category || fmt->format == text_format)
            throw FormatError(name, 1, "not a VCF or BCF file (a VCF's first line is ##fileformat=VCFv4.x)",
                              "give a VCF, bgzipped VCF or BCF file");
        char* described = hts_format_description(fmt);  // malloc'd by htslib
        std::string looks_like = described ? described : "something else";
        std::free(described);
        throw FormatError(name, 1, "not a VCF or BCF file (looks like " + looks_like + ")",
                          "give a VCF, bgzipped VCF or BCF file");
    }

    if (decompress_threads > 0 && fmt->compression == bgzf) hts_set_threads(impl_->fp, decompress_threads);
    if (impl_->is_bcf) {
        std::uint64_t length = 0;  // "BCF" 2 2, then the header's length
        if (impl_->fp->is_bgzf && peek_u32(impl_->fp->fp.bgzf, 5, length)) {
            if (length > kMaxBcfBlock)
                throw FormatError(name, 0,
                                  "the BCF header claims " + std::to_string(length) +
                                      " bytes (more than 256 MiB): the file is damaged, or not a BCF",
                                  "check the file with `bcftools view -h`");
        }
        impl_->hdr = bcf_hdr_read(impl_->fp);
        if (!impl_->hdr)
            throw FormatError(name, 0, "cannot read the BCF header", "check the file with `bcftools view -h`");
        impl_->rec = bcf_init();
        for (int i = 0; i < bcf_hdr_nsamples(impl_->hdr); ++i) samples_.emplace_back(impl_->hdr->samples[i]);
        if (bcf_hrec_t* h = bcf_hdr_get_hrec(impl_->hdr, BCF_HL_GEN, "tumor_sample", nullptr, nullptr))
            tumor_sample_ = std::string(h->value);
        impl_->pass_id = bcf_hdr_id2int(impl_->hdr, BCF_DT_ID, "PASS");
    } else {
        bool seen_chrom = false;
        std::string_view s;
        while (!seen_chrom && read_line(s)) {
            if (s.rfind("##", 0) == 0) {
                constexpr std::string_view key = "##tumor_sample=";
                if (s.rfind(key, 0) == 0) tumor_sample_ = std::string(s.substr(key.size()));
                continue;
            }
            if (s.rfind("#CHROM", 0) == 0) {
                seen_chrom = true;
                std::size_t col = 0;
                std::size_t start = 0;
                while (start <= s.size()) {
                    std::size_t t = s.find('\t', start);
                    std::string_view field =
                        s.substr(start, t == std::string_view::npos ? std::string_view::npos : t - start);
                    if (col >= 9) samples_.emplace_back(field);
                    ++col;
                    if (t == std::string_view::npos) break;
                    start = t + 1;
                }
                if (col < 8)
                    throw FormatError(name, line_, "the #CHROM header line has fewer than 8 columns",
                                      "columns must be TAB-separated: #CHROM POS ID REF ALT QUAL FILTER INFO");
                continue;
            }
            throw FormatError(name, line_, "a record comes before the #CHROM header line",
                              "a VCF needs its ## meta lines and #CHROM line before the records");
        }
        if (!seen_chrom) throw FormatError(name, line_, "no #CHROM header line", "the VCF header is incomplete");
    }
    if (want_genotypes_) carried_.assign(samples_.size(), 0);
}

VcfSource::~VcfSource() = default;

void VcfSource::malformed(const std::string& what) const {
    throw FormatError(display_name(path_), line_, "malformed record: " + what,
                      "fix or remove this line (check it with `bcftools view`)");
}

std::uint64_t* VcfSource::reset_genotypes() {
    if (!want_genotypes_) return nullptr;
    std::fill(carried_.begin(), carried_.end(), 0);
    return carried_.data();
}

void VcfSource::no_genotype_field() const {
    throw FormatError(display_name(path_), line_, "the record has no GT genotype field",
                      "--per-genotype-sample needs a GT field in every record; drop the option to count per file");
}

void VcfSource::check_end_of_file() {
    if (!impl_->fp->is_bgzf || impl_->fp->format.compression != bgzf) return;
    BGZF* fp = impl_->fp->fp.bgzf;
    // A seekable file is checked for its end-of-file marker; a pipe cannot seek, so the last block
    // read must have been that (empty) marker block.
    int marker = bgzf_check_EOF(fp);
    if (marker == 0 || (marker == 2 && !fp->last_block_eof))
        throw IoError(display_name(path_), line_, "the file is truncated (the BGZF end-of-file marker is missing)",
                      "re-create or re-download the file");
}

bool VcfSource::next(VariantRecord& rec) {
    return impl_->is_bcf ? next_bcf(rec) : next_text(rec);
}

bool VcfSource::next_chunk() {
    // Text arrives in chunks: BGZF's decompressed blocks (also for plain gzip), or raw reads of an
    // uncompressed file into our own buffer.
    if (impl_->fp->is_bgzf) {
        BGZF* fp = impl_->fp->fp.bgzf;
        // The previous chunk is used up; a plain-gzip stream inflates at block_offset, so rewind it.
        fp->block_offset = fp->block_length = 0;
        if (bgzf_read_block(fp) != 0 || fp->errcode)
            throw IoError(display_name(path_), line_ + 1, "the file is truncated or its compressed data is corrupt",
                          "check it with `bgzip -t` and re-create or re-download it");
        impl_->chunk = static_cast<const char*>(fp->uncompressed_block);
        impl_->chunk_end = impl_->chunk + fp->block_length;
    } else {
        impl_->buffer.resize(1 << 20);
        ssize_t n = hread(impl_->fp->fp.hfile, impl_->buffer.data(), impl_->buffer.size());
        if (n < 0) throw IoError(display_name(path_), line_ + 1, "cannot read the file", "check the file and the disk");
        impl_->chunk = impl_->buffer.data();
        impl_->chunk_end = impl_->chunk + n;
    }
    return impl_->chunk != impl_->chunk_end;
}

bool VcfSource::read_line(std::string_view& out) {
    // Lines are cut straight out of the current chunk (no copy); only a line that spans two chunks is
    // assembled in `carry`.
    impl_->carry.clear();
    for (;;) {
        if (impl_->chunk == impl_->chunk_end && !next_chunk()) {  // end of file
            check_end_of_file();
            if (impl_->carry.empty()) return false;
            ++line_;
            out = impl_->carry;  // a last line without its newline
            if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
            return true;
        }
        const char* start = impl_->chunk;
        const std::size_t avail = static_cast<std::size_t>(impl_->chunk_end - start);
        const char* nl = static_cast<const char*>(std::memchr(start, '\n', avail));
        if (!nl) {
            impl_->carry.append(start, avail);
            impl_->chunk = impl_->chunk_end;
            if (impl_->carry.size() > LineReader::kMaxLineBytes)  // a binary file, or a gzip bomb: not VCF text
                throw FormatError(display_name(path_), line_ + 1,
                                  "the line is longer than " + std::to_string(LineReader::kMaxLineBytes >> 20) +
                                      " MiB (is this a VCF?)",
                                  "check the file: VCF lines end in a newline");
            continue;
        }
        const std::size_t len = static_cast<std::size_t>(nl - start);
        impl_->chunk = nl + 1;
        ++line_;
        if (impl_->carry.empty()) {
            out = std::string_view(start, len);
        } else {
            impl_->carry.append(start, len);
            out = impl_->carry;
        }
        if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
        return true;
    }
}

bool VcfSource::next_text(VariantRecord& rec) {
    std::string_view s;
    do {
        if (!read_line(s)) return false;
    } while (s.empty());  // blank lines are ignored
    std::string_view f[10];
    std::size_t n = split_tabs(s, f, want_genotypes_ ? 10 : 8);
    if (n < 8) malformed("it has " + std::to_string(n) + " TAB-separated columns, a VCF record needs at least 8");
    if (f[0].empty()) malformed("empty CHROM");
    std::int64_t pos = 0;
    if (f[1].empty() || f[1].size() > 12) malformed("POS '" + std::string(f[1]) + "' is not a position");
    for (char c : f[1]) {
        if (c < '0' || c > '9') malformed("POS '" + std::string(f[1]) + "' is not a position");
        pos = pos * 10 + (c - '0');
    }
    if (pos < 1) malformed("POS must be at least 1");
    if (f[3].empty() || f[4].empty()) malformed("empty REF or ALT");
    rec.chrom = f[0];
    rec.pos = pos;
    rec.ref = f[3];
    rec.alt = f[4];
    std::string_view filter = f[6];
    rec.filter = filter == "PASS"                    ? FilterStatus::Pass
                 : (filter == "." || filter.empty()) ? FilterStatus::Missing
                                                     : FilterStatus::Other;
    rec.line = line_;
    rec.carried = reset_genotypes();
    if (want_genotypes_) {
        if (samples_.empty()) return true;
        if (n < 10) malformed("it has no FORMAT and sample columns, but the header names samples");
        if (f[8] != impl_->last_format) {
            impl_->last_format.assign(f[8]);
            impl_->gt_index = -1;
            int k = 0;
            std::size_t start = 0;
            for (;;) {
                std::size_t c = f[8].find(':', start);
                if (f[8].substr(start, c == std::string_view::npos ? std::string_view::npos : c - start) == "GT") {
                    impl_->gt_index = k;
                    break;
                }
                if (c == std::string_view::npos) break;
                start = c + 1;
                ++k;
            }
        }
        if (impl_->gt_index < 0) no_genotype_field();
        std::string_view rest = f[9];
        for (std::size_t si = 0; si < samples_.size(); ++si) {
            std::size_t t = rest.find('\t');
            if (t == std::string_view::npos && si + 1 < samples_.size())
                malformed("it has fewer sample columns than the header names");
            std::string_view cell = rest.substr(0, t);
            rest = t == std::string_view::npos ? std::string_view() : rest.substr(t + 1);
            std::string_view gt;
            std::size_t start = 0;
            int k = 0;
            bool found = false;
            for (;;) {
                std::size_t c = cell.find(':', start);
                if (k == impl_->gt_index) {
                    gt = cell.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start);
                    found = true;
                    break;
                }
                if (c == std::string_view::npos) break;
                start = c + 1;
                ++k;
            }
            if (found && !parse_gt(gt, carried_[si]))
                malformed("sample '" + samples_[si] + "' has the genotype '" + std::string(gt) +
                          "', which is not a GT value");
        }
    }
    return true;
}

bool VcfSource::next_bcf(VariantRecord& rec) {
    std::uint64_t shared = 0, indiv = 0;  // a record starts with the lengths of its shared and per-sample parts
    if (impl_->fp->is_bgzf && peek_u32(impl_->fp->fp.bgzf, 0, shared) && peek_u32(impl_->fp->fp.bgzf, 4, indiv) &&
        shared + indiv > kMaxBcfBlock)
        throw FormatError(display_name(path_), line_ + 1,
                          "BCF record " + std::to_string(line_ + 1) + " claims " + std::to_string(shared + indiv) +
                              " bytes (more than 256 MiB): the file is damaged",
                          "check the file with `bcftools view`");
    int r = bcf_read(impl_->fp, impl_->hdr, impl_->rec);
    if (r == -1) {
        check_end_of_file();
        return false;
    }
    ++line_;
    if (r < -1 || impl_->rec->errcode)
        throw FormatError(display_name(path_), line_,
                          "cannot decode BCF record " + std::to_string(line_) + " (truncated or corrupt file)",
                          "check the file with `bcftools view`");
    bcf1_t* b = impl_->rec;
    bcf_unpack(b, BCF_UN_STR | BCF_UN_FLT);
    if (b->n_allele < 1) malformed("no REF allele");
    rec.chrom = bcf_hdr_id2name(impl_->hdr, b->rid);
    rec.pos = b->pos + 1;
    rec.ref = b->d.allele[0];
    impl_->alt_buf.clear();
    if (b->n_allele < 2) {
        impl_->alt_buf = ".";
    } else {
        for (int i = 1; i < b->n_allele; ++i) {
            if (i > 1) impl_->alt_buf += ',';
            impl_->alt_buf += b->d.allele[i];
        }
    }
    rec.alt = impl_->alt_buf;
    if (b->d.n_flt == 0)
        rec.filter = FilterStatus::Missing;
    else if (b->d.n_flt == 1 && b->d.flt[0] == impl_->pass_id)
        rec.filter = FilterStatus::Pass;
    else
        rec.filter = FilterStatus::Other;
    rec.line = line_;
    rec.carried = reset_genotypes();
    if (want_genotypes_) {
        if (samples_.empty()) return true;
        int n = bcf_get_genotypes(impl_->hdr, b, &impl_->gt, &impl_->n_gt);
        if (n <= 0) no_genotype_field();
        int ploidy = n / static_cast<int>(samples_.size());
        for (std::size_t si = 0; si < samples_.size(); ++si) {
            for (int k = 0; k < ploidy; ++k) {
                int32_t v = impl_->gt[si * static_cast<std::size_t>(ploidy) + static_cast<std::size_t>(k)];
                if (v == bcf_int32_vector_end) break;
                if (bcf_gt_is_missing(v)) continue;
                int a = bcf_gt_allele(v);
                if (a >= 1 && a <= 63) carried_[si] |= std::uint64_t{1} << a;
            }
        }
    }
    return true;
}

}  // namespace sigstream
