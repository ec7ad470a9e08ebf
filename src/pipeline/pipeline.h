// A pipeline: stages run in order in one process, each handing its results to the next in memory (no file in
// between), and every stage's files written at the end — into one run folder (with metadata.toml), or to the
// paths the stages were given. `sigstream run PIPELINE.toml` runs one from a file (docs/pipeline.md); every
// other subcommand runs a pipeline of one or a few stages; a C++ program can run one of either.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/settings.h"
#include "io/config.h"
#include "io/outputs.h"
#include "pipeline/stage.h"

namespace sigstream {

class Pipeline {
public:
    std::string command = "run";    // the subcommand that runs it (metadata.toml says so)
    std::vector<std::string> argv;  // its command line (metadata.toml)
    std::vector<std::unique_ptr<Stage>> stages;
    // The pipeline file it was read from ("" when built otherwise) and the line of each stage's [table] (or of
    // `stages = […]` when it has none), by stage: prepare()'s usage errors name them.
    std::string file;
    std::vector<std::uint64_t> lines;

    // Appends a stage; its id becomes its kind unless set, and must be unique.
    Stage& add(std::unique_ptr<Stage> stage);

    // Checks the data flow (each stage's needs met by earlier stages or by its own files) and prepares every
    // stage. UsageError (exit status 2) naming the stage for anything amiss. Nothing is read or written yet.
    void prepare();
    // Checks that every stage's files can be written to `out` and that none goes over a file the run reads.
    void reserve(OutputSink& out) const;
    // Runs the stages in order (after prepare()).
    void run(Workspace& ws, const RunSettings& run) const;
    // Writes every stage's files to `out`, then metadata.toml into a run folder, then commits `out`.
    void write(const Workspace& ws, OutputSink& out, const RunSettings& run) const;

    // prepare(), reserve(out) (when given), run(), write(out) (when given). Returns what the stages made.
    Workspace execute(const RunSettings& run, OutputSink* out = nullptr);

    // The pipeline as a TOML pipeline file: every stage with every setting resolved, defaults included
    // (`sigstream run --dry-run`; reading it back gives the same pipeline).
    std::string describe(const std::string& out_dir, int threads) const;
};

// A pipeline file (docs/pipeline.md): top-level `stages = [...]` names the stages in order, each settled by the
// [table] of that name (`stage = "KIND"` when the name is not a kind: two fits, say); `out-dir`, `force` and
// `threads` may be given at the top too. Relative paths are relative to the file's folder. UsageError naming the
// file, line and key for an unknown key or table, a value of the wrong type, or an unknown stage.
struct PipelineFile {
    Pipeline pipeline;
    std::string out_dir;  // "" when the file gives none
    bool force = false;
    int threads = 0;  // 0 when the file gives none
};
PipelineFile read_pipeline(const std::string& path);

}  // namespace sigstream
