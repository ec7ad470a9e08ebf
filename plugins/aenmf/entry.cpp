// The two symbols the host looks up with dlsym(); everything else is in aenmf_core.
#include "aenmf_core.h"
#include "plugin_kit.h"

SIGSTREAM_PLUGIN_ENTRY(sigstream::aenmf::backend)
