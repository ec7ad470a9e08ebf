#include "io/data_files.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/errors.h"

namespace sigstream {

namespace fs = std::filesystem;

std::string data_file(const std::string& relative) {
    std::vector<fs::path> folders;
    if (const char* env = std::getenv("SIGSTREAM_DATA_DIR"); env && *env) folders.emplace_back(env);
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) folders.push_back(exe.parent_path() / ".." / "share" / "sigstream");
    folders.emplace_back(SIGSTREAM_DATA_DIR);
    folders.emplace_back(SIGSTREAM_SOURCE_DATA_DIR);
    std::string searched;
    for (const auto& f : folders) {
        fs::path p = f / relative;
        if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
        searched += (searched.empty() ? "" : ", ") + f.lexically_normal().string();
    }
    throw IoError(relative, 0, "shipped data file not found (searched " + searched + ")",
                  "reinstall sigstream, or point SIGSTREAM_DATA_DIR at its data folder");
}

}  // namespace sigstream
