#include "converter/cmd_list.h"

#include <memory>
#include <string>

#include "converter/cmd_metrics.h"
#include "lutgen/metrics.h"
#include "multipliers/registry.h"

namespace axx::cli {

void setup_list(CLI::App& app) {
  auto opt = std::make_shared<ListOptions>();
  auto* sub = app.add_subcommand("list", "List the built-in multipliers (use as builtin:NAME) with their metrics");
  add_style_flags(*sub, opt->style);
  sub->callback([opt] { run_list(*opt); });
}

void run_list(const ListOptions& options, std::ostream& out) {
  std::vector<lutgen::Metrics> rows;
  TableOptions table;
  table.style = options.style;
  table.extra_header = {"description"};  // "family params: description"
  for (const auto& b : multipliers::builtins()) {
    rows.push_back(lutgen::metrics_of(std::string("builtin:") + b.name));
    std::string params = *b.params ? std::string(" ") + b.params : std::string();
    table.extra.push_back(std::string(b.family) + params + ": " + b.description);
  }
  out << render_metrics(rows, table);
}

}  // namespace axx::cli
