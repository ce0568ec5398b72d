// Metrics against values computed by hand for tiny tables (docs/metrics.md has the formulas).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

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

// Operand truncation, LUT(a, b) = (a with its low T bits cleared) * (b likewise), unsigned N-bit:
// every sum over the 2^2N pairs factors into sums over one operand, so the metrics have a closed
// form computed here in exact integers, independent of the streaming accumulator.
struct TruncOracle {
  double mae, wce, mse, bias, var, ep_percent, mre_percent, mred, nmed, wcre_percent;
};

TruncOracle operand_truncation_oracle(int N, int T) {
  using u128 = unsigned __int128;
  const std::uint64_t n = std::uint64_t{1} << N, low = (std::uint64_t{1} << T) - 1;
  u128 s1 = 0, s2 = 0, h1 = 0, h2 = 0, x = 0;  // sums of a, a^2, a_h, a_h^2, a*a_h
  long double rel = 0;                          // sum over a > 0 of a_h / a
  for (std::uint64_t a = 0; a < n; ++a) {
    const std::uint64_t h = a & ~low;
    s1 += a, s2 += u128(a) * a, h1 += h, h2 += u128(h) * h, x += u128(a) * h;
    if (a) rel += static_cast<long double>(h) / a;
  }
  // e = a_h b_h - a b <= 0 for every pair; sum e = H1^2 - S1^2, sum e^2 = H2^2 - 2 X^2 + S2^2.
  const u128 sum_abs = s1 * s1 - h1 * h1;
  const u128 sum_sq = h2 * h2 - 2 * x * x + s2 * s2;
  // Exact pairs: a_l b_h + a b_l = 0, i.e. (a_l = 0 or b_h = 0) and (a = 0 or b_l = 0).
  std::uint64_t exact_pairs = 0;
  for (std::uint64_t a = 0; a < n; ++a) {
    const bool al0 = (a & low) == 0;
    for (int bh0 = 0; bh0 < 2; ++bh0)
      for (int bl0 = 0; bl0 < 2; ++bl0) {
        // b with (b_h == 0) == bh0 and (b_l == 0) == bl0
        const std::uint64_t both = 1, h0 = low + 1 - both, l0 = (n >> T) - both;
        const std::uint64_t count = bh0 && bl0 ? both : bh0 ? h0 : bl0 ? l0 : n - both - h0 - l0;
        if ((al0 || bh0) && (a == 0 || bl0)) exact_pairs += count;
      }
  }
  const long double pairs = static_cast<long double>(n) * n, nz = static_cast<long double>(n - 1) * (n - 1);
  const long double sum_rel = nz - rel * rel;  // sum over a, b > 0 of 1 - (a_h / a)(b_h / b)
  TruncOracle o;
  o.mae = static_cast<double>(static_cast<long double>(sum_abs) / pairs);
  o.bias = -o.mae;
  o.mse = static_cast<double>(static_cast<long double>(sum_sq) / pairs);
  o.var = o.mse - o.bias * o.bias;
  o.wce = static_cast<double>(2 * low * (n - 1) - low * low);  // at a = b = 2^N - 1
  o.ep_percent = static_cast<double>(100 * (pairs - exact_pairs) / pairs);
  o.mre_percent = static_cast<double>(100 * sum_rel / nz);
  o.mred = static_cast<double>(sum_rel / pairs);  // pairs with a zero product are exact
  o.nmed = static_cast<double>(static_cast<long double>(sum_abs) / pairs / nz);
  o.wcre_percent = 100;  // a < 2^T: a_h = 0, the whole product lost
  return o;
}

void expect_truncation_metrics(const Metrics& m, int N, int T) {
  const TruncOracle o = operand_truncation_oracle(N, T);
  EXPECT_EQ(m.bits_a, N);
  EXPECT_FALSE(m.is_signed);
  EXPECT_DOUBLE_EQ(m.mae, o.mae);
  EXPECT_DOUBLE_EQ(m.bias, o.bias);
  EXPECT_DOUBLE_EQ(m.mse, o.mse);
  EXPECT_EQ(m.wce, o.wce);
  EXPECT_DOUBLE_EQ(m.ep_percent, o.ep_percent);
  EXPECT_NEAR(m.error_variance, o.var, 1e-9 * o.mse);
  EXPECT_NEAR(m.mre_percent, o.mre_percent, 1e-9 * o.mre_percent);
  EXPECT_NEAR(m.mred, o.mred, 1e-9 * o.mred);
  EXPECT_NEAR(m.nmed, o.nmed, 1e-12 * o.nmed);
  EXPECT_DOUBLE_EQ(m.wcre_percent, o.wcre_percent);
  EXPECT_DOUBLE_EQ(m.mae_percent, 100 * o.mae / std::ldexp(1.0, 2 * N));
  EXPECT_DOUBLE_EQ(m.wce_percent, 100 * o.wce / std::ldexp(1.0, 2 * N));
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt(o.mse));
}

// The closed form against a materialised table first (small N, every pair by hand), so the oracle
// itself is checked.
TEST(Metrics, OperandTruncationOracleAgreesWithASmallTable) {
  const Lut lut = make_lut("t", {7, 7, false}, [](std::int64_t a, std::int64_t b) { return (a & ~7) * (b & ~7); });
  expect_truncation_metrics(compute_metrics(lut), 7, 3);
}

// A wide C model streamed through the metrics (2^28 pairs, never a table).
TEST(Metrics, WideOperandTruncationStreamedAgainstTheClosedForm) {
  const std::string dir = testing::scratch_dir();
  testing::write_file(dir + "/trunc.c",
                      "#include <stdint.h>\n"
                      "uint32_t optrunc(uint16_t a, uint16_t b) { return (uint32_t)(a & ~31u) * (uint32_t)(b & ~31u); }\n");
  SourceOptions o;
  o.bits_a = o.bits_b = 14;
  expect_truncation_metrics(metrics_of(dir + "/trunc.c", o), 14, 5);
}

// 16x16, the widest operands: 2^32 pairs through the C model; AXX_SKIP_SLOW=1 skips it.
TEST(Metrics, SixteenBitOperandTruncationAgainstTheClosedForm) {
  if (const char* skip = std::getenv("AXX_SKIP_SLOW"); skip && *skip == '1') GTEST_SKIP() << "AXX_SKIP_SLOW=1";
  const std::string dir = testing::scratch_dir();
  testing::write_file(dir + "/trunc.c",
                      "#include <stdint.h>\n"
                      "uint32_t optrunc(uint16_t a, uint16_t b) { return (uint32_t)(a & ~255u) * (uint32_t)(b & ~255u); }\n");
  expect_truncation_metrics(metrics_of(dir + "/trunc.c"), 16, 8);
}

// A wide exact netlist (Yosys synthesises the behavioural product) streamed through the simulator:
// every metric is 0.
TEST(Metrics, WideExactNetlistStreamsToZeroError) {
  const std::string dir = testing::scratch_dir();
  testing::write_file(dir + "/mul13.v",
                      "module mul13(input [12:0] a, input [12:0] b, output [25:0] y);\n"
                      "  assign y = a * b;\n"
                      "endmodule\n");
  SourceOptions o;
  o.is_signed = false;
  o.yosys = YosysMode::Force;
  const Metrics m = metrics_of(dir + "/mul13.v", o);
  EXPECT_EQ(m.bits_a, 13);
  EXPECT_EQ(m.bits_b, 13);
  for (const auto& f : metric_fields()) EXPECT_EQ(m.*f.member, 0) << f.key;
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
