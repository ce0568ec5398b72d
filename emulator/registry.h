// The compiled-in table registry: the built-in multipliers' generated headers
// (multipliers/generated/NAME.h) compiled into the emulator library and listed by name, so a
// program that links only the emulator has every built-in table without files or other axx
// libraries (DESIGN.md, data flow). Tables are data: adding one is a header plus one line in
// registry.cc.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace axx::emulator {

struct CompiledTable {
  const char* name;         // the builtin's name, e.g. "mul8s_exact"
  const char* description;  // one line
  bool is_signed;           // operand patterns are two's complement
  const std::int32_t* lut;  // 256x256, lut[a_pattern * 256 + b_pattern] (emulator.h layout)
};

// Every compiled-in table, in registration order.
const std::vector<CompiledTable>& compiled_tables();

// The table called NAME, or nullptr when there is none.
const CompiledTable* find_compiled_table(std::string_view name);

}  // namespace axx::emulator
