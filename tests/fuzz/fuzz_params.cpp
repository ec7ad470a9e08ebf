// fuzz_params: the backend parameter parser (backend/params.*): `--param KEY=VALUE` items split by backend and
// checked against each backend's parameter table (parse_params, both overloads), the preset's parameters added
// (preset_params) and every parameter resolved (effective_params). Optionally the parameters then go into one tiny
// fit, so that the backend's own parser of the values (plugin_kit::choose / number_param) sees them too.
//
// The backends are the three of plugins/ linked in from their core libraries (Backend::built_in): no plugin file
// is loaded.
//
// Input: text lines. The first names the backends in play, comma-separated, from nmf, cnmf and aenmf (as
// `--backend nmf` or crossval's `--backends nmf,aenmf`); a leading '!' asks for the tiny fit (6 x 5 matrix, K = 2,
// 4 iterations) with each backend. Every further line is one --param item (a last empty line is dropped).
//
// A sigstream::Error is a correct outcome; anything else (a crash, a sanitizer report, another exception) is a
// finding.
#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "abi/sigstream_backend.h"
#include "backend/backend.h"
#include "backend/params.h"
#include "core/errors.h"
#include "core/settings.h"
#include "fuzz_util.h"

// The backends' descriptions, from their core libraries (nmf_core, cnmf_core, aenmf_core).
namespace sigstream::nmf {
const sigstream_backend* backend();
}
namespace sigstream::cnmf {
const sigstream_backend* backend();
}
namespace sigstream::aenmf {
const sigstream_backend* backend();
}

namespace {

const std::vector<sigstream::Backend>& backends() {
    static const std::vector<sigstream::Backend> list = [] {
        try {
            return std::vector<sigstream::Backend>{sigstream::Backend::built_in(sigstream::nmf::backend()),
                                                   sigstream::Backend::built_in(sigstream::cnmf::backend()),
                                                   sigstream::Backend::built_in(sigstream::aenmf::backend())};
        } catch (const sigstream::Error& e) {
            sigstream_fuzz::harness_failure(std::string("a built-in backend is refused: ") + e.what());
        }
    }();
    return list;
}

const sigstream::Backend* find_backend(std::string_view name) {
    for (const sigstream::Backend& b : backends())
        if (b.name() == name) return &b;
    return nullptr;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        const std::size_t at = text.find(sep);
        out.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return out;
        text.remove_prefix(at + 1);
    }
}

void tiny_fit(const sigstream::Backend& backend, const sigstream::BackendParams& params) {
    Eigen::MatrixXd V(6, 5);
    for (Eigen::Index i = 0; i < V.rows(); ++i)
        for (Eigen::Index j = 0; j < V.cols(); ++j) V(i, j) = static_cast<double>(1 + (3 * i + 5 * j) % 7);
    sigstream::FitRequest request;
    request.fit.k = 2;
    request.fit.seed = 1;
    request.fit.max_iter = 4;
    request.fit.tol = 0;
    request.fit.tol_window = 2;
    request.fit.params = params;
    request.keep_trace = false;
    (void)backend.fit(V, request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string_view> lines = split(sigstream_fuzz::as_text(data, size), '\n');
    std::string_view head = lines.front();
    const bool fit = !head.empty() && head.front() == '!';
    if (fit) head.remove_prefix(1);
    std::vector<const sigstream::Backend*> in_play;
    for (std::string_view name : split(head, ',')) {
        const sigstream::Backend* b = find_backend(name);
        if (!b) return 0;  // `--backend` would refuse it before any parameter is looked at
        in_play.push_back(b);
    }
    if (lines.size() > 1 && lines.back().empty()) lines.pop_back();
    const std::vector<std::string> items(lines.begin() + 1, lines.end());

    if (in_play.size() == 1) {
        try {  // `extract --backend B --param ...`
            (void)sigstream::parse_params(items, *in_play.front());
        } catch (const sigstream::Error&) {
        }
    }
    std::vector<sigstream::BackendParams> given;
    try {  // `crossval --backends A,B --param ...`
        given = sigstream::parse_params(items, in_play);
    } catch (const sigstream::Error&) {
        return 0;  // a typed error: the library refused the input, as it should
    }
    for (std::size_t b = 0; b < in_play.size(); ++b) {
        const sigstream::Backend& backend = *in_play[b];
        try {
            sigstream::BackendParams params = given.at(b);
            for (const std::string& preset : sigstream::preset_names()) {
                const sigstream::BackendParams extra =
                    sigstream::preset_params(sigstream::find_preset(preset), backend, params);
                if (preset != "none") params.insert(extra.begin(), extra.end());
            }
            backend.check_params(params);
            (void)backend.effective_params(params);
            if (fit) tiny_fit(backend, params);
        } catch (const sigstream::Error&) {
        }
    }
    return 0;
}
