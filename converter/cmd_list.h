// axx list [--json|--markdown]: the built-in multipliers with their metrics.
#pragma once
#include <CLI/CLI.hpp>
#include <iostream>

#include "converter/report_table.h"

namespace axx::cli {

struct ListOptions {
  TableStyle style = TableStyle::Text;
};

void setup_list(CLI::App& app);
void run_list(const ListOptions& options, std::ostream& out = std::cout);

}  // namespace axx::cli
