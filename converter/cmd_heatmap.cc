#include "converter/cmd_heatmap.h"

#include <memory>

#include "axx/error.h"
#include "converter/input_options.h"
#include "lutgen/heatmap.h"

namespace axx::cli {

void setup_heatmap(CLI::App& app) {
  auto opt = std::make_shared<HeatmapOptions>();
  auto* sub = app.add_subcommand(
      "heatmap",
      "SVG figure of the error LUT[a][b] - a*b: a up, b right, by operand value; blue below, white exact, red above; "
      "tables over 256 values a side binned (largest |error| per cell)");
  sub->add_option("INPUT", opt->input, "Any input kind")->required();
  sub->add_option("-o,--output", opt->output, "SVG file to write (atomically)")->required();
  add_input_options(*sub, opt->source);
  sub->callback([opt] { run_heatmap(*opt); });
}

void run_heatmap(const HeatmapOptions& options) {
  lutgen::check_heatmap_path(options.output);  // before the (possibly long) evaluation
  check_distinct_paths({options.input}, {{"-o", options.output}});
  lutgen::write_heatmap(lutgen::load_lut(options.input, options.source), options.output);
}

}  // namespace axx::cli
