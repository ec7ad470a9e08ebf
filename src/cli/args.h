// A small command-line parser shared by every subcommand: `--name VALUE`, `--name=VALUE`, boolean
// flags, repeatable options, positional arguments, `--help`, and `--config FILE.toml`, in which any
// option can be given by its name without the dashes (the command line wins over the file).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sigstream::cli {

class Args {
public:
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    bool flag(const std::string& name) const;
    std::string get(const std::string& name, const std::string& fallback = {}) const;
    std::vector<std::string> all(const std::string& name) const;
    // Typed getters; a bad value is a UsageError naming the option.
    long long get_int(const std::string& name, long long fallback, long long min, long long max) const;
    double get_double(const std::string& name, double fallback, double min, double max) const;
    const std::vector<std::string>& positionals() const { return positionals_; }
    bool help() const { return help_; }

private:
    friend class Parser;
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positionals_;
    bool help_ = false;
};

class Parser {
public:
    Parser(std::string command, std::string synopsis, std::string description);

    Parser& flag(const std::string& name, const std::string& help);
    Parser& option(const std::string& name, const std::string& value_name, const std::string& help,
                   const std::string& default_text = {}, bool repeatable = false);
    Parser& positionals(const std::string& name, const std::string& help);
    Parser& section(const std::string& title);

    // Throws UsageError for an unknown option, a missing value, or a bad config file.
    Args parse(int argc, char** argv) const;
    std::string help_text() const;

private:
    struct Spec {
        std::string name, value_name, help, default_text, section;
        bool takes_value = false, repeatable = false;
    };
    const Spec* find(const std::string& name) const;
    void apply_config(const std::string& path, Args& args) const;

    std::string command_, synopsis_, description_;
    std::vector<Spec> specs_;
    std::string positional_name_, positional_help_;
    std::string current_section_ = "Options";
};

}  // namespace sigstream::cli
