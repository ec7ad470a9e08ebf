// The two symbols the host looks up with dlsym(); everything else is in nmf_core.
#include "nmf_core.h"
#include "sigstream_backend.h"

extern "C" {
__attribute__((visibility("default"))) int32_t sigstream_backend_api_version(void) {
    return SIGSTREAM_BACKEND_API_VERSION;
}
__attribute__((visibility("default"))) const sigstream_backend* sigstream_backend_info(void) {
    return sigstream::nmf::backend();
}
}
