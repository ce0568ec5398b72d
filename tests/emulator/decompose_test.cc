// lutgen::decompose: the exact rank and a verified integer form on constructed tables, rejection
// of random ones, and the form driving the emulator's low-rank path bit-exactly.
#include "lutgen/decompose.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "axx/error.h"
#include "emulator/emulator.h"
#include "tests/emulator/test_tables.h"

namespace axx::lutgen {
namespace {

namespace et = axx::emulator::testing;

// Every entry, in 128-bit arithmetic.
void expect_reproduces(const et::TestTable& t, const LowRankForm& f) {
  ASSERT_EQ(f.u.size(), static_cast<std::size_t>(f.rank) * 256);
  ASSERT_EQ(f.v.size(), static_cast<std::size_t>(f.rank) * 256);
  EXPECT_EQ(f.is_signed, t.is_signed);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      __int128 s = static_cast<__int128>(axx::emulator::operand_value(a, t.is_signed)) *
                   axx::emulator::operand_value(b, t.is_signed);
      for (int r = 0; r < f.rank; ++r)
        s += static_cast<__int128>(f.u[r * 256 + a]) * f.v[r * 256 + b];
      ASSERT_TRUE(s == t.lut[a * 256 + b]) << "a=" << a << " b=" << b;
    }
}

TEST(Decompose, ExactProductHasRankZero) {
  for (bool s : {true, false}) {
    const auto t = et::exact_table(s);
    const auto f = decompose(t.lut, s);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->rank, 0);
    expect_reproduces(t, *f);
  }
}

TEST(Decompose, TruncatedMultipliersHaveRankT) {
  for (bool s : {true, false})
    for (int t = 1; t <= 6; ++t) {
      const auto tab = et::truncated_table(t, s);
      const auto f = decompose(tab.lut, s);
      ASSERT_TRUE(f.has_value()) << "t=" << t;
      EXPECT_EQ(f->rank, t);
      expect_reproduces(tab, *f);
    }
}

TEST(Decompose, RandomFactorsGiveTheirRankWithSmallTables) {
  for (int r = 1; r <= 6; ++r)
    for (bool s : {true, false}) {
      const auto tab = et::random_lowrank_table(100 + r, r, s);
      const auto f = decompose(tab.lut, s);
      ASSERT_TRUE(f.has_value()) << "rank " << r;
      EXPECT_EQ(f->rank, r);
      expect_reproduces(tab, *f);
      for (auto x : f->u) EXPECT_LE(std::abs(x), 32767);
      for (auto x : f->v) EXPECT_LE(std::abs(x), 32767);
    }
}

TEST(Decompose, RankAboveTheLimitIsRejected) {
  const auto tab = et::random_lowrank_table(7, 5, true);
  EXPECT_FALSE(decompose(tab.lut, true, 4).has_value());
  const auto f = decompose(tab.lut, true, 5);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->rank, 5);
}

TEST(Decompose, RandomTablesAreRejected) {
  for (std::uint32_t seed : {1u, 2u}) {
    const auto tab = et::random_table(seed, -100, 100, true);
    EXPECT_FALSE(decompose(tab.lut, true).has_value());
  }
  // A single changed entry of an exact table is a rank-1 error, not more.
  auto tab = et::exact_table(true);
  tab.lut[3 * 256 + 250] += 5;
  const auto f = decompose(tab.lut, true);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->rank, 1);
  expect_reproduces(tab, *f);
}

TEST(Decompose, IntegerFormWhenNoRowOrColumnIsABasis) {
  // E = u v^T with entries in {0, 2, 3}: every row of E is 2v or 3v and every column 2u or 3u, so
  // neither rows nor columns give integer coefficients; the lattice basis does (rank 1).
  std::vector<std::int32_t> u(256), v(256);
  for (int x = 0; x < 256; ++x) {
    u[x] = (x % 3 == 0) ? 0 : (x % 3 == 1 ? 2 : 3);
    v[x] = (x % 5 == 0) ? 0 : (x % 2 ? 2 : 3);
  }
  const auto tab = et::from_form(true, 1, u, v);
  const auto f = decompose(tab.lut, true);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->rank, 1);
  expect_reproduces(tab, *f);
}

TEST(Decompose, WrongSizeIsAUsageError) {
  try {
    decompose(std::vector<std::int32_t>(100), true);
    ADD_FAILURE() << "no error";
  } catch (const axx::UsageError& e) {
    EXPECT_STREQ(e.what(), "decompose: the table must have 256x256 entries, got 100");
  }
}

TEST(Decompose, FormDrivesTheLowRankGemmBitExactly) {
  std::mt19937 rng(9);
  for (int r : {1, 3, 4}) {
    const auto tab = et::random_lowrank_table(200 + r, r, true);
    const auto f = decompose(tab.lut, true);
    ASSERT_TRUE(f.has_value());
    const std::int64_t M = 37, N = 45, K = 77;
    std::vector<std::uint8_t> A(M * K), B(K * N);
    for (auto& x : A) x = static_cast<std::uint8_t>(rng());
    for (auto& x : B) x = static_cast<std::uint8_t>(rng());
    // The output starts poisoned: a path that skipped some entries cannot pass on zeros.
    std::vector<std::int32_t> c_ref(M * N), c_lr(M * N, 0x5a5a5a5a);
    for (std::int64_t i = 0; i < M; ++i)
      for (std::int64_t j = 0; j < N; ++j) {
        std::uint32_t acc = 0;
        for (std::int64_t k = 0; k < K; ++k)
          acc += static_cast<std::uint32_t>(tab.lut[A[i * K + k] * 256 + B[k * N + j]]);
        c_ref[i * N + j] = static_cast<std::int32_t>(acc);
      }
    axx::emulator::GemmProblem p;
    p.M = M;
    p.N = N;
    p.K = K;
    p.A = A.data();
    p.lda = K;
    p.B = B.data();
    p.ldb = N;
    p.ldc = N;
    axx::emulator::TableRef table;
    table.lut = tab.lut.data();
    table.lowrank = {f->rank, f->is_signed, f->u.data(), f->v.data()};
    p.C = c_lr.data();
    axx::emulator::gemm_cpu(table, p, axx::emulator::Path::LowRank);
    EXPECT_EQ(c_lr, c_ref) << "rank " << r;
  }
}

}  // namespace
}  // namespace axx::lutgen
