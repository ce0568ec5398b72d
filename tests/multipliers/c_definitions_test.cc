// Every builtin equals its plain-C definition (multipliers/c/NAME.c) compiled on its own by
// lutgen's C-function source (system cc + dlopen), on all operand pairs: the registry's wrappers
// (value narrowing, signedness) and the registration lines cannot drift from the C models.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "lutgen/source.h"
#include "multipliers/registry.h"
#include "table_util.h"

namespace axx::multipliers {
namespace {

using test_util::builtin_table;
using test_util::first_difference;
using test_util::source_path;

class CDefinition : public ::testing::TestWithParam<std::string> {};

TEST_P(CDefinition, EqualsTheBuiltin) {
  const Builtin& m = *find_builtin(GetParam());
  {
    const std::string path = source_path(std::string("multipliers/c/") + m.name + ".c");
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    // No --signed/--unsigned: the C source takes signedness from the parameter type, which must
    // agree with the registration line.
    const lutgen::Lut lut = lutgen::load_lut(path);
    EXPECT_EQ(lut.spec.is_signed, m.is_signed);
    EXPECT_EQ(lut.spec.bits_a, m.bits_a);
    EXPECT_EQ(lut.spec.bits_b, m.bits_b);
    EXPECT_EQ(first_difference(lut.table, builtin_table(m)), "");
  }
}

INSTANTIATE_TEST_SUITE_P(Builtins, CDefinition, ::testing::ValuesIn(test_util::builtin_names()),
                         [](const auto& info) { return info.param; });

TEST(CDefinitions, EveryCFileIsRegistered) {
  std::set<std::string> stems;
  for (const auto& e : std::filesystem::directory_iterator(source_path("multipliers/c"))) {
    if (e.path().extension() == ".c") stems.insert(e.path().stem().string());
  }
  for (const std::string& stem : stems) EXPECT_NE(find_builtin(stem), nullptr) << stem << ".c";
  EXPECT_EQ(stems.size(), builtins().size());
}

}  // namespace
}  // namespace axx::multipliers
