#include "multipliers/registry.h"

#include <cstdint>

// The C definitions (multipliers/c/*.c), declared from the one list in builtins.def.
#define AXX_SIGNED8(name, description) extern "C" std::int16_t name(std::int8_t a, std::int8_t b);
#define AXX_UNSIGNED8(name, description) \
  extern "C" std::uint16_t name(std::uint8_t a, std::uint8_t b);
#include "multipliers/builtins.def"
#undef AXX_SIGNED8
#undef AXX_UNSIGNED8

namespace axx::multipliers {
namespace {

// Operand values arrive as int64 (-128..127 or 0..255); the C models take the 8-bit C types the
// way published models are written, so narrow here. Narrowing a value in range is exact.
template <std::int16_t (*F)(std::int8_t, std::int8_t)>
std::int64_t call_signed8(std::int64_t a, std::int64_t b) {
  return F(static_cast<std::int8_t>(a), static_cast<std::int8_t>(b));
}

template <std::uint16_t (*F)(std::uint8_t, std::uint8_t)>
std::int64_t call_unsigned8(std::int64_t a, std::int64_t b) {
  return F(static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b));
}

}  // namespace

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> list = {
#define AXX_SIGNED8(name, description) {#name, description, 8, 8, true, &call_signed8<name>},
#define AXX_UNSIGNED8(name, description) {#name, description, 8, 8, false, &call_unsigned8<name>},
#include "multipliers/builtins.def"
#undef AXX_SIGNED8
#undef AXX_UNSIGNED8
  };
  return list;
}

const Builtin* find_builtin(std::string_view name) {
  for (const Builtin& b : builtins()) {
    if (name == b.name) return &b;
  }
  return nullptr;
}

}  // namespace axx::multipliers
