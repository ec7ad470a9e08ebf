// The merge stage: count matrices of the same catalogue joined column-wise, in the order given — the gather
// step after counting was scattered per input file. A sample name in two matrices is an error naming both.
// Count summaries (`count --summary`) among the inputs, told from matrices by their header, are joined row-wise
// into `summary`; their samples must be the merged matrix's columns, in the same order.
//
// Files: `out` (`sigstream merge`: standard output by default; in a run folder merged.tsv), and `summary`.
#include <map>

#include "count/summary_tsv.h"
#include "io/line_reader.h"
#include "io/matrix_tsv.h"
#include "pipeline/stages.h"

namespace sigstream {

namespace {

bool is_summary_file(const std::string& path) {
    LineReader in(path);
    std::string first;
    return in.next(first) && is_count_summary_header(first);
}

}  // namespace

std::string_view MergeStage::summary() const {
    return "join count matrices column-wise (the gather step of scattered counting)";
}

const Schema<MergeSettings>& MergeStage::schema() const {
    using S = MergeSettings;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Input").inputs(
            "inputs", "MATRIX",
            "count matrices of one catalogue (TSV or CSV, .gz accepted), and the count summaries of `count "
            "--summary` to join into --summary (told apart by their header)",
            [](S& x) -> std::vector<std::string>& { return x.inputs; });
        k.section("Output")
            .path("out", "FILE",
                  "the merged matrix; `-` = standard output; .gz compresses [default: -, or merged.tsv in a run "
                  "folder]",
                  [](S& x) -> std::string& { return x.out; })
            .path("summary", "FILE",
                  "the joined count summaries, one row per sample of the merged matrix, in its order (needed when "
                  "summaries are given)",
                  [](S& x) -> std::string& { return x.summary; });
        return k;
    }();
    return s;
}

std::vector<std::string> MergeStage::writes(bool folder) const {
    std::vector<std::string> out{!settings.out.empty() ? settings.out : folder ? "merged.tsv" : "-"};
    if (!settings.summary.empty()) out.push_back(settings.summary);
    return out;
}

void MergeStage::prepare(const std::vector<Data>&) {
    if (settings.inputs.empty()) throw UsageError("", 0, "no matrices to merge", "give the count matrices to join");
}

void MergeStage::run(Workspace& ws, const RunSettings&) {
    Counts merged;
    std::map<std::string, std::string> owner;  // sample -> the matrix it came from
    std::string first_matrix, first_summary;
    std::map<std::string, std::string> summary_owner;  // sample -> the summary it came from
    for (const std::string& path : settings.inputs) {
        if (path != "-" && is_summary_file(path)) {
            if (settings.summary.empty())
                throw UsageError(path, 0, "this is a count summary, and no --summary names where to join them",
                                 "add --summary FILE, or leave the summaries out");
            for (StreamSummary& row : read_count_summary(path)) {
                const auto [it, fresh] = summary_owner.emplace(row.sample, path);
                if (!fresh)
                    throw DataError(path, 0, "sample '" + row.sample + "' is also a sample of " + it->second,
                                    "give every sample one name across the summaries (rename one of them)");
                merged.summary.push_back(std::move(row));
            }
            if (first_summary.empty()) first_summary = path;
            continue;
        }
        LabelledMatrix m = read_count_matrix(path);
        if (first_matrix.empty()) {
            first_matrix = path;
            merged.matrix.context = m.context;
        } else if (m.context != merged.matrix.context) {
            throw DataError(path, 0,
                            "this matrix is " + std::string(context_name(m.context)) + " but " + first_matrix + " is " +
                                std::string(context_name(merged.matrix.context)),
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
    if (first_matrix.empty())
        throw UsageError("", 0, "no count matrix among the inputs (only count summaries)",
                         "give the count matrices to join, with their summaries");
    if (!settings.summary.empty()) {
        if (first_summary.empty())
            throw UsageError("", 0, "--summary is given but no count summary is among the inputs",
                             "add the summaries of `count --summary`, or leave --summary out");
        std::vector<std::string> named;
        for (const auto& row : merged.summary) named.push_back(row.sample);
        if (named != merged.matrix.columns) {
            std::size_t i = 0;
            while (i < named.size() && i < merged.matrix.columns.size() && named[i] == merged.matrix.columns[i]) ++i;
            const std::string which =
                i < merged.matrix.columns.size()
                    ? "the matrices' sample " + std::to_string(i + 1) + " is '" + merged.matrix.columns[i] + "'"
                    : "the matrices have only " + std::to_string(i) + " samples";
            const std::string theirs = i < named.size() ? "the summaries' is '" + named[i] + "'"
                                                        : "the summaries have only " + std::to_string(i) + " rows";
            throw DataError(first_summary, 0,
                            "the summaries do not list the matrices' samples in order: " + which + ", " + theirs,
                            "give each count's summary in the order of its matrix");
        }
    }
    merged.contexts = {merged.matrix};
    ws.counts = std::move(merged);
}

void MergeStage::write(const Workspace& ws, OutputSink& out) const {
    const std::vector<std::string> files = writes(out.is_folder());
    write_count_matrix(ws.counts->matrix, out.open(files.front()));
    if (files.size() > 1) write_count_summary(ws.counts->summary, out.open(files[1]));
}

}  // namespace sigstream
