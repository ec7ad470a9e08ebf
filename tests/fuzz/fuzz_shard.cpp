// fuzz_shard: the extraction shard reader (io/shard.*), as `sigstream consensus` reads each shard, followed by
// writing the shard back (write_shard) when it was accepted.
//
// Input: the bytes of one shard file (plain or gzip, told apart by content).
//
// A sigstream::Error is a correct outcome; anything else (a crash, a sanitizer report, another exception) is a
// finding.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "core/errors.h"
#include "fuzz_util.h"
#include "io/shard.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string dir = sigstream_fuzz::fresh_folder("shard");
    const std::string path = dir + "/part.tsv";
    sigstream_fuzz::write_file(path, data, size);
    try {
        const sigstream::Shard shard = sigstream::read_shard(path);
        std::ostringstream out;
        sigstream::write_shard(shard, out);
    } catch (const sigstream::Error&) {
        // a typed error: the library refused the input, as it should
    }
    return 0;
}
