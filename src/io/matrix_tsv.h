// Reading and writing labelled matrices (core/matrix.h): count matrices (channels x samples) and signature sets
// (channels x signatures), in SigProfiler's layout (docs/formats.md).
//
// Reading is forgiving about layout and strict about content: rows are matched by channel label, never
// by position (COSMIC files use SigProfiler order, many cohort catalogues are substitution-major); the
// first header field may be `MutationType`, `Type`, anything else, or missing (header = column names
// only); fields are separated by TAB or comma; CRLF, a UTF-8 BOM and `.gz` are accepted. Unknown,
// missing or duplicated channel labels, duplicated column names, and non-numeric, NaN, infinite or
// negative cells are FormatErrors naming the file, line and what to do.
#pragma once

#include <Eigen/Dense>
#include <ostream>
#include <string>
#include <vector>

#include "core/matrix.h"

namespace sigstream {

// What a matrix's cells may hold.
enum class MatrixValues {
    counts,      // numbers of mutations: whole numbers, at most 2^53 each and in each column's total (exact doubles)
    normalised,  // a matrix already normalised (proportions, scaled counts): any number in [0, 2^53]
    signatures,  // probabilities (read_signatures)
};

// A count matrix (or, with MatrixValues::normalised, a normalised catalogue). A cell that breaks the rule is a
// DataError naming its line, column and value.
LabelledMatrix read_count_matrix(const std::string& path, MatrixValues values = MatrixValues::counts);
// 2^53: the largest count (and column total) sigstream takes; every whole number up to it is an exact double.
inline constexpr double kMaxCount = 9007199254740992.0;

// A signature set: additionally, every column must sum to 1 within 1e-3 (then it is renormalised to
// exactly 1); otherwise a FormatError naming the column and its sum.
LabelledMatrix read_signatures(const std::string& path);

// Writes `MutationType<TAB>col…` and one row per channel in SigProfiler order. Numbers are written with
// up to 17 significant digits (round-trip exact), integers without a decimal point.
void write_labelled_matrix(const LabelledMatrix& m, std::ostream& out, const std::string& corner = "MutationType");

// A count matrix (SigProfilerMatrixGenerator's layout): `MutationType<TAB>sample…`, rows in SigProfiler order,
// whole numbers written as whole numbers (100000, never 1e+05).
void write_count_matrix(const LabelledMatrix& m, std::ostream& out);

}  // namespace sigstream
