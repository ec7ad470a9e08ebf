#include "cli/command.h"

#include <csignal>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli/progress_line.h"
#include "core/errors.h"
#include "io/config.h"
#include "pipeline/stages.h"

namespace sigstream::cli {

namespace {

// The options every command may take besides its stages' settings.
const std::vector<SettingKey>& run_keys() {
    static const std::vector<SettingKey> keys = {
        {"out-dir", "D", "run folder to create; it must not exist or be empty (see --force)", "Output"},
        {"force", "", "replace --out-dir if it is an existing folder (only once the new run folder is complete)",
         "Output"},
        {"threads", "N", "work on N threads (the results do not depend on N)", "Output", false, "1"},
        {"quiet", "", "no progress or warnings on stderr", "Output"},
    };
    return keys;
}

bool offers_run_key(const Command& c, const std::string& key) {
    if (key == "quiet") return true;
    if (key == "threads") return c.threads;
    if (key == "out-dir" || key == "force") return c.output == Output::run_folder;
    return false;
}

// Every key the command offers, in --help's order: its stages' (less the hidden ones), then the run options.
std::vector<SettingKey> offered_keys(const Command& c, const Pipeline& p) {
    std::vector<SettingKey> out;
    std::set<std::string> seen;
    for (const auto& s : p.stages)
        for (SettingKey k : s->keys()) {
            const bool hidden = std::find(c.hidden_keys.begin(), c.hidden_keys.end(), k.name) != c.hidden_keys.end();
            if (hidden || k.name == c.positional || !seen.insert(k.name).second) continue;
            out.push_back(std::move(k));
        }
    for (const SettingKey& k : run_keys())
        if (offers_run_key(c, k.name) && seen.insert(k.name).second) out.push_back(k);
    return out;
}

std::string help_text(const Command& c, const Pipeline& p) {
    std::ostringstream o;
    o << "Usage: sigstream " << c.name << " " << c.synopsis << "\n\n" << c.description << "\n";
    if (!c.positional.empty())
        for (const auto& s : p.stages)
            for (const SettingKey& k : s->keys())
                if (k.name == c.positional) o << "\n  " << k.value_name << "...\n      " << k.help << "\n";
    std::string section;
    for (const SettingKey& k : offered_keys(c, p)) {
        if (k.section != section) {
            section = k.section;
            o << "\n" << section << ":\n";
        }
        o << "  --" << k.name << (k.value_name.empty() ? "" : " " + k.value_name) << "\n      " << k.help;
        if (!k.default_text.empty() && k.help.find("[default") == std::string::npos)
            o << " [default: " << k.default_text << "]";
        if (k.repeatable) o << " (repeatable)";
        o << "\n";
    }
    o << "\nCommon:\n  --config FILE.toml\n      read options from a TOML file (keys are option names without the "
         "dashes; relative paths are relative to the file's folder; the command line wins)\n  --help\n      show "
         "this help\n";
    return o.str();
}

}  // namespace

ParsedArgs parse_args(const std::string& command, const std::vector<SettingKey>& keys, bool positionals, int argc,
                      char** argv) {
    auto usage = [&](const std::string& what, const std::string& hint) { return UsageError("", 0, what, hint); };
    const std::string see = "see `sigstream " + command + " --help`";
    ParsedArgs out;
    bool options_done = false;
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        if (options_done || a == "-" || a.size() < 2 || a[0] != '-') {
            if (!positionals) throw usage("unexpected argument '" + a + "'", see);
            out.positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        if (a == "-h" || a == "--help") {
            out.help = true;
            continue;
        }
        if (a.rfind("--", 0) != 0) throw usage("unknown option '" + a + "'", see);
        std::string name = a.substr(2), value;
        bool inline_value = false;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inline_value = true;
        }
        if (name == "config") {
            if (!inline_value) {
                if (i + 1 >= argc) throw usage("--config needs a value", "give a TOML file");
                value = argv[++i];
            }
            out.configs.push_back(value);
            continue;
        }
        const SettingKey* key = nullptr;
        for (const auto& k : keys)
            if (k.name == name) key = &k;
        if (!key) throw usage("unknown option '--" + name + "'", see);
        if (!key->value_name.empty()) {
            if (!inline_value) {
                if (i + 1 >= argc) throw usage("--" + name + " needs a value (" + key->value_name + ")", "see --help");
                value = argv[++i];
            }
            if (!key->repeatable && out.values.count(name))
                throw usage("--" + name + " is given twice", "give it once");
        } else if (inline_value) {
            throw usage("--" + name + " takes no value", "write just --" + name);
        }
        if (!out.values.count(name)) out.order.push_back(name);
        out.values[name].push_back(value);
    }
    return out;
}

namespace {

// Applies one value to the stage that has its key, or to the run options.
struct Applier {
    const Command& command;
    Pipeline& pipeline;
    std::string out_dir;
    bool force = false, quiet = false;
    int threads = kDefaultThreads;

    void apply(const SettingValue& v) {
        if (v.key() == "out-dir" && offers_run_key(command, v.key())) {
            out_dir = v.path();
            if (out_dir.empty()) throw UsageError("", 0, "--out-dir is empty", "give the run folder to create");
        } else if (v.key() == "force" && offers_run_key(command, v.key())) {
            force = v.on();
        } else if (v.key() == "quiet") {
            quiet = v.on();
        } else if (v.key() == "threads" && offers_run_key(command, v.key())) {
            threads = static_cast<int>(v.integer(1, kMaxThreads));
        } else {
            for (const auto& s : pipeline.stages)
                for (const SettingKey& k : s->keys())
                    if (k.name == v.key() && std::find(command.hidden_keys.begin(), command.hidden_keys.end(),
                                                       k.name) == command.hidden_keys.end()) {
                        s->set(v);
                        return;
                    }
            v.fail("is not an option of `sigstream " + command.name + "`",
                   "keys are the option names of `sigstream " + command.name + " --help` without the dashes");
        }
    }
};

}  // namespace

int run_command(const Command& c, int argc, char** argv) {
    Pipeline pipeline;
    pipeline.command = c.name;
    pipeline.argv = {"sigstream", c.name};
    for (int i = 0; i < argc; ++i) pipeline.argv.push_back(argv[i]);
    for (const auto& kind : c.stages) pipeline.add(make_stage(kind));

    const std::vector<SettingKey> keys = offered_keys(c, pipeline);
    const ParsedArgs parsed = parse_args(c.name, keys, !c.positional.empty(), argc, argv);
    if (parsed.help) {
        std::cout << help_text(c, pipeline);
        return 0;
    }
    Applier applier{c, pipeline, {}, false, false, kDefaultThreads};
    auto given_on_line = [&](const std::string& key) {
        return parsed.values.count(key) > 0 || (key == c.positional && !parsed.positionals.empty());
    };
    std::set<std::string> from_config;
    for (const std::string& path : parsed.configs) {
        const ConfigTable config = read_config(path);
        if (!config.tables.empty())
            throw UsageError(path, config.tables.front().line,
                             "[" + config.tables.front().name + "]: a config file of `sigstream " + c.name +
                                 "` holds key = value lines only",
                             "pipelines of several stages are for `sigstream run`");
        for (const SettingValue& v : config.values) {
            // `inputs` names the positional arguments, whatever the command calls them
            const std::string key = v.key() == "inputs" && !c.positional.empty() ? c.positional : v.key();
            if (given_on_line(key)) continue;  // the command line wins
            applier.apply(v.with_key(key));
            from_config.insert(key);
        }
    }
    for (const std::string& key : parsed.order) applier.apply(SettingValue::from_cli(key, parsed.values.at(key)));
    if (!parsed.positionals.empty()) applier.apply(SettingValue::from_cli(c.positional, parsed.positionals));
    auto given = [&](const std::string& key) { return given_on_line(key) || from_config.count(key) > 0; };
    for (const std::string& key : c.required)
        if (!given(key)) throw UsageError("", 0, "--" + key + " is required", "see `sigstream " + c.name + " --help`");

    Output output = c.output;
    if (c.adjust) c.adjust(pipeline, output, given);
    if (output == Output::run_folder && applier.out_dir.empty())
        throw UsageError("", 0, "--out-dir is required", "see `sigstream " + c.name + " --help`");

    ProgressLine progress(c.name, applier.quiet);
    RunSettings run;
    run.threads = applier.threads;
    run.progress = progress.callback();
    const bool quiet = applier.quiet;
    run.warn = [&](const std::string& text) {
        if (quiet) return;
        progress.close();
        warn(c.name, text);
    };
    std::unique_ptr<OutputSink> sink;
    if (output == Output::run_folder)
        sink = std::make_unique<RunFolder>(applier.out_dir, applier.force);
    else
        sink = std::make_unique<FileSet>();
    const Workspace ws = pipeline.execute(run, sink.get());
    progress.close();
    if (!quiet && c.done) {
        const std::string line =
            c.done(ws, pipeline, progress.seconds(), output == Output::run_folder ? applier.out_dir : std::string());
        if (!line.empty()) std::cerr << "sigstream " << c.name << ": " << line << "\n";
    }
    return 0;
}

namespace {
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_interrupt(int signal) {
    g_signal = signal;  // the handler is reset (SA_RESETHAND): a second signal ends the process
}
}  // namespace

void catch_interrupts() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_signal() {
    return g_signal;
}

int guarded(const std::string& command, const std::function<int()>& body) {
    auto stopped = [&]() {
        const int sig = interrupt_signal();
        std::cerr << "sigstream " << command << ": stopped by " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                  << "; no output was written — rerun the command to do the work\n";
        return 128 + sig;
    };
    try {
        return body();
    } catch (const Error& e) {
        if (interrupt_signal()) return stopped();  // a read cut short by the signal is not the data's fault
        if (dynamic_cast<const UsageError*>(&e)) {
            std::cerr << "sigstream " << command << ": " << e.what() << "\n";
            return 2;
        }
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
