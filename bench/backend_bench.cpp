// Speed benchmark driver for sigstream's extraction backends (see bench/README.md).
//
//   backend_bench PLUGIN --V V.npy --k K [--W0 W0.npy --H0 H0.npy] [--max-iter N] [--tol T] [--seed S]
//                 [--param KEY=VALUE ...] [--target F] [--stop-at-target] [--warmup N] [--reps R]
//                 [--trace FILE] [--W-out FILE] [--H-out FILE] [--trace-stride N] [--json]
//   backend_bench --isa
//
// PLUGIN is a plugin file (e.g. build/plugins/nmf.so) or a backend name, looked up as
// <folder of this binary>/../plugins/NAME.so (the build tree's layout). The plugin is used exactly as a
// third-party host would use it: dlopen(), the two exported functions of src/abi/sigstream_backend.h, the
// ABI version check, then fit(). Nothing of sigstream's library is linked, so the time measured is the
// plugin's fit() call and nothing else.
//
// Matrices: .npy files (float64 or int64, C or Fortran order; as numpy.save writes them) or whitespace-
// separated text, one matrix row per line. V is channels x samples, W0 channels x K, H0 K x samples
// (both or neither; without them the backend initialises from --seed).
//
// Each measured fit is timed from just before to just after the fit() call (wall clock, steady_clock);
// the progress callback records the time of every iteration, so the output also has the steady per-
// iteration time (iteration 1 to the last, which leaves out the backend's setup and start) and, with
// --target, the first iteration whose objective is <= the target and the time it was reached (from the
// start of the fit() call). --stop-at-target asks the backend to stop there (through the callback).
// --warmup N runs one unmeasured fit of N iterations first; --reps R measures R fits (medians reported).
// Beside the wall clock every fit records the CPU time of the process (CLOCK_PROCESS_CPUTIME_ID, all threads)
// around the call, at iteration 1 (for the steady CPU time per iteration: iteration 1 to the end of the call) and
// when the target is first reached: on a machine shared with other work, CPU time is what other processes
// disturb least (they still share the caches and memory bandwidth).
//
// Instruction-set level: the plugin picks its kernels' level itself, from the CPU or SIGSTREAM_ISA
// (src/abi/sigstream_isa.h); the output names the level it will have picked (`isa`) and the CPU's highest
// (`isa_cpu`). `backend_bench --isa` prints just these two as JSON and exits 1 when SIGSTREAM_ISA names a level
// this CPU lacks (or none): how bench/backends_speed.py finds the levels to measure.
//
// Output: a readable summary, or with --json one JSON object (used by bench/backends_speed.py).
// --trace FILE writes iteration, seconds since the fit() call began, objective (TSV, last measured fit);
// --W-out/--H-out write the factors of the last measured fit as .npy (Fortran order, float64).
// --trace-stride N sets the request's trace_stride (default 1: the objective after every iteration, as for a fit
// whose trace is kept; sigstream's replicate fits ask for 100, their --tol-window): a backend may then compute the
// objective only every N iterations and after the last one (--target then sees only those).
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "matrix_io.h"
#include "sigstream_backend.h"
#include "sigstream_isa.h"

namespace {

using bench::ends_with;
using bench::Error;
using bench::Matrix;
using bench::read_matrix;
using bench::write_npy;
using Clock = std::chrono::steady_clock;

// CPU time of the whole process (every thread), seconds.
double cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The plugin, loaded as any host of the ABI would load it.
const sigstream_backend* load_plugin(const std::string& path) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) throw Error(std::string("cannot load plugin: ") + dlerror());
    using VersionFn = int32_t (*)();
    using InfoFn = const sigstream_backend* (*)(int32_t);
    auto version = reinterpret_cast<VersionFn>(dlsym(handle, "sigstream_backend_api_version"));
    auto info = reinterpret_cast<InfoFn>(dlsym(handle, "sigstream_backend_info"));
    if (version == nullptr || info == nullptr) throw Error(path + ": not a sigstream backend (ABI functions missing)");
    if (version() != SIGSTREAM_BACKEND_API_VERSION)
        throw Error(path + ": built for backend ABI version " + std::to_string(version()) + ", this driver has " +
                    std::to_string(SIGSTREAM_BACKEND_API_VERSION));
    const sigstream_backend* backend = info(SIGSTREAM_BACKEND_API_VERSION);
    if (backend == nullptr || backend->fit == nullptr || backend->api_version != SIGSTREAM_BACKEND_API_VERSION)
        throw Error(path + ": invalid backend description");
    return backend;
}

std::string resolve_plugin(const std::string& arg) {
    if (arg.find('/') != std::string::npos || ends_with(arg, ".so")) return arg;
    std::array<char, PATH_MAX> exe{};
    const ssize_t n = readlink("/proc/self/exe", exe.data(), exe.size() - 1);
    std::string dir = n > 0 ? std::string(exe.data(), static_cast<std::size_t>(n)) : std::string(".");
    dir = dir.substr(0, dir.rfind('/'));
    return dir + "/../plugins/" + arg + ".so";
}

const char* status_name(int status) {
    switch (status) {
        case SIGSTREAM_FIT_OK:
            return "ok";
        case SIGSTREAM_FIT_STOPPED:
            return "stopped";
        case SIGSTREAM_FIT_BAD_PARAM:
            return "bad_param";
        case SIGSTREAM_FIT_NUMERICAL:
            return "numerical";
        default:
            return "failed";
    }
}

struct Options {
    std::string plugin, v_path, w0_path, h0_path, trace_path, w_out, h_out;
    int k = 0;
    int max_iter = 10000;
    double tol = 1e-7;
    int trace_stride = 1;
    std::uint64_t seed = 1;
    std::vector<std::pair<std::string, std::string>> params;
    bool has_target = false;
    double target = 0;
    bool stop_at_target = false;
    int warmup = 0;
    int reps = 1;
    bool json = false;
};

// The progress callback's state: the time of every iteration and the target's first crossing.
struct Progress {
    Clock::time_point start;
    std::vector<double> seconds;  // seconds[i] = time of iteration i (1-based; [0] unused)
    bool has_target = false, stop_at_target = false;
    double target = 0;
    int hit_iteration = -1;
    double hit_seconds = -1;
    double hit_cpu = -1;         // CPU time at the hit, from the start of the call
    double cpu_start = 0;        // cpu_now() just before the call
    double cpu_iteration1 = -1;  // CPU time at iteration 1, from the start of the call
};

int on_progress(void* host, int32_t iteration, double objective) {
    auto* p = static_cast<Progress*>(host);
    const double t = std::chrono::duration<double>(Clock::now() - p->start).count();
    if (iteration >= 0 && static_cast<std::size_t>(iteration) < p->seconds.size())
        p->seconds[static_cast<std::size_t>(iteration)] = t;
    if (iteration == 1) p->cpu_iteration1 = cpu_now() - p->cpu_start;
    if (p->has_target && p->hit_iteration < 0 && objective <= p->target) {
        p->hit_iteration = iteration;
        p->hit_seconds = t;
        p->hit_cpu = cpu_now() - p->cpu_start;
        if (p->stop_at_target) return SIGSTREAM_STOP;
    }
    return 0;
}

struct Run {
    int status = 0;
    std::string message;
    int iterations = 0;
    double wall = 0;                 // the whole fit() call, seconds
    double cpu = 0;                  // the process's CPU time during the call, seconds
    double steady_per_iter = 0;      // (t[last] - t[1]) / (last - 1)
    double steady_cpu_per_iter = 0;  // (CPU at the end of the call - CPU at iteration 1) / (last - 1)
    std::vector<double> trace, seconds, W, H;
    int hit_iteration = -1;
    double hit_seconds = -1, hit_cpu = -1;
};

Run fit_once(const sigstream_backend* backend, const Options& o, const Matrix& V, const Matrix* W0, const Matrix* H0,
             int max_iter, double tol, bool track_target) {
    std::vector<sigstream_param> params;
    for (const auto& [key, value] : o.params) params.push_back({sizeof(sigstream_param), key.c_str(), value.c_str()});
    Progress progress;
    progress.seconds.assign(static_cast<std::size_t>(max_iter) + 1, 0.0);
    progress.has_target = track_target && o.has_target;
    progress.stop_at_target = o.stop_at_target;
    progress.target = o.target;

    sigstream_fit_request request{};
    request.struct_size = sizeof request;
    request.api_version = SIGSTREAM_BACKEND_API_VERSION;
    request.tol_window = 100;  // the host's default (core/settings.h)
    request.trace_stride = o.trace_stride;
    request.rows = static_cast<int32_t>(V.rows);
    request.cols = static_cast<int32_t>(V.cols);
    request.V = V.data.data();
    request.k = o.k;
    request.seed = o.seed;
    request.W0 = W0 != nullptr ? W0->data.data() : nullptr;
    request.H0 = H0 != nullptr ? H0->data.data() : nullptr;
    request.max_iter = max_iter;
    request.tol = tol;
    request.n_params = static_cast<int32_t>(params.size());
    request.params = params.empty() ? nullptr : params.data();
    request.host = &progress;
    request.progress = on_progress;

    Run run;
    run.W.assign(static_cast<std::size_t>(V.rows * o.k), 0.0);
    run.H.assign(static_cast<std::size_t>(o.k * V.cols), 0.0);
    run.trace.assign(static_cast<std::size_t>(max_iter) + 1, 0.0);
    sigstream_fit_result result{};
    result.struct_size = sizeof result;
    result.W = run.W.data();
    result.H = run.H.data();
    result.trace = run.trace.data();

    progress.cpu_start = cpu_now();
    progress.start = Clock::now();
    run.status = backend->fit(&request, &result);
    run.wall = std::chrono::duration<double>(Clock::now() - progress.start).count();
    run.cpu = cpu_now() - progress.cpu_start;

    run.message = result.message;
    run.iterations = result.iterations;
    run.trace.resize(static_cast<std::size_t>(std::max(0, result.trace_length)));
    run.seconds = std::move(progress.seconds);
    run.seconds.resize(static_cast<std::size_t>(run.iterations) + 1);
    if (run.iterations >= 2)
        run.steady_per_iter =
            (run.seconds[static_cast<std::size_t>(run.iterations)] - run.seconds[1]) / (run.iterations - 1);
    if (run.iterations >= 2 && progress.cpu_iteration1 >= 0)
        run.steady_cpu_per_iter = (run.cpu - progress.cpu_iteration1) / (run.iterations - 1);
    // Only iterations count (a start already below the target is reported as iteration 1): the time of the
    // start alone is not observable through the ABI.
    run.hit_iteration = progress.hit_iteration;
    run.hit_seconds = progress.hit_seconds;
    run.hit_cpu = progress.hit_cpu;
    return run;
}

double median(std::vector<double> v) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string num(double x) {
    if (!std::isfinite(x)) return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string json_list(const std::vector<double>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + num(v[i]);
    return out + "]";
}

void usage() {
    std::cerr << "usage: backend_bench PLUGIN --V V.npy --k K [--W0 W0.npy --H0 H0.npy] [--max-iter N] [--tol T]\n"
                 "         [--seed S] [--param KEY=VALUE ...] [--target F] [--stop-at-target] [--warmup N]\n"
                 "         [--reps R] [--trace FILE] [--W-out FILE] [--H-out FILE] [--trace-stride N] [--json]\n"
                 "       backend_bench --isa\n";
}

Options parse(int argc, char** argv) {
    Options o;
    std::vector<std::string> args(argv + 1, argv + argc);
    auto value = [&](std::size_t& i) -> const std::string& {
        if (i + 1 >= args.size()) throw Error(args[i] + " needs a value");
        return args[++i];
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--V")
            o.v_path = value(i);
        else if (a == "--W0")
            o.w0_path = value(i);
        else if (a == "--H0")
            o.h0_path = value(i);
        else if (a == "--k")
            o.k = std::stoi(value(i));
        else if (a == "--max-iter")
            o.max_iter = std::stoi(value(i));
        else if (a == "--tol")
            o.tol = std::stod(value(i));
        else if (a == "--seed")
            o.seed = std::stoull(value(i));
        else if (a == "--param") {
            const std::string& kv = value(i);
            const auto eq = kv.find('=');
            if (eq == std::string::npos) throw Error("--param needs KEY=VALUE, got " + kv);
            o.params.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        } else if (a == "--target") {
            o.has_target = true;
            o.target = std::stod(value(i));
        } else if (a == "--stop-at-target")
            o.stop_at_target = true;
        else if (a == "--warmup")
            o.warmup = std::stoi(value(i));
        else if (a == "--reps")
            o.reps = std::stoi(value(i));
        else if (a == "--trace")
            o.trace_path = value(i);
        else if (a == "--W-out")
            o.w_out = value(i);
        else if (a == "--H-out")
            o.h_out = value(i);
        else if (a == "--json")
            o.json = true;
        else if (a == "--trace-stride")
            o.trace_stride = std::stoi(value(i));
        else if (a == "-h" || a == "--help") {
            usage();
            std::exit(0);
        } else if (!a.empty() && a[0] == '-')
            throw Error("unknown option " + a);
        else if (o.plugin.empty())
            o.plugin = a;
        else
            throw Error("unexpected argument " + a);
    }
    if (o.plugin.empty() || o.v_path.empty() || o.k < 1) {
        usage();
        throw Error("PLUGIN, --V and --k are required");
    }
    if (o.w0_path.empty() != o.h0_path.empty()) throw Error("--W0 and --H0 go together");
    if (o.max_iter < 0 || o.reps < 1 || o.warmup < 0)
        throw Error("--max-iter, --reps and --warmup must be >= 0 (reps >= 1)");
    return o;
}

// --isa: the level the plugin's kernels will run at (null when SIGSTREAM_ISA is refused) and the CPU's highest.
int print_isa() {
    const int chosen = sigstream_isa_chosen();
    std::cout << "{\"isa\": " << (chosen != 0 ? json_string(sigstream_isa_name(chosen)) : "null")
              << ", \"isa_cpu\": " << json_string(sigstream_isa_name(sigstream_isa_cpu())) << "}\n";
    return chosen != 0 ? 0 : 1;
}

int run(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--isa") == 0) return print_isa();
    const Options o = parse(argc, argv);
    const int isa = sigstream_isa_chosen();
    if (isa == 0) {
        const char* forced = std::getenv("SIGSTREAM_ISA");
        throw Error(std::string("SIGSTREAM_ISA=") + (forced != nullptr ? forced : "") +
                    " names no level this CPU runs (it runs up to " + sigstream_isa_name(sigstream_isa_cpu()) + ")");
    }
    const std::string plugin_path = resolve_plugin(o.plugin);
    const sigstream_backend* backend = load_plugin(plugin_path);
    const Matrix V = read_matrix(o.v_path);
    Matrix W0, H0;
    const bool start = !o.w0_path.empty();
    if (start) {
        W0 = read_matrix(o.w0_path);
        H0 = read_matrix(o.h0_path);
        if (W0.rows != V.rows || W0.cols != o.k || H0.rows != o.k || H0.cols != V.cols)
            throw Error("W0 must be " + std::to_string(V.rows) + " x K and H0 K x " + std::to_string(V.cols) +
                        " (K = " + std::to_string(o.k) + ")");
    }
    const Matrix* w0 = start ? &W0 : nullptr;
    const Matrix* h0 = start ? &H0 : nullptr;

    if (o.warmup > 0) {
        const Run warm = fit_once(backend, o, V, w0, h0, o.warmup, 0.0, false);
        if (warm.status != SIGSTREAM_FIT_OK) throw Error("warm-up fit failed: " + warm.message);
    }
    std::vector<Run> runs;
    for (int r = 0; r < o.reps; ++r) {
        runs.push_back(fit_once(backend, o, V, w0, h0, o.max_iter, o.tol, true));
        const Run& last = runs.back();
        if (last.status != SIGSTREAM_FIT_OK && last.status != SIGSTREAM_FIT_STOPPED)
            throw Error(std::string(backend->name) + " fit failed (" + status_name(last.status) + "): " + last.message);
    }
    const Run& last = runs.back();
    std::vector<double> walls, cpus, per_iter, cpu_per_iter, steady, steady_cpu, hits, hits_cpu;
    for (const Run& r : runs) {
        walls.push_back(r.wall);
        cpus.push_back(r.cpu);
        per_iter.push_back(r.wall / std::max(1, r.iterations));
        cpu_per_iter.push_back(r.cpu / std::max(1, r.iterations));
        steady.push_back(r.steady_per_iter);
        steady_cpu.push_back(r.steady_cpu_per_iter);
        if (r.hit_iteration >= 0) {
            hits.push_back(r.hit_seconds);
            hits_cpu.push_back(r.hit_cpu);
        }
    }

    if (!o.trace_path.empty()) {
        std::ofstream out(o.trace_path);
        out << "iteration\tseconds\tobjective\n";
        char buf[96];
        for (std::size_t t = 0; t < last.trace.size(); ++t) {
            std::snprintf(buf, sizeof buf, "%zu\t%.9f\t%.17g\n", t, t < last.seconds.size() ? last.seconds[t] : 0.0,
                          last.trace[t]);
            out << buf;
        }
        if (!out) throw Error(o.trace_path + ": cannot write");
    }
    if (!o.w_out.empty()) write_npy(o.w_out, V.rows, o.k, last.W.data());
    if (!o.h_out.empty()) write_npy(o.h_out, o.k, V.cols, last.H.data());

    const double f0 = last.trace.empty() ? std::nan("") : last.trace.front();
    const double f = last.trace.empty() ? std::nan("") : last.trace.back();
    if (o.json) {
        std::string params = "{";
        for (std::size_t i = 0; i < o.params.size(); ++i)
            params += (i ? ", " : "") + json_string(o.params[i].first) + ": " + json_string(o.params[i].second);
        params += "}";
        std::cout << "{\"backend\": " << json_string(backend->name)
                  << ", \"version\": " << json_string(backend->version) << ", \"plugin\": " << json_string(plugin_path)
                  << ", \"rows\": " << V.rows << ", \"cols\": " << V.cols << ", \"k\": " << o.k
                  << ", \"params\": " << params << ", \"isa\": " << json_string(sigstream_isa_name(isa))
                  << ", \"isa_cpu\": " << json_string(sigstream_isa_name(sigstream_isa_cpu()))
                  << ", \"start\": " << (start ? "true" : "false") << ", \"max_iter\": " << o.max_iter
                  << ", \"tol\": " << num(o.tol) << ", \"reps\": " << o.reps
                  << ", \"status\": " << json_string(status_name(last.status))
                  << ", \"message\": " << json_string(last.message) << ", \"iterations\": " << last.iterations
                  << ", \"wall_s\": " << json_list(walls) << ", \"cpu_s\": " << json_list(cpus)
                  << ", \"per_iter_s\": " << num(median(per_iter))
                  << ", \"cpu_per_iter_s\": " << num(median(cpu_per_iter))
                  << ", \"steady_per_iter_s\": " << num(median(steady))
                  << ", \"steady_cpu_per_iter_s\": " << num(median(steady_cpu)) << ", \"objective_start\": " << num(f0)
                  << ", \"objective\": " << num(f);
        if (o.has_target)
            std::cout << ", \"target\": " << num(o.target) << ", \"target_iteration\": " << last.hit_iteration
                      << ", \"target_s\": " << (hits.empty() ? "null" : num(median(hits)))
                      << ", \"target_s_all\": " << json_list(hits)
                      << ", \"target_cpu_s\": " << (hits_cpu.empty() ? "null" : num(median(hits_cpu)));
        std::cout << "}\n";
        return 0;
    }
    std::printf("%s %s (%s): V %lld x %lld, K = %d, %s start, max_iter %d, tol %g; kernels %s (CPU up to %s)\n",
                backend->name, backend->version, plugin_path.c_str(), static_cast<long long>(V.rows),
                static_cast<long long>(V.cols), o.k, start ? "given" : "backend's", o.max_iter, o.tol,
                sigstream_isa_name(isa), sigstream_isa_name(sigstream_isa_cpu()));
    std::printf("status %s%s%s; %d iterations\n", status_name(last.status), last.message.empty() ? "" : ": ",
                last.message.c_str(), last.iterations);
    std::printf("wall %.6f s (median of %d), %.3f us per iteration (whole call), %.3f us per iteration (steady)\n",
                median(walls), o.reps, median(per_iter) * 1e6, median(steady) * 1e6);
    std::printf("CPU  %.6f s, %.3f us per iteration (whole call), %.3f us per iteration (steady)\n", median(cpus),
                median(cpu_per_iter) * 1e6, median(steady_cpu) * 1e6);
    std::printf("objective: start %.12g, end %.12g\n", f0, f);
    for (std::size_t s : {1u, 10u, 100u, 1000u, 5000u, 10000u, 20000u, 50000u, 100000u})
        if (s < last.trace.size()) std::printf("  iteration %zu: %.12g at %.6f s\n", s, last.trace[s], last.seconds[s]);
    if (o.has_target) {
        if (last.hit_iteration >= 0)
            std::printf("target %.12g first reached at iteration %d, %.6f s into the fit (median of %d)\n", o.target,
                        last.hit_iteration, median(hits), o.reps);
        else
            std::printf("target %.12g not reached\n", o.target);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "backend_bench: " << e.what() << "\n";
        return 1;
    }
}
