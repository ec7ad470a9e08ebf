#include "backend/registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "core/errors.h"
#include "core/isa.h"

#ifndef SIGSTREAM_PLUGIN_INSTALL_DIR
#define SIGSTREAM_PLUGIN_INSTALL_DIR "/usr/local/lib/sigstream/plugins"
#endif

namespace sigstream {

namespace fs = std::filesystem;

namespace {

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

}  // namespace

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
    kernel_level();  // SIGSTREAM_ISA is checked before any plugin runs
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
