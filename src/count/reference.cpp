#include "count/reference.h"

#include <fcntl.h>
#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <htslib/hts.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"

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
    std::error_code ec;
    if (!fs::exists(path_, ec)) throw IoError(path_, 0, "reference FASTA not found", "check the path given to --ref");
    if (fs::is_directory(path_, ec))
        throw IoError(path_, 0, "the reference is a folder, not a FASTA file", "give the FASTA file to --ref");
    int kind = compression_of(path_);
    if (kind == 2)
        throw FormatError(path_, 0, "the reference FASTA is gzip-compressed but not with bgzip",
                          "recompress it with `bgzip` (or decompress it) so it can be indexed");
    bgzipped_ = kind == 1;

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
        if (in_place) in_place = std::rename(built_fai.c_str(), fai_path_.c_str()) == 0;
        if (!in_place) {  // read-only folder: use the index from the temporary folder
            fai_path_ = built_fai;
            if (bgzipped_) gzi_path_ = built_gzi;
        }
    }

    std::ifstream fai(fai_path_);
    if (!fai) throw IoError(fai_path_, 0, "cannot read the FASTA index", "check its permissions");
    std::string line;
    std::uint64_t lineno = 0;
    while (std::getline(fai, line)) {
        ++lineno;
        if (line.empty()) continue;
        std::istringstream ss(line);
        std::string name;
        Contig c{};
        if (!std::getline(ss, name, '\t') || !(ss >> c.length >> c.offset >> c.line_bases >> c.line_width) ||
            c.length < 0 || c.line_bases <= 0 || c.line_width < c.line_bases)
            throw FormatError(fai_path_, lineno, "malformed FASTA index line",
                              "delete the .fai file and let sigstream rebuild it");
        names_.push_back(name);
        contigs_.push_back(c);
    }
    if (names_.empty())
        throw FormatError(path_, 0, "the reference FASTA has no sequences", "check the file given to --ref");
    lookup_ = ContigNames(names_);

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
        for (std::size_t i = 0; i < contigs_.size(); ++i) {
            const Contig& c = contigs_[i];
            if (c.length == 0) continue;
            std::int64_t last = c.offset + (c.length - 1) / c.line_bases * c.line_width + (c.length - 1) % c.line_bases;
            if (last >= static_cast<std::int64_t>(map_size_))
                throw FormatError(
                    fai_path_, i + 1,
                    "the FASTA index does not match the FASTA (contig '" + names_[i] + "' runs past its end)",
                    "delete the .fai file and let sigstream rebuild it");
        }
    }
}

Reference::~Reference() {
    if (map_) munmap(const_cast<char*>(map_), map_size_);
    if (!temp_dir_.empty()) {
        std::error_code ec;
        fs::remove_all(temp_dir_, ec);
    }
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
