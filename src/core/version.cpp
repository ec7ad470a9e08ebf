#include "core/version.h"

namespace sigstream {

const char* version() {
    return SIGSTREAM_VERSION_STRING;
}

}  // namespace sigstream
