// Every builtin equals its plain-C model compiled on its own by lutgen's C-function source (system
// cc + dlopen), on all operand pairs: a two-line C file includes the family's multipliers/c/FAMILY.c
// and defines NAME(a, b) as the family function with the arguments of the design's builtins.def
// line, the model a user gets for any design. The registry's wrappers (value narrowing,
// signedness) and the X-macro expansion cannot drift from the C models.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "design_lines.h"
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
  const test_util::DesignLine* line = test_util::find_line(m.name);
  ASSERT_NE(line, nullptr);
  const std::string family_c = source_path("multipliers/c/" + line->family + ".c");
  ASSERT_TRUE(std::filesystem::exists(family_c)) << family_c;
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / ("axx_cdef_" + line->name);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / (line->name + ".c")).string();
  {
    const bool s = line->form == "s8";
    const std::string ret = s ? "int16_t" : "uint16_t", op = s ? "int8_t" : "uint8_t";
    std::ofstream out(path);
    out << "#include \"" << family_c << "\"\n"
        << ret << " " << line->name << "(" << op << " a, " << op << " b) { return (" << ret << ")axx_"
        << line->family << "_" << line->form << "(a, b" << (line->args.empty() ? "" : ", " + line->args) << "); }\n";
  }
  lutgen::SourceOptions options;
  options.func = line->name;  // no --signed/--unsigned: the parameter types decide
  const lutgen::Lut lut = lutgen::load_lut(path, options);
  EXPECT_EQ(lut.spec.is_signed, m.is_signed);
  EXPECT_EQ(lut.spec.bits_a, m.bits_a);
  EXPECT_EQ(lut.spec.bits_b, m.bits_b);
  EXPECT_EQ(first_difference(lut.table, builtin_table(m)), "");
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Builtins, CDefinition, ::testing::ValuesIn(test_util::builtin_names()),
                         [](const auto& info) { return info.param; });

// Every family file in multipliers/c has its AXX_FAMILY line and designs, and every family line
// its file.
TEST(CDefinitions, EveryFamilyFileIsRegistered) {
  std::set<std::string> stems, used;
  for (const auto& e : std::filesystem::directory_iterator(source_path("multipliers/c")))
    if (e.path().extension() == ".c") stems.insert(e.path().stem().string());
  for (const Builtin& b : builtins()) used.insert(b.family);
  for (const std::string& stem : stems) {
    EXPECT_NE(test_util::find_family(stem), nullptr) << stem << ".c has no AXX_FAMILY line";
    EXPECT_TRUE(used.count(stem)) << stem << ".c has no design";
  }
  for (const auto& f : test_util::family_lines()) EXPECT_TRUE(stems.count(f.family)) << f.family << ".c missing";
  EXPECT_EQ(stems.size(), test_util::family_lines().size());
}

}  // namespace
}  // namespace axx::multipliers
