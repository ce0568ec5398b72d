// Netlist IR: the one representation every netlist reader produces and the simulator consumes.
// (Owned by the netlist_sim module; the boundary below is what lutgen relies on.)
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace axx::netlist {

using NetId = std::uint32_t;

// Gate kinds after flattening. BLIF covers are lowered to these by the BLIF reader.
// Const0/Const1 take no inputs, Buf/Not one, Mux three; And/Or/Xor/Nand/Nor/Xnor take one or more
// inputs (n-ary, as Verilog gate primitives: Xnor = NOT of the XOR of all inputs).
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
  // What the file declares about this port: true for `signed`, false for an explicit `unsigned`
  // (SystemVerilog), unset when it says nothing (BLIF, plain Verilog ports).
  std::optional<bool> declared_signed;
};

struct Netlist {
  std::string name;                 // top module / model
  std::string source;               // file it came from
  std::vector<std::string> net_names;
  std::vector<Port> inputs;
  std::vector<Port> outputs;
  std::vector<Gate> gates;
  // Through yosys: true when the design's `$mul` cells multiply signed operands ($signed(a) * $signed(b)
  // or signed ports), false when they multiply unsigned ones; unset when there is no `$mul` or the file
  // did not go through yosys.
  std::optional<bool> signed_product;
  std::size_t num_nets() const { return net_names.size(); }
};

// Structural checks every reader runs before returning a Netlist: gate arity, at most one driver
// per net (inputs count as drivers), every used net (gate input or output port bit) driven or an
// input, no combinational loops. Throws axx::ParseError naming the file:line of the offending
// gate (or axx::InputError naming the file when there is no line).
void check_netlist(const Netlist& nl);

// Gates in an order where every gate comes after the drivers of its inputs (throws like
// check_netlist on a combinational loop).
std::vector<std::size_t> topological_order(const Netlist& nl);

}  // namespace axx::netlist
