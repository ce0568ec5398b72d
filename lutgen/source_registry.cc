#include "lutgen/source_registry.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "axx/error.h"

namespace axx::lutgen {

const std::vector<SourceKind>& source_kinds() {
  // One line per source kind; the order is the order of `axx lut --help` and error messages.
  static const std::vector<SourceKind> kinds = {
      {"netlist", {".blif", ".v", ".sv"}, "gate-level BLIF or Verilog netlist (behavioural Verilog via yosys)",
       &open_netlist_source},
      {"c", {".c", ".cpp", ".cc", ".cxx"}, "C/C++ function of two integer operands, compiled with cc/c++",
       &open_c_source},
      {"builtin", {"builtin:"}, "a multiplier of the built-in library (axx list)", &open_builtin_source},
      {"header", {".h", ".hpp", ".hh", ".cuh"}, "LUT header: axx's own or TransAxx/AdaPT `int16_t lut[256][256]`",
       &open_header_source},
      {"npy", {".npy"}, "NumPy .npy integer array of shape (2^bits_a, 2^bits_b)", &open_npy_source},
      {"json", {".json"}, "JSON table: axx's --format json output, or a 2-D integer array", &open_json_source},
  };
  return kinds;
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
  }
  return true;
}

bool matches(const SourceKind& kind, const std::string& input) {
  for (const auto& p : kind.patterns) {
    if (p.back() == ':') {
      if (input.rfind(p, 0) == 0) return true;
    } else if (ends_with(input, p)) {
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

TableStream open_source(const std::string& input, const SourceOptions& options) {
  const SourceKind& kind = find_source_kind(input);
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

void apply_fixed_table_options(const std::string& input, const SourceOptions& options, OperandSpec& spec,
                               std::string& name) {
  if ((options.bits_a && options.bits_a != spec.bits_a) || (options.bits_b && options.bits_b != spec.bits_b)) {
    throw InputError(input + ": table has " + std::to_string(spec.bits_a) + "x" + std::to_string(spec.bits_b) +
                     " operands, but " + std::to_string(options.bits_a ? options.bits_a : spec.bits_a) + "x" +
                     std::to_string(options.bits_b ? options.bits_b : spec.bits_b) + " were requested");
  }
  if (options.is_signed) spec.is_signed = *options.is_signed;
  if (!options.name.empty()) name = options.name;
}

}  // namespace axx::lutgen
