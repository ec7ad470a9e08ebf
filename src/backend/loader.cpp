// Loading backends: a plugin file (dlopen, like bcftools' plugins) or a description linked into the program,
// checked against the backend ABI (src/abi/sigstream_backend.h) before anything of it is used.
#include <dlfcn.h>
#include <elf.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>

#include "abi/sigstream_backend.h"
#include "backend/backend.h"
#include "core/errors.h"
#include "core/format.h"

namespace sigstream {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRebuild = "rebuild the plugin against this sigstream's sigstream_backend.h";

// The sizes of the structs as version 2 first defined them: a backend's may be larger (built against a later
// revision, which only appends), never smaller.
constexpr std::size_t kBackendV2Size = offsetof(sigstream_backend, fit) + sizeof(sigstream_backend::fit);
constexpr std::size_t kParamSpecV2Size =
    offsetof(sigstream_param_spec, description) + sizeof(sigstream_param_spec::description);

std::string text_or_empty(const char* s) {
    return s ? std::string(s) : std::string();
}

// glibc's dlopen() maps a plugin's segments as its ELF headers describe them; when the file is shorter (a
// truncated copy or download) touching them raises SIGBUS instead of an error. So the headers are checked
// against the file's size first. Returns "" when the file is not a 64-bit ELF file (dlopen then gives its own
// reason) or when it is whole; otherwise what is wrong.
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

std::string version_mismatch(const std::string& what, int32_t version) {
    return what + " backend ABI version " + std::to_string(version) + ", but this sigstream speaks version " +
           std::to_string(SIGSTREAM_BACKEND_API_VERSION);
}

// Checks a backend description. `where` names the plugin file ("" for a built-in backend).
Backend::Description describe(const sigstream_backend* info, const std::string& where, std::shared_ptr<void> handle) {
    if (!info)
        throw FormatError(where, 0, "not a sigstream backend: sigstream_backend_info() returned no description",
                          kRebuild);
    if (info->api_version != SIGSTREAM_BACKEND_API_VERSION)
        throw FormatError(
            where, 0, version_mismatch("its description (sigstream_backend_info) says", info->api_version), kRebuild);
    if (info->struct_size < kBackendV2Size)
        throw FormatError(where, 0,
                          "its description is " + std::to_string(info->struct_size) + " bytes, shorter than version " +
                              std::to_string(SIGSTREAM_BACKEND_API_VERSION) + "'s " + std::to_string(kBackendV2Size),
                          kRebuild);
    Backend::Description d;
    d.handle = std::move(handle);
    d.info = info;
    d.name = text_or_empty(info->name);
    if (!valid_name(d.name))
        throw FormatError(where, 0, "the backend's name '" + d.name + "' is not a short lower-case word",
                          "a backend's name may use a-z, 0-9, '_' and '-' (it is used as --backend NAME and in "
                          "--param NAME.key=value)");
    if (!info->fit) throw FormatError(where, 0, "backend '" + d.name + "' has no fit function", kRebuild);
    if (info->n_params < 0 || (info->n_params > 0 && (!info->params || info->params->struct_size < kParamSpecV2Size)))
        throw FormatError(where, 0, "backend '" + d.name + "' describes its parameters inconsistently",
                          "n_params must be 0 or count the entries of params, each starting with its struct_size");
    d.version = text_or_empty(info->version);
    d.description = one_line(text_or_empty(info->description));
    d.objective = one_line(text_or_empty(info->objective));
    std::set<std::string> keys;
    for (int32_t i = 0; i < info->n_params; ++i) {
        const sigstream_param_spec& p = *SIGSTREAM_ARRAY_AT(sigstream_param_spec, info->params, i);
        const std::string key = text_or_empty(p.key);
        if (key.empty() || key.find('=') != std::string::npos || !keys.insert(key).second)
            throw FormatError(
                where, 0, "backend '" + d.name + "' has an empty, duplicated or malformed parameter name '" + key + "'",
                "parameter names must be unique and contain no '='");
        d.params.push_back(BackendParam{key, text_or_empty(p.default_value), one_line(text_or_empty(p.description))});
    }
    d.origin = where.empty() ? "built-in" : where;
    return d;
}

}  // namespace

Backend Backend::built_in(const sigstream_backend* info) {
    return Backend(describe(info, "", nullptr));
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
    const int32_t version = reinterpret_cast<int32_t (*)(void)>(version_sym)();
    if (version != SIGSTREAM_BACKEND_API_VERSION)
        throw FormatError(path, 0, version_mismatch("built for", version), kRebuild);
    dlerror();
    void* info_sym = dlsym(raw, "sigstream_backend_info");
    if (!info_sym)
        throw FormatError(path, 0, "not a sigstream backend: it does not export sigstream_backend_info", kRebuild);
    const sigstream_backend* info =
        reinterpret_cast<const sigstream_backend* (*)(int32_t)>(info_sym)(SIGSTREAM_BACKEND_API_VERSION);
    return Backend(describe(info, path, std::move(handle)));
}

}  // namespace sigstream
