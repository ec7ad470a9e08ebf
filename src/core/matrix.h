// The one matrix type of sigstream: rows are the channels of a catalogue (in SigProfiler order), columns are
// named — samples of a count matrix, signatures of a signature set. Counts and extraction both use it.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "core/channels.h"

namespace sigstream {

struct LabelledMatrix {
    Context context = Context::SBS96;  // the catalogue of the rows
    std::vector<std::string> columns;  // sample or signature names, in order
    Eigen::MatrixXd values;            // channel_count(context) x columns.size()

    LabelledMatrix() = default;
    // All zero, one column per name.
    LabelledMatrix(Context c, std::vector<std::string> names)
        : context(c),
          columns(std::move(names)),
          values(Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(channel_count(c)),
                                       static_cast<Eigen::Index>(columns.size()))) {}

    std::size_t channels() const { return channel_count(context); }
    double& at(std::size_t channel, std::size_t column) {
        return values(static_cast<Eigen::Index>(channel), static_cast<Eigen::Index>(column));
    }
    double at(std::size_t channel, std::size_t column) const {
        return values(static_cast<Eigen::Index>(channel), static_cast<Eigen::Index>(column));
    }
};

// A signature set: a LabelledMatrix whose columns each sum to 1.
using SignatureSet = LabelledMatrix;

// Divides every column by its sum, as a signature file is read (io/matrix_tsv.h). A stage that hands its
// signatures on in memory does the same, so that a pipeline's later stages see exactly the numbers they would
// read back from the signatures.tsv the stage writes.
SignatureSet renormalised(SignatureSet s);

// The name of extracted signature `index` (0-based): "SBS96A", …, "SBS96Z", "SBS96AA", "SBS96AB", …
std::string signature_name(Context context, int index);

}  // namespace sigstream
