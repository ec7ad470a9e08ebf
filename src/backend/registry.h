// The backends available to a run: every plugin on the search path (like bcftools' BCFTOOLS_PLUGINS).
//
// Search path: SIGSTREAM_PLUGIN_PATH, a colon-separated list of folders; an empty component stands for the
// default folders. Unset, the default folders are used: `<folder of the sigstream binary>/plugins` (the build
// tree), `<folder of the binary>/../lib/sigstream/plugins` (a relocated install) and the install folder
// compiled in. Every `*.so` in them is a candidate; the first plugin found with a name wins.
#pragma once

#include <string>
#include <vector>

#include "backend/backend.h"

namespace sigstream {

class BackendRegistry {
public:
    // Loads every plugin on the search path (after checking SIGSTREAM_ISA: core/isa.h). Plugins that cannot be loaded
    // are not fatal: they are listed in problems() (and a request for their name says why).
    static BackendRegistry from_environment();
    explicit BackendRegistry(const std::vector<std::string>& folders);

    // The backend called `name`; UsageError naming the available ones (and any refused plugin of that
    // name, with the reason) when there is none.
    const Backend& get(const std::string& name) const;
    const std::vector<Backend>& backends() const { return backends_; }
    const std::vector<std::string>& problems() const { return problems_; }

    // The folders searched, in order, after expanding SIGSTREAM_PLUGIN_PATH.
    static std::vector<std::string> search_path();

private:
    std::vector<Backend> backends_;
    std::vector<std::string> problems_;
};

}  // namespace sigstream
