// The LUT kernel's tiling table and per-shape choice (emulator/cuda/lut_tilings.h), on the CPU:
// every line fits one block of an sm_90 SM, the choice on the ViT-B/16 shapes is the tiling that
// ran fastest on the H200 (docs/benchmarks-emulator-cuda.md), so a weight change that would move
// it fails here, and the environment overrides reject bad values.
#include "emulator/cuda/lut_tilings.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>

#include "axx/error.h"

namespace axx::emulator::cuda_detail {
namespace {

TEST(LutTilings, EveryLineFitsOneBlock) {
  std::set<std::string> names;
  for (int v = 0; v < kLutVariants; ++v) {
    const LutTilingSpec& t = kLutTilings[v];
    SCOPED_TRACE(t.name);
    EXPECT_TRUE(names.insert(t.name).second) << "names are unique";
    EXPECT_LE(t.threads(), 1024);
    EXPECT_EQ(t.tn % 2, 0);
    EXPECT_EQ(t.bk % 16, 0);
    EXPECT_TRUE(!t.one_sync || t.ragged);
    EXPECT_GT(t.efficiency, 0.0);
    // The 16-bit table (rows of 258 entries), two operand stages, the reduction array.
    const int stage = t.bm() * (t.bk + 4) + t.bk * ((t.bn() + 15) / 16 * 16);
    EXPECT_LE(256 * 258 * 2 + 2 * stage + 8 * (t.threads() / 32), 227 * 1024);
    if (!t.ragged) EXPECT_EQ(t.workers(), t.threads()) << "power-of-two tiles are whole warps";
  }
  EXPECT_EQ(kLutVariants, 23);
}

TEST(LutTilings, WholeWavesOnViTB16LinearLayers) {
  // 12608 = 197 x 64 tokens; tiling 20's 96 x 256 tiles make multiples of 132 SMs.
  const LutTilingSpec& t = kLutTilings[20];
  EXPECT_EQ(lut_tiles(t, 12608, 2304, 1), 1188);
  EXPECT_EQ(lut_tiles(t, 12608, 768, 1), 396);
  EXPECT_EQ(lut_tiles(t, 12608, 3072, 1), 1584);
  // Tiling 18 (128 x 256) leaves proj's last wave a quarter full: 297 tiles.
  EXPECT_EQ(lut_tiles(kLutTilings[18], 12608, 768, 1), 297);
  EXPECT_EQ(kLutTilings[21].padded_k(197), 200);
  EXPECT_EQ(kLutTilings[0].padded_k(197), 224);
}

TEST(LutTilings, ChoosesTheFastestMeasuredOnTheH200) {
  constexpr int kSms = 132;  // H200
  // ViT-B/16 at batch 64: the linear layers and the attention matmuls (768 = 64 x 12 heads).
  EXPECT_EQ(choose_lut_tiling(12608, 2304, 768, 1, kSms), 20);  // qkv
  EXPECT_EQ(choose_lut_tiling(12608, 768, 768, 1, kSms), 20);   // proj
  EXPECT_EQ(choose_lut_tiling(197, 197, 64, 768, kSms), 13);    // Q K^T
  EXPECT_EQ(choose_lut_tiling(197, 64, 197, 768, kSms), 21);    // A V
  // Without tilings 20-22 (AXX_CUDA_LUT_TILES=20): 18 on qkv, 19 on proj (both measured faster
  // than the rest of 0-19 there).
  EXPECT_EQ(choose_lut_tiling(12608, 2304, 768, 1, kSms, 20), 18);
  EXPECT_EQ(choose_lut_tiling(12608, 768, 768, 1, kSms, 20), 19);
  EXPECT_EQ(choose_lut_tiling(197, 64, 197, 768, kSms, 20), 11);
  // Among the power-of-two tilings only.
  using Shape = std::array<std::int64_t, 4>;  // M, N, K, batches
  for (const Shape& s : {Shape{12608, 2304, 768, 1}, Shape{197, 197, 64, 768}})
    EXPECT_LT(choose_lut_tiling(s[0], s[1], s[2], s[3], kSms, kLutFixedVariants),
              kLutFixedVariants);
}

TEST(LutTilings, EnvironmentOverrides) {
  EXPECT_EQ(parse_lut_tile_count(nullptr), kLutVariants);
  EXPECT_EQ(parse_lut_tile_count(""), kLutVariants);
  EXPECT_EQ(parse_lut_tile_count("fixed"), kLutFixedVariants);
  EXPECT_EQ(parse_lut_tile_count("20"), 20);
  EXPECT_EQ(parse_lut_tile_count("23"), 23);
  for (const char* bad : {"2", "24", "-1", "abc", "20x", "Fixed"})
    EXPECT_THROW(parse_lut_tile_count(bad), UsageError) << bad;
  EXPECT_EQ(parse_lut_forced_variant(nullptr), -1);
  EXPECT_EQ(parse_lut_forced_variant(""), -1);
  EXPECT_EQ(parse_lut_forced_variant("0"), 0);
  EXPECT_EQ(parse_lut_forced_variant("22"), 22);
  for (const char* bad : {"23", "-1", "x", "1 "})
    EXPECT_THROW(parse_lut_forced_variant(bad), UsageError) << bad;
  try {
    parse_lut_tile_count("99");
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "AXX_CUDA_LUT_TILES=99: expected 'fixed' or a count 3..23");
  }
}

}  // namespace
}  // namespace axx::emulator::cuda_detail
