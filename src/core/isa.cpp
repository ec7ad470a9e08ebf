#include "core/isa.h"

#include <cstdlib>
#include <string>

#include "abi/sigstream_isa.h"
#include "core/errors.h"

namespace sigstream {

int kernel_level() {
    const int level = sigstream_isa_chosen();
    if (level != 0) return level;
    const std::string forced = std::getenv("SIGSTREAM_ISA");
    const int asked = sigstream_isa_parse(forced.c_str());
    if (asked == 0)
        throw UsageError("", 0, "SIGSTREAM_ISA=" + forced + " is not an instruction-set level",
                         "set it to generic, v2, v3 or v4, or unset it");
    throw UsageError("", 0,
                     "SIGSTREAM_ISA=" + forced + " (" + sigstream_isa_description(asked) +
                         ") is beyond this CPU, which runs up to " + sigstream_isa_name(sigstream_isa_cpu()),
                     "unset SIGSTREAM_ISA, or give a level this CPU runs");
}

}  // namespace sigstream
