#include "multipliers/registry.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "axx/error.h"

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

const std::int32_t* table_256(const Builtin& m) {
  const std::vector<Builtin>& list = builtins();
  if (&m < list.data() || &m >= list.data() + list.size() || m.bits_a != 8 || m.bits_b != 8)
    throw UsageError(std::string("table_256: ") + m.name + " is not an 8x8 design of builtins()");
  struct Slot {
    std::once_flag once;
    std::unique_ptr<std::int32_t[]> lut;
  };
  static const std::unique_ptr<Slot[]> slots(new Slot[list.size()]);
  Slot& slot = slots[static_cast<std::size_t>(&m - list.data())];
  std::call_once(slot.once, [&] {
    slot.lut.reset(new std::int32_t[256 * 256]);
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        const std::int64_t va = m.is_signed ? static_cast<std::int8_t>(a) : a;
        const std::int64_t vb = m.is_signed ? static_cast<std::int8_t>(b) : b;
        slot.lut[a * 256 + b] = static_cast<std::int32_t>(m.fn(va, vb));
      }
  });
  return slot.lut.get();
}

}  // namespace axx::multipliers
