// Rendering a list of metrics: a readable aligned table, Markdown, or JSON (a list of objects with
// the keys docs/cli.md lists). Shared by `axx metrics`, `axx list` and `axx compare`.
#pragma once
#include <string>
#include <vector>

#include "lutgen/metrics.h"

namespace axx::cli {

enum class TableStyle { Text, Markdown, Json };

struct TableOptions {
  TableStyle style = TableStyle::Text;
  bool mark_best = false;                 // append '*' to the best value of each metric column
  std::vector<std::string> extra_header;  // optional trailing text column (e.g. "description")
  std::vector<std::string> extra;         // one value per row
};

std::string render_metrics(const std::vector<lutgen::Metrics>& rows, const TableOptions& options = {});

// Metric value as shown in text tables: integers plainly, others with 6 significant digits.
std::string format_metric(double value);

}  // namespace axx::cli
