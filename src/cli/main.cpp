// `sigstream`: the command-line front end. Each subcommand lives in its own file in src/cli/ and is a thin
// adapter over the library: flags -> its stages' settings -> the stages (a pipeline) -> a closing line.
#include <htslib/hts.h>

#include <iostream>
#include <string>

#include "cli/command.h"

namespace {

using sigstream::cli::guarded;

struct Entry {
    const char* name;
    const char* summary;
    int (*run)(int, char**);
};

constexpr Entry kCommands[] = {
    {"count", "count somatic SNVs from VCF/BCF into SBS6/SBS96/SBS1536 matrices", sigstream::cli::count_main},
    {"merge", "join count matrices column-wise (the gather step of scattered counting)", sigstream::cli::merge_main},
    {"extract", "extract signatures: replicates over a K range, consensus, choice of K (or one fit)",
     sigstream::cli::extract_main},
    {"consensus", "merge extraction shards (--shard-out) into one run folder: consensus, choice of K",
     sigstream::cli::consensus_main},
    {"fit", "exposures of samples to a fixed signature set (NNLS, optionally sparse)", sigstream::cli::fit_main},
    {"compare", "compare signatures with COSMIC v3.4 (or another reference): best and one-to-one matches",
     sigstream::cli::compare_main},
    {"crossval", "the study's cross-validation of backends: train/test error, consistency, COSMIC",
     sigstream::cli::crossval_main},
    {"run", "run a pipeline of stages from a TOML file in one process (count -> extract -> … -> fit)",
     sigstream::cli::run_main},
    {"backends", "list the extraction backends (plugins) and their parameters", sigstream::cli::backends_main},
};

void print_help(std::ostream& out) {
    out << "sigstream " SIGSTREAM_VERSION_STRING
           " — mutational spectra and signatures, streamed\n\n"
           "Usage: sigstream <command> [options]\n\nCommands:\n";
    for (const auto& c : kCommands) {
        std::string name = c.name;
        name.resize(12, ' ');
        out << "  " << name << c.summary << "\n";
    }
    out << "  help        show this help, or a command's (`sigstream help count`)\n"
           "\nOptions:\n  --version   print the version\n  --help      show this help\n"
           "\nRun `sigstream <command> --help` for a command's options. Exit status: 0 success, 1 bad data or a\n"
           "failed run, 2 usage error.\n";
}

const Entry* find_command(const std::string& name) {
    for (const auto& c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

// Writes to standard output must reach it: a full disk or a closed pipe is a failure, not a success.
int flushed(int status) {
    std::cout.flush();
    if (!std::cout.good() || std::fflush(stdout) != 0) {
        std::cerr << "sigstream: cannot write to standard output — check the receiving pipe or disk\n";
        return status == 0 ? 1 : status;
    }
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    hts_set_log_level(HTS_LOG_OFF);  // every failure is reported by sigstream itself, in one line
    sigstream::cli::catch_interrupts();
    if (argc < 2) {
        print_help(std::cerr);
        return 2;
    }
    const std::string first = argv[1];
    if (first == "--version" || first == "-V" || first == "version") {
        std::cout << "sigstream " SIGSTREAM_VERSION_STRING " (htslib " << hts_version() << ")\n";
        return flushed(0);
    }
    if (first == "--help" || first == "-h") {
        print_help(std::cout);
        return flushed(0);
    }
    if (first == "help") {
        if (argc == 2) {
            print_help(std::cout);
            return flushed(0);
        }
        const Entry* c = find_command(argv[2]);
        if (!c) {
            std::cerr << "sigstream help: unknown command '" << argv[2] << "' — run `sigstream help` for the list\n";
            return 2;
        }
        char help_flag[] = "--help";
        char* args[] = {help_flag, nullptr};
        return flushed(c->run(1, args));
    }
    const Entry* c = find_command(first);
    if (!c) {
        std::cerr << "sigstream: unknown command '" << first << "' — run `sigstream help` for the list\n";
        return 2;
    }
    return flushed(c->run(argc - 2, argv + 2));
}
