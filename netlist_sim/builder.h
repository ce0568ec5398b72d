// Internal helpers shared by the readers: nets by name, gates with their source position, and
// grouping of bit-level port names ("a[3]") into buses.
#pragma once
#include <string>
#include <unordered_map>
#include <vector>

#include "axx/error.h"
#include "netlist_sim/netlist.h"

namespace axx::netlist::detail {

// The most gates and nets a flattened netlist may have: far above any multiplier, and a bound on
// what a small file with a deep hierarchy (each module instantiating the next twice) could make.
inline constexpr std::size_t kMaxGates = std::size_t{1} << 16;
inline constexpr std::size_t kMaxNets = std::size_t{1} << 17;

class NetlistBuilder {
 public:
  explicit NetlistBuilder(std::string source) { nl_.source = std::move(source); }

  // The net with this exact name, created on first use.
  NetId net(const std::string& name) {
    auto [it, inserted] = by_name_.try_emplace(name, NetId(nl_.net_names.size()));
    if (inserted) {
      if (nl_.net_names.size() >= kMaxNets) {
        by_name_.erase(it);
        throw InputError(nl_.source + ": the flattened netlist has more than " + std::to_string(kMaxNets) + " nets");
      }
      nl_.net_names.push_back(name);
    }
    return it->second;
  }
  bool has_net(const std::string& name) const { return by_name_.count(name) != 0; }
  // A new internal net whose name starts with `hint` and is unique.
  NetId fresh(const std::string& hint) {
    std::string name = hint;
    while (by_name_.count(name)) name = hint + "$" + std::to_string(++fresh_counter_);
    return net(name);
  }
  NetId gate(GateOp op, std::vector<NetId> inputs, NetId output, const std::string& file, std::size_t line) {
    if (nl_.gates.size() >= kMaxGates)
      throw ParseError(file, line, 0, "the flattened netlist has more than " + std::to_string(kMaxGates) + " gates");
    nl_.gates.push_back(Gate{op, std::move(inputs), output, file, line});
    return output;
  }
  Netlist& netlist() { return nl_; }

 private:
  Netlist nl_;
  std::unordered_map<std::string, NetId> by_name_;
  std::size_t fresh_counter_ = 0;
};

// Splits "name[12]" into ("name", 12); false for names without a trailing numeric index.
inline bool split_indexed(const std::string& s, std::string& base, long& index) {
  if (s.size() < 4 || s.back() != ']') return false;
  std::size_t open = s.rfind('[');
  if (open == std::string::npos || open == 0 || open + 2 > s.size() - 1) return false;
  long v = 0;
  for (std::size_t i = open + 1; i + 1 < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
    if (v > 1'000'000) return false;
  }
  base = s.substr(0, open);
  index = v;
  return true;
}

// Groups bit-level port names into buses: "a[0]".."a[7]" become port "a" with bits ordered by
// index (lowest index = bit 0 = LSB, the way Yosys writes [N-1:0] buses); other names are 1-bit
// ports. Ports keep the order of their first bit.
std::vector<Port> group_ports(const std::vector<std::string>& names, const std::vector<NetId>& nets);

}  // namespace axx::netlist::detail

namespace axx::netlist::detail {

// Yosys's internal gate cells ($_AND_ ...), as `write_verilog -noexpr` and `write_blif -icells`
// write them. Ports: inputs A, B (and S for $_MUX_: Y = S ? B : A), output Y.
struct BuiltinCell {
  const char* name;
  GateOp op;
  std::vector<std::string> inputs;  // in the order the Gate takes them
  bool invert_last = false;         // $_ANDNOT_ = A & ~B, $_ORNOT_ = A | ~B
};

inline const BuiltinCell* find_builtin_cell(const std::string& name) {
  static const std::vector<BuiltinCell> cells = {
      {"$_BUF_", GateOp::Buf, {"A"}},           {"$_NOT_", GateOp::Not, {"A"}},
      {"$_AND_", GateOp::And, {"A", "B"}},      {"$_OR_", GateOp::Or, {"A", "B"}},
      {"$_XOR_", GateOp::Xor, {"A", "B"}},      {"$_NAND_", GateOp::Nand, {"A", "B"}},
      {"$_NOR_", GateOp::Nor, {"A", "B"}},      {"$_XNOR_", GateOp::Xnor, {"A", "B"}},
      {"$_ANDNOT_", GateOp::And, {"A", "B"}, true}, {"$_ORNOT_", GateOp::Or, {"A", "B"}, true},
      {"$_MUX_", GateOp::Mux, {"S", "A", "B"}},
  };
  for (const BuiltinCell& c : cells)
    if (name == c.name) return &c;
  return nullptr;
}

// Adds the gates of one builtin cell; `inputs` in the cell's input order.
inline void add_builtin_cell(NetlistBuilder& b, const BuiltinCell& c, std::vector<NetId> inputs, NetId y,
                             const std::string& file, std::size_t line) {
  if (c.invert_last)
    inputs.back() = b.gate(GateOp::Not, {inputs.back()}, b.fresh(b.netlist().net_names[y] + "$n"), file, line);
  b.gate(c.op, std::move(inputs), y, file, line);
}

}  // namespace axx::netlist::detail
