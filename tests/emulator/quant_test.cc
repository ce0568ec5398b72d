// quantize_cpu / dequantize_cpu (emulator.h) against plain scalar loops written here: the torch
// expressions the layers used before, round(x / s).clamp(qmin, qmax).to(int8), acc.to(float) * s
// and acc.to(float) * s + bias (two roundings, never one fused multiply-add), element by element.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "axx/error.h"
#include "emulator/emulator.h"

namespace axx::emulator {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr std::int8_t kPoison = 0x5a;

// The channel of element i.
std::int64_t channel_of(std::int64_t i, const ScaleView& s) {
  return s.channels == 1 ? 0 : (i / s.inner) % s.channels;
}

// torch's order: divide, round half to even (nearbyint in the default rounding mode), clamp,
// convert; NaN -> 0 (the documented choice; the conversion is undefined in C++ and torch).
std::vector<std::int8_t> reference_quantize(const std::vector<float>& x, const ScaleView& s,
                                            int qmin, int qmax) {
  std::vector<std::int8_t> q(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float t = x[i] / s.scale[channel_of(static_cast<std::int64_t>(i), s)];
    if (std::isnan(t)) {
      q[i] = 0;
      continue;
    }
    const float r = std::clamp(std::nearbyint(t), static_cast<float>(qmin), static_cast<float>(qmax));
    q[i] = static_cast<std::int8_t>(r);
  }
  return q;
}

// The product of two floats is exact in double, so one rounding to float is the IEEE product.
std::vector<float> reference_dequantize(const std::vector<std::int32_t>& acc, const ScaleView& s) {
  std::vector<float> y(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const double a = static_cast<float>(static_cast<double>(acc[i]));
    y[i] = static_cast<float>(a * s.scale[channel_of(static_cast<std::int64_t>(i), s)]);
  }
  return y;
}

// With a bias: the product rounded to float, then the sum rounded to float, as torch's two
// kernels do. Written in double so that no compiler can contract it into an FMA whatever the
// target: the product of two floats is exact in double, and the sum of two floats rounded to double
// and then to float is the float sum (53 >= 2 * 24 + 2 bits: the double rounding is innocuous).
float two_roundings(std::int32_t acc, float s, float b) {
  const float p = static_cast<float>(static_cast<double>(static_cast<float>(acc)) * s);
  return static_cast<float>(static_cast<double>(p) + b);
}

std::vector<float> reference_dequantize(const std::vector<std::int32_t>& acc, const ScaleView& s,
                                        const std::vector<float>& bias) {
  std::vector<float> y(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const std::int64_t c = channel_of(static_cast<std::int64_t>(i), s);
    y[i] = two_roundings(acc[i], s.scale[c], bias[static_cast<std::size_t>(c)]);
  }
  return y;
}

// The one-rounding result an FMA would give.
float fused(std::int32_t acc, float s, float b) { return std::fma(static_cast<float>(acc), s, b); }

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::vector<std::int8_t> run_quantize(const std::vector<float>& x, const ScaleView& s, int qmin,
                                      int qmax) {
  std::vector<std::int8_t> q(x.size(), kPoison);
  quantize_cpu(x.data(), static_cast<std::int64_t>(x.size()), s, qmin, qmax, q.data());
  return q;
}

std::vector<float> run_dequantize(const std::vector<std::int32_t>& acc, const ScaleView& s,
                                  const float* bias = nullptr) {
  std::vector<float> y(acc.size(), kNaN);
  dequantize_cpu(acc.data(), static_cast<std::int64_t>(acc.size()), s, y.data(), bias);
  return y;
}

// Bit patterns, so that NaN compares equal to NaN and -0 differs from +0.
std::vector<std::uint32_t> bits(const std::vector<float>& v) {
  std::vector<std::uint32_t> b(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) std::memcpy(&b[i], &v[i], 4);
  return b;
}

class QuantCpu : public ::testing::Test {
 protected:
  void TearDown() override {
    set_cpu_threads(0);
    set_cpu_isa(CpuIsa::Auto);
  }
};

TEST_F(QuantCpu, TiesRoundHalfToEven) {
  // x / s = k + 0.5 exactly (s a power of two): even k stays, odd k goes up; -0.5 -> 0.
  for (float s : {1.f, 0.25f, 0x1p-10f, 8.f}) {
    const ScaleView view{&s, 1, 1};
    std::vector<float> x;
    std::vector<std::int8_t> want;
    for (int k = -127; k <= 126; ++k) {
      x.push_back((static_cast<float>(k) + 0.5f) * s);
      want.push_back(static_cast<std::int8_t>(k % 2 == 0 ? k : k + 1));
    }
    for (CpuIsa isa : {CpuIsa::Portable, CpuIsa::Auto}) {
      set_cpu_isa(isa);
      EXPECT_EQ(run_quantize(x, view, -128, 127), want) << "scale " << s;
    }
  }
  const float one = 1.f;
  const ScaleView view{&one, 1, 1};
  EXPECT_EQ(run_quantize({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 126.5f, -127.5f}, view, -128, 127),
            (std::vector<std::int8_t>{0, 2, 2, 0, -2, -2, 126, -128}));
  // Just beside a tie: the nearest integer.
  EXPECT_EQ(run_quantize({std::nextafter(0.5f, 1.f), std::nextafter(2.5f, 0.f)}, view, -128, 127),
            (std::vector<std::int8_t>{1, 2}));
}

TEST_F(QuantCpu, OutOfRangeInfinitiesAndNaN) {
  const float s = 0.5f;
  const ScaleView view{&s, 1, 1};
  const std::vector<float> x = {64.f, 63.7f, 63.76f, -64.f, -63.76f, -64.26f, 1e30f, -1e30f,
                                kInf, -kInf, kNaN, -kNaN, std::numeric_limits<float>::max()};
  EXPECT_EQ(run_quantize(x, view, -127, 127),
            (std::vector<std::int8_t>{127, 127, 127, -127, -127, -127, 127, -127, 127, -127, 0, 0,
                                      127}));
  EXPECT_EQ(run_quantize(x, view, -128, 127),
            (std::vector<std::int8_t>{127, 127, 127, -128, -128, -128, 127, -128, 127, -128, 0, 0,
                                      127}));
  // A narrower range, and 127.5 -> 128 (even) clamped back to 127.
  EXPECT_EQ(run_quantize({10.f, -10.f, 1.f, 63.75f}, view, -3, 5),
            (std::vector<std::int8_t>{5, -3, 2, 5}));
  // Scale 0: x / 0 is +-inf (clamped), 0 / 0 is NaN (0).
  const float zero = 0.f;
  EXPECT_EQ(run_quantize({1.f, -1.f, 0.f, -0.f}, ScaleView{&zero, 1, 1}, -127, 127),
            (std::vector<std::int8_t>{127, -127, 0, 0}));
  // Infinite scale: every finite value is 0, inf / inf is NaN.
  EXPECT_EQ(run_quantize({1e38f, -1e38f, kInf}, ScaleView{&kInf, 1, 1}, -127, 127),
            (std::vector<std::int8_t>{0, 0, 0}));
}

TEST_F(QuantCpu, PerChannelScalesWithInner) {
  // Shape (2, 3, 5), scale along dimension 1: channels 3, inner 5.
  const std::vector<float> scales = {0.5f, 2.f, 0.125f};
  const ScaleView view{scales.data(), 3, 5};
  std::vector<float> x(30);
  std::vector<std::int8_t> want(30);
  for (int i = 0; i < 30; ++i) {
    x[i] = static_cast<float>(i % 7) - 3.f;                  // -3..3
    const float s = scales[(i / 5) % 3];
    want[i] = static_cast<std::int8_t>(std::nearbyint(x[i] / s));
  }
  EXPECT_EQ(run_quantize(x, view, -127, 127), want);
  // Dimension 0 of (3, 10): inner 10; the last dimension of (10, 3): inner 1.
  EXPECT_EQ(run_quantize(x, ScaleView{scales.data(), 3, 10}, -127, 127),
            reference_quantize(x, ScaleView{scales.data(), 3, 10}, -127, 127));
  EXPECT_EQ(run_quantize(x, ScaleView{scales.data(), 3, 1}, -127, 127),
            reference_quantize(x, ScaleView{scales.data(), 3, 1}, -127, 127));
  std::vector<std::int32_t> acc(30);
  for (int i = 0; i < 30; ++i) acc[i] = i - 15;
  const auto y = run_dequantize(acc, view);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(y[i], static_cast<float>(i - 15) * scales[(i / 5) % 3]) << i;
}

TEST_F(QuantCpu, OneScaleIgnoresInner) {
  const float s = 0.25f;
  const std::vector<float> x = {0.1f, 0.2f, -0.3f, 31.f, 40.f};
  const auto want = run_quantize(x, ScaleView{&s, 1, 1}, -127, 127);
  EXPECT_EQ(want, (std::vector<std::int8_t>{0, 1, -1, 124, 127}));
  EXPECT_EQ(run_quantize(x, ScaleView{&s, 1, 3}, -127, 127), want);
}

TEST_F(QuantCpu, EmptyWritesNothing) {
  // n == 0 is valid with any pointers, null included.
  EXPECT_NO_THROW(quantize_cpu(nullptr, 0, ScaleView{}, -127, 127, nullptr));
  EXPECT_NO_THROW(dequantize_cpu(nullptr, 0, ScaleView{}, nullptr));
  EXPECT_NO_THROW(dequantize_cpu(nullptr, 0, ScaleView{}, nullptr, nullptr));
  std::int8_t q = kPoison;
  const float x = 1.f, s = 1.f;
  quantize_cpu(&x, 0, ScaleView{&s, 1, 1}, -127, 127, &q);
  EXPECT_EQ(q, kPoison);
}

TEST_F(QuantCpu, DequantizeRoundsLargeAccumulatorsAndMultipliesInFloat) {
  const float s = 0.1f;
  const ScaleView view{&s, 1, 1};
  const std::vector<std::int32_t> acc = {0, 1, -1, (1 << 24) + 1, (1 << 24) + 3, INT32_MAX,
                                         INT32_MIN, -((1 << 25) + 3), 123456789};
  const auto y = run_dequantize(acc, view);
  EXPECT_EQ(bits(y), bits(reference_dequantize(acc, view)));
  EXPECT_EQ(y[3], 16777216.f * 0.1f);  // 2^24 + 1 rounds to 2^24 (even) before the product
  EXPECT_EQ(y[4], 16777220.f * 0.1f);  // 2^24 + 3 rounds up to 2^24 + 4
  // Infinite and NaN scales pass through the product as IEEE says.
  const float odd[3] = {kInf, kNaN, -0.f};
  const auto z = run_dequantize({2, 0, 5, 0, 7, 0}, ScaleView{odd, 3, 2});
  EXPECT_EQ(z[0], kInf);
  EXPECT_TRUE(std::isnan(z[1]));  // 0 * inf
  EXPECT_TRUE(std::isnan(z[2]) && std::isnan(z[3]));
  EXPECT_TRUE(z[4] == 0.f && std::signbit(z[4]));
}

// Dequantize with a bias: y = ((float) acc * s) + b with two roundings, per channel like the
// scale. The accumulators sit near A_c with b_c = -(A_c * s_c) rounded, so the sum cancels: there a
// fused multiply-add (one rounding) gives the product's rounding error instead of the two-rounding
// result, and the test first makes sure the inputs have many such elements (std::fma differs).
// Also random values; one scale (channels 1), a per-channel scale along the last dimension
// (inner 1) and along an inner dimension (inner > 1); both ISAs and threads.
TEST_F(QuantCpu, DequantizeWithBiasRoundsProductAndSumSeparately) {
  std::mt19937 rng(31);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  struct Shape {
    std::int64_t n, channels, inner;
  };
  const Shape shapes[] = {{4099, 1, 1}, {300007, 1, 1},  {768 * 41 + 5, 768, 1}, {1001, 7, 13},
                          {24, 3, 1},   {99991, 5, 3},   {300007, 64, 197},      {40, 2, 5}};
  for (const Shape& sh : shapes) {
    const auto channels = static_cast<std::size_t>(sh.channels);
    std::vector<float> scales(channels), bias(channels);
    std::vector<std::int32_t> center(channels);
    for (std::size_t c = 0; c < channels; ++c) {
      // a scale with a full mantissa, so that products are rarely exact
      scales[c] = std::ldexp(1.f + std::fabs(unit(rng)), -static_cast<int>(rng() % 12));
      center[c] = static_cast<std::int32_t>(rng() % 20000000) - 10000000;
      bias[c] = -static_cast<float>(static_cast<float>(center[c]) * scales[c]);
    }
    const ScaleView view{scales.data(), sh.channels, sh.inner};
    std::vector<std::int32_t> acc(static_cast<std::size_t>(sh.n));
    for (std::size_t i = 0; i < acc.size(); ++i) {
      const auto c = static_cast<std::size_t>(channel_of(static_cast<std::int64_t>(i), view));
      acc[i] = rng() % 4 == 0 ? static_cast<std::int32_t>(rng())                   // anything
                              : center[c] + static_cast<std::int32_t>(rng() % 7) - 3;  // cancels
    }
    const auto want = reference_dequantize(acc, view, bias);
    std::int64_t sensitive = 0;
    for (std::size_t i = 0; i < acc.size(); ++i) {
      const auto c = static_cast<std::size_t>(channel_of(static_cast<std::int64_t>(i), view));
      if (!same_bits(fused(acc[i], scales[c], bias[c]), want[i])) ++sensitive;
    }
    // most of the cancelling elements: an FMA would get them wrong
    ASSERT_GT(sensitive, sh.n / 4) << "channels " << sh.channels << " inner " << sh.inner;
    for (int threads : {1, 2}) {
      for (CpuIsa isa : {CpuIsa::Portable, CpuIsa::Avx2}) {
        if (!cpu_isa_supported(isa)) continue;
        set_cpu_threads(threads);
        set_cpu_isa(isa);
        ASSERT_EQ(bits(run_dequantize(acc, view, bias.data())), bits(want))
            << "n " << sh.n << " channels " << sh.channels << " inner " << sh.inner
            << " threads " << threads << " isa " << static_cast<int>(isa);
      }
    }
  }
}

TEST_F(QuantCpu, DequantizeWithBiasSpecialValues) {
  // One value each, written out: the exact two-rounding results.
  const float s = 0.1f;
  const float p3 = 3.f * 0.1f;  // 0.3 rounded: 0.300000011920928955078125
  {
    const float b = -p3;
    const auto y = run_dequantize({3}, ScaleView{&s, 1, 1}, &b);
    EXPECT_TRUE(y[0] == 0.f && !std::signbit(y[0]));  // p + (-p) = +0
    EXPECT_NE(fused(3, s, b), 0.f);                   // an FMA leaves the product's error
  }
  // Signed zeros: -0 + -0 = -0, -0 + +0 = +0, and a NaN or infinite bias passes through.
  const float scales[4] = {-1.f, -1.f, 2.f, 1e30f};
  const float bias[4] = {-0.f, 0.f, kNaN, -kInf};
  const auto y = run_dequantize({0, 0, 5, 1 << 30}, ScaleView{scales, 4, 1}, bias);
  EXPECT_TRUE(y[0] == 0.f && std::signbit(y[0]));
  EXPECT_TRUE(y[1] == 0.f && !std::signbit(y[1]));
  EXPECT_TRUE(std::isnan(y[2]));
  EXPECT_TRUE(std::isnan(y[3]));  // (2^30 * 1e30 = +inf) + -inf
  const float big = 1e30f, minus_inf = -kInf;
  const auto z = run_dequantize({7, -(1 << 30)}, ScaleView{&big, 1, 1}, &minus_inf);
  EXPECT_EQ(z[0], -kInf);  // 7e30 + -inf
  EXPECT_EQ(z[1], -kInf);
  // Per channel with inner > 1: bias c is added to every element of channel c.
  const std::vector<float> sc = {0.5f, 2.f};
  const std::vector<float> bc = {100.f, -1000.f};
  EXPECT_EQ(run_dequantize({1, 2, 3, 4, 5, 6, 7, 8}, ScaleView{sc.data(), 2, 2}, bc.data()),
            (std::vector<float>{100.5f, 101.f, -994.f, -992.f, 102.5f, 103.f, -986.f, -984.f}));
}

// Random data, shapes and threads (the chunks of the pool and the runs inside them split at
// arbitrary places) against the scalar loops.
TEST_F(QuantCpu, RandomEqualsScalarReference) {
  std::mt19937 rng(2024);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  struct Shape {
    std::int64_t n, channels, inner;
  };
  const Shape shapes[] = {{1, 1, 1},        {7, 1, 1},         {1000, 10, 1},    {1001, 7, 13},
                          {65536 * 3 + 5, 768, 1}, {300007, 64, 197}, {262144 * 2 + 3, 1, 1},
                          {200003, 3, 65536 + 7},  {99991, 5, 3}};
  for (const Shape& sh : shapes) {
    std::vector<float> scales(static_cast<std::size_t>(sh.channels));
    for (auto& s : scales) s = std::ldexp(0.5f + std::fabs(unit(rng)), -static_cast<int>(rng() % 8));
    std::vector<float> x(static_cast<std::size_t>(sh.n));
    const ScaleView view{scales.data(), sh.channels, sh.inner};
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float s = scales[channel_of(static_cast<std::int64_t>(i), view)];
      switch (rng() % 8) {
        case 0:  // an exact tie
          x[i] = (static_cast<float>(static_cast<int>(rng() % 256) - 128) + 0.5f) * std::ldexp(1.f, -3);
          break;
        case 1:  // beyond the range
          x[i] = unit(rng) * 400.f * s;
          break;
        default:
          x[i] = unit(rng) * 130.f * s;
      }
    }
    std::vector<std::int32_t> acc(x.size());
    for (auto& a : acc) a = static_cast<std::int32_t>(rng());
    std::vector<float> bias(scales.size());
    for (auto& b : bias) b = std::ldexp(unit(rng), static_cast<int>(rng() % 40) - 10);
    for (int threads : {1, 2, 3}) {
      set_cpu_threads(threads);
      // the loops compiled for SSE2 (Portable) and for AVX2 (every other ISA)
      set_cpu_isa(threads == 2 || !cpu_isa_supported(CpuIsa::Avx2) ? CpuIsa::Portable : CpuIsa::Avx2);
      for (auto [qmin, qmax] : {std::pair{-127, 127}, std::pair{-128, 127}}) {
        ASSERT_EQ(run_quantize(x, view, qmin, qmax), reference_quantize(x, view, qmin, qmax))
            << "n " << sh.n << " channels " << sh.channels << " inner " << sh.inner << " threads "
            << threads << " qmin " << qmin;
      }
      ASSERT_EQ(bits(run_dequantize(acc, view)), bits(reference_dequantize(acc, view)))
          << "n " << sh.n << " channels " << sh.channels << " inner " << sh.inner << " threads "
          << threads;
      ASSERT_EQ(bits(run_dequantize(acc, view, bias.data())),
                bits(reference_dequantize(acc, view, bias)))
          << "bias, n " << sh.n << " channels " << sh.channels << " inner " << sh.inner
          << " threads " << threads;
    }
  }
}

// Pointers at any offset (the ops hand over views with a storage offset).
TEST_F(QuantCpu, UnalignedPointers) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> unit(-200.f, 200.f);
  const std::vector<float> scales = {0.7f, 1.3f, 0.9f};
  const ScaleView view{scales.data(), 3, 2};
  std::vector<float> x(1000);
  for (auto& v : x) v = unit(rng);
  for (std::size_t off = 1; off < 4; ++off) {
    const std::vector<float> xs(x.begin() + static_cast<std::ptrdiff_t>(off), x.end());
    const auto n = static_cast<std::ptrdiff_t>(xs.size());
    std::vector<std::int8_t> q(x.size() + 4, kPoison);
    quantize_cpu(x.data() + off, n, view, -127, 127, q.data() + off + 1);
    const auto first = q.begin() + static_cast<std::ptrdiff_t>(off) + 1;
    EXPECT_EQ(std::vector<std::int8_t>(first, first + n), reference_quantize(xs, view, -127, 127));
    EXPECT_TRUE(std::all_of(first + n, q.end(), [](std::int8_t v) { return v == kPoison; }));
    std::vector<float> y(x.size() + 4, 0.f);
    std::vector<std::int32_t> acc(x.size());
    for (std::size_t i = 0; i < acc.size(); ++i) acc[i] = static_cast<std::int32_t>(rng());
    const std::vector<std::int32_t> accs(acc.begin() + static_cast<std::ptrdiff_t>(off), acc.end());
    dequantize_cpu(acc.data() + off, n, view, y.data() + off + 2);
    const auto yf = y.begin() + static_cast<std::ptrdiff_t>(off) + 2;
    EXPECT_EQ(bits(std::vector<float>(yf, yf + n)), bits(reference_dequantize(accs, view)));
    const std::vector<float> bias = {0.25f, -3.5f, 1e-3f, 7.f};  // bias[off..off+2] of 3 channels
    dequantize_cpu(acc.data() + off, n, view, y.data() + off + 2, bias.data() + off - 1);
    EXPECT_EQ(bits(std::vector<float>(yf, yf + n)),
              bits(reference_dequantize(accs, view, std::vector<float>(bias.begin() + off - 1,
                                                                       bias.begin() + off + 2))));
  }
}

TEST_F(QuantCpu, BadArgumentsHaveClearMessages) {
  const float x[4] = {1.f, 2.f, 3.f, 4.f};
  const float s = 1.f;
  std::int8_t q[4];
  float y[4];
  const std::int32_t acc[4] = {1, 2, 3, 4};
  auto message = [](auto f) -> std::string {
    try {
      f();
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  const ScaleView one{&s, 1, 1};
  EXPECT_EQ(message([&] { quantize_cpu(x, 4, one, 1, 0, q); }),
            "quantize_cpu: qmin, qmax (1, 0) must satisfy -128 <= qmin <= qmax <= 127");
  EXPECT_EQ(message([&] { quantize_cpu(x, 4, one, -129, 127, q); }),
            "quantize_cpu: qmin, qmax (-129, 127) must satisfy -128 <= qmin <= qmax <= 127");
  EXPECT_EQ(message([&] { quantize_cpu(x, 4, one, -127, 128, q); }),
            "quantize_cpu: qmin, qmax (-127, 128) must satisfy -128 <= qmin <= qmax <= 127");
  EXPECT_EQ(message([&] { quantize_cpu(x, -1, one, -127, 127, q); }),
            "quantize_cpu: negative element count -1");
  EXPECT_EQ(message([&] { quantize_cpu(x, 4, ScaleView{&s, 0, 1}, -127, 127, q); }),
            "quantize_cpu: channels (0) and inner (1) must be at least 1");
  EXPECT_EQ(message([&] { quantize_cpu(x, 4, ScaleView{&s, 2, 0}, -127, 127, q); }),
            "quantize_cpu: channels (2) and inner (0) must be at least 1");
  EXPECT_EQ(message([&] { quantize_cpu(x, 4, ScaleView{}, -127, 127, q); }),
            "quantize_cpu: scale is null");
  EXPECT_EQ(message([&] { quantize_cpu(nullptr, 4, one, -127, 127, q); }),
            "quantize_cpu: input or output is null");
  EXPECT_EQ(message([&] { dequantize_cpu(acc, 4, one, nullptr); }),
            "dequantize_cpu: input or output is null");
  EXPECT_EQ(message([&] { dequantize_cpu(acc, -2, one, y); }),
            "dequantize_cpu: negative element count -2");
}

// Without a device the CUDA entry points stop with one clear message (the CUDA cases,
// tests/emulator/emulator_cuda_cases.h, cover them on a GPU).
TEST_F(QuantCpu, CudaEntryPointsReportTheirAbsence) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present; emulator_cuda_test covers it";
  const float x = 1.f, s = 1.f;
  std::int8_t q = 0;
  float y = 0.f;
  const std::int32_t acc = 1;
  auto message = [](auto f) -> std::string {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  const bool compiled = cuda_compiled();
  EXPECT_EQ(message([&] { quantize_cuda(&x, 1, ScaleView{&s, 1, 1}, -127, 127, &q, nullptr); }),
            compiled ? "quantize_cuda: no CUDA device is present" : "axx was built without CUDA");
  EXPECT_EQ(message([&] { dequantize_cuda(&acc, 1, ScaleView{&s, 1, 1}, &y, nullptr); }),
            compiled ? "dequantize_cuda: no CUDA device is present" : "axx was built without CUDA");
  EXPECT_EQ(message([&] { dequantize_cuda(&acc, 1, ScaleView{&s, 1, 1}, &y, nullptr, &s); }),
            compiled ? "dequantize_cuda: no CUDA device is present" : "axx was built without CUDA");
}

}  // namespace
}  // namespace axx::emulator
