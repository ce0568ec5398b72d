// DRUM against its paper. S. Hashemi, R. I. Bahar, S. Reda, "DRUM: A dynamic range unbiased
// multiplier for approximate applications", ICCAD 2015, evaluate DRUM-k on 16-bit operands and state
// in the abstract that its relative errors have "near-zero average and standard deviations of
// 0.45% - 3.61%" over the k they evaluate. The built-ins are 8-bit, so the test writes the paper's
// definition for any width, checks the 8-bit built-ins against it on every operand pair, and
// evaluates it at 16 bits on uniform operands for the published statistic (docs/cost.md, "DRUM's
// published error statistics").
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "multipliers/registry.h"

namespace axx::multipliers {
namespace {

// DRUM-k of two unsigned operands, from the paper: an operand of k bits or fewer passes whole;
// otherwise its k bits from the leading one down are kept, the lowest of them set to 1, and the
// product of the two segments is shifted back by the dropped bit counts.
std::uint64_t drum_definition(std::uint64_t x, std::uint64_t y, int k) {
  int shift = 0;
  for (std::uint64_t* v : {&x, &y}) {
    if (*v < (std::uint64_t{1} << k)) continue;
    int lead = 63;
    while (((*v >> lead) & 1) == 0) --lead;
    const int dropped = lead - k + 1;
    *v = (*v >> dropped) | 1;
    shift += dropped;
  }
  return (x * y) << shift;
}

TEST(DrumPublished, EightBitBuiltinsFollowTheDefinition) {
  for (int k = 3; k <= 7; ++k)
    for (const char* form : {"mul8u_drum", "mul8s_drum"}) {
      const std::string name = form + std::to_string(k);
      const Builtin* m = find_builtin(name);
      ASSERT_NE(m, nullptr) << name;
      const bool is_signed = m->is_signed;
      for (int a = is_signed ? -128 : 0; a < (is_signed ? 128 : 256); ++a)
        for (int b = is_signed ? -128 : 0; b < (is_signed ? 128 : 256); ++b) {
          // Sign-magnitude for the signed forms (docs/multipliers.md).
          const std::int64_t mag = static_cast<std::int64_t>(drum_definition(std::abs(a), std::abs(b), k));
          const std::int64_t want = (a < 0) != (b < 0) ? -mag : mag;
          ASSERT_EQ(m->fn(a, b), want) << name << " a=" << a << " b=" << b;
        }
    }
}

struct Stats {
  double mean_pct, sd_pct;
};

// Mean and standard deviation of (DRUM - exact) / exact in percent over N uniform nonzero 16-bit
// operand pairs (splitmix64, fixed seed).
Stats relative_error_16(int k, std::uint64_t n) {
  std::uint64_t state = 0x5eed;
  auto next = [&state] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  double sum = 0, sum2 = 0;
  for (std::uint64_t i = 0; i < n;) {
    const std::uint64_t r = next(), x = r & 0xffff, y = (r >> 16) & 0xffff;
    if (x == 0 || y == 0) continue;
    const double exact = static_cast<double>(x * y);
    const double e = (static_cast<double>(drum_definition(x, y, k)) - exact) / exact;
    sum += e;
    sum2 += e * e;
    ++i;
  }
  const double mean = sum / static_cast<double>(n);
  return {100 * mean, 100 * std::sqrt(sum2 / static_cast<double>(n) - mean * mean)};
}

std::string two_decimals(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

TEST(DrumPublished, SixteenBitRelativeErrorMatchesThePaper) {
  // 2^23 pairs: the standard deviations are estimated to about 0.001 percentage points, well
  // inside the published two decimals.
  const std::uint64_t n = std::uint64_t{1} << 23;
  Stats s[9];
  for (int k = 4; k <= 8; ++k) s[k] = relative_error_16(k, n);
  // The published range's ends: k = 5 and k = 8 (k = 4 is about twice as wide, 7.2%).
  EXPECT_EQ(two_decimals(s[5].sd_pct), "3.61") << s[5].sd_pct;
  EXPECT_EQ(two_decimals(s[8].sd_pct), "0.45") << s[8].sd_pct;
  // "Near-zero average" (no figure published): with the forced lowest bit the mean is a small
  // fraction of the spread; the bound is this test's reading of "near zero".
  for (int k = 5; k <= 8; ++k) EXPECT_LT(std::abs(s[k].mean_pct), 0.1 * s[k].sd_pct) << "k=" << k;
  // Each extra bit halves the spread.
  for (int k = 5; k <= 8; ++k) EXPECT_NEAR(s[k - 1].sd_pct / s[k].sd_pct, 2.0, 0.05) << "k=" << k;
}

}  // namespace
}  // namespace axx::multipliers
