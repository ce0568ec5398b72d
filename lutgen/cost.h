// Hardware cost of a multiplier given as a gate-level netlist (docs/cost.md): what `axx cost` prints
// and axx.Multiplier.cost returns. The netlist-level model is netlist_sim/cost.h; this layer reads
// the input, settles the operand spec, draws the operand stream and divides by the exact reference.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lutgen/lut.h"
#include "lutgen/source.h"
#include "multipliers/netgen/netgen.h"
#include "multipliers/registry.h"
#include "netlist_sim/netlist.h"
#include "netlist_sim/simulator.h"

namespace axx::lutgen {

// The operand pairs whose switching drives the power proxy.
struct Activity {
  // Operand values (two's complement values for a signed spec, else unsigned), pair i = (a[i], b[i]).
  // Empty: `pairs` uniform random pairs of bit patterns drawn from `seed`.
  std::vector<std::int64_t> a, b;
  std::string source;               // where the samples came from, for reports ("" = uniform)
  std::size_t pairs = 100000;
  std::uint64_t seed = 1;
};

// The reduction of every generated netlist that is costed, built-in designs and the exact
// reference alike (docs/cost.md, "Generated netlists"): Dadda's, the fewest adders per stage.
inline constexpr netgen::Reduction kCostReduction = netgen::Reduction::Dadda;

// The exact reference of SPEC, the denominator of every *_rel (docs/cost.md): the generator's
// exact design (multipliers/netgen, Baugh-Wooley for signed operands) with kCostReduction, read
// back by the structural reader. Throws axx::UsageError for widths outside 2..16.
netlist::Netlist exact_reference(const OperandSpec& spec);

// The netlist of built-in design B as it is costed: the generator's design with kCostReduction
// (ports a, b, p). Throws axx::UsageError when B's family has no generator.
netlist::Netlist builtin_netlist(const multipliers::Builtin& b);

// Reads operand samples from a .npy array of shape (n, 2), n >= 2, column 0 = operand A
// (activation), column 1 = operand B (weight); dtype int8, uint8, int16, uint16, int32 or int64.
// Throws axx::InputError / ParseError naming the file.
Activity read_activity_npy(const std::string& path);

struct Cost {
  std::string name;
  OperandSpec spec;
  std::size_t gates = 0;
  double area_nand2 = 0;
  unsigned depth = 0;
  double power_proxy = 0;
  // The same figures divided by those of the exact reference of the same spec.
  double area_rel = 0, power_rel = 0, depth_rel = 0;
  std::vector<std::pair<std::string, std::size_t>> cells;  // cell name -> count
  std::string activity;  // "uniform" or Activity::source
  std::size_t pairs = 0;
};

// Cost of INPUT, a netlist file (.blif, .v/.sv; behavioural Verilog through yosys) or builtin:NAME
// (builtin_netlist), read with the input options of `axx lut`; signedness by the one rule of
// lutgen/signedness.h. Throws axx::UsageError for inputs that are not netlists (C functions,
// tables) and options that do not apply, InputError/ParseError for bad input or bad activity
// values, ToolError for yosys problems.
Cost cost_of(const std::string& input, const SourceOptions& options = {}, const Activity& activity = {});

// Cost of a netlist already read; spec.is_signed says how operands (and activity values) are read,
// spec.bits_* must match the operand ports.
Cost cost_of_netlist(const netlist::Netlist& nl, const netlist::PortBinding& binding, const OperandSpec& spec,
                     const std::string& name, const Activity& activity = {});

// The numeric figures in JSON-key order (name, bits_a, bits_b, signed, cells, activity and pairs
// are not numbers of the design and are left out), so the CLI and Python build the same dict.
std::vector<std::pair<const char*, double>> cost_fields(const Cost& c);

}  // namespace axx::lutgen
