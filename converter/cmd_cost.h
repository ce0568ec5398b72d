// axx cost INPUT... [--json|--markdown] [--activity FILE.npy | --pairs N --seed S] + input options:
// hardware cost of gate-level netlists against the exact multiplier of the same operands
// (docs/cost.md).
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "converter/report_table.h"
#include "lutgen/cost.h"
#include "lutgen/source.h"

namespace axx::cli {

struct CostOptions {
  std::vector<std::string> inputs;
  TableStyle style = TableStyle::Text;
  std::string activity;  // .npy of operand pairs; empty: uniform random pairs
  std::size_t pairs = 100000;
  std::uint64_t seed = 1;
  lutgen::SourceOptions source;
};

void setup_cost(CLI::App& app);
// Costs every input first, then prints: a failing input leaves no partial output.
void run_cost(const CostOptions& options, std::ostream& out = std::cout);

// The rows as `axx cost` prints them in the given style.
std::string render_costs(const std::vector<lutgen::Cost>& rows, TableStyle style);

}  // namespace axx::cli
