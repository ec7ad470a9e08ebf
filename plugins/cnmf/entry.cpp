// The two symbols the host looks up with dlsym(); everything else is in cnmf_core.
#include "cnmf_core.h"
#include "plugin_kit.h"

SIGSTREAM_PLUGIN_ENTRY(sigstream::cnmf::backend)
