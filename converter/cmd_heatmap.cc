#include "converter/cmd_heatmap.h"

#include <memory>

#include "axx/error.h"
#include "converter/input_options.h"
#include "lutgen/heatmap.h"

namespace axx::cli {

void setup_heatmap(CLI::App& app) {
  auto opt = std::make_shared<HeatmapOptions>();
  auto* sub = app.add_subcommand(
      "heatmap", "PNG heatmap of the error LUT - a*b (blue: below, white: exact, red: above; axes by operand value)");
  sub->add_option("INPUT", opt->input, "Any input kind")->required();
  sub->add_option("-o,--output", opt->output, "PNG file to write (atomically)")->required();
  add_input_options(*sub, opt->source);
  sub->callback([opt] { run_heatmap(*opt); });
}

void run_heatmap(const HeatmapOptions& options) {
  const std::string& o = options.output;
  if (o.size() < 4 || (o.compare(o.size() - 4, 4, ".png") != 0 && o.compare(o.size() - 4, 4, ".PNG") != 0)) {
    throw UsageError(o + ": heatmap output must be a .png file");
  }
  check_distinct_paths({options.input}, {{"-o", options.output}});
  lutgen::write_heatmap(lutgen::load_lut(options.input, options.source), options.output);
}

}  // namespace axx::cli
