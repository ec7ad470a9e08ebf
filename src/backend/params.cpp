#include "backend/params.h"

#include "core/errors.h"

namespace sigstream {

namespace {

bool has_param(const Backend& b, const std::string& key) {
    for (const auto& p : b.params())
        if (p.key == key) return true;
    return false;
}

// One backend's items (each KEY=VALUE, KEY with or without the backend's prefix); `flag` is the option that chose
// the backend (--backend, or crossval's --backends), named in messages.
BackendParams parse_for(const std::vector<std::string>& items, const Backend& backend, const std::string& flag) {
    BackendParams out;
    for (const auto& item : items) {
        const std::size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("", 0, "--param '" + item + "' is not KEY=VALUE",
                             "e.g. --param " + backend.name() + ".objective=frobenius");
        std::string key = item.substr(0, eq);
        const std::string value = item.substr(eq + 1);
        if (const std::size_t dot = key.find('.'); dot != std::string::npos && !has_param(backend, key)) {
            const std::string prefix = key.substr(0, dot);
            if (prefix != backend.name())
                throw UsageError("", 0,
                                 "--param '" + item + "' is for backend '" + prefix + "', but " + flag + " is '" +
                                     backend.name() + "'",
                                 "drop it, or write " + backend.name() + ".KEY=VALUE");
            key = key.substr(dot + 1);
            if (key.empty())
                throw UsageError("", 0, "--param '" + item + "' names no parameter",
                                 "e.g. --param " + backend.name() + ".objective=frobenius");
        }
        backend.check_params({{key, value}});
        if (!out.emplace(key, value).second)
            throw UsageError("", 0, "--param " + key + " is given twice", "give each parameter once");
    }
    return out;
}

}  // namespace

BackendParams parse_params(const std::vector<std::string>& items, const Backend& backend) {
    return parse_for(items, backend, "--backend");
}

std::vector<BackendParams> parse_params(const std::vector<std::string>& items,
                                        const std::vector<const Backend*>& backends) {
    std::vector<std::vector<std::string>> per_backend(backends.size());
    if (backends.size() == 1) {
        per_backend[0] = items;
    } else {
        for (const std::string& item : items) {
            const std::size_t eq = item.find('='), dot = item.find('.');
            if (eq == std::string::npos || eq == 0)
                throw UsageError("", 0, "--param '" + item + "' is not KEY=VALUE",
                                 "e.g. --param nmf.objective=frobenius");
            if (dot == std::string::npos || dot > eq) {
                std::string owners;  // the backends in play that have this key
                const std::string key = item.substr(0, eq);
                for (const Backend* b : backends)
                    if (has_param(*b, key)) owners += (owners.empty() ? "" : " or ") + b->name() + "." + item;
                throw UsageError("", 0, "--param '" + item + "' names no backend, and several are given",
                                 "write BACKEND.KEY=VALUE" + (owners.empty() ? std::string() : ", e.g. " + owners));
            }
            const std::string prefix = item.substr(0, dot);
            std::size_t b = 0;
            while (b < backends.size() && backends[b]->name() != prefix) ++b;
            if (b == backends.size())
                throw UsageError("", 0,
                                 "--param '" + item + "' is for backend '" + prefix + "', which is not in --backends",
                                 "drop it, or add " + prefix + " to --backends");
            per_backend[b].push_back(item);
        }
    }
    std::vector<BackendParams> out;
    for (std::size_t b = 0; b < backends.size(); ++b)
        out.push_back(parse_for(per_backend[b], *backends[b], "--backends"));
    return out;
}

BackendParams preset_params(const Preset* preset, const Backend& backend, const BackendParams& given) {
    BackendParams out;
    if (!preset) return out;
    const auto it = preset->params.find(backend.name());
    if (it == preset->params.end()) return out;
    for (const auto& [key, value] : it->second)
        if (has_param(backend, key) && !given.count(key)) out[key] = value;
    return out;
}

}  // namespace sigstream
