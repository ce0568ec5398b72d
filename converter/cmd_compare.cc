#include "converter/cmd_compare.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "axx/error.h"
#include "converter/cmd_metrics.h"
#include "converter/input_options.h"
#include "lutgen/metrics.h"

namespace axx::cli {

void setup_compare(CLI::App& app) {
  auto opt = std::make_shared<CompareOptions>();
  auto* sub = app.add_subcommand("compare", "Compare multipliers: metrics side by side, best per column marked '*'");
  sub->add_option("INPUT", opt->inputs, "Two or more multipliers: " + input_kinds_list())->required();
  std::string keys;
  for (const auto& f : lutgen::metric_fields()) keys += (keys.empty() ? "" : ", ") + std::string(f.key);
  sub->add_option("--sort", opt->sort_by, "Metric to sort by, ascending |value| (default mae): " + keys);
  add_style_flags(*sub, opt->style);
  add_input_options(*sub, opt->source);
  sub->callback([opt] { run_compare(*opt); });
}

void run_compare(const CompareOptions& options, std::ostream& out) {
  const lutgen::MetricField* key = nullptr;
  std::string keys;
  for (const auto& f : lutgen::metric_fields()) {
    if (options.sort_by == f.key) key = &f;
    keys += (keys.empty() ? "" : ", ") + std::string(f.key);
  }
  if (!key) throw UsageError("unknown metric '" + options.sort_by + "' for --sort; valid: " + keys);
  check_name_for_inputs(options.source, options.inputs.size());
  std::vector<lutgen::Metrics> rows;
  for (const auto& input : options.inputs) rows.push_back(lutgen::metrics_of(input, options.source));
  std::stable_sort(rows.begin(), rows.end(), [key](const lutgen::Metrics& x, const lutgen::Metrics& y) {
    return std::fabs(x.*key->member) < std::fabs(y.*key->member);
  });
  TableOptions table;
  table.style = options.style;
  table.mark_best = true;
  out << render_metrics(rows, table);
}

}  // namespace axx::cli
