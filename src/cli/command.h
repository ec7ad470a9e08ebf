// What every subcommand is made of: a few stages run as a pipeline, their settings taken from the command line
// (`--key VALUE`, `--key=VALUE`, switches, repeatable options, positional arguments) and from `--config
// FILE.toml` (the same keys; the command line wins), their files written to a run folder (--out-dir) or to the
// paths given. Each subcommand's file describes its Command; run_command() does the rest.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"

namespace sigstream::cli {

enum class Output { files, run_folder };

struct Command {
    std::string name;                      // "extract"
    std::string synopsis;                  // after `sigstream extract`
    std::string description;               // --help's paragraph
    std::vector<std::string> stages;       // the kinds it runs, in order
    std::vector<std::string> hidden_keys;  // stage keys it does not offer
    std::string positional;                // the key its positional arguments give ("" = none)
    std::vector<std::string> required;     // keys that must be given ("--X is required")
    Output output = Output::files;
    bool threads = false;  // offers --threads
    // Called with the pipeline once the settings are applied and before it runs: adjusts it to the flags (may drop
    // stages, choose the output), or refuses a combination. `given(key)`: whether the user gave the key.
    std::function<void(Pipeline&, Output&, const std::function<bool(const std::string&)>& given)> adjust;
    // The closing line after a successful run ("" for none); `where` is the run folder, if any.
    std::function<std::string(const Workspace&, const Pipeline&, double seconds, const std::string& where)> done;
};

int run_command(const Command& command, int argc, char** argv);

// The command line split into options (by the keys given; a key without a value_name is a switch), positional
// arguments (when `positionals`), --config files and --help. UsageError for an unknown option, a missing value,
// a switch with a value and a non-repeatable option given twice.
struct ParsedArgs {
    std::map<std::string, std::vector<std::string>> values;  // key -> texts
    std::vector<std::string> order;                          // keys in the order first given
    std::vector<std::string> positionals;
    std::vector<std::string> configs;
    bool help = false;
};
ParsedArgs parse_args(const std::string& command, const std::vector<SettingKey>& keys, bool positionals, int argc,
                      char** argv);

// One line on stderr for a library exception (`sigstream <command>: <file>:<line>: <what> — <what to do>`) and the
// exit status: 2 for a usage error, 1 for anything else.
int guarded(const std::string& command, const std::function<int()>& body);

// SIGINT and SIGTERM stop the work at its next progress report: the library throws Cancelled, every temporary file
// and folder is removed, nothing is written, and guarded() exits with 128 + the signal's number. A second signal
// ends the process at once.
void catch_interrupts();
// The signal that asked the work to stop, or 0.
int interrupt_signal();

// `sigstream <command>: warning: <text>` on stderr.
void warn(const std::string& command, const std::string& text);

// The text of the subcommands (cli/<name>.cpp), each `int <name>_main(int, char**)`.
int count_main(int argc, char** argv);
int merge_main(int argc, char** argv);
int extract_main(int argc, char** argv);
int consensus_main(int argc, char** argv);
int fit_main(int argc, char** argv);
int compare_main(int argc, char** argv);
int crossval_main(int argc, char** argv);
int run_main(int argc, char** argv);
int backends_main(int argc, char** argv);

}  // namespace sigstream::cli
