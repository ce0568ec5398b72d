// Rendering a list of metrics: a readable aligned table, Markdown, or JSON (a list of objects with
// the keys docs/cli.md lists). Shared by `axx metrics`, `axx list` and `axx compare`.
#pragma once
#include <string>
#include <vector>

#include "lutgen/metrics.h"

namespace axx::cli {

enum class TableStyle { Text, Markdown, Json };

// A numeric column after the metrics (e.g. `axx list`'s cost figures): right-aligned with
// `decimals` digits in tables, a JSON number under `key`.
struct NumberColumn {
  std::string key;
  std::vector<double> values;  // one per row
  int decimals = 3;
  bool integer = false;        // JSON: written without a fraction
  bool json_only = false;      // not shown in the text and Markdown tables
};

struct TableOptions {
  TableStyle style = TableStyle::Text;
  bool mark_best = false;                 // append '*' to the best value of each metric column
  std::vector<NumberColumn> numbers;      // after the metric columns
  std::vector<std::string> extra_header;  // optional trailing text column (e.g. "description")
  std::vector<std::string> extra;         // one value per row
  // JSON only: string keys after everything else, one value per row each (e.g. "family").
  std::vector<std::pair<std::string, std::vector<std::string>>> json_strings;
};

std::string render_metrics(const std::vector<lutgen::Metrics>& rows, const TableOptions& options = {});

// A text or Markdown table of cells (a row per entry, header first). Columns [first_numeric,
// end_numeric) hold numbers (`---:` in Markdown). Text tables right-align every column from the
// second up to end_numeric (numbers and the short bits/signed columns), left-align the name and
// the trailing text columns, separate columns by two spaces and leave the last text column unpadded.
std::string render_grid(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& cells,
                        TableStyle style, std::size_t first_numeric, std::size_t end_numeric);

// Metric value as shown in text tables: integers plainly, others with 6 significant digits.
std::string format_metric(double value);

}  // namespace axx::cli
