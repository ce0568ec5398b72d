// The committed headers in multipliers/generated/ (written by multipliers/regenerate.sh) still equal
// the builtins: read back through lutgen's header source, every entry, name and signedness. A
// changed design without regenerated headers fails here.
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

class GeneratedHeader : public ::testing::TestWithParam<std::string> {};

TEST_P(GeneratedHeader, EqualsTheBuiltin) {
  const Builtin& m = *find_builtin(GetParam());
  {
    const std::string path = source_path(std::string("multipliers/generated/") + m.name + ".h");
    ASSERT_TRUE(std::filesystem::exists(path)) << path << " missing: run multipliers/regenerate.sh";
    const lutgen::Lut lut = lutgen::load_lut(path);
    EXPECT_EQ(lut.name, m.name);
    EXPECT_EQ(lut.spec.is_signed, m.is_signed);
    EXPECT_EQ(lut.spec.bits_a, m.bits_a);
    EXPECT_EQ(lut.spec.bits_b, m.bits_b);
    EXPECT_EQ(first_difference(lut.table, builtin_table(m)), "");
  }
}

INSTANTIATE_TEST_SUITE_P(Builtins, GeneratedHeader, ::testing::ValuesIn(test_util::builtin_names()),
                         [](const auto& info) { return info.param; });

TEST(GeneratedHeaders, NoStaleHeaders) {
  std::set<std::string> stems;
  for (const auto& e : std::filesystem::directory_iterator(source_path("multipliers/generated"))) {
    if (e.path().extension() == ".h") stems.insert(e.path().stem().string());
  }
  for (const std::string& stem : stems) EXPECT_NE(find_builtin(stem), nullptr) << stem << ".h";
  EXPECT_EQ(stems.size(), builtins().size());
}

}  // namespace
}  // namespace axx::multipliers
