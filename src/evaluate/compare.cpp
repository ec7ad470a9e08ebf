#include "evaluate/compare.h"

#include "core/errors.h"
#include "io/data_files.h"
#include "numeric/assignment.h"

namespace sigstream {

std::string reference_file(const std::string& name) {
    return name == kCosmicReference ? data_file("cosmic/COSMIC_v3.4_SBS_GRCh37.txt") : name;
}

bool is_cosmic_artefact(const std::string& name) {
    if (name == "SBS27" || name == "SBS43" || name == "SBS95") return true;
    if (name.size() == 5 && name.compare(0, 3, "SBS") == 0 && name[3] >= '0' && name[3] <= '9' && name[4] >= '0' &&
        name[4] <= '9') {
        const int n = (name[3] - '0') * 10 + (name[4] - '0');
        return n >= 45 && n <= 60;
    }
    return false;
}

Comparison compare_signatures(const LabelledMatrix& signatures, const LabelledMatrix& reference,
                              bool include_artefacts) {
    if (signatures.context != reference.context)
        throw UsageError("", 0,
                         "the signatures are " + std::string(context_name(signatures.context)) +
                             " but the reference is " + std::string(context_name(reference.context)),
                         "compare signatures with a reference of the same catalogue");
    Comparison c;
    std::vector<Eigen::Index> keep;
    for (std::size_t j = 0; j < reference.columns.size(); ++j) {
        if (!include_artefacts && is_cosmic_artefact(reference.columns[j])) continue;
        keep.push_back(static_cast<Eigen::Index>(j));
        c.reference.push_back(reference.columns[j]);
    }
    if (keep.empty())
        throw UsageError("", 0, "no reference signatures are left after removing COSMIC's artefacts",
                         "add --include-artefacts");
    Eigen::MatrixXd ref(reference.values.rows(), static_cast<Eigen::Index>(keep.size()));
    for (std::size_t a = 0; a < keep.size(); ++a) ref.col(static_cast<Eigen::Index>(a)) = reference.values.col(keep[a]);
    c.cosine = cosine_matrix(signatures.values, ref);
    const std::vector<int> one_to_one = assign_max(c.cosine);
    for (std::size_t i = 0; i < signatures.columns.size(); ++i) {
        SignatureMatch m;
        m.signature = signatures.columns[i];
        Eigen::Index best = 0;
        c.cosine.row(static_cast<Eigen::Index>(i)).maxCoeff(&best);  // first of equal maxima
        m.best_match = c.reference[static_cast<std::size_t>(best)];
        m.best_cosine = c.cosine(static_cast<Eigen::Index>(i), best);
        if (one_to_one[i] >= 0) {
            m.matched = c.reference[static_cast<std::size_t>(one_to_one[i])];
            m.matched_cosine = c.cosine(static_cast<Eigen::Index>(i), one_to_one[i]);
        }
        c.matches.push_back(m);
    }
    return c;
}

}  // namespace sigstream
