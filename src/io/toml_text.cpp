#include "io/toml_text.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "core/format.h"

namespace sigstream {

std::string toml_string(const std::string& s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                o += "\\\"";
                break;
            case '\\':
                o += "\\\\";
                break;
            case '\n':
                o += "\\n";
                break;
            case '\t':
                o += "\\t";
                break;
            case '\r':
                o += "\\r";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    o += buf;
                } else {
                    o += static_cast<char>(c);
                }
        }
    }
    return o + "\"";
}

std::string toml_key(const std::string& k) {
    bool bare = !k.empty();
    for (char c : k)
        bare &= (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    return bare ? k : toml_string(k);
}

std::string toml_float(double v) {
    std::string s = exact_number(v);
    if (s == "inf") return "inf";
    if (s == "-inf") return "-inf";
    if (s.find("nan") != std::string::npos) return "nan";
    if (s.find_first_of(".eE") == std::string::npos) s += ".0";  // "1" would read back as an integer
    return s;
}

std::string toml_string_array(const std::vector<std::string>& items) {
    std::string o = "[";
    for (std::size_t i = 0; i < items.size(); ++i) o += (i ? ", " : "") + toml_string(items[i]);
    return o + "]";
}

std::string toml_int_array(const std::vector<int>& items) {
    std::string o = "[";
    for (std::size_t i = 0; i < items.size(); ++i) o += (i ? ", " : "") + std::to_string(items[i]);
    return o + "]";
}

std::string shell_quote(const std::string& s) {
    bool plain = !s.empty();
    for (char c : s) plain &= std::isalnum(static_cast<unsigned char>(c)) || std::strchr("@%_-+=:,./", c) != nullptr;
    if (plain) return s;
    std::string o = "'";
    for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return o + "'";
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + shell_quote(a);
    return command;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    char when[32];
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return when;
}

TomlWriter& TomlWriter::comment(const std::string& text) {
    std::size_t start = 0;
    for (;;) {
        const std::size_t nl = text.find('\n', start);
        out_ << "# " << text.substr(start, nl == std::string::npos ? std::string::npos : nl - start) << "\n";
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return *this;
}

TomlWriter& TomlWriter::table(const std::string& dotted) {
    out_ << "\n[" << dotted << "]\n";
    return *this;
}

TomlWriter& TomlWriter::raw(const std::string& key, const std::string& toml_value) {
    out_ << toml_key(key) << " = " << toml_value << "\n";
    return *this;
}

TomlWriter& TomlWriter::text(const std::string& key, const std::string& value) {
    return raw(key, toml_string(value));
}
TomlWriter& TomlWriter::integer(const std::string& key, long long value) {
    return raw(key, std::to_string(value));
}
TomlWriter& TomlWriter::unsigned_integer(const std::string& key, std::uint64_t value) {
    // TOML integers are 64-bit signed: a larger value (a seed can be) is written as a string of its digits.
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return text(key, std::to_string(value));
    return raw(key, std::to_string(value));
}
TomlWriter& TomlWriter::number(const std::string& key, double value) {
    return raw(key, toml_float(value));
}
TomlWriter& TomlWriter::boolean(const std::string& key, bool value) {
    return raw(key, value ? "true" : "false");
}
TomlWriter& TomlWriter::texts(const std::string& key, const std::vector<std::string>& values) {
    return raw(key, toml_string_array(values));
}
TomlWriter& TomlWriter::integers(const std::string& key, const std::vector<int>& values) {
    return raw(key, toml_int_array(values));
}

}  // namespace sigstream
