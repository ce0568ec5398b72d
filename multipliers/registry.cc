#include "multipliers/registry.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "axx/error.h"
#include "multipliers/c/families.h"

namespace axx::multipliers {
namespace {

// Citations by family, from the AXX_FAMILY lines.
#define AXX_FAMILY(family, signed_form, citation) constexpr const char* kCitation_##family = citation;
#include "multipliers/builtins.def"

// Operand values arrive as int64 (-128..127 or 0..255); the C models take the 8-bit C types the
// way published models are written, so narrow here. Narrowing a value in range is exact.
#define AXX_OPERAND_s8(x) static_cast<std::int8_t>(x)
#define AXX_OPERAND_u8(x) static_cast<std::uint8_t>(x)

// One wrapper per design: the family function with the design's arguments.
#define AXX_DESIGN(name, form, family, params, description, ...)                                 \
  std::int64_t fn_##name(std::int64_t a, std::int64_t b) {                                        \
    return axx_##family##_##form(AXX_OPERAND_##form(a), AXX_OPERAND_##form(b) __VA_OPT__(, ) __VA_ARGS__); \
  }
#include "multipliers/builtins.def"

constexpr bool kSigned_s8 = true;
constexpr bool kSigned_u8 = false;

}  // namespace

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> list = {
#define AXX_DESIGN(name, form, family, params, description, ...) \
  {#name, description, #family, params, kCitation_##family, 8, 8, kSigned_##form, &fn_##name},
#include "multipliers/builtins.def"
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
