// A program outside the sigstream tree that uses the installed package (CMake's find_package or pkg-config):
// the embedding contract. It runs count -> extract (replicates) -> consensus -> select -> refine -> compare on the
// bundled example in memory, checks the results it holds, writes the stages' files to OUT (they must equal what
// `sigstream run` writes for tests/install/pipeline.toml), and runs one stage alone on data made in memory.
//
// Usage: consumer EXAMPLE_DIR OUT
#include <sigstream/sigstream.h>

#include <cmath>
#include <iostream>
#include <memory>

namespace ss = sigstream;

namespace {

int fail(const std::string& what) {
    std::cerr << "consumer: " << what << "\n";
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: consumer EXAMPLE_DIR OUT\n";
        return 2;
    }
    const std::string example = argv[1], out = argv[2];
    try {
        // ---- a whole pipeline, its stages set up with typed settings
        ss::Pipeline pipeline;
        auto count = std::make_unique<ss::CountStage>();
        count->settings.ref = example + "/genome.fa";
        for (const char* t : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"})
            count->settings.inputs.push_back(example + "/tumour_" + std::string(t) + ".vcf.gz");
        auto extract = std::make_unique<ss::ExtractStage>();
        extract->settings.k_range = "2:4";
        extract->settings.replicates = 6;
        extract->settings.fit.seed = 3;
        pipeline.add(std::move(count));
        pipeline.add(std::move(extract));
        pipeline.add(std::make_unique<ss::ConsensusStage>());
        pipeline.add(std::make_unique<ss::SelectStage>());
        pipeline.add(std::make_unique<ss::RefineStage>());
        pipeline.add(std::make_unique<ss::CompareStage>());

        ss::RunSettings run;
        run.threads = 2;
        const ss::Workspace ws = pipeline.execute(run);  // in memory: nothing is written

        // ---- what it holds
        if (!ws.counts || ws.counts->matrix.columns.size() != 12) return fail("expected 12 samples counted");
        if (ws.counts->matrix.values.sum() < 10000) return fail("expected the example's SNVs to be counted");
        const ss::Extraction& ex = *ws.extraction;
        if (ex.solutions.size() != 3) return fail("expected solutions for K = 2, 3, 4");
        const ss::Solution& chosen = ex.solutions[ex.choice->chosen];
        if (!ws.signatures || ws.signatures->values.cols() != chosen.k)
            return fail("the chosen signatures are missing");
        for (Eigen::Index c = 0; c < ws.signatures->values.cols(); ++c)
            if (std::abs(ws.signatures->values.col(c).sum() - 1.0) > 1e-9) return fail("a signature does not sum to 1");
        if (!ws.comparison || ws.comparison->matches.size() != static_cast<std::size_t>(chosen.k))
            return fail("expected one COSMIC match per signature");
        std::cout << "chosen K = " << chosen.k << ":";
        for (const auto& m : ws.comparison->matches) std::cout << " " << m.signature << "~" << m.best_match;
        std::cout << "\n";

        // ---- its files, as `sigstream run` writes them
        ss::RunFolder folder(out, false);
        pipeline.write(ws, folder, run);

        // ---- one stage alone, on data made in memory: compare two signatures with COSMIC
        ss::Workspace mine;
        ss::SignatureSet sigs(ss::Context::SBS96, {"flat", "peaked"});
        sigs.values.col(0).setConstant(1.0 / 96);
        sigs.values.col(1).setConstant(0.1 / 95);
        sigs.values(ss::channel_index(ss::Context::SBS96, "A[C>T]G"), 1) = 0.9;
        mine.signatures = sigs;
        ss::CompareStage compare;
        compare.prepare({ss::Data::signatures});
        compare.run(mine, run);
        if (mine.comparison->matches.size() != 2 || mine.comparison->matches[1].best_match.empty())
            return fail("comparing signatures made in memory failed");
    } catch (const ss::Error& e) {
        return fail(e.what());
    }
    std::cout << "consumer ok\n";
    return 0;
}
