// sigstream's public C++ API, for programs that run its stages in-process:
//
//   find_package(sigstream REQUIRED)
//   target_link_libraries(my_tool PRIVATE sigstream::sigstream)
//   #include <sigstream.h>
#pragma once

#include "core/channels.h"
#include "core/count_matrix.h"
#include "core/errors.h"
#include "extract/backend.h"
#include "extract/extract.h"
#include "io/count_tsv.h"
#include "io/matrix_tsv.h"
#include "io/output_file.h"
#include "io/reference.h"
#include "io/vcf_source.h"
#include "stages/count.h"
