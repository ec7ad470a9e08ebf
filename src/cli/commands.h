// The subcommands of the `sigstream` program, one file each in src/cli/.
#pragma once

#include <functional>
#include <string>

namespace sigstream::cli {

// Each takes the arguments after the subcommand's name and returns the exit status.
int count_main(int argc, char** argv);
int backends_main(int argc, char** argv);
int extract_main(int argc, char** argv);
int compare_main(int argc, char** argv);
int fit_main(int argc, char** argv);
int consensus_main(int argc, char** argv);
int crossval_main(int argc, char** argv);

// Runs `body`, turning a library exception into one line on stderr
// (`sigstream <command>: <file>:<line>: <what> — <what to do>`) and an exit status:
// 2 for a usage error, 1 for anything else.
int guarded(const std::string& command, const std::function<int()>& body);

// Writes a warning line, `sigstream <command>: warning: <text>`.
void warn(const std::string& command, const std::string& text);

}  // namespace sigstream::cli
