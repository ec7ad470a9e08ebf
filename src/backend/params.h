// Backend parameters as users give them: `--param KEY=VALUE` items (KEY = BACKEND.NAME, or just NAME when one
// backend is in play), and the parameters a preset sets.
#pragma once

#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/settings.h"

namespace sigstream {

// The items split by backend, keys without the prefix: one BackendParams per backend, in order. UsageError for
// an item that is not KEY=VALUE, a BACKEND that is not in play, a NAME without BACKEND when several are, a
// NAME the backend does not have, and a key given twice.
std::vector<BackendParams> parse_params(const std::vector<std::string>& items,
                                        const std::vector<const Backend*>& backends);
BackendParams parse_params(const std::vector<std::string>& items, const Backend& backend);

// The parameters `preset` (may be null) sets for `backend`: those the backend has and `given` does not set.
BackendParams preset_params(const Preset* preset, const Backend& backend, const BackendParams& given);

}  // namespace sigstream
