// Backend parameters as users give them (src/backend/params.h): `--param KEY=VALUE` items split by backend and
// checked against each backend's parameters, and the parameters a preset sets. The backends are built-in
// descriptions defined here (ABI version 2: every struct starts with its struct_size).
#include "backend/params.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "abi/sigstream_backend.h"
#include "core/errors.h"

namespace sigstream {
namespace {

const std::string kDash = " \xE2\x80\x94 ";

int never_fit(const sigstream_fit_request*, sigstream_fit_result*) {
    return SIGSTREAM_FIT_FAILED;
}

// alpha: objective (kl), solver (mu). beta: loss (mse), objective (x). nmf: objective, solver, seed_mode.
const sigstream_param_spec kAlphaParams[] = {
    {sizeof(sigstream_param_spec), "objective", "kl", "kl or frobenius"},
    {sizeof(sigstream_param_spec), "solver", "mu", "mu or hals"},
};
const sigstream_param_spec kBetaParams[] = {
    {sizeof(sigstream_param_spec), "loss", "mse", "mse or l1"},
    {sizeof(sigstream_param_spec), "objective", "x", "x or y"},
};
const sigstream_param_spec kNmfParams[] = {
    {sizeof(sigstream_param_spec), "objective", "kl", "kl or frobenius"},
    {sizeof(sigstream_param_spec), "solver", "mu", "mu or hals"},
    {sizeof(sigstream_param_spec), "seed_mode", "a", "a or b"},
};
const sigstream_backend kAlpha = {
    sizeof(sigstream_backend), SIGSTREAM_BACKEND_API_VERSION, "alpha", "1.0", "alpha", "", 2, kAlphaParams, never_fit};
const sigstream_backend kBeta = {
    sizeof(sigstream_backend), SIGSTREAM_BACKEND_API_VERSION, "beta", "1.0", "beta", "", 2, kBetaParams, never_fit};
const sigstream_backend kNmf = {
    sizeof(sigstream_backend), SIGSTREAM_BACKEND_API_VERSION, "nmf", "1.0", "nmf-like", "", 3, kNmfParams, never_fit};
const sigstream_backend kNone = {
    sizeof(sigstream_backend), SIGSTREAM_BACKEND_API_VERSION, "none", "1.0", "no params", "", 0, nullptr, never_fit};

const Backend& alpha() {
    static const Backend b = Backend::built_in(&kAlpha);
    return b;
}
const Backend& beta() {
    static const Backend b = Backend::built_in(&kBeta);
    return b;
}

std::string error_of(const std::vector<std::string>& items, const std::vector<const Backend*>& backends) {
    try {
        parse_params(items, backends);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(accepted)";
}

std::string error_of(const std::vector<std::string>& items, const Backend& backend) {
    try {
        parse_params(items, backend);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(accepted)";
}

// ---------------------------------------------------------------- one backend

TEST(ParseParams, OneBackendTakesKeysWithOrWithoutItsPrefix) {
    EXPECT_EQ(parse_params({}, alpha()), BackendParams{});
    EXPECT_EQ(parse_params({"objective=frobenius"}, alpha()), (BackendParams{{"objective", "frobenius"}}));
    EXPECT_EQ(parse_params({"alpha.objective=frobenius", "solver=hals"}, alpha()),
              (BackendParams{{"objective", "frobenius"}, {"solver", "hals"}}));
}

TEST(ParseParams, TheValueIsEverythingAfterTheFirstEquals) {
    EXPECT_EQ(parse_params({"solver=a=b"}, alpha()), (BackendParams{{"solver", "a=b"}}));
    EXPECT_EQ(parse_params({"solver="}, alpha()), (BackendParams{{"solver", ""}}));
    EXPECT_EQ(parse_params({"solver=x.y"}, alpha()), (BackendParams{{"solver", "x.y"}}));
}

TEST(ParseParams, OneBackendRefusals) {
    EXPECT_EQ(error_of({"objective"}, alpha()),
              "--param 'objective' is not KEY=VALUE" + kDash + "e.g. --param alpha.objective=frobenius");
    EXPECT_EQ(error_of({"=kl"}, alpha()),
              "--param '=kl' is not KEY=VALUE" + kDash + "e.g. --param alpha.objective=frobenius");
    EXPECT_EQ(error_of({"colour=red"}, alpha()), "backend 'alpha' has no parameter 'colour'" + kDash +
                                                     "its parameters are objective, solver (see `sigstream backends`)");
    EXPECT_EQ(error_of({"beta.loss=l1"}, alpha()),
              "--param 'beta.loss=l1' is for backend 'beta', but --backend is "
              "'alpha'" +
                  kDash + "drop it, or write alpha.KEY=VALUE");
    EXPECT_EQ(error_of({"alpha.=x"}, alpha()),
              "--param 'alpha.=x' names no parameter" + kDash + "e.g. --param alpha.objective=frobenius");
    EXPECT_EQ(error_of({"objective=kl", "alpha.objective=frobenius"}, alpha()),
              "--param objective is given twice" + kDash + "give each parameter once");
    const Backend none = Backend::built_in(&kNone);
    EXPECT_EQ(error_of({"x=1"}, none), "backend 'none' has no parameter 'x'" + kDash + "it takes no parameters");
}

TEST(ParseParams, AVectorOfOneBackendIsTheSame) {
    const auto out = parse_params({"objective=frobenius", "alpha.solver=hals"}, {&alpha()});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], (BackendParams{{"objective", "frobenius"}, {"solver", "hals"}}));
    // but a vector comes from crossval's --backends, which is the option a message names
    EXPECT_EQ(error_of({"beta.loss=l1"}, std::vector<const Backend*>{&alpha()}),
              "--param 'beta.loss=l1' is for backend 'beta', but --backends is 'alpha'" + kDash +
                  "drop it, or write alpha.KEY=VALUE");
}

// ---------------------------------------------------------------- several backends

TEST(ParseParams, SeveralBackendsSplitTheItemsByPrefix) {
    const auto out =
        parse_params({"beta.loss=l1", "alpha.objective=frobenius", "beta.objective=y"}, {&alpha(), &beta()});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], (BackendParams{{"objective", "frobenius"}}));
    EXPECT_EQ(out[1], (BackendParams{{"loss", "l1"}, {"objective", "y"}}));
    const auto none = parse_params({}, {&alpha(), &beta()});
    EXPECT_EQ(none, (std::vector<BackendParams>{{}, {}}));
}

TEST(ParseParams, SeveralBackendsRefusals) {
    const std::vector<const Backend*> both = {&alpha(), &beta()};
    EXPECT_EQ(error_of({"objective=kl"}, both), "--param 'objective=kl' names no backend, and several are given" +
                                                    kDash +
                                                    "write BACKEND.KEY=VALUE, e.g. alpha.objective=kl or "
                                                    "beta.objective=kl");
    EXPECT_EQ(error_of({"loss=l1"}, both), "--param 'loss=l1' names no backend, and several are given" + kDash +
                                               "write BACKEND.KEY=VALUE, e.g. beta.loss=l1");
    EXPECT_EQ(error_of({"colour=red"}, both),
              "--param 'colour=red' names no backend, and several are given" + kDash + "write BACKEND.KEY=VALUE");
    EXPECT_EQ(error_of({"solver=a.b"}, both).rfind("--param 'solver=a.b' names no backend", 0),
              0u);  // dot in the value
    EXPECT_EQ(error_of({"gamma.x=1"}, both), "--param 'gamma.x=1' is for backend 'gamma', which is not in --backends" +
                                                 kDash + "drop it, or add gamma to --backends");
    EXPECT_EQ(error_of({"alpha.loss=l1"}, both), "backend 'alpha' has no parameter 'loss'" + kDash +
                                                     "its parameters are objective, solver (see `sigstream backends`)");
    EXPECT_EQ(error_of({"beta.loss=l1", "beta.loss=mse"}, both),
              "--param loss is given twice" + kDash + "give each parameter once");
    EXPECT_EQ(error_of({"alpha.objective"}, both).rfind("--param 'alpha.objective' is not KEY=VALUE", 0), 0u);
}

// ---------------------------------------------------------------- presets

TEST(PresetParams, NoPresetSetsNothing) {
    EXPECT_TRUE(preset_params(nullptr, alpha(), {}).empty());
}

TEST(PresetParams, ThoseTheBackendHasAndTheUserDidNotGive) {
    Preset p;
    p.name = "test";
    p.params = {{"alpha", {{"objective", "frobenius"}, {"solver", "hals"}, {"colour", "red"}}},
                {"beta", {{"loss", "l1"}}}};
    EXPECT_EQ(preset_params(&p, alpha(), {}), (BackendParams{{"objective", "frobenius"}, {"solver", "hals"}}));
    EXPECT_EQ(preset_params(&p, alpha(), {{"solver", "mu"}}), (BackendParams{{"objective", "frobenius"}}));
    EXPECT_EQ(preset_params(&p, beta(), {}), (BackendParams{{"loss", "l1"}}));
    EXPECT_TRUE(preset_params(&p, beta(), {{"loss", "mse"}}).empty());
    const Backend none = Backend::built_in(&kNone);
    EXPECT_TRUE(preset_params(&p, none, {}).empty());  // a backend the preset does not name
}

TEST(PresetParams, PaperForAnNmfBackend) {
    const Backend nmf = Backend::built_in(&kNmf);
    EXPECT_EQ(preset_params(find_preset("paper"), nmf, {}),
              (BackendParams{{"objective", "frobenius"}, {"solver", "mu"}}));
    EXPECT_EQ(preset_params(find_preset("paper"), nmf, {{"objective", "kl"}}), (BackendParams{{"solver", "mu"}}));
    EXPECT_TRUE(preset_params(find_preset("paper"), alpha(), {}).empty());
}

}  // namespace
}  // namespace sigstream
