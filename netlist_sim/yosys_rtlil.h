// Internal to the Yosys bridge: the part of Yosys's RTLIL text format (`write_rtlil`) that the
// bridge reads after `hierarchy; proc`, before synthesis turns the design into anonymous gates.
// There the user's wires, ports, `$mul` cells and inferred latches still carry their names and
// `src` positions, so mistakes can be reported at the user's file and line.
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace axx::netlist::detail::rtlil {

// A `src` attribute ("file.v:12.3-12.20"): where Yosys's front end found the object.
struct Src {
  std::string file;
  std::size_t line = 0, col = 0;
};

struct Wire {
  std::string name;  // as in RTLIL: "\a", "$mul$f.v:2$1_Y"
  long width = 1, start_offset = 0;
  bool upto = false, is_signed = false;
  enum Dir { None, Input, Output, Inout } dir = None;
  Src src;
  // The declared index of bit `offset` (0 = LSB), for messages.
  long index(long offset) const { return upto ? start_offset + width - 1 - offset : start_offset + offset; }
};

// One bit of a signal: a wire bit, or a constant (wire == kConst).
struct Bit {
  static constexpr std::size_t kConst = static_cast<std::size_t>(-1);
  std::size_t wire = kConst;
  long offset = 0;
};

struct Cell {
  std::string type, name;
  std::map<std::string, std::string> params;  // "\A_SIGNED" -> "1"
  std::vector<std::pair<std::string, std::vector<Bit>>> connections;  // port ("\Y") -> bits, LSB first
  Src src;
};

struct Module {
  std::string name;
  bool top = false;
  Src src;
  std::vector<Wire> wires;
  std::unordered_map<std::string, std::size_t> wire_index;
  std::vector<Cell> cells;
  std::vector<std::pair<std::vector<Bit>, std::vector<Bit>>> connections;  // `connect LHS RHS`: LHS driven
};

struct Design {
  std::vector<Module> modules;
  const Module* find(const std::string& name) const;
  const Module* top() const;
};

// Reads a file written by `write_rtlil`. Throws axx::ToolError when it cannot (the file is Yosys's
// output, not the user's).
Design read_file(const std::string& path);

// The user's mistakes that synthesis would turn into a silently wrong table: latches and
// flip-flops, nets with more than one driver, output ports or used nets without a driver. Throws
// axx::ParseError at the `src` position; positions in `yosys_path` (the absolute path Yosys read)
// are reported under `user_path`.
void check_design(const Design& d, const std::string& user_path, const std::string& yosys_path);

// Whether the `$mul` cells of the design multiply signed operands: unset when there is none or
// when they disagree.
std::optional<bool> signed_product(const Design& d);

// The source position `src` names, with `yosys_path` replaced by `user_path`.
Src user_src(const std::string& src, const std::string& user_path, const std::string& yosys_path);

}  // namespace axx::netlist::detail::rtlil
