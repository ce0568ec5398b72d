// axx list [--json|--markdown]: the built-in multipliers with their metrics and hardware cost
// (docs/cost.md: every design costed from its generated netlist).
#pragma once
#include <CLI/CLI.hpp>
#include <iostream>

#include "converter/report_table.h"

namespace axx::cli {

struct ListOptions {
  TableStyle style = TableStyle::Text;
  unsigned threads = 0;  // designs evaluated at once; 0: all hardware threads
};

void setup_list(CLI::App& app);
void run_list(const ListOptions& options, std::ostream& out = std::cout);

}  // namespace axx::cli
