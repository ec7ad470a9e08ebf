// The files a run reads. Every reader notes the file it opens here, so that an output is never written over an
// input — whatever path names it: the same name, a symbolic link, a hard link, or standard output redirected to it.
// Outputs are compared with the inputs twice: up front, against the files the stages say they read (OutputSink::
// protect), and again when each output is moved into place, against every file actually read (OutputFile::commit).
//
// It also says which inputs may be special files: one read from start to end, once (a VCF) may come from a FIFO or
// a pipe; one read at random places or twice (the reference FASTA, a matrix whose checksum is recorded) must be a
// regular file. Nothing here ever blocks for long: opening a FIFO that nobody writes to waits a bounded time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/errors.h"

namespace sigstream {

// What makes two paths the same file: its device and inode (links followed).
struct FileId {
    std::uint64_t device = 0, inode = 0;
    bool operator==(const FileId&) const = default;
};

// The file `path` names, links followed; `-` is standard input. nullopt when there is none (or it cannot be read).
std::optional<FileId> file_id(const std::string& path);
// The file standard output writes to; nullopt for a terminal, pipe or socket (never an input's file).
std::optional<FileId> stdout_file_id();

// Notes that this process reads `path` (a no-op for `-` and for paths that do not exist). Thread-safe.
void note_input(const std::string& path);
// The input noted (as it was named) that is the same file as `path`; "" when there is none.
std::string input_at(const std::string& path);
// An input noted that lies inside the folder `folder` (by its real path); "" when there is none.
std::string input_inside(const std::string& folder);

// The error for an output that would be written over `input`, one message wherever it is caught.
UsageError output_over_input(const std::string& input);

// Refuses (UsageError) a path that is not a regular file: a FIFO, device or socket. `what` names the input in the
// message ("the reference FASTA"); `why` says why it must be a regular file.
void require_regular_file(const std::string& path, const std::string& what, const std::string& why);

// For an input read once from start to end: when `path` is a FIFO, opens it without blocking and waits until a
// process writes to it (at most fifo_wait_seconds()), then returns the descriptor, set to blocking reads, for the
// caller to read from and close; IoError when nobody writes in time. -1 for any other file (open it as usual).
int open_fifo_input(const std::string& path);
// How long open_fifo_input() waits: $SIGSTREAM_FIFO_WAIT seconds when set, else 600.
int fifo_wait_seconds();

}  // namespace sigstream
