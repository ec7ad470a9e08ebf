#include "count/count.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/errors.h"
#include "count/reference.h"
#include "count/regions.h"
#include "count/vcf_source.h"

namespace sigstream {

std::string_view skip_name(Skip s) {
    static constexpr std::string_view names[kSkipReasons] = {"OutsideRegions",  "Filtered",
                                                             "Multiallelic",    "Other",
                                                             "Indel",           "MNV",
                                                             "UnknownContig",   "ContigEdge",
                                                             "RefMismatch",     "AmbiguousContext",
                                                             "Duplicate",       "Doublet",
                                                             "NoSbs1536Context"};
    return names[static_cast<std::size_t>(s)];
}

std::string sample_name_from_path(std::string_view path) {
    std::size_t slash = path.find_last_of('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    for (std::string_view suffix : {".vcf.gz", ".vcf.bgz", ".vcf", ".bcf"}) {
        if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
            name.remove_suffix(suffix.size());
            break;
        }
    }
    return std::string(name);
}

namespace {

std::string display_name(const std::string& path) {
    return path == "-" ? "<stdin>" : path;
}

// An SNV that passed the stream-independent checks (7-10) and waits for its neighbours.
struct Candidate {
    std::uint64_t record;
    std::int16_t ch96;
    std::int16_t ch1536;  // -1: no SBS1536 context
    char alt;
    bool doublet;
};

// One output column: its counts, its skip tallies, and the neighbourhood needed for checks 11-12.
struct Stream {
    StreamSummary summary;
    std::vector<std::uint64_t> c96 = std::vector<std::uint64_t>(96, 0);
    std::vector<std::uint64_t> c1536;
    std::uint64_t reached_contig_check = 0;
    std::uint64_t reached_ref_check = 0;
    std::uint64_t out_of_order = 0;
    int contig = -1;
    std::int64_t pos = -1;
    std::vector<Candidate> here, before;  // candidates at `pos`, and at `pos - 1`
    std::vector<char> seen_contigs;       // contigs this stream has had candidates on

    void flush(std::vector<Candidate>& group, bool keep_adjacent) {
        for (const Candidate& c : group) {
            if (c.doublet && !keep_adjacent) {
                ++summary[Skip::Doublet];
                continue;
            }
            ++summary.counted;
            ++c96[static_cast<std::size_t>(c.ch96)];
            if (c.ch1536 >= 0) {
                if (!c1536.empty()) ++c1536[static_cast<std::size_t>(c.ch1536)];
            } else {
                ++summary[Skip::NoSbs1536Context];
            }
        }
        group.clear();
    }

    void add(int contig_id, std::int64_t p, const Candidate& cand, bool keep_adjacent) {
        if (contig_id != contig) {  // a contig that comes back later is out of order too
            if (static_cast<std::size_t>(contig_id) >= seen_contigs.size())
                seen_contigs.resize(static_cast<std::size_t>(contig_id) + 1, 0);
            if (seen_contigs[static_cast<std::size_t>(contig_id)]) ++out_of_order;
            seen_contigs[static_cast<std::size_t>(contig_id)] = 1;
        }
        if (contig_id != contig || p > pos + 1) {
            flush(before, keep_adjacent);
            flush(here, keep_adjacent);
        } else if (p == pos + 1) {
            flush(before, keep_adjacent);
            before.swap(here);
        } else if (p < pos) {
            ++out_of_order;
            flush(before, keep_adjacent);
            flush(here, keep_adjacent);
        }
        contig = contig_id;
        pos = p;
        for (const Candidate& c : here) {
            if (c.alt == cand.alt) {
                ++summary[Skip::Duplicate];
                return;
            }
        }
        Candidate x = cand;
        for (Candidate& b : before) {
            if (b.record != x.record) {
                b.doublet = true;
                x.doublet = true;
            }
        }
        here.push_back(x);
    }

    void finish(bool keep_adjacent) {
        flush(before, keep_adjacent);
        flush(here, keep_adjacent);
    }
};

bool plain_bases(std::string_view s) {
    for (char c : s)
        if (base_code(c) < 0) return false;
    return true;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (base_code(a[i]) != base_code(b[i])) return false;
    return true;
}

// Everything one input produces.
struct InputResult {
    std::vector<Stream> streams;
    std::vector<std::string> warnings;
    std::uint64_t records = 0;
};

class InputCounter {
public:
    InputCounter(const Reference& ref, Reference::Reader& reader, const Regions* regions, const CountOptions& opt,
                 const CountInput& input, int decompress_threads, std::atomic<std::uint64_t>& progress,
                 const std::atomic<bool>& cancelled)
        : ref_(ref),
          reader_(reader),
          regions_(regions),
          opt_(opt),
          input_(input),
          decompress_threads_(decompress_threads),
          progress_(progress),
          cancelled_(cancelled) {}

    InputResult run() {
        VcfSource src(input_.path, opt_.per_genotype_sample, decompress_threads_);
        InputResult out;
        genotype_mode_ = opt_.per_genotype_sample;
        if (genotype_mode_ && src.samples().empty())
            throw FormatError(display_name(input_.path), 0, "the VCF has no sample columns, so no genotypes",
                              "--per-genotype-sample needs per-sample GT columns; drop the option to count per file");
        std::size_t n_streams = genotype_mode_ ? src.samples().size() : 1;
        out.streams.resize(n_streams);
        for (std::size_t i = 0; i < n_streams; ++i) {
            Stream& s = out.streams[i];
            if (opt_.want_sbs1536) s.c1536.assign(1536, 0);
            s.summary.sample = genotype_mode_ ? src.samples()[i] : stream_name(src);
        }
        streams_ = &out.streams;

        VariantRecord rec;
        std::uint64_t since_report = 0;
        while (src.next(rec)) {
            ++out.records;
            if (++since_report == 65536) {
                progress_.fetch_add(since_report, std::memory_order_relaxed);
                since_report = 0;
                if (cancelled_.load(std::memory_order_relaxed)) return out;  // another input failed
            }
            process(rec);
        }
        progress_.fetch_add(since_report, std::memory_order_relaxed);
        for (Stream& s : out.streams) s.finish(opt_.keep_adjacent_snvs);
        check_stream_totals(out);
        out.warnings = std::move(warnings_);
        return out;
    }

private:
    std::string stream_name(const VcfSource& src) const {
        std::string name = stream_name_unchecked(src);
        if (name.find_first_of("\t\r\n") != std::string::npos)
            throw DataError(display_name(input_.path), 0, "the sample name contains a TAB or line break",
                            "name the sample with --sample or a --list file's second column");
        return name;
    }

    std::string stream_name_unchecked(const VcfSource& src) const {
        if (!input_.sample.empty()) return input_.sample;
        if (input_.path == "-")
            throw UsageError("<stdin>", 0, "standard input has no file name to name its sample",
                             "give the sample's name with --sample NAME");
        if (src.tumor_sample() && !src.tumor_sample()->empty()) return *src.tumor_sample();
        return sample_name_from_path(input_.path);
    }

    // Calls f(stream) for each stream carrying any bit of `alleles`.
    template <typename F>
    void for_streams(const VariantRecord& rec, std::uint64_t alleles, F&& f) {
        if (!genotype_mode_) {
            f((*streams_)[0]);
            return;
        }
        for (std::size_t i = 0; i < streams_->size(); ++i)
            if (rec.carried[i] & alleles) f((*streams_)[i]);
    }

    void skip(const VariantRecord& rec, std::uint64_t alleles, Skip why) {
        for_streams(rec, alleles, [why](Stream& s) { ++s.summary[why]; });
    }

    int contig_of(std::string_view chrom) {
        if (chrom == last_chrom_) return last_contig_;
        last_chrom_.assign(chrom);
        auto it = contig_cache_.find(last_chrom_);
        if (it == contig_cache_.end()) it = contig_cache_.emplace(last_chrom_, ref_.find_contig(chrom)).first;
        last_contig_ = it->second;
        return last_contig_;
    }

    void process(const VariantRecord& rec) {
        constexpr std::uint64_t kAnyAlt = ~std::uint64_t{1};
        if (genotype_mode_) {
            bool any = false;
            for (std::size_t i = 0; i < streams_->size() && !any; ++i) any = rec.carried[i] & kAnyAlt;
            if (!any) return;
        }
        int contig = contig_of(rec.chrom);
        if (regions_ && !regions_->contains(contig, rec.pos)) return skip(rec, kAnyAlt, Skip::OutsideRegions);
        if (rec.filter == FilterStatus::Other && opt_.filter != FilterMode::All)
            return skip(rec, kAnyAlt, Skip::Filtered);
        if (rec.filter == FilterStatus::Missing && opt_.filter == FilterMode::PassOnly)
            return skip(rec, kAnyAlt, Skip::Filtered);
        bool multi = rec.alt.find(',') != std::string_view::npos;
        if (multi && !opt_.split_multiallelic) return skip(rec, kAnyAlt, Skip::Multiallelic);

        record_snvs_.clear();
        std::string_view alts = rec.alt;
        for (int a = 1; a <= 63 || !genotype_mode_; ++a) {
            std::size_t comma = alts.find(',');
            std::string_view alt = alts.substr(0, comma);
            allele(rec, alt, a <= 63 ? std::uint64_t{1} << a : 0);
            if (comma == std::string_view::npos) break;
            alts.remove_prefix(comma + 1);
        }
        // The SNVs of one record go on in position order (split MNVs of several ALTs interleave), so a
        // record that repeats an SNV in two ALTs counts it once, as a duplicate.
        if (record_snvs_.size() > 1)
            std::stable_sort(record_snvs_.begin(), record_snvs_.end(),
                             [](const RecordSnv& x, const RecordSnv& y) { return x.pos < y.pos; });
        for (const RecordSnv& v : record_snvs_) snv(rec, contig, v.pos, v.ref, v.alt, v.bit);
    }

    // Checks 4-6 for one ALT allele; its SNVs are queued in record_snvs_.
    void allele(const VariantRecord& rec, std::string_view alt, std::uint64_t bit) {
        std::string_view ref = rec.ref;
        if (alt.empty() || !plain_bases(ref) || !plain_bases(alt) || iequals(ref, alt))
            return skip(rec, bit, Skip::Other);
        if (ref.size() != alt.size()) return skip(rec, bit, Skip::Indel);
        if (ref.size() == 1) {
            record_snvs_.push_back(RecordSnv{rec.pos, ref[0], alt[0], bit});
            return;
        }
        if (!opt_.split_mnv) return skip(rec, bit, Skip::MNV);
        for (std::size_t i = 0; i < ref.size(); ++i)
            if (base_code(ref[i]) != base_code(alt[i]))
                record_snvs_.push_back(RecordSnv{rec.pos + static_cast<std::int64_t>(i), ref[i], alt[i], bit});
    }

    void snv(const VariantRecord& rec, int contig, std::int64_t pos, char ref_base, char alt_base, std::uint64_t bit) {
        for_streams(rec, bit, [](Stream& s) { ++s.reached_contig_check; });
        if (contig < 0) {
            note_unknown_contig(rec.chrom);
            return skip(rec, bit, Skip::UnknownContig);
        }
        std::int64_t len = ref_.contig_length(contig);
        if (pos == 1 || pos == len) return skip(rec, bit, Skip::ContigEdge);
        for_streams(rec, bit, [](Stream& s) { ++s.reached_ref_check; });
        char w[5];
        reader_.window(contig, pos - 1, 2, w);
        int r = base_code(ref_base);
        if (base_code(w[2]) != r || w[2] == '\0') return skip(rec, bit, Skip::RefMismatch);
        int five = base_code(w[1]), three = base_code(w[3]);
        if (five < 0 || three < 0) return skip(rec, bit, Skip::AmbiguousContext);
        int a = base_code(alt_base);
        int five_outer = base_code(w[0]), three_outer = base_code(w[4]);
        if (r == 0 || r == 2) {  // purine REF: take the reverse complement
            r = complement(r);
            a = complement(a);
            int f = complement(three), t = complement(five);
            five = f;
            three = t;
            int fo = three_outer < 0 ? -1 : complement(three_outer);
            int to = five_outer < 0 ? -1 : complement(five_outer);
            five_outer = fo;
            three_outer = to;
        }
        int sub = substitution_index(r, a);
        Candidate cand{};
        cand.record = rec.line;
        cand.ch96 = static_cast<std::int16_t>(sbs96_index(five, sub, three));
        cand.ch1536 = (five_outer < 0 || three_outer < 0)
                          ? std::int16_t{-1}
                          : static_cast<std::int16_t>(sbs1536_index(five_outer, five, sub, three, three_outer));
        cand.alt = static_cast<char>(base_code(alt_base));
        cand.doublet = false;
        for_streams(rec, bit, [&](Stream& s) { s.add(contig, pos, cand, opt_.keep_adjacent_snvs); });
    }

    void note_unknown_contig(std::string_view chrom) {
        if (unknown_contigs_.size() < 5) unknown_contigs_.emplace(chrom);
    }

    std::string unknown_contig_list() const {
        std::string s;
        for (const auto& c : unknown_contigs_) s += (s.empty() ? "'" : ", '") + c + "'";
        return s;
    }

    void check_stream_totals(InputResult& out) {
        const std::string file = display_name(input_.path);
        for (const Stream& s : out.streams) {
            const std::uint64_t mismatches = s.summary[Skip::RefMismatch];
            if (s.reached_ref_check > 0 &&
                static_cast<double>(mismatches) / static_cast<double>(s.reached_ref_check) > opt_.max_ref_mismatch) {
                char pct[32];
                std::snprintf(pct, sizeof pct, "%.1f%%",
                              100.0 * static_cast<double>(mismatches) / static_cast<double>(s.reached_ref_check));
                throw DataError(file, 0,
                                "sample '" + s.summary.sample + "': " + std::to_string(mismatches) + " of " +
                                    std::to_string(s.reached_ref_check) + " SNVs (" + pct +
                                    ") disagree with the reference FASTA at their position (wrong genome build?)",
                                "give --ref the FASTA the variants were called against, or raise --max-ref-mismatch");
            }
            const std::uint64_t unknown = s.summary[Skip::UnknownContig];
            if (unknown > 0 && 2 * unknown > s.reached_contig_check)
                throw DataError(file, 0,
                                "sample '" + s.summary.sample + "': " + std::to_string(unknown) + " of " +
                                    std::to_string(s.reached_contig_check) +
                                    " SNVs are on contigs absent from the reference FASTA (" + unknown_contig_list() +
                                    ")",
                                "give --ref the FASTA the variants were called against");
            if (unknown > 0)
                warnings_.push_back(file + ": sample '" + s.summary.sample + "': skipped " + std::to_string(unknown) +
                                    " SNVs on contigs absent from the reference FASTA (" + unknown_contig_list() + ")");
            if (s.out_of_order > 0)
                warnings_.push_back(file + ": sample '" + s.summary.sample + "': " + std::to_string(s.out_of_order) +
                                    " records go backwards in position or return to an earlier contig; duplicates and "
                                    "doublets are found only between "
                                    "neighbouring records — sort the file (`bcftools sort`) for exact results");
        }
    }

    const Reference& ref_;
    Reference::Reader& reader_;  // one per worker thread, kept across inputs (a bgzipped FASTA's contig cache)
    const Regions* regions_;
    const CountOptions& opt_;
    const CountInput& input_;
    int decompress_threads_;
    std::atomic<std::uint64_t>& progress_;
    const std::atomic<bool>& cancelled_;
    bool genotype_mode_ = false;
    std::vector<Stream>* streams_ = nullptr;
    struct RecordSnv {
        std::int64_t pos;
        char ref, alt;
        std::uint64_t bit;
    };
    std::vector<RecordSnv> record_snvs_;
    std::string last_chrom_ = std::string(1, '\0');
    int last_contig_ = -1;
    std::unordered_map<std::string, int> contig_cache_;
    std::set<std::string> unknown_contigs_;
    std::vector<std::string> warnings_;
};

// A column name must not hold a control character: a TAB, newline or NUL would break the matrix's header line.
void check_sample_name(const std::string& name, const std::string& source) {
    for (const char c : name)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw DataError(display_name(source), 0,
                            "the sample name '" + name +
                                "' holds a control character (a TAB, newline or NUL would break the matrix's header)",
                            "rename the sample (a --list file's second column, or --sample)");
}

DataError duplicate_name(const std::string& name, const std::string& first, const std::string& second,
                         const CountOptions& opt) {
    return DataError(display_name(second), 0, "sample name '" + name + "' is also a sample of " + display_name(first),
                     opt.per_genotype_sample
                         ? "rename the VCF's samples (`bcftools reheader -s`), or count one column per file "
                           "without --per-genotype-sample"
                         : "name the samples apart with a --list file's second column (or --sample)");
}

// Names the streams of every file before the long work starts, so a clash fails fast.
void check_names_early(const std::vector<CountInput>& inputs, const CountOptions& opt) {
    std::map<std::string, std::string> seen;  // name -> first file
    for (const CountInput& in : inputs) {
        if (in.path == "-") {
            if (!opt.per_genotype_sample && in.sample.empty())
                throw UsageError("<stdin>", 0, "standard input has no file name to name its sample",
                                 "give the sample's name with --sample NAME");
            continue;
        }
        std::vector<std::string> names;
        if (!opt.per_genotype_sample && !in.sample.empty()) {
            names.push_back(in.sample);
        } else {
            // Pipes and process substitutions can be read only once: their names are checked after counting.
            std::error_code ec;
            if (!std::filesystem::is_regular_file(in.path, ec)) continue;
            VcfSource src(in.path, false);
            if (opt.per_genotype_sample)
                names = src.samples();
            else
                names.push_back(src.tumor_sample() && !src.tumor_sample()->empty() ? *src.tumor_sample()
                                                                                   : sample_name_from_path(in.path));
        }
        for (const auto& n : names) {
            check_sample_name(n, in.path);
            auto [it, fresh] = seen.emplace(n, in.path);
            if (!fresh) throw duplicate_name(n, it->second, in.path, opt);
        }
    }
}

}  // namespace

CountResult count_mutations(const Reference& reference, const std::vector<CountInput>& inputs,
                            const CountOptions& options, const RunSettings& run) {
    if (inputs.empty()) throw UsageError("", 0, "no input files", "give at least one VCF/BCF file or `-`");
    if (options.max_ref_mismatch < 0 || options.max_ref_mismatch > 1)
        throw UsageError("", 0, "--max-ref-mismatch must be a fraction between 0 and 1", "e.g. 0.05");
    // `-` without a name fails before anything is read from standard input (also with one input).
    for (const CountInput& in : inputs)
        if (in.path == "-" && in.sample.empty() && !options.per_genotype_sample)
            throw UsageError("<stdin>", 0, "standard input has no file name to name its sample",
                             "give the sample's name with --sample NAME");
    if (inputs.size() > 1) check_names_early(inputs, options);
    std::size_t stdin_inputs =
        std::count_if(inputs.begin(), inputs.end(), [](const CountInput& i) { return i.path == "-"; });
    if (stdin_inputs > 1) throw UsageError("<stdin>", 0, "standard input is given more than once", "give `-` once");

    std::unique_ptr<Regions> regions;
    std::vector<std::string> warnings;
    if (!options.regions_bed.empty()) {
        regions = std::make_unique<Regions>(options.regions_bed, reference);
        if (regions->skipped_contigs() > 0)
            warnings.push_back(options.regions_bed + ": " + std::to_string(regions->skipped_contigs()) +
                               " contig(s) absent from the reference FASTA were ignored");
    }

    const std::size_t n = inputs.size();
    std::vector<std::optional<InputResult>> results(n);
    std::vector<std::exception_ptr> errors(n);
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<std::uint64_t> records{0};
    std::atomic<bool> failed{false};
    std::mutex mu;
    std::condition_variable cv;

    // Threads beyond one per input decompress BGZF blocks ahead of the readers (one big file, 8 threads).
    const int threads = std::max(1, run.threads);
    const int decompress_threads =
        threads > static_cast<int>(n) ? (threads - static_cast<int>(n)) / static_cast<int>(n) : 0;
    auto worker = [&] {
        std::unique_ptr<Reference::Reader> reader;
        for (;;) {
            std::size_t i = next.fetch_add(1);
            if (i >= n || failed.load()) break;
            try {
                if (!reader) reader = std::make_unique<Reference::Reader>(reference);
                InputCounter counter(reference, *reader, regions.get(), options, inputs[i], decompress_threads, records,
                                     failed);
                results[i] = counter.run();
            } catch (...) {
                errors[i] = std::current_exception();
                failed = true;
            }
            {
                std::lock_guard<std::mutex> lock(mu);
                ++done;
            }
            cv.notify_all();
        }
    };

    const std::size_t n_threads = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(threads), n));
    std::vector<std::thread> pool;
    // With a progress callback the calling thread only reports, so the pool gets every worker;
    // without one, the calling thread is one of the workers.
    const bool reporting = static_cast<bool>(run.progress);
    for (std::size_t t = reporting ? 0 : 1; t < n_threads; ++t) pool.emplace_back(worker);
    bool cancelled = false;
    if (reporting) {
        std::unique_lock<std::mutex> lock(mu);
        while (done.load() < n && !failed.load()) {
            cv.wait_for(lock, std::chrono::seconds(1));
            if (failed.load()) break;
            Progress p;
            p.stage = "count";
            p.unit = "inputs";
            p.done = done.load();
            p.total = n;
            p.items = records.load();
            p.items_unit = "records";
            if (run.progress(p) == Flow::stop) {
                cancelled = true;
                failed = true;  // the readers stop at their next record
            }
        }
    } else {
        worker();
    }
    for (auto& t : pool) t.join();
    if (cancelled) throw Cancelled("", 0, "counting stopped at the caller's request", "");
    for (std::size_t i = 0; i < n; ++i)
        if (errors[i]) std::rethrow_exception(errors[i]);

    CountResult result;
    std::vector<std::string> names;
    {
        std::map<std::string, std::size_t> seen;  // name -> input
        for (std::size_t i = 0; i < n; ++i)
            for (auto& st : results[i]->streams) {
                check_sample_name(st.summary.sample, inputs[i].path);
                auto [it, fresh] = seen.emplace(st.summary.sample, i);
                if (!fresh) throw duplicate_name(st.summary.sample, inputs[it->second].path, inputs[i].path, options);
                names.push_back(st.summary.sample);
            }
    }
    result.sbs6 = LabelledMatrix(Context::SBS6, names);
    result.sbs96 = LabelledMatrix(Context::SBS96, names);
    if (options.want_sbs1536) result.sbs1536 = LabelledMatrix(Context::SBS1536, names);
    result.warnings = std::move(warnings);
    std::size_t col = 0;
    for (auto& r : results) {
        result.records += r->records;
        for (auto& w : r->warnings) result.warnings.push_back(std::move(w));
        for (auto& s : r->streams) {
            // Counts are whole numbers far below 2^53: exact as doubles.
            std::array<std::uint64_t, 6> c6{};
            for (std::size_t ch = 0; ch < 96; ++ch) {
                result.sbs96.at(ch, col) = static_cast<double>(s.c96[ch]);
                c6[static_cast<std::size_t>(sbs6_of_sbs96(static_cast<int>(ch)))] += s.c96[ch];
            }
            for (std::size_t ch = 0; ch < 6; ++ch) result.sbs6.at(ch, col) = static_cast<double>(c6[ch]);
            if (options.want_sbs1536)
                for (std::size_t ch = 0; ch < 1536; ++ch) result.sbs1536.at(ch, col) = static_cast<double>(s.c1536[ch]);
            result.summary.push_back(std::move(s.summary));
            ++col;
        }
    }
    return result;
}

}  // namespace sigstream
