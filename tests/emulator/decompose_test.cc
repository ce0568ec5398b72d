// lutgen::decompose: the exact rank and a verified integer form on constructed tables, rejection
// of random ones, and the form driving the emulator's low-rank path bit-exactly.
#include "lutgen/decompose.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

#include "axx/error.h"
#include "emulator/common/lowrank_encoding.h"
#include "emulator/emulator.h"
#include "multipliers/registry.h"
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

// Ranks 9..64 (published approximate multipliers reach ranks 5..60): the exact rank, a form that
// reproduces every entry, found in under a second per table. decompose is single-threaded; the
// time is the process's CPU time, so that a loaded test machine does not fail the test.
// A sanitizer build (make test-asan, docs/testing.md) runs this code several times slower; the
// bound is on the algorithm, so the time is scaled back.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double kInstrumentation = 5.0;
#else
constexpr double kInstrumentation = 1.0;
#endif
using Clock = std::clock_t;
double seconds_since(Clock t0) {
  return static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC / kInstrumentation;
}

TEST(Decompose, HighRanksUpTo64AreFoundQuickly) {
  for (int r : {9, 12, 16, 24, 32, 40, 49, 56, 64})
    for (bool s : {true, false}) {
      const auto tab = et::random_lowrank_table(300 + r, r, s);
      const Clock t0 = std::clock();
      const auto f = decompose(tab.lut, s, 64);
      const double dt = seconds_since(t0);
      ASSERT_TRUE(f.has_value()) << "rank " << r;
      EXPECT_EQ(f->rank, r);
      expect_reproduces(tab, *f);
      EXPECT_LT(dt, 1.0) << "rank " << r << " signed " << s;
      // A reduced lattice basis: factors as small as the ones the table was built from.
      for (auto x : f->u) EXPECT_LE(std::abs(x), 127) << "rank " << r;
      for (auto x : f->v) EXPECT_LE(std::abs(x), 128) << "rank " << r;
    }
}

// Factors from {0, 2, 3} (and {0, 3, 5} on the other side): no choice of R rows or R columns of E
// gives integer coefficients, only a basis of the row lattice does.
et::TestTable rational_only_table(std::uint32_t seed, int rank, bool is_signed) {
  std::mt19937 rng(seed);
  std::vector<std::int32_t> u(rank * 256), v(rank * 256);
  for (auto& x : u) x = std::array<int, 3>{0, 2, 3}[rng() % 3];
  for (auto& x : v) x = std::array<int, 3>{0, 3, 5}[rng() % 3];
  return et::from_form(is_signed, rank, std::move(u), std::move(v));
}

TEST(Decompose, RationalOnlyHighRanksGetALatticeBasisQuickly) {
  for (int r : {2, 5, 9, 16, 33, 49, 64}) {
    const auto tab = rational_only_table(400 + r, r, true);
    const Clock t0 = std::clock();
    const auto f = decompose(tab.lut, true, 64);
    const double dt = seconds_since(t0);
    ASSERT_TRUE(f.has_value()) << "rank " << r;
    EXPECT_EQ(f->rank, r);
    expect_reproduces(tab, *f);
    EXPECT_LT(dt, 1.0) << "rank " << r;
  }
}

TEST(Decompose, RankAbove64IsRejectedQuickly) {
  const auto tab = et::random_lowrank_table(65, 65, true);
  const Clock t0 = std::clock();
  EXPECT_FALSE(decompose(tab.lut, true, 64).has_value());
  EXPECT_LT(seconds_since(t0), 1.0);
  const auto rnd = et::random_table(3, -30000, 30000, false);
  EXPECT_FALSE(decompose(rnd.lut, false, 64).has_value());
}

TEST(Decompose, WrongSizeIsAUsageError) {
  try {
    decompose(std::vector<std::int32_t>(100), true);
    ADD_FAILURE() << "no error";
  } catch (const axx::UsageError& e) {
    EXPECT_STREQ(e.what(), "decompose: the table must have 256x256 entries, got 100");
  }
}

// The found form drives the CPU GEMM: ranks the CPU low-rank kernels take (<= 8) run there, higher
// ranks fall back to the LUT kernel; every path equals a plain integer loop (outputs poisoned).
TEST(Decompose, FormDrivesTheLowRankGemmBitExactly) {
  std::mt19937 rng(9);
  for (int r : {1, 3, 4, 8, 9, 20, 64}) {
    const auto tab = et::random_lowrank_table(200 + r, r, true);
    const auto f = decompose(tab.lut, true, 64);
    ASSERT_TRUE(f.has_value());
    ASSERT_EQ(f->rank, r);
    const std::int64_t M = 37, N = 45, K = 77;
    std::vector<std::uint8_t> A(M * K), B(K * N);
    for (auto& x : A) x = static_cast<std::uint8_t>(rng());
    for (auto& x : B) x = static_cast<std::uint8_t>(rng());
    std::vector<std::int32_t> c_ref(M * N);
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
    for (auto path : {axx::emulator::Path::LowRank, axx::emulator::Path::Auto}) {
      std::vector<std::int32_t> c(M * N, static_cast<std::int32_t>(0xA5A5A5A5));
      p.C = c.data();
      axx::emulator::gemm_cpu(table, p, path);
      EXPECT_EQ(c, c_ref) << "rank " << r;
    }
  }
}

// The CUDA low-rank path's int8 slice plan of every built-in design's exact form (rank <= 64),
// printed one line per design (name, rank, slices) as the record of which built-ins the path can
// run: every form found must get a plan, i.e. need at most kMaxSlices slices.
TEST(Decompose, EveryBuiltinFormHasASlicePlan) {
  int planned = 0, above_64 = 0;
  for (const auto& b : multipliers::builtins()) {
    if (b.bits_a != 8 || b.bits_b != 8) continue;
    const std::int32_t* t = multipliers::table_256(b);
    const auto f = decompose(std::vector<std::int32_t>(t, t + 65536), b.is_signed, 64);
    if (!f) {
      std::printf("  %-24s rank > 64\n", b.name);
      ++above_64;
      continue;
    }
    axx::emulator::SlicePlan plan;
    const bool ok =
        axx::emulator::plan_slices({f->rank, f->is_signed, f->u.data(), f->v.data()}, plan);
    std::printf("  %-24s rank %2d  %4d slices\n", b.name, f->rank, ok ? plan.slices : -1);
    EXPECT_TRUE(ok) << b.name << " (rank " << f->rank << ") has no slice plan";
    planned += ok;
  }
  std::printf("  %d built-in forms planned, %d of rank above 64\n", planned, above_64);
  EXPECT_GT(planned, 0);
}

}  // namespace
}  // namespace axx::lutgen
