// The low-rank encodings (emulator/common/lowrank_encoding.h) reproduce their table on every
// operand pair, on the host: the byte terms with their corrections (the x86 kernels' operands)
// and the int8 slices (the CUDA tensor-core operands, which this checks without a GPU).
#include "emulator/common/lowrank_encoding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/emulator/test_tables.h"

namespace axx::emulator {
namespace {

using testing::TestTable;

LowRankView view(const TestTable& t) { return {t.rank, t.is_signed, t.u.data(), t.v.data()}; }

// The table's entries minus the terms before first_term, modulo 2^32.
std::uint32_t terms_from(const TestTable& t, int first_term, int a, int b) {
  std::uint32_t want = static_cast<std::uint32_t>(t.lut[a * 256 + b]);
  if (first_term > 0)
    want -= static_cast<std::uint32_t>(operand_value(static_cast<std::uint8_t>(a), t.is_signed) *
                                       operand_value(static_cast<std::uint8_t>(b), t.is_signed));
  return want;
}

void expect_bytes_reproduce(const TestTable& t, int first_term, const std::string& what) {
  ByteTerms bt;
  ASSERT_TRUE(encode_bytes(view(t), first_term, bt)) << what;
  ASSERT_EQ(bt.count, t.rank + 1 - first_term) << what;
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      std::uint32_t got = bt.cx[a] + bt.cy[b] + bt.c0;
      for (int i = 0; i < bt.count; ++i) {
        const std::int64_t p = std::int64_t{bt.x[i][a]} * bt.y[i][b];
        ASSERT_LE(p < 0 ? -p : p, bt.max_product) << what;
        got += static_cast<std::uint32_t>(p);
      }
      ASSERT_EQ(got, terms_from(t, first_term, a, b)) << what << " [" << a << "][" << b << "]";
    }
}

TEST(LowRankEncoding, ByteTermsReproduceTheTable) {
  const std::vector<std::pair<std::string, TestTable>> tables = {
      {"exact signed", testing::exact_table(true)},
      {"exact unsigned", testing::exact_table(false)},
      {"truncated 4", testing::truncated_table(4, true)},
      {"offset bytes signed", testing::offset_lowrank_table(3, 3, true)},
      {"offset bytes unsigned", testing::offset_lowrank_table(4, 2, false)},
      {"small offset", testing::small_offset_table(5, 3, true)},
      {"nonpositive u", testing::ranged_lowrank_table(6, 2, true, -200, 0, -50, 60)},
      {"rank 8", testing::ranged_lowrank_table(7, 8, false, -10, 10, -100, 100)},
  };
  for (const auto& [name, t] : tables) {
    expect_bytes_reproduce(t, 0, name + ", with the product");
    if (t.rank > 0) expect_bytes_reproduce(t, 1, name + ", corrections only");
  }
}

TEST(LowRankEncoding, ByteTermsNeedFactorsSpanning256Values) {
  ByteTerms bt;
  const TestTable wide = testing::ranged_lowrank_table(9, 1, true, -3, 3, -128, 128);  // 257
  EXPECT_FALSE(encode_bytes(view(wide), 0, bt));
  const TestTable fits = testing::ranged_lowrank_table(9, 1, true, -3, 3, -128, 127);
  EXPECT_TRUE(encode_bytes(view(fits), 0, bt));
  EXPECT_FALSE(encode_bytes(view(testing::random_lowrank_table(10, 9, true)), 1, bt));  // rank 9
}

void expect_slices_reproduce(const TestTable& t, bool transposed, const std::string& what) {
  SlicePlan plan;
  ASSERT_TRUE(plan_slices(view(t), plan)) << what;
  ASSERT_LE(plan.slices, kMaxSlices);
  std::vector<std::int8_t> a_tab(plan.slices * 256), b_tab(plan.slices * 256);
  for (int x = 0; x < 256; ++x)
    ASSERT_TRUE(slice_entries(view(t), plan, x, transposed, a_tab.data(), b_tab.data())) << what;
  // transposed: the A side holds the table's column operand.
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      std::uint32_t got = 0;
      for (int s = 0; s < plan.slices; ++s)
        got += static_cast<std::uint32_t>(transposed ? a_tab[s * 256 + b] * b_tab[s * 256 + a]
                                                     : a_tab[s * 256 + a] * b_tab[s * 256 + b]);
      ASSERT_EQ(got, static_cast<std::uint32_t>(t.lut[a * 256 + b]))
          << what << " [" << a << "][" << b << "]";
    }
}

TEST(LowRankEncoding, Int8SlicesReproduceTheTable) {
  std::vector<std::int32_t> u(256), v(256);
  for (int x = 0; x < 256; ++x) {
    u[x] = (x % 7 - 3) * 256;  // a power of two to move to the other side
    v[x] = x / 4 - 64;
  }
  const std::vector<std::pair<std::string, TestTable>> tables = {
      {"exact signed", testing::exact_table(true)},
      {"exact unsigned", testing::exact_table(false)},  // val(a) up to 255: split in parts
      {"random rank 4", testing::random_lowrank_table(11, 4, true)},
      {"truncated 6 unsigned", testing::truncated_table(6, false)},
      {"wide factors", testing::ranged_lowrank_table(12, 2, false, -200, 300, -300, 100)},
      {"shifted factor", testing::from_form(true, 1, u, v)},
  };
  for (const auto& [name, t] : tables)
    for (bool transposed : {false, true})
      expect_slices_reproduce(t, transposed, name + (transposed ? ", transposed" : ""));
}

// Rank 1 with odd factors (no power of two to move): u = +-fu, v = +-fv alternating.
TestTable odd_rank1(std::int32_t fu, std::int32_t fv) {
  std::vector<std::int32_t> u(256), v(256);
  for (int x = 0; x < 256; ++x) {
    u[x] = x % 2 ? fu : -fu;
    v[x] = x % 2 ? fv : -fv;
  }
  return testing::from_form(true, 1, u, v);
}

TEST(LowRankEncoding, SlicePlansDeclineWhatTheyCannotHold) {
  SlicePlan plan;
  std::vector<std::int32_t> u(256, 1 << 20), v(256, 1 << 20);  // 2^40 per product
  EXPECT_FALSE(plan_slices(view(testing::from_form(true, 1, u, v)), plan));
  // 3 x 315 parts for the rank-1 term: 1 + 945 slices > kMaxSlices.
  EXPECT_FALSE(plan_slices(view(odd_rank1(255, 40001)), plan));
  // Rank 64 with u in [-300, 300] (3 parts) and v in [-600, 600] (5 parts): 1 + 64 x 15 = 961.
  EXPECT_FALSE(plan_slices(view(testing::ranged_lowrank_table(21, 64, true, -300, 300, -600, 600)),
                           plan));
  // Rank 65: more terms than a plan holds, even with int8-ready factors.
  const TestTable t65 = testing::random_lowrank_table(17, 65, true);
  EXPECT_FALSE(plan_slices(view(t65), plan));
}

// Rank 64 with int8-ready factors: 65 slices, one per term, each reproducing its term.
TEST(LowRankEncoding, Rank64PlansOneSlicePerTerm) {
  TestTable t = testing::ranged_lowrank_table(19, 64, true, -127, 127, -128, 127);
  SlicePlan plan;
  ASSERT_TRUE(plan_slices(view(t), plan));
  EXPECT_EQ(plan.slices, 65);
  EXPECT_EQ(plan.n_terms, 65);
  std::vector<std::int8_t> a_tab(plan.slices * 256), b_tab(plan.slices * 256);
  for (int x = 0; x < 256; ++x)
    ASSERT_TRUE(slice_entries(view(t), plan, x, false, a_tab.data(), b_tab.data()));
}

// Plans beyond the 160 slices the CUDA gather kernels once held in static shared memory: each
// slice table reproduces the form exactly, up to kMaxSlices.
TEST(LowRankEncoding, WideFactorsPlanUpToTheLimit) {
  SlicePlan plan;
  // Rank 64, v in [-300, 300]: three parts per term, 1 + 64 x 3 = 193 slices.
  const TestTable r64 = testing::ranged_lowrank_table(22, 64, true, -64, 64, -300, 300);
  ASSERT_TRUE(plan_slices(view(r64), plan));
  EXPECT_EQ(plan.slices, 193);
  expect_slices_reproduce(r64, false, "rank 64, 193 slices");
  expect_slices_reproduce(r64, true, "rank 64, 193 slices, transposed");
  // Unsigned, both factors in [-300, 300]: 3 x 3 parts per term; val(a) in 0..255 takes 2.
  const TestTable r64w = testing::ranged_lowrank_table(23, 64, false, -300, 300, -300, 300);
  ASSERT_TRUE(plan_slices(view(r64w), plan));
  EXPECT_EQ(plan.slices, 4 + 64 * 9);
  expect_slices_reproduce(r64w, true, "rank 64, 580 slices, transposed");
  // Odd factors, no rebalancing: 1 + 3 x 63 = 190 slices.
  ASSERT_TRUE(plan_slices(view(odd_rank1(255, 8001)), plan));
  EXPECT_EQ(plan.slices, 190);
  expect_slices_reproduce(odd_rank1(255, 8001), false, "3 x 63 parts");
  // Exactly kMaxSlices: v = +-109601 = 863 x 127 takes 863 parts, plus the product's slice;
  // one more part is one slice too many.
  static_assert(kMaxSlices == 864, "the limit cases below assume 864 slices");
  const TestTable at_limit = odd_rank1(1, 863 * 127);
  ASSERT_TRUE(plan_slices(view(at_limit), plan));
  EXPECT_EQ(plan.slices, kMaxSlices);
  expect_slices_reproduce(at_limit, false, "kMaxSlices slices");
  EXPECT_FALSE(plan_slices(view(odd_rank1(1, 863 * 127 + 2)), plan));
}

TEST(LowRankEncoding, StaleTablesAreReported) {
  TestTable t = testing::random_lowrank_table(13, 2, true);
  SlicePlan plan;
  ASSERT_TRUE(plan_slices(view(t), plan));
  t.u[5] = 1 << 20;  // another form behind the same pointers: the plan's parts cannot hold it
  std::vector<std::int8_t> a_tab(plan.slices * 256), b_tab(plan.slices * 256);
  EXPECT_TRUE(slice_entries(view(t), plan, 4, false, a_tab.data(), b_tab.data()));
  EXPECT_FALSE(slice_entries(view(t), plan, 5, false, a_tab.data(), b_tab.data()));
}

}  // namespace
}  // namespace axx::emulator
