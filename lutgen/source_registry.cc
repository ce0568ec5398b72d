#include "lutgen/source_registry.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "axx/error.h"
#include "axx/path.h"
#include "netlist_sim/reader.h"

namespace axx::lutgen {

const std::vector<InputOption>& input_options() {
  // One line per option; the order is the order of `axx lut --help`.
  static const std::vector<InputOption> options = {
      {"signed",
       {"--signed", "--unsigned"},
       {"signed"},
       {"Operands and product are two's complement; needed where the file does not say, an error where it "
        "says otherwise",
        "Operands and product are unsigned; needed where the file does not say, an error where it says otherwise"},
       [](const SourceOptions& o) { return o.is_signed.has_value(); }},
      {"bits",
       {"--bits"},
       {"bits"},
       {"Width of both operands (2..16); must agree with ports and tables"},
       [](const SourceOptions& o) { return o.bits_a != 0 || o.bits_b != 0; }},
      {"a_bits",
       {"--a-bits"},
       {"a_bits"},
       {"Width of operand A (2..16)"},
       [](const SourceOptions& o) { return o.bits_a != 0; }},
      {"b_bits",
       {"--b-bits"},
       {"b_bits"},
       {"Width of operand B (2..16)"},
       [](const SourceOptions& o) { return o.bits_b != 0; }},
      {"name",
       {"--name"},
       {"name"},
       {"Table name (default: the file stem or built-in name)"},
       [](const SourceOptions& o) { return !o.name.empty(); }},
      {"top",
       {"--top"},
       {"top"},
       {"Top module (Verilog) or model (BLIF)"},
       [](const SourceOptions& o) { return !o.top.empty(); }},
      {"func",
       {"--func"},
       {"func"},
       {"C function to evaluate (default: the only non-static one)"},
       [](const SourceOptions& o) { return !o.func.empty(); }},
      {"port_a",
       {"--port-a"},
       {"port_a"},
       {"Input port of operand A (default: a/A, else the first input)"},
       [](const SourceOptions& o) { return !o.port_a.empty(); }},
      {"port_b",
       {"--port-b"},
       {"port_b"},
       {"Input port of operand B (default: b/B, else the second input)"},
       [](const SourceOptions& o) { return !o.port_b.empty(); }},
      {"port_out",
       {"--port-out"},
       {"port_out"},
       {"Output port of the product (default: the single output)"},
       [](const SourceOptions& o) { return !o.port_out.empty(); }},
      {"yosys",
       {"--yosys", "--no-yosys"},
       {"yosys"},
       {"Always convert Verilog with yosys", "Never run yosys (structural Verilog only)"},
       [](const SourceOptions& o) { return o.yosys != YosysMode::Auto; }},
      {"yosys_bin",
       {"--yosys-bin"},
       {"yosys_bin"},
       {"Path of the yosys executable (default: yosys on PATH)"},
       [](const SourceOptions& o) { return !o.yosys_bin.empty(); }},
  };
  return options;
}

std::string option_name(const InputOption& option, OptionSpelling spelling) {
  const auto& names = spelling == OptionSpelling::Python ? option.python : option.cli;
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : "/") + n;
  return s;
}

namespace {

// The netlist kinds take their extensions from netlist_sim's registry, so the two cannot drift.
std::vector<std::string> netlist_extensions(const std::string& format) {
  for (const auto& f : netlist::netlist_formats()) {
    if (f.name == format) return f.extensions;
  }
  return {};
}

std::vector<std::string> with_table_options(std::vector<std::string> extra) {
  std::vector<std::string> keys = {"signed", "bits", "a_bits", "b_bits", "name"};
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

}  // namespace

const std::vector<SourceKind>& source_kinds() {
  // One line per source kind; the order is the order of `axx lut --help` and error messages.
  static const std::vector<SourceKind> kinds = {
      {"blif", netlist_extensions("blif"), "a BLIF netlist", "gate-level BLIF netlist",
       with_table_options({"top", "port_a", "port_b", "port_out"}), &open_netlist_source},
      {"verilog", netlist_extensions("verilog"), "Verilog", "structural Verilog; behavioural Verilog through yosys",
       with_table_options({"top", "port_a", "port_b", "port_out", "yosys", "yosys_bin"}), &open_netlist_source},
      {"c", {".c", ".cpp", ".cc", ".cxx"}, "a C function", "C/C++ function of two integer operands, compiled with cc/c++",
       with_table_options({"func"}), &open_c_source},
      {"builtin", {"builtin:"}, "a built-in multiplier", "a multiplier of the built-in library (axx list)",
       with_table_options({}), &open_builtin_source},
      {"header", {".h", ".hpp", ".hh", ".cuh"}, "a LUT header",
       "LUT header: axx's own or TransAxx/AdaPT `int16_t lut[256][256]`", with_table_options({}),
       &open_header_source},
      {"npy", {".npy"}, "a .npy table", "NumPy .npy integer array of shape (2^bits_a, 2^bits_b)",
       with_table_options({}), &open_npy_source},
      {"json", {".json"}, "a JSON table", "JSON table: axx's --format json or --report output, or a 2-D integer array",
       with_table_options({}), &open_json_source},
  };
  return kinds;
}

bool SourceKind::takes(const std::string& option_key) const {
  return std::find(options.begin(), options.end(), option_key) != options.end();
}

namespace {

bool matches(const SourceKind& kind, const std::string& input) {
  for (const auto& p : kind.patterns) {
    if (p.back() == ':') {
      if (input.rfind(p, 0) == 0) return true;
    } else if (has_extension(input, p)) {
      return true;
    }
  }
  return false;
}

bool is_prefix_kind(const SourceKind& kind) {
  return !kind.patterns.empty() && kind.patterns.front().back() == ':';
}

}  // namespace

const SourceKind& find_source_kind(const std::string& input) {
  for (const auto& kind : source_kinds()) {
    if (matches(kind, input)) return kind;
  }
  std::string valid;
  for (const auto& kind : source_kinds()) {
    if (!valid.empty()) valid += "; ";
    for (std::size_t i = 0; i < kind.patterns.size(); ++i) {
      valid += (i ? ", " : "") + kind.patterns[i] + (kind.patterns[i].back() == ':' ? "NAME" : "");
    }
    valid += " (" + kind.name + ")";
  }
  throw InputError(input + ": unknown input kind; expected one of: " + valid);
}

void check_options_apply(const SourceKind& kind, const std::string& input, const SourceOptions& options) {
  for (const auto& option : input_options()) {
    if (!option.given(options) || kind.takes(option.key)) continue;
    std::string takes;
    for (const auto& o : input_options()) {
      if (kind.takes(o.key)) takes += (takes.empty() ? "" : ", ") + option_name(o, options.spelling);
    }
    throw UsageError(input + ": " + option_name(option, options.spelling) + " does not apply to " + kind.noun +
                     " (its options: " + takes + ")");
  }
}

TableStream open_source(const std::string& input, const SourceOptions& options) {
  const SourceKind& kind = find_source_kind(input);
  check_options_apply(kind, input, options);
  if (!is_prefix_kind(kind)) {
    std::ifstream probe(input, std::ios::binary);
    if (!probe) throw InputError(input + ": cannot open: " + std::strerror(errno));
  }
  TableStream s = kind.open(input, options);
  check_operand_spec(s.spec);
  return s;
}

std::string file_stem(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path + ": read error");
  return ss.str();
}

std::string table_name(const std::string& input, const SourceOptions& options) {
  return options.name.empty() ? file_stem(input) : options.name;
}

void check_fixed_bits(const std::string& input, const SourceOptions& options, const OperandSpec& spec) {
  if ((options.bits_a && options.bits_a != spec.bits_a) || (options.bits_b && options.bits_b != spec.bits_b)) {
    throw UsageError(input + ": table has " + std::to_string(spec.bits_a) + "x" + std::to_string(spec.bits_b) +
                     " operands, but " + std::to_string(options.bits_a ? options.bits_a : spec.bits_a) + "x" +
                     std::to_string(options.bits_b ? options.bits_b : spec.bits_b) + " were requested");
  }
}

}  // namespace axx::lutgen
