// Table-gradient GEMM on CUDA (emulator.h, lut_grad_cuda): the backward of a table product with a
// float output gradient, one side per call. Both sides are one generic product
//   out[i][j] = scale * sum_r W[i][r] * T[F[i][j]][V[j][r]]
// with, for side A (out = grad wrt A, M x K): i = m, j = k, r = n, F = A, V = B, W = G, T = D;
// for side B (out = grad wrt B, seen as N x K): i = n, j = k, r = m, F = B^T, V = A^T, W = G^T and
// T = D^T. The transposes are only strides: the tile loads pick the coalesced direction.
//
// Design (docs/emulator-cuda.md), after the LUT kernel (lut_gemm_cuda.cu): the difference table
// sits in shared memory as 16-bit integers (rows of 258 entries against bank conflicts), a
// persistent grid of one 256-thread block per SM loads it once and walks output tiles. Each thread
// owns TI x TJ outputs; the operand F of an output is fixed over the whole sum, so its table row
// offset is computed once per tile and every term costs an address add, the LDS, the int -> float
// conversion (two full-rate ops instead of the quarter-rate I2F) and an FFMA. Per K stage the W
// (float) and V (byte) tiles come through shared memory.
//
// Tables whose entries do not fit int16 (checked per block from the table itself, so the host
// never reads it) run the same loop with int32 entries read from global memory through the
// read-only cache. Accumulation is float in both; the scale is applied after the sum, so for
// small integer-valued G every partial sum, and the result, is exact.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "axx/error.h"
#include "emulator/common/grad_check.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"
#include "emulator/emulator.h"

namespace axx::emulator {
namespace cuda_detail {
namespace {

constexpr int kRowStride = 258;                  // int16 entries per shared table row
constexpr int kTableBytes = 256 * kRowStride * 2;  // 132096, a multiple of 16
constexpr int kThreads = 256, kTR = 16, kTC = 16;  // threads as kTR rows x kTC columns
constexpr int kBR = 32;                          // sum terms per stage
// Largest tiling (outputs per thread) that prefetches its stages into registers: 4x4 takes 219
// registers with it; 4x8 and 8x4 would spill (ptxas -v, sm_90).
constexpr int kPrefetchMaxOutputs = 16;

struct GradArgs {
  std::int64_t I = 0, J = 0, R = 0;
  const std::uint8_t* F = nullptr;
  std::int64_t f_si = 0, f_sj = 0, f_sz = 0;
  const std::uint8_t* V = nullptr;
  std::int64_t v_sj = 0, v_sr = 0, v_sz = 0;
  const float* W = nullptr;
  std::int64_t w_si = 0, w_sr = 0, w_sz = 0;
  float* out = nullptr;
  std::int64_t o_si = 0, o_sj = 0, o_sz = 0;
  const std::int32_t* diff = nullptr;
  bool transposed = false;  // T[f][v] = diff[v][f]
  float scale = 1.f;
  std::int64_t batch = 1;
  // Split sums: `splits` ranges of `chunk` terms each (a multiple of kBR) run as separate tiles,
  // writing unscaled partial sums to partial[(s * batch + z) * I * J + i * J + j]; a second
  // kernel adds them in order of s. splits == 1: the tiles write out directly.
  std::int64_t splits = 1, chunk = 0;
  float* partial = nullptr;
  std::int64_t tiles_i = 0, tiles_j = 0, tiles_total = 0;
};

template <int TI, int TJ>
struct Tiling {
  static constexpr int BI = kTR * TI, BJ = kTC * TJ;
  static constexpr int WS = BI + 4, VS = BJ + 4;  // padded stage rows (floats, bytes)
  static constexpr int kSmemBytes = kTableBytes + kBR * WS * 4 + kBR * VS;
  static_assert(TI % 4 == 0 && TJ % 4 == 0, "TI and TJ must be multiples of 4");
};

// x (|x| < 2^22) as float with two full-rate ops: 1.5 * 2^23 + x has ulp 1.
__device__ __forceinline__ float int_to_float(int x) {
  return __int_as_float(0x4B400000 + x) - 12582912.0f;
}

// The shared-table lookup of one term: a signed 16-bit load from a 32-bit shared-window address.
// Written as PTX so the address stays one register add per term: through a generic pointer the
// compiler rebuilt each address from the operand (a multiply-add and an add of the window base).
__device__ __forceinline__ int lds_s16(std::uint32_t addr) {
  int d;
  asm("ld.shared.s16 %0, [%1];" : "=r"(d) : "r"(addr));
  return d;
}

// Position of element e of the W stage tile (BI x kBR): row a of the tile, term r of the stage.
// With W unit-stride along r a warp covers 8 consecutive r of 4 rows (32-byte pieces of global
// memory) and its transposing stores hit distinct banks (rows padded by 4 floats).
template <int BI>
__device__ __forceinline__ void w_position(int e, bool w_rows, int& a, int& r) {
  if (w_rows) {
    const int lane = e % 32, grp = e / 32;
    r = (grp % (kBR / 8)) * 8 + lane % 8;
    a = (grp / (kBR / 8)) * 4 + lane / 8;
  } else {
    a = e % BI;
    r = e / BI;
  }
}

// Position of element e of the V stage tile (BJ x kBR): row b of the tile, term r of the stage
// (unit stride along r: consecutive elements run along r).
template <int BJ>
__device__ __forceinline__ void v_position(int e, bool v_rows, int& b, int& r) {
  b = v_rows ? e / kBR : e % BJ;
  r = v_rows ? e % kBR : e / BJ;
}

// kLegacy: the lookups through a generic pointer as before lds_s16 (per term a multiply-add and an
// add for the address), kept for comparison (AXX_CUDA_GRAD_TILING 4..7).
template <int TI, int TJ, bool kShared, bool kLegacy>
__device__ __forceinline__ void run_tiles(const GradArgs& g, const std::uint8_t* tbl, float* ws,
                                          std::uint8_t* vs) {
  using T = Tiling<TI, TJ>;
  // kPrefetch: the next stage's operands load into registers while this stage's lookups run
  // (with one block per SM nothing else hides the loads); only where the registers are free.
  constexpr bool kPrefetch = !kLegacy && TI * TJ <= kPrefetchMaxOutputs;
  constexpr int kWIters = T::BI * kBR / kThreads, kVIters = T::BJ * kBR / kThreads;
  static_assert(T::BI * kBR % kThreads == 0 && T::BJ * kBR % kThreads == 0, "whole load rounds");
  const int tx = threadIdx.x % kTC, ty = threadIdx.x / kTC;
  const std::uint32_t tbl_base = static_cast<std::uint32_t>(__cvta_generic_to_shared(tbl));
  const std::int64_t per_batch = g.tiles_i * g.tiles_j;
  for (std::int64_t tile = blockIdx.x; tile < g.tiles_total; tile += gridDim.x) {
    const std::int64_t split = tile / (per_batch * g.batch);
    const std::int64_t z = tile / per_batch % g.batch, rem = tile % per_batch;
    const std::int64_t r_begin = split * g.chunk;
    const std::int64_t r_end = g.R - r_begin < g.chunk ? g.R : r_begin + g.chunk;
    const std::int64_t i0 = (rem / g.tiles_j) * T::BI, j0 = (rem % g.tiles_j) * T::BJ;
    const std::uint8_t* F = g.F + z * g.f_sz;
    const std::uint8_t* V = g.V + z * g.v_sz;
    const float* W = g.W + z * g.w_sz;

    // The fixed operand of each output: its table row (shared: byte offset; global: entry offset).
    std::uint32_t foff[TI][TJ];
#pragma unroll
    for (int a = 0; a < TI; ++a)
#pragma unroll
      for (int b = 0; b < TJ; ++b) {
        const std::int64_t i = i0 + ty * TI + a, j = j0 + tx * TJ + b;
        const std::uint32_t f = (i < g.I && j < g.J) ? __ldg(F + i * g.f_si + j * g.f_sj) : 0u;
        foff[a][b] = kShared ? (kLegacy ? 0u : tbl_base) + f * (kRowStride * 2)
                             : (g.transposed ? f : f * 256u);
      }
    float acc[TI][TJ];
#pragma unroll
    for (int a = 0; a < TI; ++a)
#pragma unroll
      for (int b = 0; b < TJ; ++b) acc[a][b] = 0.f;

    // W tile (BI x kBR) into ws[r][i], V tile (BJ x kBR) into vs[r][j]; padding reads 0 (a zero
    // weight on a valid table entry adds exactly 0).
    const bool w_rows = g.w_sr == 1, v_rows = g.v_sr == 1;
    float wreg[kPrefetch ? kWIters : 1];
    std::uint8_t vreg[kPrefetch ? kVIters : 1];
    const auto fetch = [&](std::int64_t r0) {  // one stage into registers (kPrefetch)
#pragma unroll
      for (int it = 0; it < kWIters; ++it) {
        int a, r;
        w_position<T::BI>(it * kThreads + threadIdx.x, w_rows, a, r);
        const std::int64_t i = i0 + a, rr = r0 + r;
        wreg[it] = (i < g.I && rr < r_end) ? __ldg(W + i * g.w_si + rr * g.w_sr) : 0.f;
      }
#pragma unroll
      for (int it = 0; it < kVIters; ++it) {
        const int e = it * kThreads + threadIdx.x;
        int b, r;
        v_position<T::BJ>(e, v_rows, b, r);
        const std::int64_t j = j0 + b, rr = r0 + r;
        vreg[it] = (j < g.J && rr < r_end) ? __ldg(V + j * g.v_sj + rr * g.v_sr) : 0;
      }
    };
    if constexpr (kPrefetch) fetch(r_begin);
    for (std::int64_t r0 = r_begin; r0 < r_end; r0 += kBR) {
      __syncthreads();  // the previous stage has been read
      if constexpr (kPrefetch) {
#pragma unroll
        for (int it = 0; it < kWIters; ++it) {
          int a, r;
          w_position<T::BI>(it * kThreads + threadIdx.x, w_rows, a, r);
          ws[r * T::WS + a] = wreg[it];
        }
#pragma unroll
        for (int it = 0; it < kVIters; ++it) {
          const int e = it * kThreads + threadIdx.x;
          int b, r;
          v_position<T::BJ>(e, v_rows, b, r);
          vs[r * T::VS + b] = vreg[it];
        }
      } else {
        for (int e = threadIdx.x; e < T::BI * kBR; e += kThreads) {
          int a, r;
          w_position<T::BI>(e, w_rows, a, r);
          const std::int64_t i = i0 + a, rr = r0 + r;
          ws[r * T::WS + a] = (i < g.I && rr < r_end) ? __ldg(W + i * g.w_si + rr * g.w_sr) : 0.f;
        }
        for (int e = threadIdx.x; e < T::BJ * kBR; e += kThreads) {
          int b, r;
          v_position<T::BJ>(e, v_rows, b, r);
          const std::int64_t j = j0 + b, rr = r0 + r;
          vs[r * T::VS + b] = (j < g.J && rr < r_end) ? __ldg(V + j * g.v_sj + rr * g.v_sr) : 0;
        }
      }
      __syncthreads();
      // the next stage's loads fly during this stage's lookups
      if constexpr (kPrefetch)
        if (r0 + kBR < r_end) fetch(r0 + kBR);
      const int steps = r_end - r0 < kBR ? static_cast<int>(r_end - r0) : kBR;
#pragma unroll 1
      for (int r = 0; r < steps; ++r) {
        float w[TI];
#pragma unroll
        for (int q = 0; q < TI / 4; ++q) {
          const float4 v4 = *reinterpret_cast<const float4*>(ws + r * T::WS + ty * TI + q * 4);
          w[q * 4] = v4.x;
          w[q * 4 + 1] = v4.y;
          w[q * 4 + 2] = v4.z;
          w[q * 4 + 3] = v4.w;
        }
        std::uint32_t voff[TJ];
#pragma unroll
        for (int q = 0; q < TJ / 4; ++q) {
          const std::uint32_t word =
              *reinterpret_cast<const std::uint32_t*>(vs + r * T::VS + tx * TJ + q * 4);
#pragma unroll
          for (int c = 0; c < 4; ++c) {
            const std::uint32_t v = __byte_perm(word, 0u, 0x4440u + c);
            voff[q * 4 + c] = kShared ? v * 2u : (g.transposed ? v * 256u : v);
          }
        }
#pragma unroll
        for (int a = 0; a < TI; ++a)
#pragma unroll
          for (int b = 0; b < TJ; ++b) {
            float d;
            if constexpr (kShared && !kLegacy)
              d = int_to_float(lds_s16(foff[a][b] + voff[b]));
            else if constexpr (kShared)
              d = int_to_float(*reinterpret_cast<const std::int16_t*>(tbl + foff[a][b] + voff[b]));
            else
              d = static_cast<float>(__ldg(g.diff + foff[a][b] + voff[b]));
            acc[a][b] = fmaf(w[a], d, acc[a][b]);
          }
      }
    }

    float* out = g.out + z * g.o_sz;
    float* part = g.partial ? g.partial + (split * g.batch + z) * g.I * g.J : nullptr;
#pragma unroll
    for (int a = 0; a < TI; ++a) {
      const std::int64_t i = i0 + ty * TI + a;
      if (i >= g.I) continue;
#pragma unroll
      for (int b = 0; b < TJ; ++b) {
        const std::int64_t j = j0 + tx * TJ + b;
        if (j >= g.J) continue;
        if (g.partial)
          part[i * g.J + j] = acc[a][b];
        else
          out[i * g.o_si + j * g.o_sj] = acc[a][b] * g.scale;
      }
    }
  }
}

// out = scale * the sum of the splits' partial sums, added in order of the split.
__global__ void reduce_splits(const GradArgs g) {
  const std::int64_t n = g.batch * g.I * g.J;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < n;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    float sum = 0.f;
    for (std::int64_t sp = 0; sp < g.splits; ++sp) sum += g.partial[sp * n + e];
    const std::int64_t z = e / (g.I * g.J), i = e / g.J % g.I, j = e % g.J;
    g.out[z * g.o_sz + i * g.o_si + j * g.o_sj] = sum * g.scale;
  }
}

template <int TI, int TJ, bool kLegacy>
__global__ void __launch_bounds__(kThreads, 1) lut_grad_kernel(const GradArgs g) {
  using T = Tiling<TI, TJ>;
  extern __shared__ __align__(16) std::uint8_t smem[];
  std::int16_t* tbl = reinterpret_cast<std::int16_t*>(smem);
  float* ws = reinterpret_cast<float*>(smem + kTableBytes);
  std::uint8_t* vs = smem + kTableBytes + kBR * T::WS * 4;

  bool fits = true;
  if (g.R > 0) {  // an empty sum reads no table (it may be null)
    for (int e = threadIdx.x; e < 256 * 256; e += kThreads) {
      const std::int32_t d = __ldg(g.diff + e);
      if (d < -32768 || d > 32767) fits = false;
      const int row = e >> 8, col = e & 255;
      tbl[g.transposed ? col * kRowStride + row : row * kRowStride + col] =
          static_cast<std::int16_t>(d);
    }
  }
  fits = __syncthreads_and(fits);
  if (fits)
    run_tiles<TI, TJ, true, kLegacy>(g, smem, ws, vs);
  else
    run_tiles<TI, TJ, false, kLegacy>(g, smem, ws, vs);
}

// Tiles of a tiling for the problem (batch and splits included).
std::int64_t tile_count(const GradArgs& g, int bi, int bj, std::int64_t splits) {
  return (g.I + bi - 1) / bi * ((g.J + bj - 1) / bj) * g.batch * splits;
}

// Splits of the sum: when the output has too few tiles to fill the SMs twice (the weight side of
// a linear layer: N x K outputs, a sum over all tokens), the sum is cut into ranges of at least
// kMinChunk terms, so that the tiles cover the SMs about twice (rounded down: whole waves).
constexpr std::int64_t kMinChunk = 256;
std::int64_t choose_splits(const GradArgs& g, int bi, int bj, int sms) {
  const std::int64_t tiles = tile_count(g, bi, bj, 1);
  std::int64_t splits = 2 * sms / tiles;
  const std::int64_t most = g.R / kMinChunk;
  if (splits > most) splits = most;
  return splits < 1 ? 1 : splits;
}

template <int TI, int TJ, bool kLegacy>
void launch(GradArgs g, cudaStream_t stream) {
  using T = Tiling<TI, TJ>;
  const int sms = device_sm_count();
  g.tiles_i = (g.I + T::BI - 1) / T::BI;
  g.tiles_j = (g.J + T::BJ - 1) / T::BJ;
  g.splits = choose_splits(g, T::BI, T::BJ, sms);
  g.chunk = (g.R + g.splits - 1) / g.splits;
  g.chunk = (g.chunk + kBR - 1) / kBR * kBR;
  g.splits = g.chunk > 0 ? (g.R + g.chunk - 1) / g.chunk : 1;  // no empty split
  if (g.splits < 1) g.splits = 1;
  g.tiles_total = tile_count(g, T::BI, T::BJ, g.splits);
  if (g.tiles_total == 0) return;
  if (g.splits > 1)
    g.partial = static_cast<float*>(
        stream_alloc(static_cast<std::size_t>(g.splits * g.batch * g.I * g.J) * sizeof(float), stream));
  CUDA_CHECK(cudaFuncSetAttribute(lut_grad_kernel<TI, TJ, kLegacy>,
                                  cudaFuncAttributeMaxDynamicSharedMemorySize, T::kSmemBytes));
  const std::int64_t grid = g.tiles_total < sms ? g.tiles_total : sms;
  lut_grad_kernel<TI, TJ, kLegacy><<<static_cast<unsigned>(grid), kThreads, T::kSmemBytes, stream>>>(g);
  CUDA_CHECK_LAUNCH();
  if (g.splits > 1) {
    const std::int64_t n = g.batch * g.I * g.J;
    const std::int64_t blocks = (n + 255) / 256 < 4 * sms ? (n + 255) / 256 : 4 * sms;
    reduce_splits<<<static_cast<unsigned>(blocks), 256, 0, stream>>>(g);
    CUDA_CHECK_LAUNCH();
    stream_free(g.partial, stream);
  }
}

// Waves of tiles times the padded work of a tile (as the LUT kernel chooses its tiling): the
// smaller tiles waste less on short sides (attention's head dimension 64) and balance the last
// wave; the larger reuse each loaded operand more.
double estimate(const GradArgs& g, int bi, int bj, double efficiency, int sms) {
  const std::int64_t splits = choose_splits(g, bi, bj, sms);
  const double tiles = static_cast<double>(tile_count(g, bi, bj, splits));
  const double grid = tiles < sms ? tiles : sms;
  return std::ceil(tiles / grid) * bi * bj / static_cast<double>(splits) / efficiency;
}

// The tiling by estimate(): 0 = 8x8 outputs per thread (128 x 128 per block), 1 = 8x4, 2 = 4x8,
// 3 = 4x4 (docs/emulator-cuda.md). The efficiencies are the tilings' measured rates relative to
// 4x4 on the H200, on a shape where all four fill every SM (ViT-B/16 qkv, grad a: 1277 / 1267 /
// 1433 / 1935 G lookups/s, `bench/python/lut_grad_gpu.py --sweep`): 4x4 alone prefetches its stages
// into registers (the larger ones would spill), which is worth more than the operand reuse of a
// larger tile. With them the choice was the fastest tiling on all 12 ViT shape-and-side cases of
// that sweep (before: 0.74-1.00 of it). `legacy` keeps the earlier estimates (1 / 0.95 / 0.95 /
// 0.9), under which 8x8 led, to reproduce the earlier kernel as it ran.
int choose_tiling(const GradArgs& g, int sms, bool legacy) {
  const double eff[2][4] = {{0.66, 0.65, 0.74, 1.0}, {1.0, 0.95, 0.95, 0.9}};
  const double* e = eff[legacy ? 1 : 0];
  const double est[4] = {estimate(g, 128, 128, e[0], sms), estimate(g, 128, 64, e[1], sms),
                         estimate(g, 64, 128, e[2], sms), estimate(g, 64, 64, e[3], sms)};
  int best = 0;
  for (int v = 1; v < 4; ++v)
    if (est[v] < est[best]) best = v;
  return best;
}

// AXX_CUDA_GRAD_TILING (docs/emulator-cuda.md), for measurements: 0..3 forces that tiling, 4..7
// the same tilings with the earlier lookup addressing (kLegacy), "legacy" the choice above with
// the earlier addressing; unset or empty: the choice above. Read on every call, so a benchmark can
// switch it between calls. Returns the variant 0..7, or -1 (choose) or -2 (choose, legacy).
int forced_tiling() {
  const char* e = std::getenv("AXX_CUDA_GRAD_TILING");
  if (!e || !*e) return -1;
  if (e[1] == '\0' && e[0] >= '0' && e[0] <= '7') return e[0] - '0';
  if (std::string(e) == "legacy") return -2;
  throw UsageError(std::string("AXX_CUDA_GRAD_TILING must be 0..7 or 'legacy' (or unset), got '") +
                   e + "'");
}

}  // namespace
}  // namespace cuda_detail

void lut_grad_cuda(const std::int32_t* diff, float scale, GradSide side, const GradProblem& p,
                   void* stream) {
  using namespace cuda_detail;
  if (!check_grad_problem(diff, side, p, "lut_grad_cuda")) return;
  if (!cuda_available()) throw Error("lut_grad_cuda: no CUDA device is present");
  GradArgs g;
  g.diff = diff;
  g.scale = scale;
  g.batch = p.batch;
  if (side == GradSide::A) {
    g.I = p.M, g.J = p.K, g.R = p.N;
    g.F = p.A, g.f_si = p.lda, g.f_sj = 1, g.f_sz = p.stride_a;
    g.V = p.B, g.v_sj = p.ldb, g.v_sr = 1, g.v_sz = p.stride_b;
    g.W = p.G, g.w_si = p.ldg, g.w_sr = 1, g.w_sz = p.stride_g;
    g.out = p.out, g.o_si = p.ld_out, g.o_sj = 1, g.o_sz = p.stride_out;
    g.transposed = false;
  } else {
    g.I = p.N, g.J = p.K, g.R = p.M;
    g.F = p.B, g.f_si = 1, g.f_sj = p.ldb, g.f_sz = p.stride_b;
    g.V = p.A, g.v_sj = 1, g.v_sr = p.lda, g.v_sz = p.stride_a;
    g.W = p.G, g.w_si = 1, g.w_sr = p.ldg, g.w_sz = p.stride_g;
    g.out = p.out, g.o_si = 1, g.o_sj = p.ld_out, g.o_sz = p.stride_out;
    g.transposed = true;
  }
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  int variant = forced_tiling();
  if (variant < 0)
    variant = choose_tiling(g, device_sm_count(), variant == -2) + (variant == -2 ? 4 : 0);
  switch (variant) {
    case 0: launch<8, 8, false>(g, s); break;
    case 1: launch<8, 4, false>(g, s); break;
    case 2: launch<4, 8, false>(g, s); break;
    case 3: launch<4, 4, false>(g, s); break;
    case 4: launch<8, 8, true>(g, s); break;
    case 5: launch<8, 4, true>(g, s); break;
    case 6: launch<4, 8, true>(g, s); break;
    default: launch<4, 4, true>(g, s); break;
  }
}

}  // namespace axx::emulator
