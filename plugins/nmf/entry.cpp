// The two symbols the host looks up with dlsym(); everything else is in nmf_core.
#include "nmf_core.h"
#include "plugin_kit.h"

SIGSTREAM_PLUGIN_ENTRY(sigstream::nmf::backend)
