// The LUT kernel's tilings (lut_gemm_cuda.cu) as data, one line each, and the per-shape choice
// among them (docs/emulator-cuda.md, "LUT kernel"). Plain C++: the kernel instantiates one template
// per line (TilingAt<V>), and the CPU tests check the table and the choice without a GPU.
//
// A block of tr x tc compute threads, each owning tm x tn outputs, covers a bm x bn output tile; K
// is staged bk deep. ragged: the thread grid need not be whole warps (the block is rounded up and
// the extra threads only load operands), B rows are staged 16 bytes wide past bn, the last K stage
// runs only the steps left (rounded up to 4), and unaligned rows take unrolled byte loads; the
// one-barrier walk (one_sync) needs it. efficiency: the tiling's relative lookup rate, the weight of
// its estimate (below), fitted to H200 measurements (docs/benchmarks-emulator-cuda.md).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "axx/error.h"

namespace axx::emulator::cuda_detail {

struct LutTilingSpec {
  int tm, tn, tr, tc;
  bool ragged;
  int bk;
  bool one_sync;
  double efficiency;
  const char* name;

  constexpr int bm() const { return tr * tm; }
  constexpr int bn() const { return tc * tn; }
  constexpr int workers() const { return tr * tc; }
  constexpr int threads() const { return (workers() + 31) / 32 * 32; }
  // K padded per tile: to a multiple of 4 when the last stage is trimmed, else to the stage depth.
  constexpr std::int64_t padded_k(std::int64_t k) const {
    return ragged ? (k + 3) / 4 * 4 : (k + bk - 1) / bk * bk;
  }
};

// Weights, from `bench/emulator_cuda/run_gpu.sh --quick` runs on the H200 (relative to tiling 2's
// 1.00 on the linear layers, after the estimate's own wave and padding terms; the attention
// tilings relative to the measured best on Q K^T and A V at batch 768):
//   - 5-7: the ragged tilings sit below the 4x8 ones (a smaller tile reloads operands more
//     often), so they win only where they cut padding; the 40 x 200 tile ran 4% slower than the
//     100 x 200 one on Q K^T, where the estimate has them equal.
//   - 8-12: Q K^T ran 64.6% / 66.7% / 66.9% of the (LCG-indexed) ceiling with 8 / 9 / 12, A V
//     67.4% / 69.0% with 10 / 11; the weights carry what the estimate leaves out (warps per SM,
//     operand reloads per lookup).
//   - 13-18: 13 ran Q K^T at 68.0% against 12's 66.3%; on the linear layers 16 ran 77.3-77.5%
//     against tiling 2's 76.0-76.2%, 15 weighs 1.036 after its waves, 18 ran 83.6% on qkv (whole
//     waves); 14 and 17 ran below the tilings they would replace. Two linear shapes gave the same
//     weights to 0.001.
//   - 19-22: 19 ran 78.5% on qkv (its 24-thread rows put two tile rows in a warp: 3.09 bank passes
//     per lookup instruction against 2.79 with one row), 20 86.5% on qkv and 86.6% on proj, 21 and
//     22 A V at 76.6% and 76.2% where 11 ran 68.9% (all of the LCG-indexed ceiling; 95.7%, 96.0%,
//     85.0%, 84.6% of the shared-row one). Their implied weights agreed to 0.003 between qkv and
//     proj and, for 21 and 22, between the linear layers and A V.
inline constexpr LutTilingSpec kLutTilings[] = {
    // Power-of-two tiles, K staged 32 deep.
    {4, 8, 32, 16, false, 32, false, 1.00, "4x8/512thr/128x128"},  // 0
    {8, 8, 16, 16, false, 32, false, 1.01, "8x8/256thr/128x128"},  // 1
    {4, 8, 16, 16, false, 32, false, 1.00, "4x8/256thr/64x128"},   // 2
    {4, 4, 16, 16, false, 32, false, 0.95, "4x4/256thr/64x64"},    // 3
    {2, 4, 32, 16, false, 32, false, 0.90, "2x4/512thr/64x64"},    // 4
    // Ragged tiles for the attention matmuls of ViT (197 tokens, head dim 64; docs/emulator-cuda.md,
    // "Attention shapes"): 197 = 200 - 3 wastes 1.5% per dimension where a 64-row tile wastes 23%.
    {4, 8, 10, 25, true, 32, false, 0.93, "4x8/250thr/40x200"},   // 5: Q K^T
    {4, 8, 25, 25, true, 32, false, 0.97, "4x8/625thr/100x200"},  // 6: Q K^T
    {4, 8, 50, 8, true, 32, false, 0.97, "4x8/400thr/200x64"},    // 7: A V
    // One barrier per K stage (one_sync_tiles): Q K^T's K = 64 in one stage, A V's 197 in two.
    {4, 8, 25, 25, true, 64, true, 0.97, "4x8/625thr/100x200/k64/1sync"},    // 8
    {4, 8, 10, 25, true, 64, true, 0.98, "4x8/250thr/40x200/k64/1sync"},     // 9
    {4, 8, 50, 8, true, 128, true, 0.97, "4x8/400thr/200x64/k128/1sync"},    // 10
    {5, 8, 40, 8, true, 128, true, 0.985, "5x8/320thr/200x64/k128/1sync"},   // 11
    {5, 8, 20, 25, true, 64, true, 1.00, "5x8/500thr/100x200/k64/1sync"},    // 12
    // 10 x 8 outputs per thread on the attention tiles (twice the independent lookups per K step).
    {10, 8, 10, 25, true, 64, true, 1.025, "10x8/250thr/100x200/k64/1sync"},  // 13
    {10, 8, 20, 8, true, 128, true, 0.90, "10x8/160thr/200x64/k128/1sync"},   // 14
    // The one-barrier walk on power-of-two tiles for the linear layers (K = 768: 12 stages of 64;
    // ragged only switches on what that walk needs, aligned rows still take 16-byte loads).
    {8, 8, 16, 16, true, 64, true, 1.036, "8x8/256thr/128x128/k64/1sync"},  // 15
    {4, 8, 16, 16, true, 64, true, 1.017, "4x8/256thr/64x128/k64/1sync"},   // 16
    {8, 8, 16, 8, true, 64, true, 0.90, "8x8/128thr/128x64/k64/1sync"},     // 17
    {8, 8, 16, 32, true, 64, true, 1.138, "8x8/512thr/128x256/k64/1sync"},  // 18
    {8, 8, 16, 24, true, 64, true, 1.03, "8x8/384thr/128x192/k64/1sync"},   // 19
    // Every warp on one tile row (tc = 32), so all lanes of a lookup share the table row
    // (docs/emulator-cuda.md, "The lookup ceiling"). 20: 12608 = 131.3 x 96, so every ViT-B/16
    // linear layer at batch 64 fills whole waves of 132 SMs; 21, 22: A V's 64 columns as 32 x 2.
    {8, 8, 12, 32, true, 64, true, 1.13, "8x8/384thr/96x256/k64/1sync"},      // 20
    {10, 2, 20, 32, true, 128, true, 1.095, "10x2/640thr/200x64/k128/1sync"},  // 21
    {20, 2, 10, 32, true, 128, true, 1.09, "20x2/320thr/200x64/k128/1sync"},   // 22
};
inline constexpr int kLutVariants = static_cast<int>(sizeof(kLutTilings) / sizeof(kLutTilings[0]));
// The first kLutFixedVariants are the power-of-two tiles (the choice before the ragged ones).
inline constexpr int kLutFixedVariants = 5;
// Ties go to the 64 x 128 tiling: on the H200 it was fastest or within 2% of it on every ViT
// shape (docs/benchmarks-emulator-cuda.md).
inline constexpr int kDefaultLutVariant = 2;

// Output tiles of a batch of M x N GEMMs.
inline double lut_tiles(const LutTilingSpec& t, std::int64_t M, std::int64_t N,
                        std::int64_t batches) {
  return static_cast<double>((M + t.bm() - 1) / t.bm()) *
         static_cast<double>((N + t.bn() - 1) / t.bn()) * static_cast<double>(batches);
}

// A block walks ceil(tiles / grid) tiles, so the run time goes as that count times the padded work
// of one tile, divided by the tiling's efficiency and its share of busy lanes. Smaller tiles waste
// less on odd sizes and balance the last wave better; larger ones reuse each operand byte more.
inline double lut_tiling_estimate(const LutTilingSpec& t, std::int64_t M, std::int64_t N,
                                  std::int64_t K, std::int64_t batches, int sms) {
  const double tiles = lut_tiles(t, M, N, batches);
  const double grid = tiles < sms ? tiles : sms;
  const double waves = std::ceil(tiles / grid);
  const double lanes = static_cast<double>(t.workers()) / t.threads();
  return waves * t.bm() * t.bn() * static_cast<double>(t.padded_k(K)) / (t.efficiency * lanes);
}

// The tiling with the smallest estimate among 0 .. n - 1 (ties: kDefaultLutVariant).
inline int choose_lut_tiling(std::int64_t M, std::int64_t N, std::int64_t K, std::int64_t batches,
                             int sms, int n = kLutVariants) {
  int best = kDefaultLutVariant;
  double best_est = lut_tiling_estimate(kLutTilings[best], M, N, K, batches, sms);
  for (int v = 0; v < n && v < kLutVariants; ++v) {
    const double e = lut_tiling_estimate(kLutTilings[v], M, N, K, batches, sms);
    if (e < best_est) {
      best = v;
      best_est = e;
    }
  }
  return best;
}

// AXX_CUDA_LUT_TILES: how many tilings the per-shape choice considers. Unset or empty: all;
// "fixed": the five power-of-two ones; "<n>": tilings 0 .. n - 1 (20: all but the
// one-row-per-warp tilings 20-22). Anything else is a UsageError.
inline int parse_lut_tile_count(const char* e) {
  if (!e || !*e) return kLutVariants;
  if (std::string(e) == "fixed") return kLutFixedVariants;
  char* end = nullptr;
  const long k = std::strtol(e, &end, 10);
  if (*end != 0 || k <= kDefaultLutVariant || k > kLutVariants)
    throw UsageError("AXX_CUDA_LUT_TILES=" + std::string(e) + ": expected 'fixed' or a count " +
                     std::to_string(kDefaultLutVariant + 1) + ".." + std::to_string(kLutVariants));
  return static_cast<int>(k);
}

// AXX_CUDA_LUT_VARIANT: a tiling index forced wherever the tiling is chosen per shape; -1 when
// unset or empty. Anything but an index 0 .. kLutVariants - 1 is a UsageError.
inline int parse_lut_forced_variant(const char* e) {
  if (!e || !*e) return -1;
  char* end = nullptr;
  const long n = std::strtol(e, &end, 10);
  if (*end != 0 || n < 0 || n >= kLutVariants)
    throw UsageError("AXX_CUDA_LUT_VARIANT=" + std::string(e) + ": expected a tiling index 0.." +
                     std::to_string(kLutVariants - 1));
  return static_cast<int>(n);
}

}  // namespace axx::emulator::cuda_detail
