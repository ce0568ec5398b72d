// Hardware cost of a multiplier netlist (docs/cost.md): the product's cone mapped onto a small
// standard-cell vocabulary, its area in NAND2 equivalents, its depth in logic levels, and a
// dynamic-power proxy from per-net toggle counts over a stream of operand pairs.
//
// The flow, the same for every netlist so that two netlists can be compared:
//   1. sweep: only the cone of the product port; constants propagated, duplicate gates merged,
//      n-ary gates split into balanced trees of 2-input gates (an And-Xor-Mux graph with
//      complemented edges);
//   2. cell mapping: every node becomes one cell of cell_library() (INV, NAND2, NOR2, AND2, OR2,
//      XOR2, XNOR2, MUX2), the polarity of each node chosen to need the fewest inverters;
//      buffers and constants are wires and cost nothing;
//   3. cost: cell count, summed cell areas, longest path in cells, and switched load per pair.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "netlist_sim/netlist.h"
#include "netlist_sim/simulator.h"

namespace axx::netlist {

// One cell of the costing vocabulary. Areas are the X1 cells of the Nangate 45 nm Open Cell
// Library (docs/cost.md cites them), in µm² and divided by NAND2_X1's.
struct CellType {
  GateOp op;              // Not, And, Nand, Or, Nor, Xor, Xnor (2 inputs) or Mux (sel, when0, when1)
  const char* name;       // "INV", "NAND2", ...
  const char* library_cell;
  double area_um2;
  double area_nand2;
};

// The vocabulary, cheapest first.
const std::vector<CellType>& cell_library();

// The cell a mapped gate is; nullptr for the free Const0/Const1/Buf and for n-ary gates.
const CellType* cell_of(const Gate& g);

// Steps 1 and 2: the product's cone as library cells. The result has the operand ports A and B
// and the product port only (same names and widths), computes the same function, and contains
// only cells of cell_library() plus Const0/Const1 gates for constant output bits. Throws like
// simulate_exhaustive when ports do not resolve or another input drives the product.
Netlist map_to_cells(const Netlist& nl, const PortBinding& binding = {});

struct StructuralCost {
  std::size_t gates = 0;    // cells
  double area_nand2 = 0;    // sum of CellType::area_nand2
  unsigned depth = 0;       // most cells on a path from an input to an output bit
  std::vector<std::pair<std::string, std::size_t>> cells;  // CellType::name -> count, library order, nonzero
};

// Cost of a mapped netlist (map_to_cells' result). Throws axx::InputError for a gate that is not
// a library cell.
StructuralCost structural_cost(const Netlist& cells);

// Unit-load switched capacitance of every net (docs/cost.md): 1 when a cell drives it, plus 1 per
// cell input pin reading it, plus 1 per product-port bit it drives.
std::vector<std::uint32_t> net_loads(const Netlist& cells, const PortBinding& binding = {});

// Toggles of every net between consecutive operand pairs (a[i], b[i]) -> (a[i+1], b[i+1]),
// summed over the stream; a, b hold raw operand bit patterns.
std::vector<std::uint64_t> count_toggles(const Netlist& nl, const PortBinding& binding,
                                         const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

// sum over nets of net_loads * count_toggles, divided by the number of transitions (pairs - 1):
// the switched load per operand pair. Needs at least two pairs.
double power_proxy(const Netlist& cells, const PortBinding& binding, const std::vector<std::uint64_t>& a,
                   const std::vector<std::uint64_t>& b);

}  // namespace axx::netlist
