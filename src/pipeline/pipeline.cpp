#include "pipeline/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "core/errors.h"
#include "core/version.h"
#include "io/toml_text.h"
#include "pipeline/stages.h"

namespace sigstream {

namespace {

bool contains(const std::vector<Data>& v, Data d) {
    return std::find(v.begin(), v.end(), d) != v.end();
}

std::string list_text(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
    return s.empty() ? "nothing" : s;
}

std::vector<std::string> data_names(const std::vector<Data>& v) {
    std::vector<std::string> out;
    for (Data d : v) out.push_back(data_name(d));
    return out;
}

// The stage that gives `d` first, for messages ("add a count stage before it").
std::string giver_of(Data d) {
    for (const std::string& kind : stage_kinds()) {
        const auto s = make_stage(kind);
        if (contains(s->gives(), d)) return kind;
    }
    return "another";
}

}  // namespace

const char* data_name(Data d) {
    switch (d) {
        case Data::counts:
            return "a count matrix";
        case Data::replicates:
            return "replicate fits";
        case Data::solutions:
            return "consensus solutions";
        case Data::signatures:
            return "a signature set";
        case Data::exposures:
            return "exposures";
        case Data::comparison:
            return "a comparison with a reference";
        case Data::crossval:
            return "a cross-validation";
    }
    return "data";
}

Stage& Pipeline::add(std::unique_ptr<Stage> stage) {
    if (stage->id.empty()) stage->id = std::string(stage->kind());
    for (const auto& s : stages)
        if (s->id == stage->id)
            throw UsageError("", 0, "two stages are called '" + stage->id + "'",
                             "give the second its own table name, with stage = \"" + std::string(stage->kind()) + "\"");
    stages.push_back(std::move(stage));
    return *stages.back();
}

void Pipeline::prepare() {
    if (stages.empty()) throw UsageError(file, 0, "the pipeline has no stages", "list them: stages = [\"count\", …]");
    std::vector<Data> available;
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const auto& s = stages[i];
        try {
            s->prepare(available);  // first: a stage says best what it misses ("--matrix is required")
        } catch (const UsageError& e) {
            if (file.empty() || !e.file().empty()) throw;  // named already, or not from a pipeline file
            throw UsageError(file, i < lines.size() ? lines[i] : 0, "stage '" + s->id + "': " + e.problem(), e.hint());
        }
        for (Data d : s->needs())
            if (!contains(available, d))
                throw UsageError(file, i < lines.size() ? lines[i] : 0,
                                 "stage '" + s->id + "' (" + std::string(s->kind()) + ") needs " + data_name(d) +
                                     ", which no stage before it gives",
                                 "add a " + giver_of(d) + " stage before it, or give it a file to read");
        for (Data d : s->gives())
            if (!contains(available, d)) available.push_back(d);
    }
}

void Pipeline::reserve(OutputSink& out) const {
    for (const auto& s : stages) s->reserve(out);
    if (out.is_folder()) out.reserve("metadata.toml");
    for (const auto& s : stages)
        for (const auto& input : s->reads()) out.protect(input);
}

void Pipeline::run(Workspace& ws, const RunSettings& run) const {
    RunSettings recorded = run;  // every warning also goes into the workspace (and so into metadata.toml)
    recorded.warn = [&ws, &run](const std::string& text) {
        ws.warnings.push_back(text);
        run.warning(text);
    };
    for (const auto& s : stages) {
        if (stages.size() > 1) {  // a line per stage: which step a long run is at
            const std::string what(s->summary());
            Progress p;
            p.stage = s->id;
            p.unit = "stage";
            p.detail = what;
            run.report(p);
        }
        const auto start = std::chrono::steady_clock::now();
        s->run(ws, recorded);
        ws.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
}

void Pipeline::write(const Workspace& ws, OutputSink& out, const RunSettings& run) const {
    for (const auto& s : stages) s->write(ws, out);
    if (out.is_folder()) {
        std::error_code ec;
        const std::filesystem::path cwd = std::filesystem::current_path(ec);
        TomlWriter t(out.open("metadata.toml"));
        t.comment("Written by `sigstream " + command +
                  "`. Every other file of this run folder is byte-reproducible from the\nsame inputs, settings, "
                  "seed and sigstream version; this one also records when and where.");
        t.text("sigstream_version", version());
        t.text("command_line", command_line(argv));
        t.texts("argv", argv);
        t.text("working_directory", ec ? std::string() : cwd.string());
        t.raw("created", utc_now());
        t.integer("threads", run.threads);
        std::vector<std::string> ids;
        for (const auto& s : stages) ids.push_back(s->id);
        t.texts("stages", ids);
        t.texts("warnings", ws.warnings);
        for (std::size_t i = 0; i < stages.size(); ++i) {
            const Stage& s = *stages[i];
            t.table(toml_key(s.id));
            if (s.id != s.kind()) t.text("stage", std::string(s.kind()));
            s.describe(t);
            if (i < ws.seconds.size()) t.number("seconds", std::round(ws.seconds[i] * 1000) / 1000);
            s.report(ws, t);
        }
    }
    out.commit();
}

Workspace Pipeline::execute(const RunSettings& run, OutputSink* out) {
    prepare();
    if (out) reserve(*out);
    Workspace ws;
    this->run(ws, run);
    if (out) write(ws, *out, run);
    return ws;
}

std::string Pipeline::describe(const std::string& out_dir, int threads) const {
    std::ostringstream text;
    TomlWriter t(text);
    t.comment("The pipeline with every setting resolved, defaults included (`sigstream run --dry-run`).");
    if (!out_dir.empty()) t.text("out-dir", out_dir);
    t.integer("threads", threads);
    std::vector<std::string> ids;
    for (const auto& s : stages) ids.push_back(s->id);
    t.texts("stages", ids);
    for (const auto& s : stages) {
        t.table(toml_key(s->id));
        t.comment(std::string(s->summary()));
        t.comment("needs: " + list_text(data_names(s->needs())) + "; gives: " + list_text(data_names(s->gives())) +
                  "; writes: " + list_text(s->writes(true)));
        if (s->id != s->kind()) t.text("stage", std::string(s->kind()));
        s->describe(t);
    }
    return text.str();
}

PipelineFile read_pipeline(const std::string& path) {
    const ConfigTable config = read_config(path);
    PipelineFile file;
    file.pipeline.file = path;
    const SettingValue* stage_list = nullptr;
    for (const SettingValue& v : config.values) {
        if (v.key() == "stages")
            stage_list = &v;
        else if (v.key() == "out-dir")
            file.out_dir = v.path();
        else if (v.key() == "force")
            file.force = v.on();
        else if (v.key() == "threads")
            file.threads = static_cast<int>(v.integer(1, kMaxThreads));
        else
            v.fail("is not a pipeline setting",
                   "the top of a pipeline file takes stages, out-dir, force and threads; a stage's settings go in its "
                   "[table] (docs/pipeline.md)");
    }
    if (!stage_list)
        throw UsageError(path, 0, "the pipeline file lists no stages",
                         "add e.g. stages = [\"count\", \"extract\", \"consensus\", \"select\", \"refine\"]");
    // The file's shape first (each stage listed once, every table a listed stage), then the values.
    const std::vector<std::string> ids = stage_list->list();
    std::set<std::string> listed;
    for (const std::string& id : ids)
        if (!listed.insert(id).second) stage_list->fail("lists '" + id + "' twice", "list each stage once");
    for (const ConfigTable& t : config.tables)
        if (!listed.count(t.name))
            throw UsageError(path, t.line, "the table [" + t.name + "] is not one of the stages",
                             "add \"" + t.name + "\" to stages = [...], or remove the table");
    for (const std::string& id : ids) {
        const ConfigTable* table = nullptr;
        for (const ConfigTable& t : config.tables)
            if (t.name == id) table = &t;
        std::string kind = id;
        if (table)
            for (const SettingValue& v : table->values)
                if (v.key() == "stage") kind = v.text();
        const auto& kinds = stage_kinds();
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
            stage_list->fail("names '" + id + "', which is not a stage kind",
                             "the kinds are " + list_text(kinds) + "; a table of another name says stage = \"KIND\"");
        std::unique_ptr<Stage> stage = make_stage(kind);
        stage->id = id;
        file.pipeline.lines.push_back(table ? table->line : stage_list->line());
        if (table)
            for (const SettingValue& v : table->values)
                if (v.key() != "stage") stage->set(v);
        file.pipeline.add(std::move(stage));
    }
    return file;
}

}  // namespace sigstream
