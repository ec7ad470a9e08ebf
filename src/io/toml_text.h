// Writing TOML text (metadata.toml, `sigstream run --dry-run`): values that read back exactly, keys quoted
// only when they must be, one table at a time.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace sigstream {

// A basic string with escapes, a key (bare when possible), a float that reads back as a float and exactly,
// an array of strings, an array of integers.
std::string toml_string(const std::string& s);
std::string toml_key(const std::string& k);
std::string toml_float(double v);
std::string toml_string_array(const std::vector<std::string>& items);
std::string toml_int_array(const std::vector<int>& items);

// `s` quoted for a POSIX shell when it needs quoting; a whole argument vector as one command line.
std::string shell_quote(const std::string& s);
std::string command_line(const std::vector<std::string>& argv);

// The UTC time now as an RFC 3339 / TOML date-time ("2026-11-28T04:21:25Z").
std::string utc_now();

// Writes `key = value` lines and `[table]` headers to a stream.
class TomlWriter {
public:
    explicit TomlWriter(std::ostream& out) : out_(out) {}
    TomlWriter& comment(const std::string& text);  // "# text" (each line of text)
    TomlWriter& table(const std::string& dotted);  // "\n[a.b]": the parts are given already as keys
    TomlWriter& text(const std::string& key, const std::string& value);
    TomlWriter& integer(const std::string& key, long long value);
    TomlWriter& unsigned_integer(const std::string& key, std::uint64_t value);  // above 2^63 - 1: a string
    TomlWriter& number(const std::string& key, double value);
    TomlWriter& boolean(const std::string& key, bool value);
    TomlWriter& texts(const std::string& key, const std::vector<std::string>& values);
    TomlWriter& integers(const std::string& key, const std::vector<int>& values);
    TomlWriter& raw(const std::string& key, const std::string& toml_value);  // a value already in TOML

private:
    std::ostream& out_;
};

}  // namespace sigstream
