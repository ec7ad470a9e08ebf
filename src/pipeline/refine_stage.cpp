// The refine stage: the chosen K's consensus signatures refined by minimum-volume NMF (extract/refine.h,
// docs/choosing-k.md §5); `refine = none` leaves them as they are. Its result shows in the chosen K's files,
// which the select stage writes (the cluster means stay in consensus.tsv).
#include "pipeline/stages.h"

namespace sigstream {

std::string_view RefineStage::summary() const {
    return "refine the chosen K's signatures by minimum-volume NMF";
}

const Schema<RefineSettings>& RefineStage::schema() const {
    using S = RefineSettings;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Choosing K (docs/choosing-k.md)")
            .add(
                {"refine", "minvol|none",
                 "refine the chosen K's consensus signatures by minimum-volume NMF (undoes the sharpening of "
                 "overlapping signatures that maximum likelihood prefers; docs/choosing-k.md §5)"},
                [](S& x, const SettingValue& v) {
                    const std::string t = v.text();
                    if (t != "minvol" && t != "none") v.fail("is not a refinement", "use minvol or none");
                    x.minvol = t == "minvol";
                },
                [](const S& x) { return toml_string(x.minvol ? "minvol" : "none"); });
        return k;
    }();
    return s;
}

void RefineStage::prepare(const std::vector<Data>&) {}

void RefineStage::run(Workspace& ws, const RunSettings& run) {
    Extraction& ex = *ws.extraction;
    ex.refine = settings;
    if (!settings.minvol) return;
    Solution& chosen = ex.solutions[ex.choice->chosen];
    MinVolumeOptions options = settings.options;
    options.threads = run.threads;
    refine_solution(chosen, ws.counts->matrix, ex.input, ex.normalise, options);
    ws.signatures = renormalised(chosen.signatures);
}

void RefineStage::report(const Workspace& ws, TomlWriter& out) const {
    const Extraction& ex = *ws.extraction;
    const Solution& chosen = ex.solutions[ex.choice->chosen];
    if (!chosen.refined) return;
    out.number("delta", settings.options.delta);
    out.number("budget_per_sample", settings.options.budget);
    out.number("lambda_relative", chosen.refinement.lambda_rel);
    out.number("kl_ml", chosen.refinement.kl_ml);
    out.number("kl", chosen.refinement.kl);
    out.integer("iterations", chosen.refinement.iterations);
}

}  // namespace sigstream
