#include "io/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "io/input_files.h"

namespace sigstream {

namespace fs = std::filesystem;

namespace {

std::uint64_t line_of(const toml::node& n) {
    return n.source().begin.line;
}

SettingValue value_of(const std::string& key, const toml::node& node, const std::string& file,
                      const std::string& base) {
    using Kind = SettingValue::Kind;
    const std::uint64_t line = line_of(node);
    auto make = [&](Kind kind) { return SettingValue::from_toml(key, kind, file, line, base); };
    if (auto s = node.value<std::string>(); node.is_string()) {
        SettingValue v = make(Kind::string);
        v.strings.push_back(*s);
        return v;
    }
    if (node.is_boolean()) {
        SettingValue v = make(Kind::boolean);
        v.boolean_value = *node.value<bool>();
        return v;
    }
    if (node.is_integer()) {
        SettingValue v = make(Kind::integer);
        v.integer_value = *node.value<long long>();
        return v;
    }
    if (node.is_floating_point()) {
        SettingValue v = make(Kind::number);
        v.number_value = *node.value<double>();
        return v;
    }
    if (const toml::array* arr = node.as_array()) {
        SettingValue v = make(Kind::list);
        for (const toml::node& el : *arr) {
            if (!el.is_string())
                throw UsageError(file, line, "the list '" + key + "' holds something other than strings",
                                 "write every item in double quotes, e.g. [\"a\", \"b\"]");
            v.strings.push_back(*el.value<std::string>());
        }
        return v;
    }
    throw UsageError(file, line, "'" + key + "' has a value of a kind sigstream's settings never take",
                     "give a string, a number, true or false, or a list of strings");
}

void read_table(const toml::table& tbl, ConfigTable& out, bool top, const std::string& base) {
    std::vector<std::pair<std::uint64_t, std::string>> order;  // toml++ sorts keys: restore the file's order
    for (const auto& [key, node] : tbl) order.emplace_back(line_of(node), std::string(key.str()));
    std::stable_sort(order.begin(), order.end());
    for (const auto& [line, key] : order) {
        const toml::node& node = *tbl.get(key);
        if (const toml::table* sub = node.as_table()) {
            if (sub->is_inline())
                throw UsageError(out.file, line_of(node), "'" + key + "' is an inline table, which no setting takes",
                                 "a stage's settings go in a [" + key + "] table, one key = value a line");
            if (!top)
                throw UsageError(
                    out.file, line_of(node), "the table [" + out.name + "." + key + "] is one level too deep",
                    "stage tables are [name] at the top of the file; their settings are key = value lines");
            ConfigTable t;
            t.name = key;
            t.file = out.file;
            t.line = line_of(node);
            read_table(*sub, t, false, base);
            out.tables.push_back(std::move(t));
            continue;
        }
        if (node.is_array_of_tables())
            throw UsageError(out.file, line_of(node), "[[" + key + "]] (an array of tables) is not a sigstream setting",
                             "write one [name] table per stage");
        out.values.push_back(value_of(key, node, out.file, base));
    }
}

}  // namespace

ConfigTable read_config(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw UsageError(path, 0, "cannot open the config file (missing, or not a file)", "check the path");
    std::ifstream in(path, std::ios::binary);
    note_input(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) throw UsageError(path, 0, "cannot read the config file", "check its permissions");
    ConfigTable top;
    top.file = path;
    toml::table tbl;
    try {
        tbl = toml::parse(text.str(), path);
    } catch (const toml::parse_error& e) {
        throw UsageError(path, e.source().begin.line, std::string("invalid TOML: ") + std::string(e.description()),
                         "fix the syntax");
    }
    const fs::path folder = fs::path(path).parent_path();
    read_table(tbl, top, true, folder.empty() ? std::string(".") : folder.string());
    return top;
}

}  // namespace sigstream
