// Bounds on what the netlist readers accept (docs/formats-netlist.md, "Limits"). Input beyond
// them is bad input with a message naming the place, never a crash, a hang or exhausted memory.
#pragma once
#include <cstddef>

namespace axx::netlist::detail {

// The deepest expression (nested parentheses, operator chains, unary operators, selects) and the
// deepest module / model hierarchy. The readers are recursive descents; these bounds, times the
// stack one level takes, fit in the stack they run on (deep_stack.h).
constexpr std::size_t kMaxNestingDepth = 50000;
constexpr std::size_t kMaxHierarchyDepth = 50000;

// Nets and gates of the flattened netlist (a hierarchy that instantiates each module twice
// doubles per level), and the widest net or expression, in bits.
constexpr std::size_t kMaxNets = std::size_t{1} << 25;
constexpr std::size_t kMaxGates = std::size_t{1} << 24;
constexpr long kMaxBits = 1L << 16;

}  // namespace axx::netlist::detail
