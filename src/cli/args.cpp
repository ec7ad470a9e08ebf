#include "cli/args.h"

#include <toml++/toml.h>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/errors.h"

namespace sigstream::cli {

namespace {
UsageError usage(const std::string& what, const std::string& hint) {
    return UsageError("", 0, what, hint);
}
}  // namespace

bool Args::flag(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return false;
    const std::string& v = it->second.back();
    return v.empty() || v == "true" || v == "1" || v == "yes";
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

long long Args::get_int(const std::string& name, long long fallback, long long min, long long max) const {
    if (!has(name)) return fallback;
    std::string s = get(name);
    long long v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < min || v > max)
        throw usage("--" + name + " '" + s + "' is not a whole number from " + std::to_string(min) + " to " +
                        std::to_string(max),
                    "see --help");
    return v;
}

double Args::get_double(const std::string& name, double fallback, double min, double max) const {
    if (!has(name)) return fallback;
    std::string s = get(name);
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v) || v < min || v > max) {
        std::ostringstream range;
        range << min << " to " << max;
        throw usage("--" + name + " '" + s + "' is not a number from " + range.str(), "see --help");
    }
    return v;
}

Parser::Parser(std::string command, std::string synopsis, std::string description)
    : command_(std::move(command)), synopsis_(std::move(synopsis)), description_(std::move(description)) {}

Parser& Parser::flag(const std::string& name, const std::string& help) {
    specs_.push_back(Spec{name, "", help, "", current_section_, false, false});
    return *this;
}

Parser& Parser::option(const std::string& name, const std::string& value_name, const std::string& help,
                       const std::string& default_text, bool repeatable) {
    specs_.push_back(Spec{name, value_name, help, default_text, current_section_, true, repeatable});
    return *this;
}

Parser& Parser::positionals(const std::string& name, const std::string& help) {
    positional_name_ = name;
    positional_help_ = help;
    return *this;
}

Parser& Parser::section(const std::string& title) {
    current_section_ = title;
    return *this;
}

const Parser::Spec* Parser::find(const std::string& name) const {
    for (const auto& s : specs_)
        if (s.name == name) return &s;
    return nullptr;
}

void Parser::apply_config(const std::string& path, Args& args) const {
    toml::table tbl;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw UsageError(path, 0, "cannot open the config file (missing, or not a file)",
                         "check the path given to --config");
    try {
        tbl = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        throw UsageError(path, where.line, std::string("invalid config: ") + std::string(e.description()),
                         "fix the TOML syntax");
    }
    for (const auto& [key, node] : tbl) {
        std::string name(key.str());
        if (name == "inputs" && !positional_name_.empty()) {
            const toml::array* arr = node.as_array();
            if (!arr)
                throw UsageError(path, 0, "config key 'inputs' must be a list of paths",
                                 "e.g. inputs = [\"a.vcf.gz\"]");
            if (args.positionals_.empty())
                for (const auto& el : *arr)
                    if (auto s = el.value<std::string>()) args.positionals_.push_back(*s);
            continue;
        }
        const Spec* spec = find(name);
        if (!spec || name == "config" || name == "help")
            throw UsageError(path, 0, "unknown config key '" + name + "'",
                             "keys are the option names of `sigstream " + command_ + " --help` without the dashes");
        if (args.values_.count(name)) continue;  // the command line wins
        auto to_string = [&](const toml::node& n) -> std::string {
            if (auto s = n.value<std::string>()) return *s;
            if (auto b = n.value<bool>(); n.is_boolean()) return *b ? "true" : "false";
            if (n.is_integer()) return std::to_string(*n.value<long long>());
            if (n.is_floating_point()) {
                std::ostringstream o;
                o.precision(17);
                o << *n.value<double>();
                return o.str();
            }
            throw UsageError(path, 0, "config key '" + name + "' has a value of an unsupported type",
                             "use a string, number or boolean");
        };
        if (const toml::array* arr = node.as_array()) {
            if (!spec->repeatable)
                throw UsageError(path, 0, "config key '" + name + "' takes one value, not a list", "see --help");
            for (const auto& el : *arr) args.values_[name].push_back(to_string(el));
        } else {
            std::string v = to_string(node);
            if (!spec->takes_value) {
                if (v == "false") continue;
                if (v != "true")
                    throw UsageError(path, 0, "config key '" + name + "' is a switch: give true or false",
                                     "see --help");
                v = "";
            }
            args.values_[name].push_back(v);
        }
    }
}

Args Parser::parse(int argc, char** argv) const {
    Args args;
    bool options_done = false;
    for (int i = 0; i < argc; ++i) {
        std::string a = argv[i];
        if (options_done || a == "-" || a.size() < 2 || a[0] != '-') {
            if (positional_name_.empty())
                throw usage("unexpected argument '" + a + "'", "see `sigstream " + command_ + " --help`");
            args.positionals_.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        if (a == "-h" || a == "--help") {
            args.help_ = true;
            continue;
        }
        if (a.rfind("--", 0) != 0) throw usage("unknown option '" + a + "'", "see `sigstream " + command_ + " --help`");
        std::string name = a.substr(2), value;
        bool inline_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inline_value = true;
        }
        const Spec* spec = name == "config" ? nullptr : find(name);
        if (name == "config") {
            if (!inline_value) {
                if (i + 1 >= argc) throw usage("--config needs a value", "give a TOML file");
                value = argv[++i];
            }
            args.values_["config"].push_back(value);
            continue;
        }
        if (!spec) throw usage("unknown option '--" + name + "'", "see `sigstream " + command_ + " --help`");
        if (spec->takes_value) {
            if (!inline_value) {
                if (i + 1 >= argc) throw usage("--" + name + " needs a value (" + spec->value_name + ")", "see --help");
                value = argv[++i];
            }
            if (!spec->repeatable && args.values_.count(name))
                throw usage("--" + name + " is given twice", "give it once");
        } else if (inline_value) {
            throw usage("--" + name + " takes no value", "write just --" + name);
        }
        args.values_[name].push_back(value);
    }
    if (!args.help_ && args.values_.count("config")) {
        for (const auto& path : args.values_["config"]) apply_config(path, args);
    }
    return args;
}

std::string Parser::help_text() const {
    std::ostringstream o;
    o << "Usage: sigstream " << command_ << " " << synopsis_ << "\n\n" << description_ << "\n";
    if (!positional_name_.empty()) o << "\n  " << positional_name_ << "\n      " << positional_help_ << "\n";
    std::string section;
    for (const auto& s : specs_) {
        if (s.section != section) {
            section = s.section;
            o << "\n" << section << ":\n";
        }
        std::string head = "  --" + s.name + (s.takes_value ? " " + s.value_name : "");
        o << head << "\n      " << s.help;
        if (!s.default_text.empty()) o << " [default: " << s.default_text << "]";
        if (s.repeatable) o << " (repeatable)";
        o << "\n";
    }
    o << "\nCommon:\n  --config FILE.toml\n      read options from a TOML file (keys are option names without the "
         "dashes; "
         "the command line wins)\n  --help\n      show this help\n";
    return o.str();
}

}  // namespace sigstream::cli
