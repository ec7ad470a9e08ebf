// `sigstream run PIPELINE.toml`: a pipeline of stages from a TOML file (docs/pipeline.md) in one process, every
// stage's files in one run folder.
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/progress_line.h"
#include "core/errors.h"
#include "pipeline/stages.h"

namespace sigstream::cli {

namespace {

const std::vector<SettingKey> kKeys = {
    {"out-dir", "D", "the run folder to create (overrides the file's out-dir); it must not exist or be empty"},
    {"force", "", "replace --out-dir if it is an existing folder (only once the new run folder is complete)"},
    {"threads", "N", "work on N threads (overrides the file's threads; the results do not depend on N)"},
    {"dry-run", "", "print the stages and their settings, defaults included (a pipeline file), and stop"},
    {"quiet", "", "no progress or warnings on stderr"},
};

std::string help() {
    std::string text =
        "Usage: sigstream run [--out-dir D] [--force] [--threads N] [--dry-run] [--quiet] PIPELINE.toml\n\n"
        "Runs a pipeline of stages in one process: each stage hands its results (count matrix, replicate fits,\n"
        "signatures, exposures) to the next in memory, and every stage's files go into one run folder with\n"
        "metadata.toml. PIPELINE.toml lists the stages in order, `stages = [\"count\", \"extract\", \"consensus\",\n"
        "\"select\", \"refine\", \"compare\", \"fit\"]`, and settles each in a [table] of its name whose keys are\n"
        "the options of the matching subcommand without their dashes; relative paths are relative to the file's\n"
        "folder. docs/pipeline.md has the schema; workflow/example.toml is an example.\n\nStages:\n";
    for (const std::string& kind : stage_kinds()) {
        std::string name = kind;
        name.resize(12, ' ');
        text += "  " + name + std::string(make_stage(kind)->summary()) + "\n";
    }
    text += "\nOptions:\n";
    for (const SettingKey& k : kKeys)
        text += "  --" + k.name + (k.value_name.empty() ? "" : " " + k.value_name) + "\n      " + k.help + "\n";
    return text;
}

int run(int argc, char** argv) {
    const ParsedArgs args = parse_args("run", kKeys, true, argc, argv);
    if (args.help) {
        std::cout << help();
        return 0;
    }
    if (!args.configs.empty())
        throw UsageError("", 0, "`sigstream run` takes no --config", "the pipeline file holds the settings");
    if (args.positionals.size() != 1)
        throw UsageError("", 0,
                         args.positionals.empty() ? "no pipeline file given" : "more than one pipeline file given",
                         "give one PIPELINE.toml (see `sigstream run --help`)");
    PipelineFile file = read_pipeline(args.positionals.front());
    Pipeline& pipeline = file.pipeline;
    pipeline.command = "run";
    pipeline.argv = {"sigstream", "run"};
    for (int i = 0; i < argc; ++i) pipeline.argv.push_back(argv[i]);
    auto value = [&](const std::string& key) { return SettingValue::from_cli(key, args.values.at(key)); };
    if (args.values.count("out-dir")) file.out_dir = value("out-dir").path();
    if (args.values.count("force")) file.force = value("force").on();
    if (args.values.count("threads")) file.threads = static_cast<int>(value("threads").integer(1, kMaxThreads));
    const bool quiet = args.values.count("quiet") && value("quiet").on();
    const int threads = file.threads > 0 ? file.threads : kDefaultThreads;

    if (args.values.count("dry-run") && value("dry-run").on()) {
        pipeline.prepare();
        std::cout << pipeline.describe(file.out_dir, threads);
        return 0;
    }
    if (file.out_dir.empty())
        throw UsageError("", 0, "no run folder: give --out-dir D (or out-dir = \"D\" in the pipeline file)",
                         "the run folder must not exist or be empty");
    ProgressLine progress("run", quiet);
    RunSettings settings;
    settings.threads = threads;
    settings.progress = progress.callback();
    settings.warn = [&](const std::string& text) {
        if (quiet) return;
        progress.close();
        warn("run", text);
    };
    RunFolder folder(file.out_dir, file.force);
    pipeline.execute(settings, &folder);
    progress.close();
    if (!quiet) {
        char line[64];
        std::snprintf(line, sizeof line, "%.1f", progress.seconds());
        std::cerr << "sigstream run: " << pipeline.stages.size() << " stage(s) in " << line << " s -> " << file.out_dir
                  << "\n";
    }
    return 0;
}

}  // namespace

int run_main(int argc, char** argv) {
    return guarded("run", [&] { return run(argc, argv); });
}

}  // namespace sigstream::cli
