#include "core/settings.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "core/errors.h"
#include "core/format.h"

namespace sigstream {

void RunSettings::report(const Progress& p) const {
    if (progress && progress(p) == Flow::stop)
        throw Cancelled("", 0, std::string(p.stage) + " stopped at the caller's request", "");
}

// ---------------------------------------------------------------- normalisation

Normalisation parse_normalisation(const std::string& name) {
    std::string n;
    for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == "none") return Normalisation::none;
    if (n == "gmm") return Normalisation::gmm;
    if (n == "100x") return Normalisation::x100;
    if (n == "log2") return Normalisation::log2;
    throw UsageError("", 0, "--normalise " + name + " is not a normalisation", "use none, gmm, 100x or log2");
}

const char* normalisation_name(Normalisation n) {
    switch (n) {
        case Normalisation::none:
            return "none";
        case Normalisation::gmm:
            return "gmm";
        case Normalisation::x100:
            return "100x";
        case Normalisation::log2:
            return "log2";
    }
    return "none";
}

// ---------------------------------------------------------------- presets

namespace {

// The study's choices (Egendal et al.): Frobenius NMF by multiplicative updates, convex NMF by Ding et al.'s
// multiplicative updates from one start (cnmf's version 1.0 fit, which cnmf's defaults no longer are), AE-NMF with
// the MSE loss, |.| for non-negativity, a uniform [0,1) start and a constant step size; relative tolerance 1e-10;
// the uniform AE start needs 1e4-1e5 steps, hence 100 000 iterations at most. (Its 30 splits and 20 % test
// samples are crossval's defaults.)
const std::vector<Preset>& all_presets() {
    static const std::vector<Preset> presets = {
        Preset{"paper",
               "the study's settings: Frobenius NMF (Lee-Seung), convex NMF by Ding et al.'s updates from one start, "
               "MSE AE-NMF with |.|, uniform start, constant step, tol 1e-10, at most 100000 iterations",
               100000,
               1e-10,
               {{"nmf", {{"objective", "frobenius"}, {"solver", "mu"}}},
                {"cnmf", {{"solver", "mu"}, {"init", "kmeans"}, {"starts", "1"}}},
                {"aenmf", {{"loss", "mse"}, {"constraint", "abs"}, {"init", "uniform"}, {"schedule", "constant"}}}}},
    };
    return presets;
}

}  // namespace

const Preset* find_preset(const std::string& name) {
    if (name == "none") return nullptr;
    for (const Preset& p : all_presets())
        if (p.name == name) return &p;
    throw UsageError("", 0, "--preset " + name + " is not known", "give --preset paper (or none)");
}

std::vector<std::string> preset_names() {
    std::vector<std::string> out = {"none"};
    for (const Preset& p : all_presets()) out.push_back(p.name);
    return out;
}

// ---------------------------------------------------------------- SettingValue

SettingValue SettingValue::from_cli(std::string key, std::vector<std::string> texts) {
    SettingValue v;
    v.key_ = std::move(key);
    v.kind_ = Kind::cli;
    v.strings = std::move(texts);
    return v;
}

SettingValue SettingValue::from_toml(std::string key, Kind kind, std::string file, std::uint64_t line,
                                     std::string base) {
    SettingValue v;
    v.key_ = std::move(key);
    v.kind_ = kind;
    v.file_ = std::move(file);
    v.line_ = line;
    v.base_ = std::move(base);
    return v;
}

std::string SettingValue::where() const {
    if (kind_ == Kind::cli) return "--" + key_;
    return file_ + ":" + std::to_string(line_) + ": " + key_;
}

std::string SettingValue::shown() const {
    switch (kind_) {
        case Kind::cli:
            return strings.empty() ? std::string() : strings.back();
        case Kind::boolean:
            return boolean_value ? "true" : "false";
        case Kind::integer:
            return std::to_string(integer_value);
        case Kind::number:
            return exact_number(number_value);
        case Kind::string:
            return strings.empty() ? std::string() : strings.front();
        case Kind::list: {
            std::string s = "[";
            for (std::size_t i = 0; i < strings.size(); ++i) s += (i ? ", " : "") + strings[i];
            return s + "]";
        }
    }
    return {};
}

namespace {

// A command-line value as a user would type it: quoted only when it must be ('' for an empty value).
std::string typed(const std::string& v) {
    bool plain = !v.empty();
    for (char c : v) plain &= std::isalnum(static_cast<unsigned char>(c)) || std::strchr("@%_-+=:,./", c) != nullptr;
    return plain ? v : "'" + v + "'";
}

}  // namespace

void SettingValue::fail(const std::string& what, const std::string& hint) const {
    if (kind_ == Kind::cli) throw UsageError("", 0, "--" + key_ + " " + typed(shown()) + " " + what, hint);
    throw UsageError(file_, line_, key_ + " = " + shown() + ": " + what, hint.empty() ? "fix the config file" : hint);
}

namespace {

const char* kind_name(SettingValue::Kind k) {
    switch (k) {
        case SettingValue::Kind::boolean:
            return "true or false";
        case SettingValue::Kind::integer:
            return "a whole number";
        case SettingValue::Kind::number:
            return "a number";
        case SettingValue::Kind::string:
            return "a string";
        case SettingValue::Kind::list:
            return "a list";
        case SettingValue::Kind::cli:
            break;
    }
    return "text";
}

}  // namespace

long long SettingValue::integer(long long min, long long max) const {
    const std::string range = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    long long v = 0;
    if (kind_ == Kind::cli) {
        const std::string s = shown();
        auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < min || v > max)
            fail("is not " + range, "see --help");
        return v;
    }
    if (kind_ != Kind::integer)
        fail("must be " + range + ", not " + kind_name(kind_), "write a whole number without quotes");
    if (integer_value < min || integer_value > max) fail("is not " + range, "");
    return integer_value;
}

double SettingValue::number(double min, double max) const {
    std::ostringstream range;
    range << "a number from " << min << " to " << max;
    double v = 0;
    if (kind_ == Kind::cli) {
        const std::string s = shown();
        auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v) || v < min || v > max)
            fail("is not " + range.str(), "see --help");
        return v;
    }
    if (kind_ == Kind::integer)
        v = static_cast<double>(integer_value);
    else if (kind_ == Kind::number)
        v = number_value;
    else
        fail("must be " + range.str() + ", not " + kind_name(kind_), "write a number without quotes");
    if (!std::isfinite(v) || v < min || v > max) fail("is not " + range.str(), "");
    return v;
}

bool SettingValue::on() const {
    if (kind_ == Kind::boolean) return boolean_value;
    if (kind_ != Kind::cli) fail("must be true or false, not " + std::string(kind_name(kind_)), "");
    const std::string s = shown();
    if (s.empty() || s == "true" || s == "1" || s == "yes") return true;
    if (s == "false" || s == "0" || s == "no") return false;
    fail("is a switch: give true or false", "see --help");
}

std::string SettingValue::text() const {
    if (kind_ == Kind::cli || kind_ == Kind::string) return shown();
    if (kind_ == Kind::integer) return std::to_string(integer_value);
    fail("must be a string, not " + std::string(kind_name(kind_)), "write it in double quotes");
}

std::vector<std::string> SettingValue::list(bool split_commas) const {
    if (kind_ != Kind::cli && kind_ != Kind::string && kind_ != Kind::list)
        fail("must be a list of strings, not " + std::string(kind_name(kind_)), "e.g. [\"a\", \"b\"]");
    if (!split_commas) return strings;
    std::vector<std::string> out;
    for (const std::string& s : strings) {
        std::size_t start = 0;
        for (;;) {
            const std::size_t comma = s.find(',', start);
            out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return out;
}

std::string SettingValue::resolved(const std::string& p) const {
    if (kind_ == Kind::cli || base_.empty() || p.empty() || p == "-" || p.front() == '/') return p;
    std::error_code ec;
    const std::filesystem::path full = std::filesystem::absolute(std::filesystem::path(base_) / p, ec);
    return (ec ? std::filesystem::path(base_) / p : full).lexically_normal().string();
}

std::string SettingValue::existing(const std::string& p) const {
    const std::string full = resolved(p);
    std::error_code ec;
    if (kind_ != Kind::cli && !full.empty() && full != "-" && !std::filesystem::exists(full, ec))
        fail("'" + full + "' does not exist", "check the path (relative paths are relative to the file's folder)");
    return full;
}

}  // namespace sigstream
