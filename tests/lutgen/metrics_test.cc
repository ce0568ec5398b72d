// Metrics against values computed by hand for tiny tables (docs/metrics.md has the formulas).
#include <gtest/gtest.h>

#include <cmath>

#include "axx/error.h"
#include "lutgen/metrics.h"
#include "lutgen/source.h"
#include "test_util.h"

namespace axx::lutgen {
namespace {

using testing::make_lut;

// 2x2 unsigned (values 0..3): exact except lut[3][3] = 8 (e = -1) and lut[1][0] = 1 (e = +1, exact 0).
TEST(Metrics, TwoByTwoUnsignedByHand) {
  Lut lut = make_lut("u2", {2, 2, false}, [](std::int64_t a, std::int64_t b) { return a * b; });
  lut.table[(3 << 2) | 3] = 8;
  lut.table[(1 << 2) | 0] = 1;
  const Metrics m = compute_metrics(lut);
  EXPECT_EQ(m.name, "u2");
  EXPECT_EQ(m.bits_a, 2);
  EXPECT_EQ(m.bits_b, 2);
  EXPECT_FALSE(m.is_signed);
  EXPECT_DOUBLE_EQ(m.ep_percent, 12.5);        // 2 of 16 pairs
  EXPECT_DOUBLE_EQ(m.mae, 0.125);              // (1 + 1) / 16
  EXPECT_DOUBLE_EQ(m.mae_percent, 0.78125);    // 0.125 / 2^4 * 100
  EXPECT_DOUBLE_EQ(m.wce, 1);
  EXPECT_DOUBLE_EQ(m.wce_percent, 6.25);       // 1 / 16 * 100
  EXPECT_DOUBLE_EQ(m.mse, 0.125);
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt(0.125));
  EXPECT_DOUBLE_EQ(m.bias, 0);                 // (-1 + 1) / 16
  EXPECT_DOUBLE_EQ(m.error_variance, 0.125);   // mse - bias^2
  EXPECT_DOUBLE_EQ(m.mre_percent, 100.0 / 81); // (1/9) over the 9 pairs with exact != 0
  EXPECT_DOUBLE_EQ(m.wcre_percent, 100.0 / 9);
  EXPECT_DOUBLE_EQ(m.mred, (1.0 / 9 + 1.0) / 16);  // exact 0 counts |e| / 1
  EXPECT_DOUBLE_EQ(m.nmed, 0.125 / 9);         // max |exact| = 3 * 3
}

// 2x2 signed (values -2..1): lut(-2,-2) = 3 (exact 4, e = -1), lut(-1,1) = 0 (exact -1, e = +1).
TEST(Metrics, TwoByTwoSignedByHand) {
  Lut lut = make_lut("s2", {2, 2, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  lut.table[(2 << 2) | 2] = 3;  // pattern 2 = -2
  lut.table[(3 << 2) | 1] = 0;  // pattern 3 = -1
  const Metrics m = compute_metrics(lut);
  EXPECT_TRUE(m.is_signed);
  EXPECT_DOUBLE_EQ(m.ep_percent, 12.5);
  EXPECT_DOUBLE_EQ(m.mae, 0.125);
  EXPECT_DOUBLE_EQ(m.mae_percent, 0.78125);
  EXPECT_DOUBLE_EQ(m.wce, 1);
  EXPECT_DOUBLE_EQ(m.wce_percent, 6.25);
  EXPECT_DOUBLE_EQ(m.mse, 0.125);
  EXPECT_DOUBLE_EQ(m.bias, 0);
  EXPECT_DOUBLE_EQ(m.error_variance, 0.125);
  EXPECT_DOUBLE_EQ(m.mre_percent, 100.0 * (0.25 + 1.0) / 9);
  EXPECT_DOUBLE_EQ(m.wcre_percent, 100);
  EXPECT_DOUBLE_EQ(m.mred, (0.25 + 1.0) / 16);
  EXPECT_DOUBLE_EQ(m.nmed, 0.125 / 4);  // max |exact| = (-2) * (-2)
}

// 4x4 unsigned with the two low product bits cleared: e = -(a*b mod 4). Over the 16 residue pairs
// (a mod 4, b mod 4) |e| sums to 16 and e^2 to 36, each residue pair occurring 16 times.
TEST(Metrics, FourByFourTruncatedByHand) {
  const Lut lut = make_lut("t4", {4, 4, false}, [](std::int64_t a, std::int64_t b) { return (a * b) & ~3; });
  const Metrics m = compute_metrics(lut);
  EXPECT_DOUBLE_EQ(m.ep_percent, 50);          // 8 of 16 residue pairs have a*b mod 4 != 0
  EXPECT_DOUBLE_EQ(m.mae, 1);                  // 16 * 16 / 256
  EXPECT_DOUBLE_EQ(m.mae_percent, 100.0 / 256);
  EXPECT_DOUBLE_EQ(m.wce, 3);
  EXPECT_DOUBLE_EQ(m.wce_percent, 300.0 / 256);
  EXPECT_DOUBLE_EQ(m.mse, 2.25);               // 36 * 16 / 256
  EXPECT_DOUBLE_EQ(m.rmse, 1.5);
  EXPECT_DOUBLE_EQ(m.bias, -1);
  EXPECT_DOUBLE_EQ(m.error_variance, 1.25);
  EXPECT_DOUBLE_EQ(m.wcre_percent, 100);       // a = 1, b = 3: |e| = 3 = exact
  EXPECT_DOUBLE_EQ(m.nmed, 1.0 / 225);         // max |exact| = 15 * 15
  // MRE and MRED: a direct loop in long double as the reference.
  long double rel = 0, red = 0;
  for (int a = 0; a < 16; ++a) {
    for (int b = 0; b < 16; ++b) {
      const long double e = std::abs(((a * b) & ~3) - a * b);
      if (a * b) rel += e / (a * b);
      red += e / std::max(1, a * b);
    }
  }
  EXPECT_DOUBLE_EQ(m.mre_percent, static_cast<double>(100 * rel / 225));
  EXPECT_DOUBLE_EQ(m.mred, static_cast<double>(red / 256));
}

TEST(Metrics, ExactMultiplierHasZeroError) {
  for (bool is_signed : {false, true}) {
    const Lut lut = make_lut("x", {5, 3, is_signed}, [](std::int64_t a, std::int64_t b) { return a * b; });
    const Metrics m = compute_metrics(lut);
    for (const auto& f : metric_fields()) EXPECT_EQ(m.*f.member, 0) << f.key;
  }
}

TEST(Metrics, StreamingEqualsMaterialised) {
  for (const char* input : {"builtin:mul8s_trunc4", "builtin:mul8u_drum4", "builtin:mul8s_mitchell"}) {
    const Metrics streamed = metrics_of(input);
    const Metrics table = compute_metrics(load_lut(input));
    for (const auto& f : metric_fields()) EXPECT_EQ(streamed.*f.member, table.*f.member) << input << " " << f.key;
  }
}

TEST(Metrics, JsonHasTheDesignKeysInOrder) {
  Lut lut = make_lut("a\"b", {2, 2, false}, [](std::int64_t a, std::int64_t b) { return a * b; });
  lut.table[(3 << 2) | 3] = 8;
  lut.table[(1 << 2) | 0] = 1;
  EXPECT_EQ(metrics_json(compute_metrics(lut)),
            "{\"name\": \"a\\\"b\", \"bits_a\": 2, \"bits_b\": 2, \"signed\": false, \"ep_percent\": 12.5, "
            "\"mae\": 0.125, \"mae_percent\": 0.78125, \"wce\": 1, \"wce_percent\": 6.25, \"mse\": 0.125, "
            "\"rmse\": 0.3535533905932738, \"mre_percent\": 1.2345679012345678, \"wcre_percent\": 11.11111111111111, "
            "\"mred\": 0.06944444444444445, \"nmed\": 0.013888888888888888, \"bias\": 0, \"error_variance\": 0.125}");
}

TEST(Metrics, RejectsMismatchedTable) {
  Lut lut;
  lut.name = "bad";
  lut.spec = {2, 2, true};
  lut.table.resize(15);
  EXPECT_EQ(testing::error_of<InputError>([&] { compute_metrics(lut); }), "bad: table has 15 entries, expected 16");
}

}  // namespace
}  // namespace axx::lutgen
