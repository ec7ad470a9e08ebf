// Extraction shards (`extract --shard-out F`, read by `sigstream consensus`): the replicate fits of one
// process, with everything needed to check that shards belong together and to finish the run without
// the original files — the run's settings and the count matrix itself.
//
// Text, TAB-separated, `.gz` accepted (docs/shards.md):
//   ##sigstream-shard<TAB>4               format version
//   ##KEY<TAB>VALUE…                      sigstream_version, backend, backend_version, param (KEY VALUE,
//                                         every backend parameter incl. defaults), seed, replicates,
//                                         k (the K's), range (first, last: first <= i < last),
//                                         normalise, resample (yes|no), max_iter, tol, tol_window, matrix (the file it
//                                         came from, as given to extract)
//   #counts<TAB>n                         then the count matrix: header and one row per channel
//   #replicate<TAB>K<TAB>i<TAB>iterations<TAB>objective   then one row per channel: W's K values
//   #end<TAB>number of replicates<TAB>MD5 of every line before it (consensus refuses an edited shard)
// Numbers are the shortest text that reads back exactly, so a merged run equals a one-process run.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "core/matrix.h"
#include "core/results.h"
#include "core/settings.h"

namespace sigstream {

struct Shard {
    std::string sigstream_version;
    std::string backend, backend_version;
    // The run's plan; plan.fit.params holds every parameter of the backend, defaults included.
    ReplicatePlan plan;
    std::string matrix;  // the matrix's file as given to extract (for messages and metadata)
    LabelledMatrix counts;
    std::vector<Replicate> fits;  // ordered by K, then index
};

void write_shard(const Shard& shard, std::ostream& out);

// Throws FormatError (file and line) for anything that is not a complete shard of this format.
Shard read_shard(const std::string& path);

}  // namespace sigstream
