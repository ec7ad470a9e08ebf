#include "count/reference.h"

#include <fcntl.h>
#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "core/errors.h"
#include "io/input_files.h"

namespace sigstream {

namespace fs = std::filesystem;

namespace {

constexpr std::array<char, 256> make_upper() {
    std::array<char, 256> t{};
    for (int i = 0; i < 256; ++i) t[i] = (i >= 'a' && i <= 'z') ? static_cast<char>(i - 32) : static_cast<char>(i);
    return t;
}
constexpr std::array<char, 256> kUpper = make_upper();

// 0 = plain, 1 = bgzf, 2 = other gzip. Throws IoError when unreadable.
int compression_of(const std::string& path) {
    BGZF* fp = bgzf_open(path.c_str(), "r");
    if (!fp)
        throw IoError(path, 0, std::string("cannot open the reference FASTA: ") + std::strerror(errno),
                      "check the path given to --ref");
    int c = bgzf_compression(fp);
    int kind = c == bgzf ? 1 : c == gzip ? 2 : 0;
    bgzf_close(fp);
    return kind;
}

bool writable_folder(const std::string& file) {
    fs::path folder = fs::path(file).parent_path();
    if (folder.empty()) folder = ".";
    return access(folder.c_str(), W_OK) == 0;
}

}  // namespace

Reference::Reference(std::string fasta_path) : path_(std::move(fasta_path)) {
    try {
        load();
    } catch (...) {
        release();  // no mapping, no temporary folder and no index of a FASTA it refused outlive a failed load
        for (const std::string& f : built_) std::remove(f.c_str());
        throw;
    }
}

Reference::~Reference() {
    release();
}

void Reference::release() noexcept {
    if (map_) munmap(const_cast<char*>(map_), map_size_);
    map_ = nullptr;
    if (!temp_dir_.empty()) {
        std::error_code ec;
        fs::remove_all(temp_dir_, ec);
        temp_dir_.clear();
    }
}

void Reference::load() {
    std::error_code ec;
    if (!fs::exists(path_, ec)) throw IoError(path_, 0, "reference FASTA not found", "check the path given to --ref");
    if (fs::is_directory(path_, ec))
        throw IoError(path_, 0, "the reference is a folder, not a FASTA file", "give the FASTA file to --ref");
    require_regular_file(path_, "the reference FASTA", "it is read at random places, not streamed");
    int kind = compression_of(path_);
    if (kind == 2)
        throw FormatError(path_, 0, "the reference FASTA is gzip-compressed but not with bgzip",
                          "recompress it with `bgzip` (or decompress it) so it can be indexed");
    bgzipped_ = kind == 1;
    note_input(path_);

    fai_path_ = path_ + ".fai";
    gzi_path_ = bgzipped_ ? path_ + ".gzi" : std::string();
    // An index older than the FASTA is stale (the FASTA was rewritten): build a fresh one.
    auto fresh = [&](const std::string& index) {
        return fs::exists(index, ec) && fs::last_write_time(index, ec) >= fs::last_write_time(path_, ec);
    };
    bool have_index = fresh(fai_path_) && (!bgzipped_ || fresh(gzi_path_));
    if (!have_index) {
        std::string temp_root;
        if (writable_folder(path_)) {
            temp_root = fs::path(path_).parent_path().string();
            if (temp_root.empty()) temp_root = ".";
        } else {
            std::error_code tec;
            temp_root = fs::temp_directory_path(tec).string();
            if (tec) temp_root = "/tmp";
        }
        // Built in a private folder and renamed into place, so concurrent runs never read a half-written
        // index.
        std::string templ = temp_root + "/.sigstream-fai.XXXXXX";
        if (!mkdtemp(templ.data()))
            throw IoError(path_, 0, "cannot create a temporary folder for the FASTA index",
                          "set TMPDIR to a writable folder, or run `samtools faidx` on the FASTA");
        temp_dir_ = templ;
        std::string built_fai = temp_dir_ + "/ref.fai";
        std::string built_gzi = bgzipped_ ? temp_dir_ + "/ref.gzi" : std::string();
        if (fai_build3(path_.c_str(), built_fai.c_str(), bgzipped_ ? built_gzi.c_str() : nullptr) != 0)
            throw FormatError(path_, 0, "cannot index the reference FASTA (is it a FASTA file?)",
                              "check the file, or index it with `samtools faidx`");
        bool in_place = writable_folder(path_);
        if (in_place && bgzipped_) in_place = std::rename(built_gzi.c_str(), gzi_path_.c_str()) == 0;
        if (in_place && bgzipped_) built_.push_back(gzi_path_);
        if (in_place) in_place = std::rename(built_fai.c_str(), fai_path_.c_str()) == 0;
        if (in_place) built_.push_back(fai_path_);
        if (!in_place) {  // read-only folder: use the index from the temporary folder
            fai_path_ = built_fai;
            if (bgzipped_) gzi_path_ = built_gzi;
        }
    }
    read_index();
    if (bgzipped_ && (!built_.empty() || !temp_dir_.empty())) check_unique_names();

    if (!bgzipped_) {
        int fd = open(path_.c_str(), O_RDONLY);
        if (fd < 0) throw IoError(path_, 0, std::string("cannot open: ") + std::strerror(errno), "check permissions");
        struct stat st {};
        fstat(fd, &st);
        map_size_ = static_cast<std::size_t>(st.st_size);
        if (map_size_ > 0) {
            void* m = mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m == MAP_FAILED) {
                close(fd);
                throw IoError(path_, 0, std::string("cannot map the FASTA into memory: ") + std::strerror(errno),
                              "check free address space, or bgzip the FASTA");
            }
            map_ = static_cast<const char*>(m);
        }
        close(fd);
        check_layout();
    }
}

namespace {

// A whole number in [0, 2^63) from a field of the index; false otherwise.
bool index_number(std::string_view field, std::int64_t& out) {
    const auto r = std::from_chars(field.data(), field.data() + field.size(), out);
    return r.ec == std::errc() && r.ptr == field.data() + field.size() && out >= 0;
}

}  // namespace

void Reference::read_index() {
    std::ifstream fai(fai_path_);
    if (!fai) throw IoError(fai_path_, 0, "cannot read the FASTA index", "check its permissions");
    note_input(fai_path_);
    const std::string stale = "delete " + fai_path_ + " and sigstream rebuilds it (or run `samtools faidx`)";
    std::string line;
    std::uint64_t lineno = 0;
    std::unordered_map<std::string, std::uint64_t> seen;
    while (std::getline(fai, line)) {
        ++lineno;
        if (line.empty()) continue;
        std::vector<std::string_view> f;
        for (std::size_t start = 0;;) {
            const std::size_t tab = line.find('\t', start);
            f.emplace_back(line.data() + start, (tab == std::string::npos ? line.size() : tab) - start);
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        Contig c{};
        if ((f.size() != 5 && f.size() != 6) || f[0].empty() || !index_number(f[1], c.length) ||
            !index_number(f[2], c.offset) || !index_number(f[3], c.line_bases) || !index_number(f[4], c.line_width) ||
            c.line_bases == 0 || c.line_width < c.line_bases)
            throw FormatError(fai_path_, lineno,
                              "malformed FASTA index line (NAME, LENGTH, OFFSET, LINEBASES, LINEWIDTH: whole "
                              "numbers, LINEWIDTH >= LINEBASES > 0)",
                              stale);
        // The byte after the last base, checked: a length or offset near 2^63 must not wrap around.
        std::int64_t end = c.offset;
        if (c.length > 0) {
            std::int64_t rows = 0;
            const bool wraps = __builtin_mul_overflow((c.length - 1) / c.line_bases, c.line_width, &rows) ||
                               __builtin_add_overflow(end, rows, &end) ||
                               __builtin_add_overflow(end, (c.length - 1) % c.line_bases + 1, &end);
            if (wraps)
                throw FormatError(
                    fai_path_, lineno,
                    "the index does not match the FASTA: contig '" + std::string(f[0]) + "' would end past 2^63 bytes",
                    stale);
        }
        c.end = end;
        const std::string name(f[0]);
        if (const auto [it, fresh] = seen.emplace(name, lineno); !fresh)
            throw DataError(path_, 0,
                            "contig '" + name + "' is in the FASTA twice (index lines " + std::to_string(it->second) +
                                " and " + std::to_string(lineno) + ")",
                            "give every sequence its own name: sigstream will not guess which copy the VCFs mean");
        names_.push_back(name);
        contigs_.push_back(c);
    }
    const bool built_now = !built_.empty() || !temp_dir_.empty();
    if (names_.empty() && !built_now)  // an index given with the FASTA, listing nothing
        throw FormatError(fai_path_, 0, "the index lists no sequences", stale);
    if (names_.empty())
        throw FormatError(path_, 0, "the reference FASTA has no sequences", "check the file given to --ref");
    lookup_ = ContigNames(names_);
}

void Reference::check_unique_names() const {
    // htslib's indexer keeps the first of two sequences of one name: read the headers to find a second.
    BGZF* fp = bgzf_open(path_.c_str(), "r");
    if (!fp) throw IoError(path_, 0, std::string("cannot open: ") + std::strerror(errno), "check permissions");
    kstring_t line{0, 0, nullptr};
    std::unordered_map<std::string, std::uint64_t> seen;
    std::uint64_t number = 0;
    std::string twice;
    while (twice.empty() && bgzf_getline(fp, '\n', &line) >= 0) {
        ++number;
        if (line.l == 0 || line.s[0] != '>') continue;
        std::size_t end = 1;
        while (end < line.l && !std::strchr(" \t\r", line.s[end])) ++end;
        if (!seen.emplace(std::string(line.s + 1, end - 1), number).second) twice.assign(line.s + 1, end - 1);
    }
    std::free(line.s);
    bgzf_close(fp);
    if (!twice.empty())
        throw DataError(path_, number, "contig '" + twice + "' is in the FASTA twice",
                        "give every sequence its own name: sigstream will not guess which copy the VCFs mean");
}

void Reference::check_layout() const {
    const std::string stale = "delete " + fai_path_ + " and sigstream rebuilds it (or run `samtools faidx`)";
    const auto size = static_cast<std::int64_t>(map_size_);
    std::vector<std::size_t> order(contigs_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return contigs_[a].offset < contigs_[b].offset; });
    // A sequence's header in [from, to) that the index does not list: a name given twice, or a stale index.
    auto no_header_between = [&](std::int64_t from, std::int64_t to) {
        for (std::int64_t p = from; p < to; ++p) {
            if (map_[p] != '>' || (p > 0 && map_[p - 1] != '\n')) continue;
            std::int64_t e = p + 1;
            while (e < size && map_[e] != '\n' && map_[e] != '\r' && map_[e] != ' ' && map_[e] != '\t') ++e;
            const std::string name(map_ + p + 1, map_ + e);
            const std::uint64_t line = 1 + static_cast<std::uint64_t>(std::count(map_, map_ + p, '\n'));
            for (const std::string& n : names_)
                if (n == name)
                    throw DataError(path_, line, "contig '" + name + "' is in the FASTA twice",
                                    "give every sequence its own name: sigstream will not guess which copy the VCFs "
                                    "mean");
            throw FormatError(fai_path_, 0,
                              "the index does not match the FASTA: it does not list the sequence '" + name +
                                  "' (FASTA line " + std::to_string(line) + ")",
                              stale);
        }
    };
    std::int64_t previous_end = 0;
    for (std::size_t i : order) {
        const Contig& c = contigs_[i];
        const std::string where = "the index does not match the FASTA: contig '" + names_[i] + "'";
        if (c.end > size)
            throw FormatError(fai_path_, i + 1,
                              where + " runs past the FASTA's end (" + std::to_string(size) + " bytes)", stale);
        // Its header: the line that ends just before its first base, ">NAME" and optional words.
        std::int64_t h = c.offset - 1;
        bool ok = h >= previous_end && map_[h] == '\n';
        if (ok) {
            while (h > previous_end && map_[h - 1] != '\n') --h;
            const std::size_t n = names_[i].size();
            ok = map_[h] == '>' && c.offset - h >= static_cast<std::int64_t>(n) + 2 &&
                 names_[i].compare(0, n, map_ + h + 1, n) == 0 &&
                 std::strchr(" \t\r\n", map_[h + 1 + static_cast<std::int64_t>(n)]) != nullptr;
        }
        if (!ok)
            throw FormatError(fai_path_, i + 1,
                              where + " does not start after its header line at byte " + std::to_string(c.offset),
                              stale);
        // Its first line ends where the index says lines end, and nothing follows its last base on that line.
        if (c.length > c.line_bases && map_[c.offset + c.line_bases] != '\n' && map_[c.offset + c.line_bases] != '\r')
            throw FormatError(fai_path_, i + 1,
                              where + "'s lines are not " + std::to_string(c.line_bases) + " bases long", stale);
        if (c.end < size && map_[c.end] != '\n' && map_[c.end] != '\r')
            throw FormatError(fai_path_, i + 1, where + " is longer than " + std::to_string(c.length) + " bases",
                              stale);
        no_header_between(previous_end, h);
        previous_end = c.end;
    }
    no_header_between(previous_end, size);
}

Reference::Reader::Reader(const Reference& ref) : ref_(ref) {
    if (ref_.bgzipped_) {
        fai_ = fai_load3(ref_.path_.c_str(), ref_.fai_path_.c_str(), ref_.gzi_path_.c_str(), 0);
        if (!fai_)
            throw IoError(ref_.path_, 0, "cannot open the bgzipped FASTA with its index",
                          "delete its .fai and .gzi files and let sigstream rebuild them");
    }
}

Reference::Reader::~Reader() {
    std::free(cached_seq_);
    if (fai_) fai_destroy(static_cast<faidx_t*>(fai_));
}

void Reference::Reader::window(int contig, std::int64_t pos, int flank, char* out) {
    const Contig& c = ref_.contigs_[contig];
    if (ref_.map_) {
        // One division for the whole window, then step through the lines.
        std::int64_t p = pos - flank;
        const std::int64_t end = pos + flank;
        for (; p < 0 && p <= end; ++p) *out++ = '\0';
        if (p <= end && p < c.length) {
            std::int64_t col = p % c.line_bases;
            const char* base = ref_.map_ + c.offset + p / c.line_bases * c.line_width + col;
            for (; p <= end && p < c.length; ++p) {
                *out++ = kUpper[static_cast<unsigned char>(*base)];
                if (++col == c.line_bases) {
                    col = 0;
                    base += c.line_width - c.line_bases + 1;
                } else {
                    ++base;
                }
            }
        }
        for (; p <= end; ++p) *out++ = '\0';
        return;
    }
    if (!ref_.bgzipped_) {  // empty file mapped nowhere: every contig is empty
        for (int k = -flank; k <= flank; ++k) *out++ = '\0';
        return;
    }
    if (contig != cached_contig_) {
        std::free(cached_seq_);
        cached_seq_ = nullptr;
        cached_contig_ = -1;
        hts_pos_t len = 0;
        cached_seq_ =
            faidx_fetch_seq64(static_cast<faidx_t*>(fai_), ref_.names_[contig].c_str(), 0, c.length - 1, &len);
        if (!cached_seq_ || len != c.length)
            throw IoError(ref_.path_, 0, "cannot read contig '" + ref_.names_[contig] + "' from the bgzipped FASTA",
                          "check the file (try `samtools faidx`) and delete stale .fai/.gzi files");
        cached_len_ = len;
        cached_contig_ = contig;
    }
    for (int k = -flank; k <= flank; ++k) {
        std::int64_t p = pos + k;
        *out++ = (p < 0 || p >= cached_len_) ? '\0' : kUpper[static_cast<unsigned char>(cached_seq_[p])];
    }
}

}  // namespace sigstream
