// The reference data shipped with sigstream (data/ in the source tree, <prefix>/share/sigstream once
// installed), found without configuration: SIGSTREAM_DATA_DIR if set, then next to the running binary
// (`<bin>/../share/sigstream`), then the install folder compiled in, then the source tree's data/ (for
// runs from the build tree).
#pragma once

#include <string>

namespace sigstream {

// The path of `relative` (e.g. "cosmic/COSMIC_v3.4_SBS_GRCh37.txt") in the first data folder that has
// it. Throws IoError naming the folders searched when none has it.
std::string data_file(const std::string& relative);

}  // namespace sigstream
