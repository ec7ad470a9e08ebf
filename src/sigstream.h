// sigstream's public C++ API, for programs that run its stages in-process:
//
//   find_package(sigstream REQUIRED)
//   target_link_libraries(my_tool PRIVATE sigstream::sigstream)
//   #include <sigstream.h>
#pragma once

#include "core/channels.h"
#include "core/count_matrix.h"
#include "core/errors.h"
#include "backend/backend.h"
#include "extract/extract.h"
#include "io/count_tsv.h"
#include "io/matrix_tsv.h"
#include "io/output_file.h"
#include "count/reference.h"
#include "count/vcf_source.h"
#include "count/count.h"
