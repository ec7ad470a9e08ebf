// Where a stage's files go. A stage writes through an OutputSink, which is either
//  * a RunFolder: one folder, assembled in a temporary folder next to it and renamed into place only when
//    every file is complete (a failed run leaves nothing); names are relative to the folder and may hold
//    subfolders ("solutions/K3/signatures.tsv"); or
//  * a FileSet: files at the paths given (`-` = standard output), each written to a temporary name and all
//    renamed into place together at the end.
// Both check up front (reserve) that every file can be written and that no two outputs go to one place.
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "io/output_file.h"

namespace sigstream {

class OutputSink {
public:
    virtual ~OutputSink() = default;
    // Checks, before any work, that `name` can be written and that nothing else is to be written there.
    virtual void reserve(const std::string& name) = 0;
    // Opens `name` for writing. The file opened before is finished first (one open file at a time).
    virtual std::ostream& open(const std::string& name) = 0;
    // True for a run folder (names are relative to it), false for a set of files at given paths.
    virtual bool is_folder() const = 0;
    // Finishes every file and moves them into place.
    virtual void commit() = 0;
    // Refuses (UsageError) to write over or delete `input`, a file the run reads: an output reserved at the same
    // place, or a run folder replaced with --force that holds it. Call after every reserve().
    virtual void protect(const std::string& input) = 0;
    // Makes `folder` for files to be written into: a run folder's subfolders appear as files are opened; a file
    // set creates it now (when missing) and removes it again unless committed.
    virtual void create_folder(const std::string& folder) = 0;
};

// A run folder, written whole or not at all (see above). The folder must not exist or be empty, unless
// `force`: then an existing folder is replaced, once the new one is complete.
class RunFolder : public OutputSink {
public:
    RunFolder(std::string path, bool force);  // throws unless the folder can be created (or replaced)
    ~RunFolder() override;
    RunFolder(const RunFolder&) = delete;
    RunFolder& operator=(const RunFolder&) = delete;

    void reserve(const std::string& name) override;
    std::ostream& open(const std::string& name) override;
    bool is_folder() const override { return true; }
    void commit() override;
    void create_folder(const std::string&) override {}
    // With `force`, refuses to replace a folder that holds `input` (it would delete the input).
    void protect(const std::string& input) override;

    const std::string& path() const { return path_; }

private:
    void check() const;
    const std::string& temp();
    std::filesystem::path parent_of() const;

    std::string path_;
    bool force_;
    std::string temp_, old_;
    std::set<std::string> names_, opened_;
    std::vector<std::unique_ptr<OutputFile>> files_;
};

// Files at the paths given (see above).
class FileSet : public OutputSink {
public:
    FileSet() = default;
    ~FileSet() override;
    FileSet(const FileSet&) = delete;
    FileSet& operator=(const FileSet&) = delete;

    void reserve(const std::string& path) override;
    std::ostream& open(const std::string& path) override;
    bool is_folder() const override { return false; }
    void commit() override;
    void create_folder(const std::string& folder) override;
    void protect(const std::string& input) override;

private:
    std::set<std::string> destinations_;
    std::vector<std::string> reserved_;  // as given
    std::vector<std::unique_ptr<OutputFile>> files_;
    std::vector<std::string> created_;  // folders made by create_folder(), removed unless committed
    bool committed_ = false;
};

}  // namespace sigstream
