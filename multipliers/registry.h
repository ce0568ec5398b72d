// The built-in multiplier library: behavioural C family functions the project wrote
// (multipliers/c/FAMILY.c), each design one AXX_DESIGN line in multipliers/builtins.def fixing its
// family's parameters. lutgen's `builtin:NAME` source (and so any header: `axx lut builtin:NAME`),
// `axx list`, docs/multipliers.md and the tables compiled into programs (table_256) are all made
// from this registry.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace axx::multipliers {

struct Builtin {
  const char* name;         // e.g. "mul8s_exact"; unique
  const char* description;  // one line: the idea
  const char* family;       // e.g. "drum" (multipliers/c/drum.c)
  const char* params;       // space-separated key=value list, e.g. "k=5"; "" for none
  const char* citation;     // the family's source in the literature
  int bits_a;
  int bits_b;
  bool is_signed;           // operands (and product) are two's complement
  // Product of two operand VALUES (signed values for signed designs: -128..127 for 8 bits;
  // 0..255 for unsigned ones). Defined for every value in range; the result fits in int32.
  std::int64_t (*fn)(std::int64_t a, std::int64_t b);
};

// Every built-in design, in registration order.
const std::vector<Builtin>& builtins();

// The design called NAME, or nullptr when there is none.
const Builtin* find_builtin(std::string_view name);

// M's table in the emulator's layout (emulator/emulator.h): 256 x 256 int32, row = A's 8-bit
// pattern, column = B's, lut[a_pattern * 256 + b_pattern]. Evaluated from fn on first use and kept
// for the life of the program, so a program that links this library has every built-in table
// without reading files. M must be an 8x8 design of builtins().
const std::int32_t* table_256(const Builtin& m);

}  // namespace axx::multipliers
