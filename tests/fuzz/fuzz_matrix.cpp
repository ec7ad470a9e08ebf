// fuzz_matrix: the labelled-matrix readers (io/matrix_tsv.*) on one file: read_count_matrix() (`--matrix`,
// `merge`) and read_signatures() (`--signatures`, COSMIC-style files), each followed by writing what it read, as
// the stages do.
//
// Input: the bytes of the file (TSV or CSV, CRLF, a BOM, gzip: the reader tells them apart by content).
//
// A sigstream::Error is a correct outcome; anything else (a crash, a sanitizer report, another exception) is a
// finding.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "core/errors.h"
#include "fuzz_util.h"
#include "io/matrix_tsv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string dir = sigstream_fuzz::fresh_folder("matrix");
    const std::string path = dir + "/matrix.tsv";
    sigstream_fuzz::write_file(path, data, size);
    try {
        const sigstream::LabelledMatrix m = sigstream::read_count_matrix(path);
        std::ostringstream out;
        sigstream::write_count_matrix(m, out);
    } catch (const sigstream::Error&) {
        // a typed error: the library refused the input, as it should
    }
    try {
        const sigstream::LabelledMatrix s = sigstream::read_signatures(path);
        std::ostringstream out;
        sigstream::write_labelled_matrix(s, out, "Type");
    } catch (const sigstream::Error&) {
    }
    return 0;
}
