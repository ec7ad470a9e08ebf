// The compare stage: signatures against COSMIC v3.4 (shipped) or another reference — each signature's best
// match and a one-to-one (Hungarian) matching (evaluate/compare.h).
//
// File: `out`, one row per signature: Signature, BestMatch, BestCosine, Matched, MatchedCosine (NA when there are
// more signatures than references), and with `all` one cosine column per reference signature. Default: the
// given run folder's cosmic.tsv, or standard output; cosmic.tsv in a run folder.
#include <filesystem>

#include "io/matrix_tsv.h"
#include "io/tables.h"
#include "pipeline/common.h"
#include "pipeline/stages.h"

namespace sigstream {

namespace {

constexpr const char* kTable = "cosmic.tsv";

bool is_folder(const std::string& p) {
    std::error_code ec;
    return !p.empty() && std::filesystem::is_directory(p, ec);
}

}  // namespace

std::string_view CompareStage::summary() const {
    return "compare signatures with COSMIC v3.4 (or another reference): best and one-to-one matches";
}

const Schema<CompareSettings>& CompareStage::schema() const {
    using S = CompareSettings;
    static const Schema<S> s = [] {
        Schema<S> k;
        k.section("Input")
            .add(
                {"signatures", "FILE",
                 "signatures (columns sum to 1; rows matched by label), a run folder (its signatures.tsv), or "
                 "cosmic-v3.4"},
                [](S& x, const SettingValue& v) { x.signatures = signature_setting(v); },
                [](const S& x) { return x.signatures.empty() ? std::string() : toml_string(x.signatures); })
            .add(
                {"reference", "cosmic-v3.4|FILE", "reference signatures"},
                [](S& x, const SettingValue& v) { x.reference = signature_setting(v); },
                [](const S& x) { return toml_string(x.reference); })
            .flag("include-artefacts", "also match COSMIC's possible sequencing artefacts",
                  [](S& x) -> bool& { return x.include_artefacts; });
        k.section("Output")
            .add(
                {"out", "FILE", "table to write; `-` = standard output", "", false, "stdout, or RUN_FOLDER/cosmic.tsv"},
                [](S& x, const SettingValue& v) { x.out = v.path(); },
                [](const S& x) { return x.out.empty() ? std::string() : toml_string(x.out); })
            .flag("all", "append the cosine similarity with every reference signature, one column each",
                  [](S& x) -> bool& { return x.all; });
        return k;
    }();
    return s;
}

std::string CompareStage::signature_file() const {
    return signature_path(settings.signatures);
}

std::vector<Data> CompareStage::needs() const {
    if (settings.signatures.empty()) return {Data::signatures};
    return {};
}

std::vector<std::string> CompareStage::reads() const {
    return {signature_file(), signature_path(settings.reference)};
}

std::vector<std::string> CompareStage::writes(bool folder) const {
    if (!settings.out.empty()) return {settings.out};
    if (folder) return {kTable};
    if (is_folder(settings.signatures)) return {(std::filesystem::path(settings.signatures) / kTable).string()};
    return {"-"};
}

void CompareStage::prepare(const std::vector<Data>& available) {
    if (settings.signatures.empty() &&
        std::find(available.begin(), available.end(), Data::signatures) == available.end())
        throw UsageError("", 0, "--signatures is required", "give a signature file or a run folder");
}

void CompareStage::run(Workspace& ws, const RunSettings&) {
    const SignatureSet signatures = settings.signatures.empty() ? *ws.signatures : read_signatures(signature_file());
    const SignatureSet reference = read_signatures(reference_file(settings.reference));
    ws.comparison = compare_signatures(signatures, reference, settings.include_artefacts);
}

void CompareStage::write(const Workspace& ws, OutputSink& out) const {
    const Comparison& c = *ws.comparison;
    TsvWriter t(out.open(writes(out.is_folder()).front()));
    t.text("Signature").text("BestMatch").text("BestCosine").text("Matched").text("MatchedCosine");
    if (settings.all)
        for (const auto& r : c.reference) t.text(r);
    t.end_row();
    for (std::size_t i = 0; i < c.matches.size(); ++i) {
        const SignatureMatch& m = c.matches[i];
        t.text(m.signature).text(m.best_match).number(m.best_cosine);
        if (m.matched.empty())
            t.na().na();
        else
            t.text(m.matched).number(m.matched_cosine);
        if (settings.all)
            for (Eigen::Index j = 0; j < c.cosine.cols(); ++j) t.number(c.cosine(static_cast<Eigen::Index>(i), j));
        t.end_row();
    }
}

}  // namespace sigstream
