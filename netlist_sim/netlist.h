// Netlist IR: the one representation every netlist reader produces and the simulator consumes.
// (Owned by the netlist_sim module; the boundary below is what lutgen relies on.)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace axx::netlist {

using NetId = std::uint32_t;

// Gate kinds after flattening. BLIF covers are lowered to these by the BLIF reader.
enum class GateOp : std::uint8_t { Const0, Const1, Buf, Not, And, Or, Xor, Nand, Nor, Xnor, Mux };

struct Gate {
  GateOp op;
  std::vector<NetId> inputs;  // Mux: {sel, when0, when1}
  NetId output;
  std::string file;           // where it was declared, for error messages
  std::size_t line = 0;
};

// A port is a bus; bits[0] is the least significant bit.
struct Port {
  std::string name;
  std::vector<NetId> bits;
};

struct Netlist {
  std::string name;                 // top module / model
  std::string source;               // file it came from
  std::vector<std::string> net_names;
  std::vector<Port> inputs;
  std::vector<Port> outputs;
  std::vector<Gate> gates;
  std::size_t num_nets() const { return net_names.size(); }
};

}  // namespace axx::netlist
