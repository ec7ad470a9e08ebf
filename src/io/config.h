// Reading settings from a TOML file: `--config FILE.toml` of every subcommand, and the pipeline files of
// `sigstream run`. The file's top level holds key = value pairs; a `[name]` table holds the settings of one
// stage. Values become SettingValues carrying the file, the line and the folder relative paths are
// relative to; which keys exist and what they take is for the reader of the table (pipeline/schema.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/settings.h"

namespace sigstream {

struct ConfigTable {
    std::string name;  // "" at the top level
    std::string file;
    std::uint64_t line = 0;            // the `[name]` line (0 at the top level)
    std::vector<SettingValue> values;  // in the file's order
    std::vector<ConfigTable> tables;   // the `[name]` tables, in the file's order (top level only)
};

// Reads `path`. UsageError (exit status 2) naming the file and line for a missing or unreadable file, a
// TOML syntax error, a value of a kind settings never take (dates, inline tables, arrays of tables, lists of
// anything but strings) and a table inside a table.
ConfigTable read_config(const std::string& path);

}  // namespace sigstream
