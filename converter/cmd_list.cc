#include "converter/cmd_list.h"

#include <memory>
#include <string>

#include "converter/cmd_metrics.h"
#include "lutgen/cost.h"
#include "lutgen/metrics.h"
#include "lutgen/parallel.h"
#include "multipliers/registry.h"

namespace axx::cli {

void setup_list(CLI::App& app) {
  auto opt = std::make_shared<ListOptions>();
  auto* sub = app.add_subcommand(
      "list", "List the built-in multipliers (use as builtin:NAME) with their metrics and hardware cost");
  add_style_flags(*sub, opt->style);
  sub->callback([opt] { run_list(*opt); });
}

void run_list(const ListOptions& options, std::ostream& out) {
  const auto& all = multipliers::builtins();
  std::vector<lutgen::Metrics> rows(all.size());
  std::vector<lutgen::Cost> costs(all.size());
  // One design per task: its metrics (exhaustive table) and its cost (generated netlist, uniform
  // operand stream, the exact reference of its spec). Each task writes its own slots only.
  lutgen::parallel_blocks(all.size(), 1, options.threads, [&](unsigned, std::uint64_t i, std::size_t) {
    const std::string input = std::string("builtin:") + all[i].name;
    rows[i] = lutgen::metrics_of(input);
    costs[i] = lutgen::cost_of(input);
  });
  TableOptions table;
  table.style = options.style;
  table.extra_header = {"description"};  // "family params: description"
  // The cost keys of `axx cost --json`; the tables show the two relative figures.
  const auto keys = lutgen::cost_fields(costs.empty() ? lutgen::Cost{} : costs.front());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    NumberColumn col;
    col.key = keys[k].first;
    for (const auto& c : costs) col.values.push_back(lutgen::cost_fields(c)[k].second);
    col.integer = col.key == "gates" || col.key == "depth";
    col.json_only = col.key != "area_rel" && col.key != "power_rel";
    table.numbers.push_back(std::move(col));
  }
  std::vector<std::string> family, params, citation;
  for (const auto& b : all) {
    std::string p = *b.params ? std::string(" ") + b.params : std::string();
    table.extra.push_back(std::string(b.family) + p + ": " + b.description);
    family.push_back(b.family);
    params.push_back(b.params);
    citation.push_back(b.citation);
  }
  table.json_strings = {{"family", family}, {"params", params}, {"citation", citation}};
  out << render_metrics(rows, table);
}

}  // namespace axx::cli
