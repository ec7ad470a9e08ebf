// The reference genome, read from the user's own FASTA (plain or bgzipped) through its `.fai` index.
//
// A plain FASTA is memory-mapped: bases are read in place through the `.fai` offsets, so nothing is
// loaded up front and memory stays bounded by the genome. A bgzipped FASTA is read one contig at a time
// per Reader. A missing `.fai` (and `.gzi`) is built next to the FASTA when its folder is writable,
// otherwise in a temporary folder. The index is checked against the FASTA before use (every entry inside the file,
// every contig at its header line, no sequence the index does not list — so a contig name given twice is refused).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "count/contig_names.h"

namespace sigstream {

class Reference {
public:
    explicit Reference(std::string fasta_path);  // throws IoError / FormatError
    ~Reference();
    Reference(const Reference&) = delete;
    Reference& operator=(const Reference&) = delete;

    const std::string& path() const { return path_; }
    const std::vector<std::string>& contig_names() const { return names_; }
    std::int64_t contig_length(int contig) const { return contigs_[contig].length; }
    // Index of a contig after harmonisation (chr1 <-> 1, chrM <-> MT), or -1.
    int find_contig(std::string_view name) const { return lookup_.find(name); }

    // One thread's view of the reference. Cheap for a plain FASTA; for a bgzipped one it holds its own
    // index handle and the contig it last read.
    class Reader {
    public:
        explicit Reader(const Reference& ref);
        ~Reader();
        Reader(const Reader&) = delete;
        Reader& operator=(const Reader&) = delete;

        // Writes the 2*flank+1 upper-cased bases centred on 0-based `pos` of `contig` into out[];
        // positions outside the contig are written as '\0'.
        void window(int contig, std::int64_t pos, int flank, char* out);

    private:
        const Reference& ref_;
        void* fai_ = nullptr;  // faidx_t*, bgzipped FASTA only
        int cached_contig_ = -1;
        char* cached_seq_ = nullptr;
        std::int64_t cached_len_ = 0;
    };

private:
    struct Contig {
        std::int64_t length, offset, line_bases, line_width;
        std::int64_t end;  // one past the byte of its last base (plain FASTA)
    };
    void load();
    void read_index();
    void check_layout() const;        // the index against the mapped FASTA
    void check_unique_names() const;  // a bgzipped FASTA's headers, read once when its index is built
    void release() noexcept;
    std::string path_;
    std::string fai_path_, gzi_path_;
    std::string temp_dir_;            // when the index had to be built outside the FASTA's folder
    std::vector<std::string> built_;  // index files this load built beside the FASTA (removed if the load fails)
    bool bgzipped_ = false;
    const char* map_ = nullptr;
    std::size_t map_size_ = 0;
    std::vector<std::string> names_;
    std::vector<Contig> contigs_;
    ContigNames lookup_;
};

}  // namespace sigstream
