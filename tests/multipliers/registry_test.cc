// The builtin registry, and every design against an independent reference model written here from
// the design's definition (operand-value formulas, not the bit-level C code of multipliers/c/).
#include "multipliers/registry.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <set>
#include <string>

#include "axx/error.h"

namespace axx::multipliers {
namespace {

using Ref = std::function<std::int64_t(std::int64_t, std::int64_t)>;

// Compares builtin NAME with REF on every operand-value pair.
void expect_matches(const char* name, const Ref& ref) {
  const Builtin* m = find_builtin(name);
  ASSERT_NE(m, nullptr) << name;
  ASSERT_EQ(m->bits_a, 8);
  ASSERT_EQ(m->bits_b, 8);
  const int lo = m->is_signed ? -128 : 0, hi = m->is_signed ? 127 : 255;
  for (int a = lo; a <= hi; ++a) {
    for (int b = lo; b <= hi; ++b) {
      const std::int64_t got = m->fn(a, b), want = ref(a, b);
      if (got != want) {
        FAIL() << name << "(" << a << ", " << b << ") = " << got << ", want " << want;
      }
    }
  }
}

std::int64_t wrap16(std::int64_t v) { return static_cast<std::int16_t>(static_cast<std::uint16_t>(v & 0xFFFF)); }
unsigned bit(std::int64_t v, int i) { return static_cast<unsigned>((static_cast<std::uint64_t>(v) >> i) & 1u); }

// Sum of the partial-product bits a_j b_i of columns i + j < k over non-sign bits (k <= 7), i.e.
// for every row i < k the low k - i bits of a's pattern, shifted to the row.
std::int64_t low_columns(std::int64_t a, std::int64_t b, int k) {
  std::int64_t s = 0;
  for (int i = 0; i < k; ++i)
    if (bit(b, i)) s += (static_cast<std::int64_t>(a & 0xFF) & ((1 << (k - i)) - 1)) << i;
  return s;
}

TEST(Registry, NamesAreUniqueAndDescribed) {
  std::set<std::string> names;
  for (const Builtin& m : builtins()) {
    EXPECT_TRUE(names.insert(m.name).second) << "duplicate " << m.name;
    EXPECT_GT(std::string(m.description).size(), 10u) << m.name;
    EXPECT_EQ(find_builtin(m.name), &m);
    // Naming convention the demo script relies on: mul<bits><s|u>_...
    EXPECT_EQ(std::string(m.name).rfind(m.is_signed ? "mul8s_" : "mul8u_", 0), 0u) << m.name;
  }
  EXPECT_GE(builtins().size(), 12u);
}

TEST(Registry, UnknownNameIsNull) {
  EXPECT_EQ(find_builtin("mul8s_nonexistent"), nullptr);
  EXPECT_EQ(find_builtin(""), nullptr);
  EXPECT_EQ(find_builtin("builtin:mul8s_exact"), nullptr);  // the prefix belongs to lutgen
}

// The compiled-in tables hold fn at the operand VALUES of each pattern pair, row = A's pattern.
TEST(Registry, Table256IsIndexedByPatterns) {
  for (const Builtin& m : builtins()) {
    const std::int32_t* lut = table_256(m);
    ASSERT_EQ(lut, table_256(m)) << m.name;  // computed once
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        const std::int64_t va = m.is_signed ? static_cast<std::int8_t>(a) : a;
        const std::int64_t vb = m.is_signed ? static_cast<std::int8_t>(b) : b;
        ASSERT_EQ(lut[a * 256 + b], m.fn(va, vb)) << m.name << " [" << a << "][" << b << "]";
      }
  }
  const std::int32_t* s = table_256(*find_builtin("mul8s_exact"));
  EXPECT_EQ(s[0x80 * 256 + 0x80], 16384);  // -128 * -128
  EXPECT_EQ(s[0xFF * 256 + 0x02], -2);     // -1 * 2
  EXPECT_EQ(table_256(*find_builtin("mul8u_exact"))[0xFF * 256 + 0xFF], 65025);
  const Builtin copy = *find_builtin("mul8s_exact");  // not an entry of builtins()
  EXPECT_THROW(table_256(copy), UsageError);
}

TEST(Registry, MostDesignsAreSigned) {
  int signed_count = 0;
  for (const Builtin& m : builtins()) signed_count += m.is_signed;
  EXPECT_GT(2 * signed_count, static_cast<int>(builtins().size()));
}

TEST(Reference, ExactDesignsAreTheProduct) {
  expect_matches("mul8s_exact", [](std::int64_t a, std::int64_t b) { return a * b; });
  expect_matches("mul8u_exact", [](std::int64_t a, std::int64_t b) { return a * b; });
}

TEST(Reference, TruncatedSigned) {
  expect_matches("mul8s_trunc4", [](std::int64_t a, std::int64_t b) { return a * b - low_columns(a, b, 4); });
  expect_matches("mul8s_trunc6c",
                 [](std::int64_t a, std::int64_t b) { return a * b - low_columns(a, b, 6) + 64; });
  // Column 7 also holds the Baugh-Wooley NAND bits ~(a7 b0) and ~(a0 b7), dropped with it.
  expect_matches("mul8s_trunc8", [](std::int64_t a, std::int64_t b) {
    std::int64_t dropped = low_columns(a, b, 7);
    for (int i = 1; i <= 6; ++i) dropped += std::int64_t{bit(b, i) & bit(a, 7 - i)} << 7;
    dropped += (std::int64_t{1} - (bit(a, 7) & bit(b, 0))) << 7;
    dropped += (std::int64_t{1} - (bit(a, 0) & bit(b, 7))) << 7;
    return wrap16(a * b - dropped);
  });
}

TEST(Reference, TruncatedUnsigned) {
  expect_matches("mul8u_trunc6", [](std::int64_t a, std::int64_t b) {
    std::int64_t p = 0;
    for (int i = 0; i < 8; ++i)
      if (bit(b, i)) p += (a << i) & ~std::int64_t{63};
    return p;
  });
}

TEST(Reference, HandComputedValues) {
  // trunc4(3, 5): bits a_j b_i in columns < 4: a=0b011, b=0b101: a0b0 (1) + a1b0 (2) + a0b2 (4)
  // + a1b2 (8) = 15 = the whole product, so 0.
  EXPECT_EQ(find_builtin("mul8s_trunc4")->fn(3, 5), 0);
  EXPECT_EQ(find_builtin("mul8s_trunc4")->fn(16, 16), 256);
  EXPECT_EQ(find_builtin("mul8s_trunc4")->fn(-128, -128), 16384);
  // perforated rows 0-1: 7 * 7 -> 7 * 4
  EXPECT_EQ(find_builtin("mul8s_perf2")->fn(7, 7), 28);
  EXPECT_EQ(find_builtin("mul8s_perf2")->fn(-7, -1), 28);  // -1 = 0b11111111 -> 0b11111100 = -4
  // Mitchell 3 * 3: 2^(1+1) (1 + 1/2 + 1/2) -> f1 + f2 = 1 takes the second branch: 2^3 * 1 = 8.
  EXPECT_EQ(find_builtin("mul8u_mitchell")->fn(3, 3), 8);
  EXPECT_EQ(find_builtin("mul8s_mitchell")->fn(-3, 3), -8);
  // DRUM k=4: 255 -> segment 1111 (LSB already 1) << 4 = 240; 17 -> 17 (>= 16: 1000|1 << 1 = 18).
  EXPECT_EQ(find_builtin("mul8u_drum4")->fn(255, 17), 240 * 18);
  EXPECT_EQ(find_builtin("mul8u_drum4")->fn(15, 15), 225);
}

TEST(Reference, Perforated) {
  expect_matches("mul8s_perf2", [](std::int64_t a, std::int64_t b) { return a * (b - (b & 3)); });
}

TEST(Reference, BrokenArray) {
  expect_matches("mul8s_bam_h1v6", [](std::int64_t a, std::int64_t b) {
    const std::int64_t b_rows = b - (b & 1);
    return a * b_rows - low_columns(a, b_rows, 6);
  });
}

TEST(Reference, LowerPartOr) {
  expect_matches("mul8s_lor6", [](std::int64_t a, std::int64_t b) {
    std::int64_t low = 0;
    for (int c = 0; c < 6; ++c) {
      unsigned any = 0;
      for (int j = 0; j <= c; ++j) any |= bit(a, j) & bit(b, c - j);
      low |= std::int64_t{any} << c;
    }
    return a * b - low_columns(a, b, 6) + low;
  });
}

// DRUM's approximation of one magnitude: K bits from the leading one, lowest kept bit set.
std::int64_t drum_value(std::int64_t x, int k) {
  if (x < (1 << k)) return x;
  const int shift = std::bit_width(static_cast<std::uint64_t>(x)) - k;
  return ((x >> shift) | 1) << shift;
}

TEST(Reference, Drum) {
  for (int k : {4, 6}) {
    const std::string name = "mul8s_drum" + std::to_string(k);
    expect_matches(name.c_str(), [k](std::int64_t a, std::int64_t b) {
      const std::int64_t p = drum_value(std::llabs(a), k) * drum_value(std::llabs(b), k);
      return (a < 0) != (b < 0) ? -p : p;
    });
  }
  expect_matches("mul8u_drum4",
                 [](std::int64_t a, std::int64_t b) { return drum_value(a, 4) * drum_value(b, 4); });
}

// Mitchell in floating point: every quantity is a dyadic rational far inside double precision.
std::int64_t mitchell_value(std::int64_t x, std::int64_t y) {
  if (x == 0 || y == 0) return 0;
  const int k1 = std::bit_width(static_cast<std::uint64_t>(x)) - 1;
  const int k2 = std::bit_width(static_cast<std::uint64_t>(y)) - 1;
  const double f1 = std::ldexp(static_cast<double>(x), -k1) - 1.0;
  const double f2 = std::ldexp(static_cast<double>(y), -k2) - 1.0;
  const double p = f1 + f2 < 1.0 ? std::ldexp(1.0 + f1 + f2, k1 + k2) : std::ldexp(f1 + f2, k1 + k2 + 1);
  return static_cast<std::int64_t>(p);
}

TEST(Reference, Mitchell) {
  expect_matches("mul8u_mitchell", mitchell_value);
  expect_matches("mul8s_mitchell", [](std::int64_t a, std::int64_t b) {
    const std::int64_t p = mitchell_value(std::llabs(a), std::llabs(b));
    return (a < 0) != (b < 0) ? -p : p;
  });
  // Mitchell never overestimates, and its worst case is 8/9 of the product (f1 = f2 = 1/2).
  const Builtin* m = find_builtin("mul8u_mitchell");
  for (int a = 1; a < 256; ++a)
    for (int b = 1; b < 256; ++b) {
      const std::int64_t p = m->fn(a, b);
      ASSERT_LE(p, a * b);
      ASSERT_GE(p * 9, a * b * 8) << a << " " << b;
    }
}

// The designs span a range of error: small (MAE < 20) to large (MAE > 200) among the signed ones.
TEST(Registry, ErrorRangeIsWide) {
  double min_mae = 1e9, max_mae = 0;
  for (const Builtin& m : builtins()) {
    if (!m.is_signed || std::string(m.name).ends_with("_exact")) continue;
    double sum = 0;
    for (int a = -128; a < 128; ++a)
      for (int b = -128; b < 128; ++b) sum += std::llabs(m.fn(a, b) - a * b);
    min_mae = std::min(min_mae, sum / 65536);
    max_mae = std::max(max_mae, sum / 65536);
  }
  EXPECT_LT(min_mae, 20);
  EXPECT_GT(max_mae, 200);
}

}  // namespace
}  // namespace axx::multipliers
