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

constexpr std::uint64_t kQ = (std::uint64_t{1} << 31) - 1;
constexpr int kDefaultMaxRank = 8;  // decompose's default limit

std::uint64_t mod_q(std::int64_t x) {
  const std::int64_t r = x % static_cast<std::int64_t>(kQ);
  return static_cast<std::uint64_t>(r < 0 ? r + static_cast<std::int64_t>(kQ) : r);
}

std::uint64_t pow_q(std::uint64_t a, std::uint64_t e) {
  std::uint64_t r = 1;
  for (; e; e >>= 1, a = a * a % kQ)
    if (e & 1) r = r * a % kQ;
  return r;
}

// Rank of the 256x256 matrix m modulo q (products of two residues < 2^31 fit 64 bits).
int rank_mod_q(std::vector<std::uint64_t> m) {
  int rank = 0;
  for (int col = 0; col < 256 && rank < 256; ++col) {
    int pivot = rank;
    while (pivot < 256 && m[pivot * 256 + col] == 0) ++pivot;
    if (pivot == 256) continue;
    for (int c = 0; c < 256; ++c) std::swap(m[rank * 256 + c], m[pivot * 256 + c]);
    const std::uint64_t inv = pow_q(m[rank * 256 + col], kQ - 2);
    for (int r = rank + 1; r < 256; ++r) {
      const std::uint64_t f = m[r * 256 + col] * inv % kQ;
      if (f == 0) continue;
      for (int c = col; c < 256; ++c)
        m[r * 256 + c] = (m[r * 256 + c] + (kQ - f) * m[rank * 256 + c]) % kQ;
    }
    ++rank;
  }
  return rank;
}

class LowRankOf : public ::testing::TestWithParam<std::string> {};

TEST_P(LowRankOf, DecomposeFindsTheExactRank) {
  const Builtin& m = *find_builtin(GetParam());
  ASSERT_EQ(m.bits_a, 8);
  ASSERT_EQ(m.bits_b, 8);
  const auto value = [&](int pattern) -> std::int64_t {
    return m.is_signed ? static_cast<std::int8_t>(pattern) : pattern;
  };
  const auto table = lutgen::expand_to_256(lutgen::load_lut(std::string("builtin:") + m.name));
  std::vector<std::uint64_t> error(256 * 256);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) error[a * 256 + b] = mod_q(table[a * 256 + b] - value(a) * value(b));
  const int rank = rank_mod_q(std::move(error));

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
