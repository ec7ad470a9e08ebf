// Settings shared by every stage: the library's defaults (one place each), the two settings types — how to
// fit (FitSettings) and how to run (RunSettings) —, the presets, and SettingValue, one value of one setting as
// a user gave it (on the command line or in a TOML file).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/progress.h"

namespace sigstream {

// ---------------------------------------------------------------- defaults

inline constexpr std::uint64_t kDefaultSeed = 1;
inline constexpr int kDefaultMaxIter = 10000;
inline constexpr int kMaxIterLimit = 10000000;  // a fit's trace holds max_iter + 1 values
// The stop rule of every backend (the backend ABI's one definition, src/abi/sigstream_backend.h): at every
// iteration t that is a multiple of the window w, a fit stops once the best objective so far fell by a relative
// amount below tol over the last w iterations, (best[t-w] - best[t]) / best[t] < tol. A window of 100 lets a
// gradient method (AE-NMF's Adam) show progress that 10 iterations hide; tol 1e-7 over 100 iterations asks the
// monotone methods for what 1e-8 over 10 did (1e-9 per iteration).
inline constexpr double kDefaultTol = 1e-7;
// The tol of replicate fits when none is given (extract over a K range or with --replicates). A replicate is a fit
// of one bootstrap of the matrix: the bootstrap moves the objective by far more than 1e-4 of it (on a 96 x 1000
// cohort at KL 46 000, 1e-4 is 4.6 nats per 100 iterations against a bootstrap spread of hundreds), and the chosen
// K's signatures are refined afterwards. On that cohort the whole default extract took 280 s of CPU time at 1e-5
// and 225 s at 1e-4 (543 s at 1e-7 before the ccd division change), with the same choice of K and signatures; the
// accuracy scenarios kept theirs (bench/results/accuracy.md, docs/pipeline.md).
inline constexpr double kDefaultReplicateTol = 1e-4;
inline constexpr int kTolWindow = 100;
inline constexpr const char* kDefaultBackend = "nmf";
inline constexpr int kDefaultThreads = 1;
inline constexpr int kMaxThreads = 1024;

// Backend parameters, keys without the backend prefix ("objective" for `--param nmf.objective=kl`).
using BackendParams = std::map<std::string, std::string>;

// ---------------------------------------------------------------- the two settings types

// How to fit: the number of signatures, the root seed, the stop rule and the backend's parameters. Every
// extraction (one fit, replicates, cross-validation) embeds one.
struct FitSettings {
    int k = 0;  // 0: not set (the K range of a replicate run, or an error where a K is needed)
    std::uint64_t seed = kDefaultSeed;
    int max_iter = kDefaultMaxIter;
    double tol = kDefaultTol;  // 0 runs exactly max_iter iterations
    int tol_window = kTolWindow;
    BackendParams params;
};

// How to run: threads, progress and cancellation, warnings. The results never depend on `threads`.
struct RunSettings {
    int threads = kDefaultThreads;
    ProgressFn progress;                           // may be empty
    std::function<void(const std::string&)> warn;  // may be empty (warnings are then dropped)

    // Reports progress; throws Cancelled when the callback asks to stop.
    void report(const Progress& p) const;
    void warning(const std::string& text) const {
        if (warn) warn(text);
    }
};

// ---------------------------------------------------------------- normalisation of hypermutated samples

enum class Normalisation { none, gmm, x100, log2 };
inline constexpr Normalisation kDefaultNormalisation = Normalisation::gmm;

// "none", "gmm", "100x", "log2" (case-insensitive); UsageError otherwise.
Normalisation parse_normalisation(const std::string& name);
const char* normalisation_name(Normalisation n);

// ---------------------------------------------------------------- replicate runs

inline constexpr int kDefaultReplicates = 20;
inline constexpr int kMaxReplicates = 100000;  // per K
inline constexpr int kDefaultKMin = 2;
inline constexpr int kDefaultKMax = 15;

// Which replicate fits a run makes (extract/replicates.h): every K of `ks`, replicates first <= i < last of the
// run's `replicates`, each on a bootstrap of the matrix scaled by `normalise`, fitted with `fit` (fit.k is
// not used: each K of `ks` is).
struct ReplicatePlan {
    std::vector<int> ks;  // ascending, distinct
    int replicates = kDefaultReplicates;
    int first = 0;
    int last = kDefaultReplicates;
    Normalisation normalise = kDefaultNormalisation;
    FitSettings fit;
    bool resample = true;  // false (--input-normalised): every replicate fits the matrix itself, from its own start
};

// ---------------------------------------------------------------- presets

// A named set of choices, e.g. `--preset paper` (the study's settings). Each applies where the user did not
// set the value.
struct Preset {
    std::string name;
    std::string description;
    std::optional<int> max_iter;
    std::optional<double> tol;
    std::map<std::string, BackendParams> params;  // backend name -> parameters
};

// The preset of that name, or nullptr for "none"; UsageError for an unknown name.
const Preset* find_preset(const std::string& name);
// The names a preset may have ("none", "paper").
std::vector<std::string> preset_names();

// ---------------------------------------------------------------- one value of one setting

// A setting as the user gave it: from the command line (`--max-iter 500`: text), or from a TOML file
// (`max-iter = 500`: a typed value at a line). The typed reads check the value and throw a UsageError that
// names the option, or the file, line and key.
class SettingValue {
public:
    enum class Kind { cli, boolean, integer, number, string, list };

    // From the command line: the texts of every occurrence of `--key` (one for most options; a switch
    // given without a value has the text "").
    static SettingValue from_cli(std::string key, std::vector<std::string> texts);
    // From a TOML file: `file` and `line` for messages, `base` the folder relative paths are relative to.
    static SettingValue from_toml(std::string key, Kind kind, std::string file, std::uint64_t line, std::string base);
    bool boolean_value = false;
    long long integer_value = 0;
    double number_value = 0;
    std::vector<std::string> strings;  // cli: the texts; string: one; list: the items

    const std::string& key() const { return key_; }
    std::uint64_t line() const { return line_; }  // its line in a TOML file (0: the command line)
    // The same value under another key (`inputs` in a config file names a command's positional arguments).
    SettingValue with_key(std::string key) const {
        SettingValue v = *this;
        v.key_ = std::move(key);
        return v;
    }
    Kind kind() const { return kind_; }
    // "--max-iter" or "run.toml:12: max-iter" (for messages).
    std::string where() const;

    long long integer(long long min, long long max) const;
    double number(double min, double max) const;
    bool on() const;           // a switch: true, false
    std::string text() const;  // a string (a TOML integer is taken as its digits)
    // A list of strings: a TOML array, or one string; with `split_commas` each text is also split at commas
    // ("sbs6,sbs96"). Command-line options given several times give one item each.
    std::vector<std::string> list(bool split_commas = false) const;
    // A path: text() taken relative to the folder of the TOML file it came from, made absolute (command line: as
    // given, relative to the working folder).
    std::string path() const { return resolved(text()); }
    // `p` (a path given in this value) as path() takes it.
    std::string resolved(const std::string& p) const;
    // A file or folder to read, `p` resolved as path() does. From a TOML file it must exist: a UsageError naming
    // the file, line and key otherwise, so a pipeline with a wrong path stops before any stage runs (a command
    // line's missing file is an IoError when it is opened). "-" (standard input) is taken as it is.
    std::string existing(const std::string& p) const;

    // A UsageError about this value: "<where>: <what>" with `hint`.
    [[noreturn]] void fail(const std::string& what, const std::string& hint) const;

private:
    std::string key_;
    Kind kind_ = Kind::cli;
    std::string file_;
    std::uint64_t line_ = 0;
    std::string base_;
    std::string shown() const;  // the value as written, for messages
};

}  // namespace sigstream
