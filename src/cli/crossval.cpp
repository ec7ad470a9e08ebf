// `sigstream crossval`: not written yet.
#include "cli/commands.h"
#include "core/errors.h"

namespace sigstream::cli {

int crossval_main(int, char**) {
    return guarded("crossval", []() -> int { throw UsageError("", 0, "not implemented yet", "see the open issue"); });
}

}  // namespace sigstream::cli
