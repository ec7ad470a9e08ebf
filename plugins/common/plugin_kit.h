// plugin_kit.h: the parts of a C++ extraction backend that are not its numerics, shared by the backends in
// plugins/ (header-only). It includes only the public ABI header (src/abi/sigstream_backend.h), the C++
// standard library and Eigen, so a third-party backend built against the ABI alone can copy this folder.
//
//   The entry points      SIGSTREAM_PLUGIN_ENTRY(backend): the two exported functions of a plugin's entry.cpp.
//   The fit() entry       guarded_fit(): resets the result, refuses a null request, a host of another ABI version
//                         and structs shorter than version 2's, and turns every exception into a status and a
//                         "<name>: ..." message (BadParam, Numerical, Failure below); set_message().
//   The request           Settings, copy_settings(), well_formed(), for_each_param(), progress_of(), check_entries().
//   The description       description(): a backend's sigstream_backend, every size and count filled in.
//   Parameters            Choice tables: find_choice(), names(), choose(); param_keys(), unknown_param();
//                         parse_number().
//   Randomness            SplitMix64.
//   The iteration loop    FitRecord, StopRule (the ABI's one stop rule: relative decrease of the best objective
//                         over the host's window), iterate(),
//                         and finish() / write_trace() to hand the result to the host.
#ifndef SIGSTREAM_PLUGINS_COMMON_PLUGIN_KIT_H
#define SIGSTREAM_PLUGINS_COMMON_PLUGIN_KIT_H

#include <Eigen/Dense>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "sigstream_backend.h"

// The two functions a plugin exports, for a backend description returned by `backend_fn()`: put
// SIGSTREAM_PLUGIN_ENTRY(sigstream::nmf::backend) in the plugin's entry.cpp.
#define SIGSTREAM_PLUGIN_ENTRY(backend_fn)                                                         \
    extern "C" SIGSTREAM_BACKEND_EXPORT int32_t sigstream_backend_api_version(void) {              \
        return SIGSTREAM_BACKEND_API_VERSION;                                                      \
    }                                                                                              \
    extern "C" SIGSTREAM_BACKEND_EXPORT const sigstream_backend* sigstream_backend_info(int32_t) { \
        return backend_fn();                                                                       \
    }

namespace sigstream::plugin_kit {

// The sizes of the structs as version 2 first defined them: a host's may be larger (a later revision, which only
// appends fields), never smaller.
inline constexpr std::size_t kRequestV2Size =
    offsetof(sigstream_fit_request, progress) + sizeof(sigstream_fit_request::progress);
inline constexpr std::size_t kResultV2Size =
    offsetof(sigstream_fit_result, message) + sizeof(sigstream_fit_result::message);
inline constexpr std::size_t kParamV2Size = offsetof(sigstream_param, value) + sizeof(sigstream_param::value);

// ---------------------------------------------------------------- messages and the fit() entry

// Copies text into result.message, cut to fit; the message is always NUL-terminated.
inline void set_message(sigstream_fit_result& result, std::string_view text) {
    const std::size_t n = std::min(text.size(), sizeof result.message - 1);
    std::memcpy(result.message, text.data(), n);
    result.message[n] = '\0';
}

// Exceptions that end a fit with a status (any other exception means SIGSTREAM_FIT_FAILED too).
struct BadParam : std::invalid_argument {  // SIGSTREAM_FIT_BAD_PARAM: name the key and the accepted values
    using std::invalid_argument::invalid_argument;
};
struct Numerical : std::runtime_error {  // SIGSTREAM_FIT_NUMERICAL
    using std::runtime_error::runtime_error;
};
struct Failure : std::runtime_error {  // SIGSTREAM_FIT_FAILED
    using std::runtime_error::runtime_error;
};

// "<name>: <text>", or text itself when it already starts with "<name>: ".
inline std::string prefixed(std::string_view name, std::string_view text) {
    const std::string prefix = std::string(name) + ": ";
    if (text.substr(0, prefix.size()) == prefix) return std::string(text);
    return prefix + std::string(text);
}

// A backend's fit(): with a null result, or one shorter than version 2's, returns SIGSTREAM_FIT_FAILED;
// otherwise clears the result's message, trace_length and iterations, refuses a null request, a host of another
// ABI version and a request shorter than version 2's, then returns run(request, result). Never throws: BadParam
// gives SIGSTREAM_FIT_BAD_PARAM, Numerical SIGSTREAM_FIT_NUMERICAL and any other exception SIGSTREAM_FIT_FAILED,
// each with the message prefixed(name, what()).
template <typename Run>
int guarded_fit(std::string_view name, const sigstream_fit_request* request, sigstream_fit_result* result,
                Run&& run) noexcept {
    if (result == nullptr || result->struct_size < kResultV2Size) return SIGSTREAM_FIT_FAILED;
    result->message[0] = '\0';
    result->trace_length = 0;
    result->iterations = 0;
    try {
        if (request == nullptr) throw Failure("no request");
        if (request->api_version != SIGSTREAM_BACKEND_API_VERSION)
            throw Failure("host API version " + std::to_string(request->api_version) + ", backend " +
                          std::to_string(SIGSTREAM_BACKEND_API_VERSION));
        if (request->struct_size < kRequestV2Size)
            throw Failure("the request is " + std::to_string(request->struct_size) + " bytes, shorter than version " +
                          std::to_string(SIGSTREAM_BACKEND_API_VERSION) + "'s " + std::to_string(kRequestV2Size));
        return run(*request, *result);
    } catch (const BadParam& e) {
        set_message(*result, prefixed(name, e.what()));
        return SIGSTREAM_FIT_BAD_PARAM;
    } catch (const Numerical& e) {
        set_message(*result, prefixed(name, e.what()));
        return SIGSTREAM_FIT_NUMERICAL;
    } catch (const std::exception& e) {
        set_message(*result, prefixed(name, e.what()));
    } catch (...) {
        set_message(*result, std::string(name) + ": unknown exception");
    }
    return SIGSTREAM_FIT_FAILED;
}

// ---------------------------------------------------------------- the request

// The checks every backend makes: positive rows, cols and k; V, W, H and trace given; max_iter >= 0; tol >= 0
// and finite; tol_window >= 1; params given when n_params > 0. A backend adds its own (bounds on k, ...).
inline bool well_formed(const sigstream_fit_request& request, const sigstream_fit_result& result) {
    return request.rows >= 1 && request.cols >= 1 && request.k >= 1 && request.V != nullptr && result.W != nullptr &&
           result.H != nullptr && result.trace != nullptr && request.max_iter >= 0 && request.tol >= 0 &&
           std::isfinite(request.tol) && request.tol_window >= 1 && request.n_params >= 0 &&
           !(request.n_params > 0 && request.params == nullptr);
}

// The settings every fit has (a backend's Options derive from it): the number of signatures, the stop rule and the
// seed. The defaults serve a backend's core called directly (tests); through the ABI the host sets them all.
struct Settings {
    int k = 1;
    int max_iter = 1000;
    double tol = 0.0;      // the stop rule (StopRule below): relative decrease of the best objective over the window
    int tol_window = 100;  // the window, set by the host
    std::uint64_t seed = 0;
    int trace_stride = 1;  // the host needs the objective only after multiples of it and the last iteration
};

// The request's k, max_iter, tol, tol_window, seed and trace_stride (1 when the host's request predates it).
inline void copy_settings(Settings& settings, const sigstream_fit_request& request) {
    settings.k = request.k;
    settings.max_iter = request.max_iter;
    settings.tol = request.tol;
    settings.tol_window = request.tol_window;
    settings.seed = request.seed;
    settings.trace_stride =
        SIGSTREAM_HAS_FIELD(&request, sigstream_fit_request, trace_stride) && request.trace_stride > 1
            ? request.trace_stride
            : 1;
}

// A backend's description for the ABI, every count and size filled in: name, version, description, objective,
// its parameter table and its fit() (the function that calls guarded_fit()).
template <std::size_t N>
constexpr sigstream_backend description(const char* name, const char* version, const char* description,
                                        const char* objective, const sigstream_param_spec (&params)[N],
                                        int (*fit)(const sigstream_fit_request*, sigstream_fit_result*)) {
    return sigstream_backend{sizeof(sigstream_backend),
                             SIGSTREAM_BACKEND_API_VERSION,
                             name,
                             version,
                             description,
                             objective,
                             static_cast<int32_t>(N),
                             params,
                             fit};
}

// Calls apply(key, value) (std::string_view) for each parameter in order, stepping through the host's array by
// its entries' struct_size; a missing key or value is BadParam.
template <typename Apply>
void for_each_param(const sigstream_fit_request& request, Apply&& apply) {
    if (request.n_params > 0 && request.params->struct_size < kParamV2Size)
        throw Failure("the parameters are shorter than version 2's");
    for (int32_t i = 0; i < request.n_params; ++i) {
        const sigstream_param& p = *SIGSTREAM_ARRAY_AT(sigstream_param, request.params, i);
        if (p.key == nullptr || p.value == nullptr) throw BadParam("a parameter has no key or no value");
        apply(std::string_view(p.key), std::string_view(p.value));
    }
}

// The request's progress callback (empty when the host gave none): returns true when the host asks to stop.
inline std::function<bool(int, double)> progress_of(const sigstream_fit_request& request) {
    if (request.progress == nullptr) return {};
    return [&request](int iteration, double objective) {
        return request.progress(request.host, iteration, objective) == SIGSTREAM_STOP;
    };
}

// Throws Numerical "<what> has a NaN or infinite entry" unless every entry of the matrices is finite, then
// Failure "<what> has a negative entry" unless all are >= 0.
template <typename... Matrix>
void check_entries(const std::string& what, const Matrix&... matrices) {
    if (!(matrices.allFinite() && ...)) throw Numerical(what + " has a NaN or infinite entry");
    if (((matrices.array() < 0).any() || ...)) throw Failure(what + " has a negative entry");
}

// ---------------------------------------------------------------- parameters

// One accepted value of an enumerated parameter, e.g. {"kl", Objective::kl}.
template <typename T>
struct Choice {
    std::string_view name;
    T value;
};

// Sets out to the value named text and returns true, or returns false (out unchanged).
template <typename T, std::size_t N>
bool find_choice(std::string_view text, const Choice<T> (&choices)[N], T& out) {
    for (const Choice<T>& choice : choices) {
        if (choice.name == text) {
            out = choice.value;
            return true;
        }
    }
    return false;
}

// The names, "a, b, c".
template <typename T, std::size_t N>
std::string names(const Choice<T> (&choices)[N]) {
    std::string list;
    for (const Choice<T>& choice : choices) list += (list.empty() ? "" : ", ") + std::string(choice.name);
    return list;
}

// Sets out to the value named text, or throws BadParam "<key>=<text> is not accepted; accepted: a, b".
template <typename T, std::size_t N>
void choose(std::string_view key, std::string_view text, const Choice<T> (&choices)[N], T& out) {
    if (!find_choice(text, choices, out))
        throw BadParam(std::string(key) + "=" + std::string(text) + " is not accepted; accepted: " + names(choices));
}

// The keys of a backend's parameter table, "k1, k2, k3".
template <std::size_t N>
std::string param_keys(const sigstream_param_spec (&specs)[N]) {
    std::string list;
    for (const sigstream_param_spec& spec : specs) list += (list.empty() ? "" : ", ") + std::string(spec.key);
    return list;
}

// Throws BadParam "unknown parameter '<key>'; accepted: <the table's keys>".
template <std::size_t N>
[[noreturn]] void unknown_param(std::string_view key, const sigstream_param_spec (&specs)[N]) {
    throw BadParam("unknown parameter '" + std::string(key) + "'; accepted: " + param_keys(specs));
}

// The whole of text as a finite number (std::from_chars: no spaces, no leading '+', any locale), or nothing.
inline std::optional<double> parse_number(std::string_view text) {
    double x = 0.0;
    const char* last = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), last, x);
    if (ec != std::errc() || ptr != last || !std::isfinite(x)) return std::nullopt;
    return x;
}

// The whole of text as a number for which ok(x) holds, or BadParam "<key>=<text> is not accepted; accepted:
// <accepted>".
template <typename Ok>
double number_param(std::string_view key, std::string_view text, std::string_view accepted, Ok&& ok) {
    const std::optional<double> x = parse_number(text);
    if (!x || !ok(*x))
        throw BadParam(std::string(key) + "=" + std::string(text) +
                       " is not accepted; accepted: " + std::string(accepted));
    return *x;
}

// ---------------------------------------------------------------- randomness

// splitmix64 (Steele, Lea & Flood 2014): small and fully specified, so a seed gives the same numbers on
// every platform and standard library.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform on the open interval (0, 1): the top 53 bits, plus a half.
    double open01() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

private:
    std::uint64_t state_;
};

// ---------------------------------------------------------------- the iteration loop

enum class Status { ok, stopped, numerical };

// What a fit reports besides its factors.
struct FitRecord {
    std::vector<double> trace;  // objective at the start and after each iteration
    int iterations = 0;
    Status status = Status::ok;
    std::string message;
};

// The backend ABI's stop rule, one definition for every backend (src/abi/sigstream_backend.h): with f[t] the
// objective after iteration t (f[0] at the start) and b[t] = min(f[0], ..., f[t]) the best so far, at every
// iteration t that is a multiple of the window w the fit has converged when b[t] <= 0 (a perfect fit) or
// (b[t - w] - b[t]) / b[t] < tol. tol == 0 never stops. Feed it every objective, the start's included.
class StopRule {
public:
    StopRule(double tol, int window) : tol_(tol), window_(window < 1 ? 1 : window) {}
    // Records f[t] (t = the number of values seen before) and says whether the fit has converged at t.
    bool converged(double objective) {
        // NaN: not computed after this iteration (trace_stride); the best stays.
        const double b = best_.empty()           ? objective
                         : std::isnan(objective) ? best_.back()
                                                 : std::min(best_.back(), objective);
        best_.push_back(b);
        const std::size_t t = best_.size() - 1, w = static_cast<std::size_t>(window_);
        if (tol_ <= 0 || t < w || t % w != 0) return false;
        if (b <= 0) return true;
        return (best_[t - w] - b) / b < tol_;
    }
    // The relative decrease of the best objective over the last window, as of the last converged() call at a
    // window's end (for messages).
    double last_decrease() const {
        const std::size_t t = best_.empty() ? 0 : best_.size() - 1, w = static_cast<std::size_t>(window_);
        if (t < w || best_[t] <= 0) return 0.0;
        return (best_[t - w] - best_[t]) / best_[t];
    }

private:
    double tol_;
    int window_;
    std::vector<double> best_;
};

// The loop of a backend whose step() runs one iteration and returns the objective after it. Records start
// (the objective at the start), then for it = 1, ..., max_iter: f = step(), recorded, and stops
//  - with Status::numerical when the objective is not finite (the start's too: then no step is run);
//  - with Status::stopped when progress (may be empty) returns true for (it, f);
//  - when the StopRule(tol, window) says so, with the message "converged after <it> iterations".
// record.iterations counts the steps run.
// With stride > 1 (the request's trace_stride) a step that takes a bool is told whether the host needs its
// objective (it a multiple of stride, or max_iter); when not, it may return NaN (not computed), which is recorded
// as such and passed to progress, and the checks above wait for the next computed value. The window must then be
// a multiple of stride (the host's part; checked by the caller).
template <typename Step>
void iterate(FitRecord& record, double start, int max_iter, double tol, int window, int stride,
             const std::function<bool(int, double)>& progress, Step&& step) {
    record.trace.reserve(static_cast<std::size_t>(max_iter) + 1);
    record.trace.push_back(start);
    StopRule stop(tol, window);
    stop.converged(start);
    if (!std::isfinite(start)) {
        record.status = Status::numerical;
        record.message = "the objective at the start is not finite";
        return;
    }
    for (int it = 1; it <= max_iter; ++it) {
        const bool needed = stride <= 1 || it % stride == 0 || it == max_iter;
        double f;
        if constexpr (std::is_invocable_v<Step, bool>)
            f = step(needed);
        else
            f = step();
        const bool skipped = !needed && std::isnan(f);  // not computed
        record.trace.push_back(f);
        record.iterations = it;
        if (!skipped && !std::isfinite(f)) {
            record.status = Status::numerical;
            record.message = "the objective became " + std::to_string(f) + " at iteration " + std::to_string(it);
            return;
        }
        if (progress && progress(it, f)) {
            record.status = Status::stopped;
            record.message = "stopped by the host after iteration " + std::to_string(it);
            return;
        }
        if (stop.converged(f) && !skipped) {
            record.message = "converged after " + std::to_string(it) + " iterations";
            return;
        }
    }
}

// The same loop with the objective after every iteration.
template <typename Step>
void iterate(FitRecord& record, double start, int max_iter, double tol, int window,
             const std::function<bool(int, double)>& progress, Step&& step) {
    iterate(record, start, max_iter, tol, window, 1, progress, std::forward<Step>(step));
}

// Copies the trace (at most the max_iter + 1 values the host has room for) and the iteration count.
inline void write_trace(const std::vector<double>& trace, int iterations, const sigstream_fit_request& request,
                        sigstream_fit_result& result) {
    const std::size_t n = std::min(trace.size(), static_cast<std::size_t>(request.max_iter) + 1);
    std::copy(trace.begin(), trace.begin() + static_cast<std::ptrdiff_t>(n), result.trace);
    result.trace_length = static_cast<int32_t>(n);
    result.iterations = iterations;
}

// Hands a fit whose factors are already in result to the host: the trace, then the status for the record's
//   Status::stopped    SIGSTREAM_FIT_STOPPED, with the record's message;
//   Status::numerical  SIGSTREAM_FIT_NUMERICAL, "<name>: <the record's message>";
//   Status::ok         SIGSTREAM_FIT_OK with the record's message, or SIGSTREAM_FIT_NUMERICAL
//                      "<name>: the factors have a NaN or infinite entry" unless factors_finite.
inline int finish(std::string_view name, const FitRecord& record, bool factors_finite,
                  const sigstream_fit_request& request, sigstream_fit_result& result) {
    write_trace(record.trace, record.iterations, request, result);
    set_message(result, record.message);
    switch (record.status) {
        case Status::stopped:
            return SIGSTREAM_FIT_STOPPED;
        case Status::numerical:
            set_message(result, prefixed(name, record.message));
            return SIGSTREAM_FIT_NUMERICAL;
        case Status::ok:
            break;
    }
    if (!factors_finite) {
        set_message(result, std::string(name) + ": the factors have a NaN or infinite entry");
        return SIGSTREAM_FIT_NUMERICAL;
    }
    return SIGSTREAM_FIT_OK;
}

}  // namespace sigstream::plugin_kit

#endif
