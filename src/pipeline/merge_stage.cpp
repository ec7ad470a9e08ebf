// The merge stage: count matrices of the same catalogue joined column-wise, in the order given — the gather
// step after counting was scattered per input file. A sample name in two matrices is an error naming both.
//
// File: `out` (`sigstream merge`: standard output by default; in a run folder merged.tsv).
#include <map>

#include "io/matrix_tsv.h"
#include "pipeline/stages.h"

namespace sigstream {

std::string_view MergeStage::summary() const {
    return "join count matrices column-wise (the gather step of scattered counting)";
}

const Schema<MergeSettings>& MergeStage::schema() const {
    using S = MergeSettings;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Input").inputs("inputs", "MATRIX", "count matrices of one catalogue (TSV or CSV, .gz accepted)",
                                  [](S& x) -> std::vector<std::string>& { return x.inputs; });
        k.section("Output").path("out", "FILE",
                                 "the merged matrix; `-` = standard output; .gz compresses [default: -, or "
                                 "merged.tsv in a run folder]",
                                 [](S& x) -> std::string& { return x.out; });
        return k;
    }();
    return s;
}

std::vector<std::string> MergeStage::writes(bool folder) const {
    if (!settings.out.empty()) return {settings.out};
    return {folder ? "merged.tsv" : "-"};
}

void MergeStage::prepare(const std::vector<Data>&) {
    if (settings.inputs.empty()) throw UsageError("", 0, "no matrices to merge", "give the count matrices to join");
}

void MergeStage::run(Workspace& ws, const RunSettings&) {
    Counts merged;
    std::map<std::string, std::string> owner;  // sample -> the matrix it came from
    for (const std::string& path : settings.inputs) {
        LabelledMatrix m = read_count_matrix(path);
        if (merged.matrix.columns.empty() && merged.matrix.values.size() == 0) {
            merged.matrix.context = m.context;
        } else if (m.context != merged.matrix.context) {
            throw DataError(path, 0,
                            "this matrix is " + std::string(context_name(m.context)) + " but " +
                                settings.inputs.front() + " is " + std::string(context_name(merged.matrix.context)),
                            "merge matrices of one catalogue");
        }
        for (const std::string& name : m.columns) {
            const auto [it, fresh] = owner.emplace(name, path);
            if (!fresh)
                throw DataError(path, 0, "sample '" + name + "' is also a sample of " + it->second,
                                "give every sample one name across the matrices (rename one of them)");
        }
        const Eigen::Index before = merged.matrix.values.cols();
        Eigen::MatrixXd joined(static_cast<Eigen::Index>(channel_count(m.context)), before + m.values.cols());
        if (before > 0) joined.leftCols(before) = merged.matrix.values;
        joined.rightCols(m.values.cols()) = m.values;
        merged.matrix.values = std::move(joined);
        merged.matrix.columns.insert(merged.matrix.columns.end(), m.columns.begin(), m.columns.end());
    }
    merged.contexts = {merged.matrix};
    ws.counts = std::move(merged);
}

void MergeStage::write(const Workspace& ws, OutputSink& out) const {
    write_count_matrix(ws.counts->matrix, out.open(writes(out.is_folder()).front()));
}

}  // namespace sigstream
