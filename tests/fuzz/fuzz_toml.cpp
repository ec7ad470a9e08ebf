// fuzz_toml: the TOML settings reader (io/config.*, toml++ underneath) as its two users take it, and the settings
// it feeds:
//   * `sigstream <command> --config FILE.toml`: read_config(), then every top-level key = value applied to the
//     command's stages (as cli/command.cpp applies them), and the command's pipeline prepared and described;
//   * `sigstream run PIPELINE.toml --dry-run`: read_pipeline() (the stages built from the file), prepare() (the
//     data flow checked, backends looked up, --param parsed) and describe() (the resolved pipeline as TOML).
// Nothing is run: no stage reads its inputs or writes a file.
//
// Input: the bytes of the TOML file. It sits in a folder that also holds small files the settings may name with
// relative paths (genome.fa, tumour.vcf, counts.tsv, signatures.tsv, part1.tsv): from a TOML file, an input must
// exist. Backends are the plugins of the build (SIGSTREAM_FUZZ_PLUGIN_DIR) unless SIGSTREAM_PLUGIN_PATH is set.
//
// A sigstream::Error is a correct outcome; anything else (a crash, a sanitizer report, another exception) is a
// finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/errors.h"
#include "fuzz_util.h"
#include "io/config.h"
#include "pipeline/pipeline.h"
#include "pipeline/stages.h"

namespace {

std::string setup() {
#ifdef SIGSTREAM_FUZZ_PLUGIN_DIR
    setenv("SIGSTREAM_PLUGIN_PATH", SIGSTREAM_FUZZ_PLUGIN_DIR, 0);  // keeps a value already set
#endif
    const std::string dir = sigstream_fuzz::fresh_folder("toml");
    // Files the settings can name: they must exist, their contents are never read (nothing runs).
    sigstream_fuzz::write_file(dir + "/genome.fa", ">chr1\nACGTACGTAC\n");
    sigstream_fuzz::write_file(dir + "/tumour.vcf", "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
    sigstream_fuzz::write_file(dir + "/counts.tsv", "MutationType\tS1\n");
    sigstream_fuzz::write_file(dir + "/signatures.tsv", "Type\tSBS1\n");
    sigstream_fuzz::write_file(dir + "/part1.tsv", "##sigstream-shard\t3\n");
    sigstream_fuzz::write_file(dir + "/list.txt", "tumour.vcf\n");
    return dir;
}

// The subcommands that take --config: their stages, and the key their positional arguments give (a config file's
// `inputs` names them), as in src/cli/<command>.cpp.
struct Command {
    std::vector<std::string> stages;
    std::string positional;
};
const std::vector<Command>& commands() {
    static const std::vector<Command> list = {
        {{"count"}, "inputs"},
        {{"merge"}, "inputs"},
        {{"extract", "consensus", "select", "refine"}, ""},
        {{"consensus", "select", "refine"}, "shards"},
        {{"fit"}, ""},
        {{"compare"}, ""},
        {{"crossval"}, ""},
    };
    return list;
}

// `sigstream COMMAND --config path`, as cli/command.cpp runs it up to the work: each key = value applied to the
// first stage that has the key (or taken as a run option), then the pipeline prepared and described.
void as_config(const std::string& path) {
    const sigstream::ConfigTable config = sigstream::read_config(path);
    if (!config.tables.empty()) return;  // refused by every command but `run`
    for (const Command& command : commands()) {
        try {
            sigstream::Pipeline pipeline;
            for (const std::string& kind : command.stages) pipeline.add(sigstream::make_stage(kind));
            for (const sigstream::SettingValue& given : config.values) {
                const std::string key =
                    given.key() == "inputs" && !command.positional.empty() ? command.positional : given.key();
                const sigstream::SettingValue v = given.with_key(key);
                bool applied = false;
                for (const auto& stage : pipeline.stages) {
                    for (const sigstream::SettingKey& k : stage->keys())
                        if (k.name == key) {
                            stage->set(v);
                            applied = true;
                            break;
                        }
                    if (applied) break;
                }
                if (applied) continue;
                if (key == "threads")
                    (void)v.integer(1, sigstream::kMaxThreads);
                else if (key == "quiet" || key == "force")
                    (void)v.on();
                else if (key == "out-dir")
                    (void)v.path();
                else
                    v.fail("is not an option of this command", "see --help");
            }
            pipeline.prepare();
            (void)pipeline.describe("", 1);
        } catch (const sigstream::Error&) {
            // this command refuses the file: the next may take it
        }
    }
}

void as_pipeline(const std::string& path) {
    sigstream::PipelineFile file = sigstream::read_pipeline(path);
    file.pipeline.prepare();
    (void)file.pipeline.describe(file.out_dir, file.threads > 0 ? file.threads : 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string dir = setup();
    const std::string path = dir + "/pipeline.toml";
    sigstream_fuzz::write_file(path, data, size);
    try {
        as_config(path);
    } catch (const sigstream::Error&) {
        // a typed error: the library refused the input, as it should
    }
    try {
        as_pipeline(path);
    } catch (const sigstream::Error&) {
    }
    return 0;
}
