// Pieces shared by the subcommands that write run folders (`extract`, `consensus`, `crossval`): the
// run folder written whole or not at all, `--param` parsing, metadata.toml text helpers and the input's
// SHA-256.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

#include "cli/args.h"
#include "core/errors.h"
#include "backend/backend.h"
#include "extract/selection.h"
#include "io/output_file.h"

namespace sigstream::cli {

// TOML text: a basic string with escapes, a key (bare when possible), a float that reads back as a
// float and exactly, an array of strings.
std::string toml_string(const std::string& s);
std::string toml_key(const std::string& k);
std::string toml_float(double v);
std::string toml_string_array(const std::vector<std::string>& items);

// `s` quoted for a POSIX shell when it needs quoting.
std::string shell_quote(const std::string& s);

// The argument vector as one shell-quoted command line.
std::string command_line(const std::vector<std::string>& argv);

// The UTC time now as an RFC 3339 / TOML date-time ("2026-11-28T04:21:25Z").
std::string utc_now();

// SHA-256 of a file's bytes as 64 hex digits; empty for `-` or an unreadable file.
std::string file_sha256(const std::string& path);

// The `[input]` table of metadata.toml: the matrix as given and absolute, its SHA-256 (if known), the
// catalogue, the number of samples and the empty ones.
void write_input_toml(std::ostream& out, const std::string& matrix, const std::string& sha256,
                      const LabelledMatrix& counts, const std::vector<std::string>& empty_samples);

// `--param KEY=VALUE` items → the backend's keys (no prefix). UsageError for a malformed item, a key of
// another backend, an unknown key, or a key given twice.
std::map<std::string, std::string> parse_params(const std::vector<std::string>& items, const Backend& backend);

// Every parameter of the backend, in its order, with its value: the default unless `overrides` has the key.
std::vector<std::pair<std::string, std::string>> effective_params(const Backend& backend,
                                                                  const std::map<std::string, std::string>& overrides);

std::string strip_trailing_slashes(std::string p);
bool entry_exists(const std::filesystem::path& p);
bool is_empty_real_folder(const std::filesystem::path& p);

// The output folder: checked up front (before the fit), assembled in a temporary folder next to it,
// and renamed into place by commit(). Until then, the destructor removes the temporary folder.
class RunFolder {
public:
    RunFolder(std::string path, bool force) : path_(strip_trailing_slashes(std::move(path))), force_(force) {
        if (path_.empty()) throw UsageError("", 0, "--out-dir is empty", "give the run folder to create");
        check();
    }
    ~RunFolder() {
        std::error_code ec;
        if (!temp_.empty()) std::filesystem::remove_all(temp_, ec);
        if (!old_.empty() && entry_exists(old_)) std::filesystem::remove_all(old_, ec);
    }
    RunFolder(const RunFolder&) = delete;
    RunFolder& operator=(const RunFolder&) = delete;

    // Throws unless the folder can be created (or, with --force, replaced).
    void check() const {
        std::filesystem::path parent = parent_of();
        std::error_code ec;
        if (!std::filesystem::is_directory(parent, ec))
            throw IoError(path_, 0, "cannot create the run folder: folder '" + parent.string() + "' does not exist",
                          "create it first or choose another --out-dir");
        if (access(parent.c_str(), W_OK) != 0)
            throw IoError(path_, 0, "cannot create the run folder: folder '" + parent.string() + "' is not writable",
                          "choose a folder you can write to");
        if (!entry_exists(path_) || is_empty_real_folder(path_)) return;
        if (!std::filesystem::is_directory(std::filesystem::symlink_status(path_, ec)))
            throw UsageError(path_, 0, "--out-dir exists and is not a folder", "choose another --out-dir");
        if (!force_)
            throw UsageError(path_, 0, "the output folder already exists and is not empty",
                             "choose another --out-dir, empty it, or give --force to replace it");
    }

    // With --force, refuses to replace a folder that holds `input` (it would delete the input).
    void check_not_inside(const std::string& input) const {
        if (!force_ || input == "-" || !entry_exists(path_)) return;
        std::error_code ec1, ec2;
        std::filesystem::path in = std::filesystem::weakly_canonical(input, ec1),
                              out = std::filesystem::weakly_canonical(path_, ec2);
        if (ec1 || ec2) return;
        auto o = out.begin(), i = in.begin();
        for (; o != out.end() && i != in.end() && *o == *i; ++o, ++i) {
        }
        if (o == out.end())
            throw UsageError(path_, 0, "--force would replace the folder holding the input matrix " + input,
                             "choose another --out-dir");
    }

    // The temporary folder the files are written into (created on first use).
    const std::string& temp() {
        if (temp_.empty()) {
            std::filesystem::path name = std::filesystem::path(path_).filename();
            std::string templ = (parent_of() / ("." + name.string() + ".tmp.XXXXXX")).string();
            if (!mkdtemp(templ.data()))
                throw IoError(path_, 0, std::string("cannot create a temporary folder: ") + std::strerror(errno),
                              "check the folder's permissions and free space");
            temp_ = templ;
            mode_t mask = umask(0);
            umask(mask);
            chmod(temp_.c_str(), 0777 & ~mask);  // mkdtemp creates 0700: give a normal folder's permissions
        }
        return temp_;
    }

    // The temporary path of `name` inside the folder; `name` may hold subfolders ("solutions/K3/x.tsv"),
    // which are created.
    std::string file(const std::string& name) {
        std::filesystem::path p = std::filesystem::path(temp()) / name;
        if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
        return p.string();
    }

    // Opens `name` (see file()) for writing and returns its stream; the file opened before it is finished
    // (flushed and closed) first, so a folder of thousands of files needs one descriptor at a time.
    std::ostream& open(const std::string& name) {
        if (!files_.empty()) files_.back()->finish();
        files_.push_back(std::make_unique<OutputFile>(file(name)));
        return files_.back()->stream();
    }

    // Finishes every file opened with open(), then moves the folder into place.
    void commit() {
        for (auto& f : files_) f->finish();
        for (auto& f : files_) f->commit();
        files_.clear();
        check();
        if (entry_exists(path_) && !is_empty_real_folder(path_)) {  // --force: move the old one aside first
            old_ = temp_ + ".old";
            if (std::rename(path_.c_str(), old_.c_str()) != 0) {
                int err = errno;
                old_.clear();
                throw IoError(path_, 0, std::string("cannot replace the existing output: ") + std::strerror(err),
                              "check the permissions, or choose another --out-dir");
            }
        }
        if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
            int err = errno;
            if (!old_.empty() && std::rename(old_.c_str(), path_.c_str()) == 0) old_.clear();
            throw IoError(path_, 0,
                          std::string("cannot move the finished run folder into place: ") + std::strerror(err),
                          "check the permissions, or choose another --out-dir");
        }
        temp_.clear();
        if (!old_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(old_, ec);
            old_.clear();
        }
    }

    const std::string& path() const { return path_; }

private:
    std::filesystem::path parent_of() const {
        std::filesystem::path parent = std::filesystem::path(path_).parent_path();
        return parent.empty() ? std::filesystem::path(".") : parent;
    }
    std::string path_;
    bool force_;
    std::string temp_, old_;
    std::vector<std::unique_ptr<OutputFile>> files_;
};

// ---------------------------------------------------------------- replicate runs (extract, consensus)

// What metadata.toml records about a run with replicates.
struct ReplicateRunInfo {
    std::string command;  // "extract" or "consensus"
    std::vector<std::string> argv;
    std::string matrix, sha256;
    std::string backend, backend_version, backend_objective, backend_file;
    std::map<std::string, std::string> params;       // every backend parameter, defaults included
    std::map<std::string, std::string> user_params;  // those given with --param (extract only)
    ReplicatePlan plan;
    SelectionRule rule;
    int threads = 1;
    std::vector<std::string> shards;  // consensus: the shard files merged
};

// "2:15" → {2, …, 15}; UsageError naming `flag` otherwise.
std::vector<int> parse_k_range(const std::string& text, const std::string& flag);
// "A:B" → (A, B) with 0 <= A < B; UsageError naming `flag` otherwise.
std::pair<int, int> parse_range(const std::string& text, const std::string& flag);

// The selection options shared by extract and consensus.
void add_selection_options(Parser& p);
SelectionRule selection_rule(const Args& args);

// Writes the run folder of a replicate run into `folder` (not yet committed): the chosen K's
// signatures.tsv, medoids.tsv, exposures.tsv, sample_stats.tsv, stability.tsv at the top, selection.tsv,
// solutions/K<k>/ for every K, and metadata.toml. Every file but metadata.toml depends only on
// (counts, replicates, rule), so a merged run equals a one-process run byte for byte.
void write_replicate_run(RunFolder& folder, const LabelledMatrix& counts, const FitInput& input,
                         const Selection& selection, const ReplicateRunInfo& info);

}  // namespace sigstream::cli
