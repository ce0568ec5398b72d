// axx heatmap INPUT -o FILE.svg + input options: an SVG figure of the error matrix LUT - exact product.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "lutgen/source.h"

namespace axx::cli {

struct HeatmapOptions {
  std::string input;
  std::string output;
  lutgen::SourceOptions source;
};

void setup_heatmap(CLI::App& app);
void run_heatmap(const HeatmapOptions& options);

}  // namespace axx::cli
