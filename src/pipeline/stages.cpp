#include "pipeline/stages.h"

#include "core/errors.h"

namespace sigstream {

const std::vector<std::string>& stage_kinds() {
    static const std::vector<std::string> kinds = {"count",  "merge", "extract", "consensus", "select",
                                                   "refine", "fit",   "compare", "crossval"};
    return kinds;
}

std::unique_ptr<Stage> make_stage(const std::string& kind) {
    if (kind == "count") return std::make_unique<CountStage>();
    if (kind == "merge") return std::make_unique<MergeStage>();
    if (kind == "extract") return std::make_unique<ExtractStage>();
    if (kind == "consensus") return std::make_unique<ConsensusStage>();
    if (kind == "select") return std::make_unique<SelectStage>();
    if (kind == "refine") return std::make_unique<RefineStage>();
    if (kind == "fit") return std::make_unique<FitStage>();
    if (kind == "compare") return std::make_unique<CompareStage>();
    if (kind == "crossval") return std::make_unique<CrossvalStage>();
    std::string list;
    for (const auto& k : stage_kinds()) list += (list.empty() ? "" : ", ") + k;
    throw UsageError("", 0, "'" + kind + "' is not a stage", "the stages are " + list);
}

}  // namespace sigstream
