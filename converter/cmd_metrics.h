// axx metrics INPUT... [--json|--markdown] + input options: one row of error metrics per input.
#pragma once
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "converter/report_table.h"
#include "lutgen/source.h"

namespace axx::cli {

struct MetricsOptions {
  std::vector<std::string> inputs;
  TableStyle style = TableStyle::Text;
  lutgen::SourceOptions source;
};

void setup_metrics(CLI::App& app);
void run_metrics(const MetricsOptions& options, std::ostream& out = std::cout);

// --json / --markdown flags shared by the table-printing subcommands.
void add_style_flags(CLI::App& sub, TableStyle& style);

}  // namespace axx::cli
