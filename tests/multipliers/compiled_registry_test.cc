// The emulator's compiled-in registry (emulator/registry.cc) lists every builtin, with the same
// description and signedness, and its 256x256 tables equal the builtins in the emulator's layout
// lut[a_pattern * 256 + b_pattern].
#include "emulator/registry.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "multipliers/registry.h"
#include "table_util.h"

namespace axx::multipliers {
namespace {

using emulator::CompiledTable;
using emulator::compiled_tables;
using emulator::find_compiled_table;
using test_util::first_difference;

TEST(CompiledRegistry, ListsEveryBuiltinInOrder) {
  ASSERT_EQ(compiled_tables().size(), builtins().size());
  for (std::size_t i = 0; i < builtins().size(); ++i) {
    const CompiledTable& t = compiled_tables()[i];
    const Builtin& m = builtins()[i];
    EXPECT_STREQ(t.name, m.name);
    EXPECT_STREQ(t.description, m.description);
    EXPECT_EQ(t.is_signed, m.is_signed);
    EXPECT_EQ(find_compiled_table(m.name), &t);
  }
  EXPECT_EQ(find_compiled_table("mul8s_nonexistent"), nullptr);
}

TEST(CompiledRegistry, TablesEqualTheBuiltins) {
  for (const Builtin& m : builtins()) {
    SCOPED_TRACE(m.name);
    const CompiledTable* t = find_compiled_table(m.name);
    ASSERT_NE(t, nullptr);
    ASSERT_NE(t->lut, nullptr);
    std::vector<std::int32_t> want(256 * 256);
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        const std::int64_t va = m.is_signed ? static_cast<std::int8_t>(a) : a;
        const std::int64_t vb = m.is_signed ? static_cast<std::int8_t>(b) : b;
        want[a * 256 + b] = static_cast<std::int32_t>(m.fn(va, vb));
      }
    EXPECT_EQ(first_difference(std::vector<std::int32_t>(t->lut, t->lut + 256 * 256), want), "");
  }
}

TEST(CompiledRegistry, SpotValues) {
  const CompiledTable* s = find_compiled_table("mul8s_exact");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->lut[0x80 * 256 + 0x80], 16384);  // -128 * -128
  EXPECT_EQ(s->lut[0xFF * 256 + 0x02], -2);     // -1 * 2
  const CompiledTable* u = find_compiled_table("mul8u_exact");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->lut[0xFF * 256 + 0xFF], 65025);  // does not fit int16: the header stores int32
}

}  // namespace
}  // namespace axx::multipliers
