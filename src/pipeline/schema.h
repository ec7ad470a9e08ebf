// The settings of a stage, described once: each key (the command-line option without its dashes, and the key
// of the stage's TOML table) with its help text, how a value given for it is checked and stored in the stage's
// settings struct, and how the stored value is shown back (for --help's defaults, `sigstream run --dry-run`
// and metadata.toml). The defaults are the settings struct's own initial values.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.h"
#include "core/format.h"
#include "core/settings.h"
#include "io/toml_text.h"

namespace sigstream {

struct SettingKey {
    SettingKey(std::string name_, std::string value_name_, std::string help_, std::string section_ = {},
               bool repeatable_ = false, std::string default_text_ = {})
        : name(std::move(name_)),
          value_name(std::move(value_name_)),
          help(std::move(help_)),
          section(std::move(section_)),
          repeatable(repeatable_),
          default_text(std::move(default_text_)) {}
    std::string name;          // "max-iter"
    std::string value_name;    // "N", "FILE"; empty for a switch (`--force`)
    std::string help;          // one sentence
    std::string section;       // the heading it is listed under in --help
    bool repeatable = false;   // a list: the option may be given several times
    std::string default_text;  // --help's default when the shown default is not the right words
};

template <typename S>
class Schema {
public:
    using Apply = std::function<void(S&, const SettingValue&)>;
    using Show = std::function<std::string(const S&)>;  // the value as TOML text; "" when not set
    struct Entry {
        SettingKey key;
        Apply apply;
        Show show;
    };

    Schema& section(std::string title) {
        section_ = std::move(title);
        return *this;
    }

    // Any setting: `apply` checks a value and stores it, `show` gives the stored value as TOML text.
    Schema& add(SettingKey key, Apply apply, Show show) {
        key.section = section_;
        if (key.default_text.empty()) key.default_text = default_text(show);
        entries_.push_back(Entry{std::move(key), std::move(apply), std::move(show)});
        return *this;
    }

    // The common kinds. `field` is a callable giving the field of a settings struct: [](S& s) -> int& {…}.
    template <typename Field>
    Schema& flag(std::string name, std::string help, Field field) {
        return add(
            {std::move(name), "", std::move(help)}, [field](S& s, const SettingValue& v) { field(s) = v.on(); },
            [field](const S& s) { return std::string(field(const_cast<S&>(s)) ? "true" : "false"); });
    }
    template <typename Field>
    Schema& integer(std::string name, std::string value_name, std::string help, long long min, long long max,
                    Field field) {
        return add(
            {std::move(name), std::move(value_name), std::move(help)},
            [field, min, max](S& s, const SettingValue& v) {
                using T = std::remove_reference_t<decltype(field(s))>;
                field(s) = static_cast<T>(v.integer(min, max));
            },
            [field](const S& s) { return std::to_string(field(const_cast<S&>(s))); });
    }
    template <typename Field>
    Schema& number(std::string name, std::string value_name, std::string help, double min, double max, Field field) {
        return add(
            {std::move(name), std::move(value_name), std::move(help)},
            [field, min, max](S& s, const SettingValue& v) { field(s) = v.number(min, max); },
            [field](const S& s) { return toml_float(field(const_cast<S&>(s))); });
    }
    template <typename Field>
    Schema& text(std::string name, std::string value_name, std::string help, Field field) {
        return add(
            {std::move(name), std::move(value_name), std::move(help)},
            [field](S& s, const SettingValue& v) { field(s) = v.text(); },
            [field](const S& s) {
                const std::string& t = field(const_cast<S&>(s));
                return t.empty() ? std::string() : toml_string(t);
            });
    }
    // A file or folder to write: relative paths in a TOML file are relative to the file's folder.
    template <typename Field>
    Schema& path(std::string name, std::string value_name, std::string help, Field field) {
        return file(std::move(name), std::move(value_name), std::move(help), field, false);
    }
    // A file or folder to read: the same, and given in a TOML file it must exist (SettingValue::existing).
    template <typename Field>
    Schema& input(std::string name, std::string value_name, std::string help, Field field) {
        return file(std::move(name), std::move(value_name), std::move(help), field, true);
    }
    // A list of files to read (repeatable on the command line; a TOML list of strings), each as input() takes it.
    template <typename Field>
    Schema& inputs(std::string name, std::string value_name, std::string help, Field field) {
        SettingKey key{std::move(name), std::move(value_name), std::move(help)};
        key.repeatable = true;
        return add(
            std::move(key),
            [field](S& s, const SettingValue& v) {  // the items given replace the list (the command line wins)
                field(s).clear();
                for (const std::string& p : v.list()) field(s).push_back(v.existing(p));
            },
            [field](const S& s) {
                const auto& l = field(const_cast<S&>(s));
                return l.empty() ? std::string() : toml_string_array(l);
            });
    }
    // One of a few names, stored as the value the table gives it.
    template <typename T, typename Field>
    Schema& choice(std::string name, std::string help, std::vector<std::pair<std::string, T>> names, Field field) {
        std::string value_name;
        for (const auto& [n, value] : names) value_name += (value_name.empty() ? "" : "|") + n;
        return add(
            {std::move(name), value_name, std::move(help)},
            [field, names, value_name](S& s, const SettingValue& v) {
                const std::string t = v.text();
                for (const auto& [n, value] : names)
                    if (n == t) {
                        field(s) = value;
                        return;
                    }
                v.fail("is not one of " + value_name, "see --help");
            },
            [field, names](const S& s) {
                for (const auto& [n, value] : names)
                    if (value == field(const_cast<S&>(s))) return toml_string(n);
                return std::string();
            });
    }

    const std::vector<Entry>& entries() const { return entries_; }
    const Entry* find(const std::string& name) const {
        for (const auto& e : entries_)
            if (e.key.name == name) return &e;
        return nullptr;
    }

private:
    template <typename Field>
    Schema& file(std::string name, std::string value_name, std::string help, Field field, bool read) {
        return add(
            {std::move(name), std::move(value_name), std::move(help)},
            [field, read](S& s, const SettingValue& v) {
                field(s) = read ? v.existing(v.text()) : v.path();
                if (field(s).empty()) v.fail("is empty", "give a path");
            },
            [field](const S& s) {
                const std::string& t = field(const_cast<S&>(s));
                return t.empty() ? std::string() : toml_string(t);
            });
    }
    static std::string default_text(const Show& show) {
        static const S defaults;
        // TOML text as a user types it: "two words" -> two words, ["a", "b"] -> a,b
        std::string t = show(defaults), plain;
        if (t.size() >= 2 && t.front() == '[' && t.back() == ']') {
            for (char c : t.substr(1, t.size() - 2))
                if (c != '"' && c != ' ') plain += c;
        } else if (t.size() >= 2 && t.front() == '"' && t.back() == '"') {
            plain = t.substr(1, t.size() - 2);
        } else {
            plain = t;
        }
        return plain == "false" ? std::string() : plain;
    }
    std::string section_ = "Options";
    std::vector<Entry> entries_;
};

}  // namespace sigstream
