// What several stages share: reading their inputs (from a file or an earlier stage), the files of a
// consensus solution, and the tables of metadata.toml that describe an input matrix and a backend.
#pragma once

#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/registry.h"
#include "io/matrix_tsv.h"
#include "pipeline/stage.h"

namespace sigstream {

// The backends on the plugin search path, loaded once per process (backend/registry.h).
const BackendRegistry& plugin_registry();

// The count matrix a stage works on: read from `file` (kept in ws.counts, with its checksum) when it is given,
// else the one an earlier stage left in ws.counts.
// `values`: what the file's cells may hold (io/matrix_tsv.h).
const Counts& stage_counts(Workspace& ws, const std::string& file, MatrixValues values = MatrixValues::counts);

// A signature set given as a file, a run folder (its signatures.tsv), or a reference name (`cosmic-v3.4`):
// the file to read ("" for "").
std::string signature_path(const std::string& given);

// The value of a setting that takes a signature set or reference: `cosmic-v3.4` as it is, anything else a path
// to read (SettingValue::existing).
std::string signature_setting(const SettingValue& v);

// `file` made absolute against the working folder and lexically normalised; "" and "-" (standard input) as they are.
std::string absolute_path(const std::string& file);

// The files of one K's consensus solution in `dir` ("" or "solutions/K3/"): signatures.tsv, medoids.tsv,
// exposures.tsv, sample_stats.tsv, stability.tsv, and consensus.tsv when it was refined.
void write_solution(OutputSink& out, const Solution& s, const std::string& dir,
                    const std::vector<std::string>& samples);

// [<table>.input]: the matrix as given and absolute, its checksum, catalogue, samples and the empty ones.
void write_input_table(TomlWriter& out, const std::string& table, const Counts& counts,
                       const std::vector<std::string>& empty_samples);

// [<table>.backend_info] (name, version, objective, file) and [<table>.params] (every parameter and its value).
void write_backend_tables(TomlWriter& out, const std::string& table, const std::string& name,
                          const std::string& version, const std::string& objective, const std::string& file,
                          const std::vector<std::pair<std::string, std::string>>& params);

// "2:15" -> {2, …, 15}; UsageError naming the setting otherwise.
std::vector<int> parse_k_range(const SettingValue& v);
std::vector<int> parse_k_range(const std::string& text);

}  // namespace sigstream
