// lutgen::decompose finds every builtin's exact low-rank form, with the exact rank. The rank is
// derived here independently of decompose: Gaussian elimination of E = LUT - a*b modulo the prime
// q = 2^31 - 1 gives a lower bound on the rational rank (a minor that vanishes over the integers
// vanishes modulo q), and the form decompose returns, checked here on every entry, gives an upper
// bound. Equal bounds prove the rank, for every design the registry lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lutgen/decompose.h"
#include "lutgen/source.h"
#include "multipliers/registry.h"
#include "table_util.h"

namespace axx::multipliers {
namespace {

constexpr int kDefaultMaxRank = 8;  // decompose's default limit

class LowRankOf : public ::testing::TestWithParam<std::string> {};

TEST_P(LowRankOf, DecomposeFindsTheExactRank) {
  const Builtin& m = *find_builtin(GetParam());
  ASSERT_EQ(m.bits_a, 8);
  ASSERT_EQ(m.bits_b, 8);
  const auto value = [&](int pattern) -> std::int64_t {
    return m.is_signed ? static_cast<std::int8_t>(pattern) : pattern;
  };
  const auto table = lutgen::expand_to_256(lutgen::load_lut(std::string("builtin:") + m.name));
  const int rank = test_util::error_rank_mod_q(m);

  const auto form = lutgen::decompose(table, m.is_signed, std::max(rank, kDefaultMaxRank));
  ASSERT_TRUE(form.has_value()) << "no exact form of rank " << rank;
  EXPECT_EQ(form->rank, rank);
  EXPECT_EQ(form->is_signed, m.is_signed);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      std::int64_t want = value(a) * value(b);
      for (int r = 0; r < form->rank; ++r)
        want += std::int64_t{form->u[r * 256 + a]} * form->v[r * 256 + b];
      ASSERT_EQ(want, table[a * 256 + b]) << "[" << a << "][" << b << "]";
    }
  // Minimal: no form with fewer terms, and none within the default limit when the rank exceeds it.
  if (rank > 0) EXPECT_FALSE(lutgen::decompose(table, m.is_signed, rank - 1).has_value());
  if (rank > kDefaultMaxRank) EXPECT_FALSE(lutgen::decompose(table, m.is_signed).has_value());
}

INSTANTIATE_TEST_SUITE_P(Builtins, LowRankOf, ::testing::ValuesIn(test_util::builtin_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace axx::multipliers
