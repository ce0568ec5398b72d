// axx compare INPUT... [--sort KEY] [--json|--markdown] + input options: metrics side by side,
// sorted, the best value of each column marked with '*'.
#pragma once
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "converter/report_table.h"
#include "lutgen/source.h"

namespace axx::cli {

struct CompareOptions {
  std::vector<std::string> inputs;
  std::string sort_by = "mae";  // a metric key; rows sorted by ascending |value|
  TableStyle style = TableStyle::Text;
  lutgen::SourceOptions source;
};

void setup_compare(CLI::App& app);
void run_compare(const CompareOptions& options, std::ostream& out = std::cout);

}  // namespace axx::cli
