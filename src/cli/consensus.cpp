// `sigstream consensus`: not written yet.
#include "cli/commands.h"
#include "core/errors.h"

namespace sigstream::cli {

int consensus_main(int, char**) {
    return guarded("consensus", []() -> int { throw UsageError("", 0, "not implemented yet", "see the open issue"); });
}

}  // namespace sigstream::cli
