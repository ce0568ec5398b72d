// The rank classes docs/multipliers.md states, as lutgen::decompose finds them: structured designs
// (truncation, broken array, perforation) and DRUM have a low exact rank, so the emulator runs them
// as exact GEMMs; Mitchell and the lower-part OR design do not. A design change that moves a
// multiplier between the emulator's paths fails here.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "lutgen/decompose.h"
#include "lutgen/source.h"
#include "multipliers/registry.h"
#include "table_util.h"

namespace axx::multipliers {
namespace {

// Exact rank of E = LUT - a*b for every builtin (0: exact).
const std::map<std::string, int> kRank = {
    {"mul8s_exact", 0},    {"mul8u_exact", 0},   {"mul8s_trunc4", 4},    {"mul8s_trunc6c", 7},
    {"mul8s_trunc8", 9},   {"mul8u_trunc6", 6},  {"mul8s_bam_h1v6", 6},  {"mul8s_perf2", 1},
    {"mul8s_lor6", 57},    {"mul8s_drum6", 2},   {"mul8s_drum4", 2},     {"mul8u_drum4", 2},
    {"mul8s_mitchell", 63}, {"mul8u_mitchell", 127},
};

TEST(LowRank, EveryBuiltinHasADocumentedRank) {
  EXPECT_EQ(kRank.size(), builtins().size());
  for (const Builtin& m : builtins()) EXPECT_TRUE(kRank.count(m.name)) << m.name;
}

class LowRankOf : public ::testing::TestWithParam<std::string> {};

TEST_P(LowRankOf, DecomposeFindsTheDocumentedRank) {
  const Builtin& m = *find_builtin(GetParam());
  ASSERT_TRUE(kRank.count(m.name));
  const int rank = kRank.at(m.name);
  const auto table = lutgen::expand_to_256(lutgen::load_lut(std::string("builtin:") + m.name));
  if (rank <= 8) {
    const auto form = lutgen::decompose(table, m.is_signed);
    ASSERT_TRUE(form.has_value());
    EXPECT_EQ(form->rank, rank);
    EXPECT_EQ(form->is_signed, m.is_signed);
  } else {
    // Above the default limit: no form with 8 terms, none with RANK - 1, one with RANK.
    EXPECT_FALSE(lutgen::decompose(table, m.is_signed).has_value());
    EXPECT_FALSE(lutgen::decompose(table, m.is_signed, rank - 1).has_value());
    const auto form = lutgen::decompose(table, m.is_signed, rank);
    ASSERT_TRUE(form.has_value());
    EXPECT_EQ(form->rank, rank);
  }
}

INSTANTIATE_TEST_SUITE_P(Builtins, LowRankOf, ::testing::ValuesIn(test_util::builtin_names()),
                         [](const auto& info) { return info.param; });

// The perforated design's form is the one the docs give: E = -a * (b & 3), one term.
TEST(LowRank, PerforatedFormReproducesTheTable) {
  const Builtin& m = *find_builtin("mul8s_perf2");
  const auto table = lutgen::expand_to_256(lutgen::load_lut("builtin:mul8s_perf2"));
  const auto form = lutgen::decompose(table, true);
  ASSERT_TRUE(form.has_value());
  ASSERT_EQ(form->rank, 1);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      const std::int64_t va = static_cast<std::int8_t>(a), vb = static_cast<std::int8_t>(b);
      ASSERT_EQ(va * vb + std::int64_t{form->u[a]} * form->v[b], m.fn(va, vb)) << a << " " << b;
    }
}

}  // namespace
}  // namespace axx::multipliers
