#include "converter/cmd_metrics.h"

#include <unistd.h>

#include <memory>

#include "converter/input_options.h"
#include "lutgen/metrics.h"
#include "lutgen/progress.h"

namespace axx::cli {

void add_style_flags(CLI::App& sub, TableStyle& style) {
  auto* json = sub.add_flag_callback("--json", [&style] { style = TableStyle::Json; },
                                     "JSON: a list of objects with the metric keys of docs/metrics.md");
  auto* md = sub.add_flag_callback("--markdown", [&style] { style = TableStyle::Markdown; }, "Markdown table");
  json->excludes(md);
}

void setup_metrics(CLI::App& app) {
  auto opt = std::make_shared<MetricsOptions>();
  auto* sub = app.add_subcommand("metrics", "Exhaustive error metrics of one or more multipliers");
  sub->add_option("INPUT", opt->inputs, "One or more multipliers: " + input_kinds_list())->required();
  add_style_flags(*sub, opt->style);
  add_input_options(*sub, opt->source);
  sub->callback([opt] { run_metrics(*opt); });
}

void run_metrics(const MetricsOptions& options, std::ostream& out) {
  check_name_for_inputs(options.source, options.inputs.size());
  std::vector<lutgen::Metrics> rows;
  lutgen::TerminalProgress progress(STDERR_FILENO);
  for (const auto& input : options.inputs) {
    rows.push_back(lutgen::metrics_of(input, options.source, progress.start("axx metrics " + input)));
  }
  progress.finish();
  TableOptions table;
  table.style = options.style;
  out << render_metrics(rows, table);
}

}  // namespace axx::cli
