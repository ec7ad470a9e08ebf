// sigstream's public C++ API, for programs that run its stages in-process:
//
//   find_package(sigstream REQUIRED)                 # or: pkg-config --cflags --libs sigstream
//   target_link_libraries(my_tool PRIVATE sigstream::sigstream)
//   #include <sigstream/sigstream.h>
//
// A whole pipeline (pipeline/pipeline.h: read one from a TOML file, or add stages), any single stage on a
// Workspace (pipeline/stages.h: typed settings, prepare(), run()), or the functions under them (count/count.h,
// extract/…, evaluate/…). docs/embedding.md shows each.
#pragma once

#include "backend/backend.h"
#include "backend/params.h"
#include "backend/registry.h"
#include "core/channels.h"
#include "core/errors.h"
#include "core/matrix.h"
#include "core/progress.h"
#include "core/results.h"
#include "core/settings.h"
#include "count/count.h"
#include "count/reference.h"
#include "evaluate/compare.h"
#include "evaluate/crossval.h"
#include "extract/fit_input.h"
#include "extract/refine.h"
#include "extract/refit.h"
#include "extract/replicates.h"
#include "extract/selection.h"
#include "extract/single_fit.h"
#include "io/matrix_tsv.h"
#include "io/outputs.h"
#include "io/tables.h"
#include "pipeline/pipeline.h"
#include "pipeline/stages.h"
