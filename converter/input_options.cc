#include "converter/input_options.h"

#include "lutgen/source_registry.h"

namespace axx::cli {

void add_input_options(CLI::App& sub, lutgen::SourceOptions& source) {
  auto* sig = sub.add_flag_callback("--signed", [&source] { source.is_signed = true; },
                                    "Read operands and result as two's complement (default for netlists)");
  auto* uns = sub.add_flag_callback("--unsigned", [&source] { source.is_signed = false; },
                                    "Read operands and result as unsigned");
  sig->excludes(uns);
  auto* bits = sub.add_option_function<int>(
      "--bits", [&source](const int& n) { source.bits_a = source.bits_b = n; }, "Width of both operands (2..16)");
  auto* abits = sub.add_option("--a-bits", source.bits_a, "Width of operand A (2..16)");
  auto* bbits = sub.add_option("--b-bits", source.bits_b, "Width of operand B (2..16)");
  bits->excludes(abits);
  bits->excludes(bbits);
  sub.add_option("--name", source.name, "Table name (default: the file stem or built-in name)");
  sub.add_option("--top", source.top, "Top module (Verilog) or model (BLIF)");
  sub.add_option("--func", source.func, "C function to evaluate (default: the only non-static one)");
  sub.add_option("--a", source.port_a, "Netlist input port of operand A (default: a/A, else the first input)");
  sub.add_option("--b", source.port_b, "Netlist input port of operand B (default: b/B, else the second input)");
  sub.add_option("--out", source.port_out, "Netlist output port of the product (default: the single output)");
  auto* force = sub.add_flag_callback("--yosys", [&source] { source.yosys = lutgen::YosysMode::Force; },
                                      "Always convert Verilog with yosys");
  auto* never = sub.add_flag_callback("--no-yosys", [&source] { source.yosys = lutgen::YosysMode::Never; },
                                      "Never run yosys (structural Verilog only)");
  force->excludes(never);
  sub.add_option("--yosys-bin", source.yosys_bin, "Path of the yosys executable (default: yosys on PATH)");
  sub.footer(input_kinds_help());
}

std::string input_kinds_help() {
  std::string s = "INPUT kinds:\n";
  for (const auto& kind : lutgen::source_kinds()) {
    std::string patterns;
    for (const auto& p : kind.patterns) patterns += (patterns.empty() ? "" : " ") + p + (p.back() == ':' ? "NAME" : "");
    patterns.resize(std::max<std::size_t>(patterns.size(), 24), ' ');
    s += "  " + patterns + " " + kind.description + "\n";
  }
  return s;
}

}  // namespace axx::cli
