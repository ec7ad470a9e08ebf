// `sigstream`: the command-line front end. Each subcommand lives in its own file in src/cli/ and is a
// thin layer over the library: it parses options, calls the stage, and writes the files.
#include <htslib/hts.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "core/errors.h"

namespace sigstream::cli {

namespace {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(int, char**);
};

constexpr Command kCommands[] = {
    {"count", "count somatic SNVs from VCF/BCF into SBS6/SBS96/SBS1536 matrices", count_main},
    {"extract", "extract signatures: replicates over a K range, consensus, choice of K (or one fit)", extract_main},
    {"backends", "list the extraction backends (plugins) and their parameters", backends_main},
    {"fit", "exposures of samples to a fixed signature set (NNLS, optionally sparse)", fit_main},
    {"compare", "compare signatures with COSMIC v3.4 (or another reference): best and one-to-one matches",
     compare_main},
    {"consensus", "merge extraction shards (--shard-out) into one run folder: consensus, choice of K", consensus_main},
    {"crossval", "the study's cross-validation of backends: train/test error, consistency, COSMIC", crossval_main},
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

const Command* find_command(const std::string& name) {
    for (const auto& c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

}  // namespace

int guarded(const std::string& command, const std::function<int()>& body) {
    try {
        return body();
    } catch (const UsageError& e) {
        std::cerr << "sigstream " << command << ": " << e.what() << "\n";
        return 2;
    } catch (const Error& e) {
        std::cerr << "sigstream " << command << ": " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "sigstream " << command << ": out of memory — use fewer --threads or a machine with more memory\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "sigstream " << command << ": internal error: " << e.what()
                  << " — please report this with the command line that caused it\n";
        return 1;
    }
}

void warn(const std::string& command, const std::string& text) {
    std::cerr << "sigstream " << command << ": warning: " << text << "\n";
}

}  // namespace sigstream::cli

int main(int argc, char** argv) {
    using namespace sigstream::cli;
    hts_set_log_level(HTS_LOG_OFF);  // every failure is reported by sigstream itself, in one line
    if (argc < 2) {
        print_help(std::cerr);
        return 2;
    }
    std::string first = argv[1];
    if (first == "--version" || first == "-V" || first == "version") {
        std::cout << "sigstream " SIGSTREAM_VERSION_STRING " (htslib " << hts_version() << ")\n";
        return 0;
    }
    if (first == "--help" || first == "-h") {
        print_help(std::cout);
        return 0;
    }
    if (first == "help") {
        if (argc == 2) {
            print_help(std::cout);
            return 0;
        }
        const Command* c = find_command(argv[2]);
        if (!c) {
            std::cerr << "sigstream help: unknown command '" << argv[2] << "' — run `sigstream help` for the list\n";
            return 2;
        }
        char help_flag[] = "--help";
        char* args[] = {help_flag, nullptr};
        return c->run(1, args);
    }
    const Command* c = find_command(first);
    if (!c) {
        std::cerr << "sigstream: unknown command '" << first << "' — run `sigstream help` for the list\n";
        return 2;
    }
    return c->run(argc - 2, argv + 2);
}
