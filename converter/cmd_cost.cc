#include "converter/cmd_cost.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "converter/input_options.h"

namespace axx::cli {

void setup_cost(CLI::App& app) {
  auto opt = std::make_shared<CostOptions>();
  auto* sub = app.add_subcommand("cost", "Hardware cost (cells, area, depth, power proxy) of gate-level netlists and built-in designs");
  sub->add_option("INPUT", opt->inputs,
                  "Netlists: .blif, structural or behavioural Verilog (.v, .sv); builtin:NAME (its generated netlist)")
      ->required();
  auto* json = sub->add_flag_callback("--json", [o = opt.get()] { o->style = TableStyle::Json; },
                                      "JSON: a list of objects with the keys of docs/cost.md");
  auto* md = sub->add_flag_callback("--markdown", [o = opt.get()] { o->style = TableStyle::Markdown; }, "Markdown table");
  json->excludes(md);
  auto* act = sub->add_option("--activity", opt->activity,
                              "Operand samples for the power proxy: .npy of shape (n, 2), column 0 operand A, "
                              "column 1 operand B (default: uniform random pairs)");
  auto* pairs = sub->add_option("--pairs", opt->pairs, "Number of uniform random operand pairs (default 100000)")
                    ->check(CLI::Range(std::size_t{2}, std::size_t{100000000}));
  auto* seed = sub->add_option("--seed", opt->seed, "Seed of the uniform random pairs (default 1)");
  act->excludes(pairs);
  act->excludes(seed);
  add_input_options(*sub, opt->source);
  sub->callback([opt] { run_cost(*opt); });
}

void run_cost(const CostOptions& options, std::ostream& out) {
  lutgen::Activity activity;
  if (!options.activity.empty()) {
    activity = lutgen::read_activity_npy(options.activity);
  } else {
    activity.pairs = options.pairs;
    activity.seed = options.seed;
  }
  std::vector<lutgen::Cost> rows;
  for (const auto& input : options.inputs) rows.push_back(lutgen::cost_of(input, options.source, activity));
  out << render_costs(rows, options.style);
}

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

std::string render_costs(const std::vector<lutgen::Cost>& rows, TableStyle style) {
  if (style == TableStyle::Json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& c : rows) {
      nlohmann::ordered_json o;
      o["name"] = c.name;
      o["bits_a"] = c.spec.bits_a;
      o["bits_b"] = c.spec.bits_b;
      o["signed"] = c.spec.is_signed;
      for (const auto& [key, value] : lutgen::cost_fields(c)) {
        if (std::string(key) == "gates" || std::string(key) == "depth") o[key] = static_cast<std::uint64_t>(value);
        else o[key] = value;
      }
      nlohmann::ordered_json cells = nlohmann::ordered_json::object();
      for (const auto& [cell, count] : c.cells) cells[cell] = count;
      o["cells"] = cells;
      o["activity"] = c.activity;
      o["pairs"] = c.pairs;
      list.push_back(std::move(o));
    }
    return list.dump(2) + "\n";
  }
  const std::vector<std::string> header = {"name",        "bits",     "signed",    "gates",    "area_nand2",
                                           "depth",       "power_proxy", "area_rel", "power_rel", "depth_rel"};
  std::vector<std::vector<std::string>> cells;
  for (const auto& c : rows) {
    cells.push_back({c.name, std::to_string(c.spec.bits_a) + "x" + std::to_string(c.spec.bits_b),
                     c.spec.is_signed ? "yes" : "no", std::to_string(c.gates), fixed(c.area_nand2, 2),
                     std::to_string(c.depth), fixed(c.power_proxy, 2), fixed(c.area_rel, 3), fixed(c.power_rel, 3),
                     fixed(c.depth_rel, 3)});
  }
  return render_grid(header, cells, style, 3, header.size());
}

}  // namespace axx::cli
