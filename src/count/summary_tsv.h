// The count summary table (`sigstream count --summary`): one row per sample, what was counted and what was
// skipped by reason. Written by the count stage, read back by the merge stage, which joins the summaries of
// counting scattered per input file (docs/formats.md, "counts.summary.tsv").
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "count/count.h"

namespace sigstream {

// `Sample<TAB>Counted<TAB>OutsideRegions…` (the skip reasons in the order of `Skip`), one row per sample.
void write_count_summary(const std::vector<StreamSummary>& rows, std::ostream& out);

// Whether a file's first line is a count summary's header (`Sample<TAB>Counted<TAB>…`): what tells a summary from
// a count matrix among merge's inputs.
bool is_count_summary_header(std::string_view first_line);

// Reads a count summary written by write_count_summary (plain or gzip, `\r\n` accepted). Its header must name
// exactly today's columns; every value is a whole number. FormatError with the line otherwise.
std::vector<StreamSummary> read_count_summary(const std::string& path);

}  // namespace sigstream
