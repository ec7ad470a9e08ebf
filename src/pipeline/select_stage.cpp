// The select stage: the choice of K among the consensus solutions (extract/selection.h, docs/choosing-k.md):
// the smallest stable K that no larger stable K improves beyond noise.
//
// Files: selection.tsv (one row per K) and the chosen K's files at the top of the run folder — signatures.tsv,
// medoids.tsv, exposures.tsv, sample_stats.tsv, stability.tsv (and consensus.tsv once refined).
#include "io/tables.h"
#include "pipeline/common.h"
#include "pipeline/stages.h"

namespace sigstream {

std::string_view SelectStage::summary() const {
    return "choose K: the smallest stable K that no larger stable K improves beyond noise";
}

const Schema<SelectionRule>& SelectStage::schema() const {
    using S = SelectionRule;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Choosing K (docs/choosing-k.md)")
            .number("min-mean-stability", "S", "a stable K has mean signature stability (silhouette) >= S", -1.0, 1.0,
                    [](S& x) -> double& { return x.min_mean_stability; })
            .number("min-stability", "S", "… and every signature's stability >= S", -1.0, 1.0,
                    [](S& x) -> double& { return x.min_stability; })
            .number("min-gain", "G",
                    "a larger stable K improves the fit significantly when its Poisson deviance drops by more than G "
                    "per added parameter (noise alone gives about 1)",
                    0.0, 1e12, [](S& x) -> double& { return x.min_gain; });
        return k;
    }();
    return s;
}

std::vector<std::string> SelectStage::writes(bool) const {
    return {"selection.tsv", "signatures.tsv", "medoids.tsv", "exposures.tsv", "sample_stats.tsv", "stability.tsv"};
}

void SelectStage::prepare(const std::vector<Data>&) {}

void SelectStage::run(Workspace& ws, const RunSettings& run) {
    Extraction& ex = *ws.extraction;
    ex.rule = settings;
    ex.choice = choose_k(ex.solutions, settings, ex.input.kept.size());
    for (const auto& w : ex.choice->warnings) run.warning(w);
    ws.signatures = renormalised(ex.solutions[ex.choice->chosen].signatures);
}

void SelectStage::write(const Workspace& ws, OutputSink& out) const {
    const Extraction& ex = *ws.extraction;
    write_solution(out, ex.solutions[ex.choice->chosen], "", ws.counts->matrix.columns);
    TsvWriter t(out.open("selection.tsv"));
    t.header({"K", "MeanStability", "MinStability", "FrobeniusPct", "KL", "MeanSampleCosine", "Chosen", "Stable",
              "DevianceGain"});
    for (std::size_t i = 0; i < ex.solutions.size(); ++i) {
        const Solution& s = ex.solutions[i];
        t.integer(s.k)
            .number(s.mean_stability)
            .number(s.min_stability)
            .number(s.frobenius_pct)
            .number(s.kl)
            .number(s.mean_sample_cosine)
            .integer(i == ex.choice->chosen ? 1 : 0)
            .integer(s.stable ? 1 : 0);
        if (i == 0)
            t.na();
        else
            t.number(deviance_gain(ex.solutions[i - 1], s, ex.input.kept.size()));
        t.end_row();
    }
}

void SelectStage::report(const Workspace& ws, TomlWriter& out) const {
    const Extraction& ex = *ws.extraction;
    const Solution& chosen = ex.solutions[ex.choice->chosen];
    out.integer("chosen_k", chosen.k);
    out.text("choice", ex.choice->reason);
    out.texts("signatures", chosen.signatures.columns);
}

}  // namespace sigstream
