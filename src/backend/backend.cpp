// Loading extraction backends (dlopen) and running one fit through the C ABI. See backend.h.
#include "backend/backend.h"

#include <dlfcn.h>
#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>

#include "abi/sigstream_backend.h"
#include "core/errors.h"

#ifndef SIGSTREAM_PLUGIN_INSTALL_DIR
#define SIGSTREAM_PLUGIN_INSTALL_DIR "/usr/local/lib/sigstream/plugins"
#endif

namespace sigstream {

namespace fs = std::filesystem;

namespace {

struct BackendData {
    std::shared_ptr<void> handle;  // the dlopen handle (null for a built-in backend); dlclose'd with the last copy
    const sigstream_backend* info = nullptr;
    std::string name, version, description, objective, origin;
    std::vector<BackendParam> params;
};

}  // namespace

struct Backend::Impl : BackendData {};

namespace {

constexpr const char* kRebuild = "rebuild the plugin against this sigstream's sigstream_backend.h";

std::string text_or_empty(const char* s) {
    return s ? std::string(s) : std::string();
}

// glibc's dlopen() maps a plugin's segments as its ELF headers describe them; when the file is shorter
// (a truncated copy or download) touching them raises SIGBUS instead of an error. So the headers are
// checked against the file's size first. Returns "" when the file is not a 64-bit ELF file (dlopen
// then gives its own reason) or when it is whole; otherwise what is wrong.
std::string truncation(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    Elf64_Ehdr eh{};
    if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh)) return {};
    if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 || sizeof(void*) != 8)
        return {};
    auto too_short = [&](std::uint64_t need) {
        return "the file is truncated: it is " + std::to_string(size) + " bytes long but its ELF headers describe " +
               std::to_string(need) + " bytes";
    };
    const std::uint64_t ph_end = eh.e_phoff + std::uint64_t(eh.e_phnum) * eh.e_phentsize;
    if (ph_end > size) return too_short(ph_end);
    const std::uint64_t sh_end = eh.e_shoff + std::uint64_t(eh.e_shnum) * eh.e_shentsize;
    if (eh.e_shoff != 0 && sh_end > size) return too_short(sh_end);
    if (eh.e_phentsize != sizeof(Elf64_Phdr)) return {};
    std::uint64_t need = 0;
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph{};
        in.seekg(static_cast<std::streamoff>(eh.e_phoff + std::uint64_t(i) * sizeof ph));
        if (!in.read(reinterpret_cast<char*>(&ph), sizeof ph)) return too_short(ph_end);
        if (ph.p_type == PT_LOAD || ph.p_type == PT_DYNAMIC)
            need = std::max<std::uint64_t>(need, ph.p_offset + ph.p_filesz);
    }
    return need > size ? too_short(need) : std::string();
}

// One line: backends' messages end up in a one-line error.
std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

std::string dl_error() {
    const char* e = dlerror();
    return e ? one_line(e) : std::string("unknown dlopen error");
}

bool valid_name(const std::string& n) {
    if (n.empty()) return false;
    for (char c : n)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

// Checks a backend description and copies it into an Impl. `where` names the plugin file (or "").
BackendData describe(const sigstream_backend* info, const std::string& where, std::shared_ptr<void> handle) {
    if (!info)
        throw FormatError(where, 0, "not a sigstream backend: sigstream_backend_info() returned no description",
                          kRebuild);
    if (info->api_version != SIGSTREAM_BACKEND_API_VERSION)
        throw FormatError(where, 0,
                          "its description (sigstream_backend_info) says backend ABI version " +
                              std::to_string(info->api_version) + ", this sigstream speaks version " +
                              std::to_string(SIGSTREAM_BACKEND_API_VERSION),
                          kRebuild);
    BackendData data;
    BackendData* impl = &data;
    impl->handle = std::move(handle);
    impl->info = info;
    impl->name = text_or_empty(info->name);
    if (!valid_name(impl->name))
        throw FormatError(where, 0, "the backend's name '" + impl->name + "' is not a short lower-case word",
                          "a backend's name may use a-z, 0-9, '_' and '-' (it is used as --backend NAME and in "
                          "--param NAME.key=value)");
    if (!info->fit) throw FormatError(where, 0, "backend '" + impl->name + "' has no fit function", kRebuild);
    if (info->n_params < 0 || (info->n_params > 0 && !info->params))
        throw FormatError(where, 0, "backend '" + impl->name + "' describes its parameters inconsistently",
                          "n_params must be 0 or count the entries of params");
    impl->version = text_or_empty(info->version);
    impl->description = one_line(text_or_empty(info->description));
    impl->objective = one_line(text_or_empty(info->objective));
    std::set<std::string> keys;
    for (int32_t i = 0; i < info->n_params; ++i) {
        const sigstream_param_spec& p = info->params[i];
        std::string key = text_or_empty(p.key);
        if (key.empty() || key.find('=') != std::string::npos || !keys.insert(key).second)
            throw FormatError(
                where, 0,
                "backend '" + impl->name + "' has an empty, duplicated or malformed parameter name '" + key + "'",
                "parameter names must be unique and contain no '='");
        impl->params.push_back(
            BackendParam{key, text_or_empty(p.default_value), one_line(text_or_empty(p.description))});
    }
    impl->origin = where.empty() ? "built-in" : where;
    return data;
}

std::string exe_folder() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    return exe.parent_path().string();
}

std::vector<std::string> default_folders() {
    std::vector<std::string> out;
    std::string exe = exe_folder();
    if (!exe.empty()) {
        out.push_back((fs::path(exe) / "plugins").string());
        out.push_back((fs::path(exe).parent_path() / "lib" / "sigstream" / "plugins").lexically_normal().string());
    }
    out.push_back(SIGSTREAM_PLUGIN_INSTALL_DIR);
    return out;
}

// The C progress callback: forwards to the FitRequest's std::function, never lets an exception cross
// the backend's C frames (it is kept and rethrown after fit() returns).
struct ProgressBridge {
    const std::function<bool(int, double)>* fn = nullptr;
    std::exception_ptr error;
};

int sigstream_progress_bridge(void* host, int32_t iteration, double objective) {
    auto* bridge = static_cast<ProgressBridge*>(host);
    if (bridge->error) return 1;
    try {
        return (*bridge->fn)(static_cast<int>(iteration), objective) ? 0 : 1;
    } catch (...) {
        bridge->error = std::current_exception();
        return 1;
    }
}

bool all_finite_nonnegative(const Eigen::MatrixXd& m) {
    const double* p = m.data();
    for (Eigen::Index i = 0; i < m.size(); ++i)
        if (!std::isfinite(p[i]) || p[i] < 0) return false;
    return true;
}

}  // namespace

const std::string& Backend::name() const {
    return impl_->name;
}
const std::string& Backend::version() const {
    return impl_->version;
}
const std::string& Backend::description() const {
    return impl_->description;
}
const std::string& Backend::objective() const {
    return impl_->objective;
}
const std::vector<BackendParam>& Backend::params() const {
    return impl_->params;
}
const std::string& Backend::origin() const {
    return impl_->origin;
}

Backend Backend::built_in(const sigstream_backend* info) {
    auto impl = std::make_shared<Impl>();
    static_cast<BackendData&>(*impl) = describe(info, "", nullptr);
    Backend b;
    b.impl_ = std::move(impl);
    return b;
}

Backend Backend::load(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw IoError(path, 0, "cannot load the plugin: no such file", "check SIGSTREAM_PLUGIN_PATH");
    if (!fs::is_regular_file(path, ec))
        throw IoError(path, 0, "cannot load the plugin: not a regular file", "give the plugin's .so file");
    if (std::string cut = truncation(path); !cut.empty())
        throw FormatError(path, 0, "cannot load the plugin: " + cut, "copy or rebuild the plugin again");
    dlerror();  // clear
    void* raw = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!raw)
        throw FormatError(path, 0, "cannot load the plugin: " + dl_error(),
                          "remove it from the plugin folder, or rebuild it for this machine");
    std::shared_ptr<void> handle(raw, [](void* h) { dlclose(h); });

    dlerror();
    void* version_sym = dlsym(raw, "sigstream_backend_api_version");
    if (!version_sym)
        throw FormatError(path, 0, "not a sigstream backend: it does not export sigstream_backend_api_version",
                          "only sigstream backend plugins belong in the plugin folders");
    auto version_fn = reinterpret_cast<int32_t (*)(void)>(version_sym);
    const int32_t version = version_fn();
    if (version != SIGSTREAM_BACKEND_API_VERSION)
        throw FormatError(path, 0,
                          "built for backend ABI version " + std::to_string(version) +
                              ", this sigstream speaks version " + std::to_string(SIGSTREAM_BACKEND_API_VERSION),
                          kRebuild);
    dlerror();
    void* info_sym = dlsym(raw, "sigstream_backend_info");
    if (!info_sym)
        throw FormatError(path, 0, "not a sigstream backend: it does not export sigstream_backend_info", kRebuild);
    auto info_fn = reinterpret_cast<const sigstream_backend* (*)(void)>(info_sym);
    auto impl = std::make_shared<Impl>();
    static_cast<BackendData&>(*impl) = describe(info_fn(), path, std::move(handle));
    Backend b;
    b.impl_ = std::move(impl);
    return b;
}

FitResult Backend::fit(const Eigen::MatrixXd& V, const FitRequest& request) const {
    const Impl& b = *impl_;
    // Parameters first: a typo is the likeliest mistake and the cheapest to report.
    for (const auto& [key, value] : request.params) {
        bool known = false;
        for (const auto& p : b.params) known |= p.key == key;
        if (known) continue;
        std::string list;
        for (const auto& p : b.params) list += (list.empty() ? "" : ", ") + p.key;
        throw UsageError(
            "", 0, "backend '" + b.name + "' has no parameter '" + key + "'",
            list.empty() ? "it takes no parameters" : "its parameters are " + list + " (see `sigstream backends`)");
    }
    const Eigen::Index rows = V.rows(), cols = V.cols();
    constexpr Eigen::Index kMax = 0x7fffffff;
    if (rows < 1 || cols < 1 || rows > kMax || cols > kMax)
        throw DataError("", 0, "cannot fit a " + std::to_string(rows) + " x " + std::to_string(cols) + " matrix",
                        "give at least one channel and one sample");
    if (request.k < 1 || request.k >= std::min(rows, cols))
        throw UsageError("", 0,
                         "K = " + std::to_string(request.k) + " is out of range for a " + std::to_string(rows) + " x " +
                             std::to_string(cols) + " matrix",
                         "K must be at least 1 and below min(channels, samples)");
    if (request.max_iter < 1 || request.max_iter == 0x7fffffff)
        throw UsageError("", 0, "max_iter " + std::to_string(request.max_iter) + " is out of range",
                         "give a positive number of iterations");
    if (!std::isfinite(request.tol) || request.tol < 0)
        throw UsageError("", 0, "the tolerance must be a finite number >= 0",
                         "e.g. 1e-8, or 0 to run max_iter iterations");
    if ((request.W0 == nullptr) != (request.H0 == nullptr))
        throw UsageError("", 0, "a starting point needs both W0 and H0", "give both or neither");
    if (request.W0 && (request.W0->rows() != rows || request.W0->cols() != request.k ||
                       request.H0->rows() != request.k || request.H0->cols() != cols))
        throw UsageError("", 0, "the starting W0/H0 do not match the matrix and K",
                         "W0 is channels x K, H0 is K x samples");
    for (Eigen::Index j = 0; j < cols; ++j) {
        double sum = 0;
        for (Eigen::Index i = 0; i < rows; ++i) {
            double v = V(i, j);
            if (!std::isfinite(v) || v < 0)
                throw DataError("", 0,
                                "the matrix has a negative or non-finite value (column " + std::to_string(j + 1) + ")",
                                "counts must be finite and non-negative");
            sum += v;
        }
        if (!(sum > 0))
            throw DataError("", 0, "column " + std::to_string(j + 1) + " of the matrix is all zero",
                            "leave empty samples out of the fit");
    }

    // Eigen::MatrixXd is column-major and contiguous, exactly the ABI's layout: no copies needed.
    std::vector<sigstream_param> params;
    params.reserve(request.params.size());
    for (const auto& [key, value] : request.params) params.push_back(sigstream_param{key.c_str(), value.c_str()});

    ProgressBridge bridge;
    bridge.fn = &request.progress;

    sigstream_fit_request req{};
    req.api_version = SIGSTREAM_BACKEND_API_VERSION;
    req.rows = static_cast<int32_t>(rows);
    req.cols = static_cast<int32_t>(cols);
    req.V = V.data();
    req.k = request.k;
    req.seed = request.seed;
    req.W0 = request.W0 ? request.W0->data() : nullptr;
    req.H0 = request.H0 ? request.H0->data() : nullptr;
    req.max_iter = request.max_iter;
    req.tol = request.tol;
    req.n_params = static_cast<int32_t>(params.size());
    req.params = params.empty() ? nullptr : params.data();
    req.host = &bridge;
    req.progress = request.progress ? &sigstream_progress_bridge : nullptr;

    FitResult out;
    out.W = Eigen::MatrixXd::Zero(rows, request.k);
    out.H = Eigen::MatrixXd::Zero(request.k, cols);
    out.trace.assign(static_cast<std::size_t>(request.max_iter) + 1, 0.0);
    sigstream_fit_result res{};
    res.W = out.W.data();
    res.H = out.H.data();
    res.trace = out.trace.data();
    res.trace_length = 0;
    res.iterations = 0;
    res.message[0] = '\0';

    const int status = b.info->fit(&req, &res);
    res.message[sizeof res.message - 1] = '\0';
    out.message = one_line(res.message);
    if (bridge.error) std::rethrow_exception(bridge.error);

    const std::string who = "backend '" + b.name + "'";
    const std::string said = out.message.empty() ? std::string("(no message)") : out.message;
    switch (status) {
        case SIGSTREAM_FIT_OK:
        case SIGSTREAM_FIT_STOPPED:
            break;
        case SIGSTREAM_FIT_BAD_PARAM:
            throw UsageError("", 0, who + " rejected a parameter: " + said,
                             "see `sigstream backends` for its parameters and their values");
        case SIGSTREAM_FIT_NUMERICAL:
            throw DataError("", 0, who + " broke down numerically: " + said,
                            "try another --seed, objective or backend; check the matrix for extreme samples");
        case SIGSTREAM_FIT_FAILED:
            throw DataError("", 0, who + " failed: " + said, "see the backend's message");
        default:
            throw DataError("", 0, who + " returned an unknown status " + std::to_string(status) + ": " + said,
                            "the plugin does not follow the backend ABI; report this to its authors");
    }
    if (res.trace_length < 0 || res.trace_length > request.max_iter + 1 || res.iterations < 0 ||
        res.iterations > request.max_iter)
        throw DataError("", 0,
                        who + " reported " + std::to_string(res.iterations) + " iterations and " +
                            std::to_string(res.trace_length) + " trace values for max_iter " +
                            std::to_string(request.max_iter),
                        "the plugin does not follow the backend ABI; report this to its authors");
    if (!all_finite_nonnegative(out.W) || !all_finite_nonnegative(out.H))
        throw DataError("", 0, who + " returned negative or non-finite factors",
                        "try another --seed or backend; report this to the backend's authors");
    out.trace.resize(static_cast<std::size_t>(res.trace_length));
    out.iterations = res.iterations;
    out.stopped = status == SIGSTREAM_FIT_STOPPED;
    return out;
}

// ---------------------------------------------------------------- registry

std::vector<std::string> BackendRegistry::search_path() {
    const char* env = std::getenv("SIGSTREAM_PLUGIN_PATH");
    std::vector<std::string> out;
    auto add = [&](const std::string& f) {
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    };
    if (!env) {
        for (const auto& f : default_folders()) add(f);
        return out;
    }
    std::string s = env;
    std::size_t start = 0;
    for (;;) {
        std::size_t colon = s.find(':', start);
        std::string item = s.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        if (item.empty())
            for (const auto& f : default_folders()) add(f);
        else
            add(item);
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return out;
}

BackendRegistry BackendRegistry::from_environment() {
    return BackendRegistry(search_path());
}

BackendRegistry::BackendRegistry(const std::vector<std::string>& folders) {
    std::set<std::string> seen_files;  // canonical paths: a folder listed twice, or a link, loads once
    std::map<std::string, std::string> name_origin;
    for (const auto& folder : folders) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) continue;
        std::vector<std::string> files;
        for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
            const fs::path& p = it->path();
            if (p.extension() != ".so") continue;
            std::error_code e2;
            if (!fs::is_regular_file(p, e2)) continue;  // folders, pipes, dangling links
            files.push_back(p.string());
        }
        if (ec) problems_.push_back(folder + ": cannot list the plugin folder: " + ec.message());
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            std::error_code e3;
            fs::path canon = fs::canonical(file, e3);
            if (!seen_files.insert(e3 ? file : canon.string()).second) continue;
            try {
                Backend b = Backend::load(file);
                auto [it, fresh] = name_origin.emplace(b.name(), file);
                if (!fresh) {
                    problems_.push_back(file + ": backend '" + b.name() + "' is also in " + it->second +
                                        ", which comes first on the search path and is used");
                    continue;
                }
                backends_.push_back(std::move(b));
            } catch (const Error& e) {
                problems_.push_back(e.what());
            }
        }
    }
}

const Backend& BackendRegistry::get(const std::string& name) const {
    for (const auto& b : backends_)
        if (b.name() == name) return b;
    // A refused plugin whose file is called <name>.so: say why it was refused.
    const std::string file_suffix = name + ".so: ";
    for (const auto& p : problems_) {
        std::size_t at = p.find(file_suffix);
        if (at != std::string::npos && (at == 0 || p[at - 1] == '/'))
            throw UsageError("", 0, "backend '" + name + "' is not available: the plugin " + p, "");
    }
    if (backends_.empty())
        throw UsageError("", 0, "unknown backend '" + name + "': no usable backend plugins were found",
                         "set SIGSTREAM_PLUGIN_PATH to the folder holding nmf.so, cnmf.so, aenmf.so "
                         "(`sigstream backends` shows the folders searched)");
    std::string list;
    for (const auto& b : backends_) list += (list.empty() ? "" : ", ") + b.name();
    throw UsageError("", 0, "unknown backend '" + name + "'", "available: " + list + " (see `sigstream backends`)");
}

}  // namespace sigstream
