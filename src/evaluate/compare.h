// Comparing extracted signatures with a reference set (COSMIC by default): the best match of each, and
// a one-to-one (Hungarian) matching that maximises the total cosine similarity.
#pragma once

#include <string>
#include <vector>

#include "core/matrix.h"

namespace sigstream {

// COSMIC marks these as possible sequencing artefacts; they are left out of matching by default.
bool is_cosmic_artefact(const std::string& signature_name);

struct SignatureMatch {
    std::string signature;
    std::string best_match;  // the reference signature of highest cosine
    double best_cosine = 0;
    std::string matched;  // one-to-one match; empty when there are more signatures than references
    double matched_cosine = 0;
};

struct Comparison {
    std::vector<SignatureMatch> matches;  // one per extracted signature, in input order
    std::vector<std::string> reference;   // the reference signatures used (artefacts removed or not)
    Eigen::MatrixXd cosine;               // signatures x reference
};

// Throws UsageError when the two sets use different catalogues (e.g. SBS96 vs SBS6), or when nothing is
// left of the reference.
// The name of the shipped reference set (COSMIC v3.4 SBS, GRCh37), accepted wherever a reference is given.
inline constexpr const char* kCosmicReference = "cosmic-v3.4";

// The file of a reference given by name: kCosmicReference is the shipped COSMIC file (found by
// data_file()), anything else is a file path, returned as it is.
std::string reference_file(const std::string& name);

Comparison compare_signatures(const LabelledMatrix& signatures, const LabelledMatrix& reference,
                              bool include_artefacts);

}  // namespace sigstream
