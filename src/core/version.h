// The version of this sigstream (the project's version, e.g. "0.1.0"): metadata.toml and shards record it.
#pragma once

namespace sigstream {

const char* version();

}  // namespace sigstream
