// axx lut INPUT [-o OUT] [--format header|transaxx|npy|json] [--report REPORT.json] + input options.
#pragma once
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "lutgen/source.h"

namespace axx::cli {

struct LutOptions {
  std::string input;
  std::string output;  // empty: stdout
  std::string format;  // empty: from OUT's extension, or "header" for stdout
  std::string report;  // JSON report path; empty: none
  lutgen::SourceOptions source;
};

void setup_lut(CLI::App& app);
void run_lut(const LutOptions& options, std::ostream& out = std::cout);

}  // namespace axx::cli
