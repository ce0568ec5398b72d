// Table-lookup GEMM on CUDA: C[z][i][j] = sum_k lut[A[z][i][k]][B[z][k][j]] (mod 2^32).
//
// Design (docs/emulator-cuda.md): the whole 256x256 table lives in shared memory as 16-bit
// entries, so every multiply is one LDS. A persistent grid (one block of 128 to 640 threads per
// SM: the table takes most of the SM's shared memory) loads the table once and then walks output
// tiles, whose shape is chosen per GEMM (power-of-two tiles, or ragged ones that fit the 197-wide
// attention matrices of ViT; see choose_variant). Each thread owns a TM x TN block of outputs
// (register blocking), so one operand byte read from shared memory serves TN (or TM) lookups, and
// the per-lookup work is an address add, the LDS and half an IADD3. Operand tiles come in with
// 16-byte loads, double-buffered through registers. The kernel is bound by shared-memory bank
// conflicts of the lookups: the tilings whose warps lie on one tile row (all lanes of a lookup on
// one table row) conflict least (docs/emulator-cuda.md, "The lookup ceiling"). On the H200 the
// chosen tilings run at 95% of a lookup-only kernel with that access pattern on the ViT linear
// layers, 85% on A V and 75% on Q K^T (docs/benchmarks-emulator-cuda.md).
//
// Only the 16-bit table fits: 256 x 258 x 2 bytes = 129 KiB of the 227 KiB a block may use; an
// int32 table (256 KiB) does not, hence the split below rather than a global-memory path.
//
// Table encoding. Entries are stored as e = (lut - min) mod 2^32, which fits 16 bits when the
// table's range max - min is below 2^16 (every 8x8 signed or unsigned multiplier). Then
//   C = sum_k e + K * min   (mod 2^32).
// Wider tables run each tile twice, first with the high and then with the low 16 bits of e:
//   C = (sum_k e_hi << 16) + sum_k e_lo + K * min,
// reloading the shared table between the halves (measured: exactly half the 16-bit rate; the
// reloads themselves cost about 1% at K = 768). The choice is made
// per block from the table itself, so the host never reads the table and nothing synchronizes.
//
// Bank conflicts. A table row holds 258 entries (129 words), so entry (a, b) sits in bank
// (a + b/2) mod 32: lanes that look up the same column in different rows (frequent for real
// activations, where many rows share small values) hit different banks.
//
// One barrier per K stage (variants 8-12, docs/emulator-cuda.md "Attention shapes"): the attention
// tilings again, with deeper stages (BK = 64: Q K^T's K = 64 is one stage; BK = 128: A V's 197 is
// two) and a tile walk whose two stage buffers alternate across tiles (one_sync_tiles), so a tile
// costs n_stages barriers and no prologue store + barrier; the next stage is fetched one 16-byte
// chunk per part of the lookups, so unaligned rows (16 byte loads per chunk) do not hold dozens of
// registers over the whole stage. Two of them (5 x 8 outputs per thread) are whole warps or nearly.
// Variants 13-19 take 10 x 8 outputs per thread on the attention tiles and the one-barrier walk on
// power-of-two tiles for the linear layers; 20-22 put every warp on one tile row.
//
// K padding. K is rounded up to the tile depth with operand pattern 0 on both sides; each padded
// step adds e(0,0), which is subtracted again at the end (exact modulo 2^32).
#include <cuda_runtime.h>

#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "emulator/common/lut_math.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"
#include "emulator/cuda/lut_tilings.h"

namespace axx::emulator::cuda_detail {
namespace {

constexpr int kRowStride = 258;  // 16-bit entries per shared table row (see "Bank conflicts")
constexpr int kTableBytes = kLutSide * kRowStride * 2;

// A block of TR x TC compute threads, each owning TM x TN outputs: a BM x BN output tile.
// TR * TC need not be a multiple of 32 (ragged tiles such as 40 x 200 for the 197-wide attention
// matrices): the block is rounded up to whole warps and the extra threads only load operands.
// BN need not be a multiple of 16: B rows are staged BS = BN rounded up to 16 bytes wide, and the
// columns past BN are loaded but not looked up. Ragged tilings also trim K: the last K stage runs
// only the K steps left, rounded up to 4, instead of the full depth (K = 197 pads to 200, not
// 224), and load unaligned operand rows with unrolled byte loads (load_partial16). The five
// power-of-two tilings keep the code they were measured with.
//
// BK (the K depth of a stage) and OneSync are the attention tilings' second generation (variants
// 8-12): with OneSync the two stage buffers alternate across tile boundaries as well, so a block
// passes one __syncthreads per K stage and nothing else (one_sync_tiles); BK = 64 makes Q K^T's
// whole K one stage, BK = 128 cuts A V's K = 197 into two.
template <int TM_, int TN_, int TR_, int TC_, bool Ragged = false, int BK_ = 32,
          bool OneSync = false>
struct Tiling {
  static constexpr int TM = TM_, TN = TN_, TR = TR_, TC = TC_;
  static constexpr int kWorkers = TR * TC;                  // threads that own outputs
  static constexpr int kThreads = (kWorkers + 31) / 32 * 32;  // the block
  static constexpr bool kRagged = Ragged, kTrimK = Ragged, kOneSync = OneSync;
  static constexpr int BM = TR * TM, BN = TC * TN, BK = BK_;
  static constexpr int AS = BK + 4;  // bytes per A tile row: rows of neighbouring threads land
                                     // in different banks
  static constexpr int BS = (BN + 15) / 16 * 16;  // bytes per B tile row
  static constexpr int kABytes = BM * AS, kBBytes = BK * BS;
  static constexpr int kStageBytes = kABytes + kBBytes;
  static constexpr int kSmemBytes = kTableBytes + 2 * kStageBytes;
  static constexpr int kAChunks = BM * BK / 16, kBChunks = BK * BS / 16;  // 16-byte pieces
  static constexpr int kLoadIters = (kAChunks + kBChunks + kThreads - 1) / kThreads;
  static_assert(TN % 2 == 0, "TN must be even");
  static_assert(BK % 16 == 0, "operand rows are staged in 16-byte chunks");
  static_assert(kABytes % 16 == 0, "the B tile and the second stage need 16-byte alignment");
  static_assert(kThreads <= 1024, "one block");
  static_assert(!OneSync || Ragged, "the one-sync loop relies on the trimmed K and unrolled loads");
  // Dynamic shared memory plus the static reduction array, within the 227 KiB of an sm_90 block.
  static_assert(kSmemBytes + 8 * (kThreads / 32) <= 227 * 1024, "shared memory");
  // A thread's TN columns: TN / 4 groups of 4 consecutive columns, kPanel bytes apart, the first at
  // tx * kColStep. Power-of-two tilings: one run of TN (kColStep = TN, kPanel = 4). Ragged ones:
  // the tile splits into TN / 4 panels of TC * 4 columns, thread tx owning columns 4 tx .. 4 tx + 3
  // of each, so that the TC (up to 32) threads of a warp read distinct banks of a B row; with one
  // run of 8 columns, threads tx and tx + 16 of a 25-wide row would hit the same bank.
  // TN = 2 (tilings whose warp spans a 64-wide tile on one row): one run of 2 columns, read as a
  // 16-bit pair (kPairs: any TN that is not a multiple of 4 would be read in pairs).
  static constexpr bool kPairs = TN % 4 != 0;
  static constexpr int kColStep = Ragged && !kPairs ? 4 : TN;
  static constexpr int kPanel = Ragged && !kPairs ? TC * 4 : 4;
  // The padded K steps are counted per tile: K rounded up to BK, or to 4 when trimmed.
  __host__ __device__ static constexpr std::int64_t padded_k(std::int64_t K) {
    return Ragged ? (K + 3) / 4 * 4 : (K + BK - 1) / BK * BK;
  }
};

struct LutArgs {
  BatchedGemm g;
  const std::int32_t* lut;
  std::int64_t tiles_m, tiles_n, tiles_total;
  const int* gate;  // null, or: run only when *gate != 0
};

__device__ __forceinline__ std::uint32_t byte_of(std::uint32_t w, int i) {
  return __byte_perm(w, 0u, 0x4440u + static_cast<unsigned>(i));
}

// Minimum and maximum of the table, reduced over the block (every thread gets them).
template <int kThreads>
__device__ void table_range(const std::int32_t* __restrict__ lut, std::int32_t* red,
                            std::int32_t& lo, std::int32_t& hi) {
  std::int32_t mn = INT32_MAX, mx = INT32_MIN;
  if ((reinterpret_cast<std::uintptr_t>(lut) & 15) == 0) {
    const int4* lut4 = reinterpret_cast<const int4*>(lut);
    for (int e = threadIdx.x; e < kLutEntries / 4; e += kThreads) {
      const int4 v = __ldg(lut4 + e);
      mn = min(min(mn, v.x), min(v.y, min(v.z, v.w)));
      mx = max(max(mx, v.x), max(v.y, max(v.z, v.w)));
    }
  } else {  // a table view that is not 16-byte aligned
    for (int e = threadIdx.x; e < kLutEntries; e += kThreads) {
      const std::int32_t v = __ldg(lut + e);
      mn = min(mn, v);
      mx = max(mx, v);
    }
  }
  mn = __reduce_min_sync(0xffffffffu, mn);
  mx = __reduce_max_sync(0xffffffffu, mx);
  constexpr int kWarps = kThreads / 32;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) {
    red[warp] = mn;
    red[kWarps + warp] = mx;
  }
  __syncthreads();
  mn = lane < kWarps ? red[lane] : INT32_MAX;
  mx = lane < kWarps ? red[kWarps + lane] : INT32_MIN;
  lo = __reduce_min_sync(0xffffffffu, mn);
  hi = __reduce_max_sync(0xffffffffu, mx);
  __syncthreads();  // red is reused
}

// Writes one 16-bit half of e = lut - min into the shared table (row = A operand pattern).
template <int kThreads>
__device__ void load_table(std::uint16_t* tbl, const std::int32_t* __restrict__ lut,
                           std::int32_t minv, int shift, bool transposed) {
  const int4* lut4 = reinterpret_cast<const int4*>(lut);
  const bool vec = (reinterpret_cast<std::uintptr_t>(lut) & 15) == 0;
  for (int e4 = threadIdx.x; e4 < kLutEntries / 4; e4 += kThreads) {
    const int4 v = vec ? __ldg(lut4 + e4)
                       : make_int4(__ldg(lut + 4 * e4), __ldg(lut + 4 * e4 + 1),
                                   __ldg(lut + 4 * e4 + 2), __ldg(lut + 4 * e4 + 3));
    const int vals[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const int e = e4 * 4 + q;
      const int r = e >> 8, c = e & 255;
      const std::uint32_t d = static_cast<std::uint32_t>(vals[q]) - static_cast<std::uint32_t>(minv);
      const auto h = static_cast<std::uint16_t>(d >> shift);
      if (transposed)
        tbl[c * kRowStride + r] = h;  // lut[a=r][b=c] looked up as [b][a]: row index = B operand
      else
        tbl[r * kRowStride + c] = h;
    }
  }
}

// Up to 16 bytes from an unaligned address, zero beyond `avail` (odd sizes, unaligned strides).
// Unrolled: the 16 byte loads are predicated and issued back to back, so a stage waits for one
// load latency rather than sixteen (the attention operands, rows of 197 bytes, are all unaligned).
template <bool Unrolled>
__device__ __forceinline__ uint4 load_partial16(const std::uint8_t* p, std::int64_t avail) {
  if constexpr (Unrolled) {
    std::uint32_t w[4] = {0, 0, 0, 0};
#pragma unroll
    for (int t = 0; t < 16; ++t)
      if (t < avail) w[t / 4] |= static_cast<std::uint32_t>(__ldg(p + t)) << (8 * (t % 4));
    return make_uint4(w[0], w[1], w[2], w[3]);
  }
  unsigned long long lo = 0, hi = 0;
  const int n = avail < 16 ? static_cast<int>(avail) : 16;
  for (int t = 0; t < n; ++t) {
    const unsigned long long x = __ldg(p + t);
    if (t < 8)
      lo |= x << (8 * t);
    else
      hi |= x << (8 * (t - 8));
  }
  return make_uint4(static_cast<std::uint32_t>(lo), static_cast<std::uint32_t>(lo >> 32),
                    static_cast<std::uint32_t>(hi), static_cast<std::uint32_t>(hi >> 32));
}

// Global -> registers for one K stage of a tile (A: BM x BK, B: BK x BN), as 16-byte chunks:
// chunk `it` of this thread. Out-of-range elements read as pattern 0 (padded K steps are corrected
// at the end; padded rows/columns are not stored).
template <class T>
__device__ __forceinline__ uint4 fetch_chunk(int it, const std::uint8_t* A, std::int64_t lda,
                                             bool a_vec, const std::uint8_t* B, std::int64_t ldb,
                                             bool b_vec, std::int64_t M, std::int64_t N,
                                             std::int64_t K, std::int64_t m0, std::int64_t n0,
                                             std::int64_t k0) {
  const int c = threadIdx.x + it * T::kThreads;
  uint4 v = make_uint4(0, 0, 0, 0);
  if (c < T::kAChunks) {
    const std::int64_t i = m0 + c / (T::BK / 16);
    const std::int64_t k = k0 + (c % (T::BK / 16)) * 16;
    if (i < M) {
      const std::uint8_t* p = A + i * lda + k;
      if (a_vec && k + 16 <= K) {
        v = __ldg(reinterpret_cast<const uint4*>(p));
      } else {
        v = load_partial16<T::kRagged>(p, K - k);
      }
    }
  } else if (c < T::kAChunks + T::kBChunks) {
    const int cb = c - T::kAChunks;
    const std::int64_t k = k0 + cb / (T::BS / 16);
    const std::int64_t j = n0 + (cb % (T::BS / 16)) * 16;
    if (k < K) {
      const std::uint8_t* p = B + k * ldb + j;
      // With BN not a multiple of 16 (ragged tiles), every other tile's chunks start 8 bytes
      // off a 16-byte boundary even where B's rows are aligned: those take the byte loads.
      if (b_vec && j + 16 <= N && (T::BN % 16 == 0 || (j & 15) == 0)) {
        v = __ldg(reinterpret_cast<const uint4*>(p));
      } else {
        v = load_partial16<T::kRagged>(p, N - j);
      }
    }
  }
  return v;
}

template <class T>
__device__ __forceinline__ void fetch_stage(uint4 (&regs)[T::kLoadIters], const std::uint8_t* A,
                                            std::int64_t lda, bool a_vec, const std::uint8_t* B,
                                            std::int64_t ldb, bool b_vec, std::int64_t M,
                                            std::int64_t N, std::int64_t K, std::int64_t m0,
                                            std::int64_t n0, std::int64_t k0) {
#pragma unroll
  for (int it = 0; it < T::kLoadIters; ++it)
    regs[it] = fetch_chunk<T>(it, A, lda, a_vec, B, ldb, b_vec, M, N, K, m0, n0, k0);
}

template <class T>
__device__ __forceinline__ void store_chunk(const uint4& v, int it, std::uint8_t* stage) {
  const int c = threadIdx.x + it * T::kThreads;
  if (c < T::kAChunks) {
    // A rows are AS = BK + 4 bytes apart: 4-byte stores.
    std::uint32_t* dst = reinterpret_cast<std::uint32_t*>(stage + (c / (T::BK / 16)) * T::AS +
                                                          (c % (T::BK / 16)) * 16);
    dst[0] = v.x;
    dst[1] = v.y;
    dst[2] = v.z;
    dst[3] = v.w;
  } else if (c < T::kAChunks + T::kBChunks) {
    const int cb = c - T::kAChunks;
    *reinterpret_cast<uint4*>(stage + T::kABytes + (cb / (T::BS / 16)) * T::BS +
                              (cb % (T::BS / 16)) * 16) = v;
  }
}

template <class T>
__device__ __forceinline__ void store_stage(const uint4 (&regs)[T::kLoadIters], std::uint8_t* stage) {
#pragma unroll
  for (int it = 0; it < T::kLoadIters; ++it) store_chunk<T>(regs[it], it, stage);
}

// The lookups of one K stage: TM x TN outputs per thread, K steps 4 * k4_begin to 4 * n4 (n4 =
// BK / 4 but in a trimmed last stage; one_sync_tiles runs a stage in parts).
template <class T>
__device__ __forceinline__ void compute_stage(std::uint32_t (&acc)[T::TM][T::TN],
                                              const std::uint8_t* tbl, const std::uint8_t* stage,
                                              int ty, int tx, int n4, int k4_begin = 0) {
  const std::uint8_t* as = stage + ty * T::TM * T::AS;
  const std::uint8_t* bs = stage + T::kABytes + tx * T::kColStep;
  // Partly unrolled: a fully unrolled stage (1024+ lookups) would not fit the instruction cache.
#pragma unroll 2
  for (int k4 = k4_begin; k4 < n4; ++k4) {
    std::uint32_t aw[T::TM];
#pragma unroll
    for (int r = 0; r < T::TM; ++r)
      aw[r] = *reinterpret_cast<const std::uint32_t*>(as + r * T::AS + k4 * 4);
#pragma unroll
    for (int kk = 0; kk < 4; ++kk) {
      std::uint32_t bw[T::kPairs ? T::TN / 2 : T::TN / 4];
      if constexpr (T::kPairs) {
#pragma unroll
        for (int q = 0; q < T::TN / 2; ++q)
          bw[q] = *reinterpret_cast<const std::uint16_t*>(bs + (k4 * 4 + kk) * T::BS + 2 * q);
      } else {
#pragma unroll
        for (int q = 0; q < T::TN / 4; ++q)
          bw[q] = *reinterpret_cast<const std::uint32_t*>(bs + (k4 * 4 + kk) * T::BS +
                                                          q * T::kPanel);
      }
      std::uint32_t roff[T::TM], boff[T::TN];
#pragma unroll
      for (int r = 0; r < T::TM; ++r) roff[r] = byte_of(aw[r], kk) * (kRowStride * 2);
#pragma unroll
      for (int c = 0; c < T::TN; ++c)
        boff[c] = T::kPairs ? byte_of(bw[c / 2], c % 2) * 2 : byte_of(bw[c / 4], c % 4) * 2;
#pragma unroll
      for (int r = 0; r < T::TM; ++r)
#pragma unroll
        for (int c = 0; c < T::TN; ++c)
          acc[r][c] += *reinterpret_cast<const std::uint16_t*>(tbl + roff[r] + boff[c]);
    }
  }
}

// Rows that start on 16-byte boundaries (pointer and leading dimension) take 16-byte loads.
__device__ __forceinline__ bool aligned16(const std::uint8_t* p, std::int64_t ld) {
  return ((reinterpret_cast<std::uintptr_t>(p) | static_cast<std::uintptr_t>(ld)) & 15) == 0;
}

// Where one output tile's operands are.
struct TileOperands {
  const std::uint8_t* A;
  const std::uint8_t* B;
  bool a_vec, b_vec;
  std::int64_t m0, n0, zo, zi;
};

template <class T>
__device__ __forceinline__ TileOperands tile_operands(const LutArgs& args, std::int64_t tile) {
  const BatchedGemm& g = args.g;
  const std::int64_t per_batch = args.tiles_m * args.tiles_n;
  const std::int64_t z = tile / per_batch, rem = tile % per_batch;
  TileOperands t;
  t.zo = z / g.n_inner;
  t.zi = z % g.n_inner;
  t.m0 = (rem / args.tiles_n) * T::BM;
  t.n0 = (rem % args.tiles_n) * T::BN;
  t.A = g.A + t.zo * g.sa_o + t.zi * g.sa_i;
  t.B = g.B + t.zo * g.sb_o + t.zi * g.sb_i;
  t.a_vec = aligned16(t.A, g.lda);
  t.b_vec = aligned16(t.B, g.ldb);
  return t;
}

// sum over all of K for one tile, accumulated into acc; returns after a final __syncthreads.
// With next_tile >= 0, the last stage also fetches the first stage of the block's next tile into
// regs (have_next set), so that tile does not start with an exposed global-load latency (K = 64,
// as in Q K^T, is only two stages per tile). have_next on entry: regs already hold stage 0.
template <class T>
__device__ __forceinline__ void tile_k_loop(std::uint32_t (&acc)[T::TM][T::TN],
                                            const std::uint8_t* tbl, std::uint8_t* stages,
                                            const TileOperands& cur, const LutArgs& args,
                                            std::int64_t next_tile,
                                            uint4 (&regs)[T::kLoadIters], bool& have_next,
                                            std::int64_t lda, std::int64_t ldb, std::int64_t M,
                                            std::int64_t N, std::int64_t K, int ty, int tx) {
  const std::int64_t n_stages = (K + T::BK - 1) / T::BK;
  if (n_stages == 0) return;
  if (!have_next)
    fetch_stage<T>(regs, cur.A, lda, cur.a_vec, cur.B, ldb, cur.b_vec, M, N, K, cur.m0, cur.n0, 0);
  have_next = false;
  store_stage<T>(regs, stages);
  __syncthreads();
  for (std::int64_t s = 0; s < n_stages; ++s) {
    const bool more = s + 1 < n_stages;
    if (more) {
      fetch_stage<T>(regs, cur.A, lda, cur.a_vec, cur.B, ldb, cur.b_vec, M, N, K, cur.m0, cur.n0,
                     (s + 1) * T::BK);
    } else if (next_tile >= 0) {
      const TileOperands next = tile_operands<T>(args, next_tile);  // late: fewer live registers
      fetch_stage<T>(regs, next.A, lda, next.a_vec, next.B, ldb, next.b_vec, M, N, K, next.m0,
                     next.n0, 0);
      have_next = true;
    }
    // Untrimmed tilings pass the constant depth, so their loop is the fixed 8 iterations.
    const int n4 = !T::kTrimK || more ? T::BK / 4
                                      : static_cast<int>((K - s * T::BK + 3) / 4);
    if (ty < T::TR) compute_stage<T>(acc, tbl, stages + (s & 1) * T::kStageBytes, ty, tx, n4);
    if (more) store_stage<T>(regs, stages + ((s + 1) & 1) * T::kStageBytes);
    __syncthreads();
  }
}

// Where one output tile's operands and results are (one_sync_tiles). The tile index splits with
// 32-bit divisions (a few instructions each; the 64-bit ones of tile_operands are a long
// subroutine, run by every thread of every tile) whenever the tile count allows.
struct Tile {
  const std::uint8_t* A;
  const std::uint8_t* B;
  std::int32_t* C;
  std::int64_t m0, n0;
  bool a_vec, b_vec;
};

template <class T>
__device__ __forceinline__ Tile decode_tile(const LutArgs& args, std::int64_t tile) {
  const BatchedGemm& g = args.g;
  std::int64_t zo, zi, tm, tn;
  if (args.tiles_total <= 0xFFFFFFFFll) {  // then every quotient below fits 32 bits too
    const auto t = static_cast<std::uint32_t>(tile);
    const auto per_batch = static_cast<std::uint32_t>(args.tiles_m * args.tiles_n);
    const auto tiles_n = static_cast<std::uint32_t>(args.tiles_n);
    const auto n_inner = static_cast<std::uint32_t>(g.n_inner);
    const std::uint32_t z = t / per_batch, rem = t - z * per_batch;
    zo = z / n_inner;
    zi = z - static_cast<std::uint32_t>(zo) * n_inner;
    tm = rem / tiles_n;
    tn = rem - static_cast<std::uint32_t>(tm) * tiles_n;
  } else {
    const std::int64_t per_batch = args.tiles_m * args.tiles_n;
    const std::int64_t z = tile / per_batch, rem = tile % per_batch;
    zo = z / g.n_inner;
    zi = z % g.n_inner;
    tm = rem / args.tiles_n;
    tn = rem % args.tiles_n;
  }
  Tile t;
  t.m0 = tm * T::BM;
  t.n0 = tn * T::BN;
  t.A = g.A + zo * g.sa_o + zi * g.sa_i;
  t.B = g.B + zo * g.sb_o + zi * g.sb_i;
  t.C = g.C + zo * g.sc_o + zi * g.sc_i;
  t.a_vec = aligned16(t.A, g.lda);
  t.b_vec = aligned16(t.B, g.ldb);
  return t;
}

// The tile walk of the OneSync tilings. Stage buffers alternate over the block's whole sequence
// of K stages, tile after tile: stage q is computed from buffer q & 1 while the registers fetch
// stage q + 1 (the next K stage of this tile or, in a tile's last stage, the first stage of the
// block's next tile), which is stored into the other buffer before the one barrier of the step.
// That buffer was last read in step q - 1, before the previous barrier; the stored one is read only
// after this barrier. A tile thus costs n_stages barriers and no prologue (one for Q K^T at
// BK = 64); the results go out after the tile's last barrier, straight from registers.
// A split table (range over 16 bits) runs each tile twice, high half then low half, reloading the
// shared table in between; there is no prefetch across tiles then, and a barrier guards each
// reload (after every thread's last lookup and read of e(0,0)) and follows it.
template <class T>
__device__ __forceinline__ void one_sync_tiles(const LutArgs& args, std::uint16_t* tbl16,
                                               std::uint8_t* stages, std::int32_t minv,
                                               bool split, int ty, int tx) {
  const BatchedGemm& g = args.g;
  const std::uint8_t* tbl = reinterpret_cast<const std::uint8_t*>(tbl16);
  const std::int64_t M = g.M, N = g.N, K = g.K, lda = g.lda, ldb = g.ldb, ldc = g.ldc;
  static_assert(T::kTrimK, "the last stage runs only the K steps left, rounded up to 4");
  const std::int64_t n_stages = (K + T::BK - 1) / T::BK;
  const std::uint32_t k_pad = static_cast<std::uint32_t>(T::padded_k(K) - K);
  const std::uint32_t base = static_cast<std::uint32_t>(K) * static_cast<std::uint32_t>(minv);
  std::int64_t tile = blockIdx.x;
  if (tile >= args.tiles_total) return;  // uniform over the block
  Tile cur = decode_tile<T>(args, tile);
  int buf = 0;
  bool staged = false;  // buffer buf holds stage 0 of cur (fetched during the previous tile)
  for (;;) {
    const std::int64_t next_tile = tile + gridDim.x;
    const bool has_next = next_tile < args.tiles_total;
    const bool prefetch = has_next && !split;
    Tile next = cur;
    std::uint32_t acc[T::TM][T::TN];
#pragma unroll
    for (int r = 0; r < T::TM; ++r)
#pragma unroll
      for (int c = 0; c < T::TN; ++c) acc[r][c] = 0;
    for (int half = split ? 1 : 0; half >= 0; --half) {
      if (split) load_table<T::kThreads>(tbl16, args.lut, minv, half ? 16 : 0, g.transposed_table);
      if (!staged && n_stages > 0) {
        // Two chunks in flight at a time: all of them at once would spill registers. (A chunk
        // index past kLoadIters - 1 is past every chunk: fetched as 0, not stored.)
#pragma unroll 1
        for (int part = 0; part < T::kLoadIters; part += 2) {
          const uint4 v0 = fetch_chunk<T>(part, cur.A, lda, cur.a_vec, cur.B, ldb, cur.b_vec, M,
                                          N, K, cur.m0, cur.n0, 0);
          const uint4 v1 = fetch_chunk<T>(part + 1, cur.A, lda, cur.a_vec, cur.B, ldb, cur.b_vec,
                                          M, N, K, cur.m0, cur.n0, 0);
          store_chunk<T>(v0, part, stages + buf * T::kStageBytes);
          store_chunk<T>(v1, part + 1, stages + buf * T::kStageBytes);
        }
      }
      if (split || !staged) __syncthreads();  // the table half and stage 0 are in place
      staged = false;
      for (std::int64_t s = 0; s < n_stages; ++s) {
        const bool more = s + 1 < n_stages, store = more || prefetch;
        if (!more && prefetch) next = decode_tile<T>(args, next_tile);  // late: fewer registers
        const Tile src = more ? cur : next;
        const std::int64_t k0 = more ? (s + 1) * T::BK : 0;
        const int n4 = more ? T::BK / 4 : static_cast<int>((K - s * T::BK + 3) / 4);
        const std::uint8_t* in = stages + buf * T::kStageBytes;
        std::uint8_t* out = stages + (buf ^ 1) * T::kStageBytes;
        // The stage runs in kLoadIters parts, each fetching one 16-byte chunk of the next stage
        // while it computes its share of the K steps and storing it after: the out buffer is free
        // all step long, and a chunk's loaded bytes (16 registers each where rows are unaligned)
        // stay live over one part, not the whole stage. Not unrolled: one copy of the lookups.
#pragma unroll 1
        for (int part = 0; part < T::kLoadIters; ++part) {
          uint4 v = make_uint4(0, 0, 0, 0);
          if (store)
            v = fetch_chunk<T>(part, src.A, lda, src.a_vec, src.B, ldb, src.b_vec, M, N, K,
                               src.m0, src.n0, k0);
          if (ty < T::TR)
            compute_stage<T>(acc, tbl, in, ty, tx, n4 * (part + 1) / T::kLoadIters,
                             n4 * part / T::kLoadIters);
          if (store) store_chunk<T>(v, part, out);
        }
        __syncthreads();
        buf ^= 1;
        staged = !more && prefetch;
      }
      const std::uint32_t corr = k_pad * tbl16[0];
#pragma unroll
      for (int r = 0; r < T::TM; ++r)
#pragma unroll
        for (int c = 0; c < T::TN; ++c) {
          acc[r][c] -= corr;
          if (split && half) acc[r][c] <<= 16;
        }
      if (split) __syncthreads();  // every thread has read e(0,0) before the table is reloaded
    }
    if (ty < T::TR) {
#pragma unroll
      for (int r = 0; r < T::TM; ++r) {
        const std::int64_t i = cur.m0 + ty * T::TM + r;
        if (i >= M) continue;
        std::int32_t* row = cur.C + i * ldc;
#pragma unroll
        for (int c = 0; c < T::TN; ++c) {
          const std::int64_t j = cur.n0 + tx * T::kColStep + (c / 4) * T::kPanel + c % 4;
          if (j < N) row[j] = static_cast<std::int32_t>(acc[r][c] + base);
        }
      }
    }
    if (!has_next) return;
    tile = next_tile;
    cur = staged ? next : decode_tile<T>(args, next_tile);
  }
}

template <class T>
__global__ void __launch_bounds__(T::kThreads, 1) lut_gemm_kernel(const LutArgs args) {
  extern __shared__ __align__(16) std::uint8_t smem[];
  std::uint16_t* tbl16 = reinterpret_cast<std::uint16_t*>(smem);
  std::uint8_t* stages = smem + kTableBytes;
  __shared__ std::int32_t red[2 * (T::kThreads / 32)];
  const BatchedGemm& g = args.g;
  if (args.gate && *args.gate == 0) return;

  std::int32_t minv, maxv;
  table_range<T::kThreads>(args.lut, red, minv, maxv);
  const bool split = static_cast<std::int64_t>(maxv) - minv > 0xFFFF;
  if (!split) {
    load_table<T::kThreads>(tbl16, args.lut, minv, 0, g.transposed_table);
    __syncthreads();
  }
  const int tx = threadIdx.x % T::TC, ty = threadIdx.x / T::TC;
  if constexpr (T::kOneSync) {
    // split is the same in every thread: it comes from the block-wide reduction.
    one_sync_tiles<T>(args, tbl16, stages, minv, split, ty, tx);
  } else {
    const std::int64_t k_pad = T::padded_k(g.K) - g.K;
    uint4 regs[T::kLoadIters];
    bool have_next = false;  // regs hold the first stage of this block's next tile
    // Ragged tilings prefetch across tiles (not with a split table: its halves reload the table).
    const bool prefetch = T::kRagged && !split;

    for (std::int64_t tile = blockIdx.x; tile < args.tiles_total; tile += gridDim.x) {
      const TileOperands cur = tile_operands<T>(args, tile);
      const std::int64_t m0 = cur.m0, n0 = cur.n0, zo = cur.zo, zi = cur.zi;
      const std::int64_t next_tile =
          prefetch && tile + gridDim.x < args.tiles_total ? tile + gridDim.x : -1;

      std::uint32_t acc[T::TM][T::TN];
#pragma unroll
      for (int r = 0; r < T::TM; ++r)
#pragma unroll
        for (int c = 0; c < T::TN; ++c) acc[r][c] = 0;

      for (int half = split ? 1 : 0; half >= 0; --half) {
        if (split) {
          load_table<T::kThreads>(tbl16, args.lut, minv, half ? 16 : 0, g.transposed_table);
          __syncthreads();
        }
        tile_k_loop<T>(acc, smem, stages, cur, args, next_tile, regs, have_next, g.lda, g.ldb, g.M,
                       g.N, g.K, ty, tx);
        const std::uint32_t e00 = tbl16[0];
        const std::uint32_t corr = static_cast<std::uint32_t>(k_pad) * e00;
#pragma unroll
        for (int r = 0; r < T::TM; ++r)
#pragma unroll
          for (int c = 0; c < T::TN; ++c) {
            acc[r][c] -= corr;
            if (split && half) acc[r][c] <<= 16;
          }
        if (split) __syncthreads();  // everyone has read e00 before the table is overwritten
      }

      const std::uint32_t base = static_cast<std::uint32_t>(g.K) * static_cast<std::uint32_t>(minv);
      std::int32_t* C = g.C + zo * g.sc_o + zi * g.sc_i;
#pragma unroll
      for (int r = 0; r < T::TM; ++r) {
        const std::int64_t i = m0 + ty * T::TM + r;
        if (ty >= T::TR || i >= g.M) continue;
#pragma unroll
        for (int c = 0; c < T::TN; ++c) {
          const std::int64_t j = n0 + tx * T::kColStep + (c / 4) * T::kPanel + c % 4;
          if (j >= g.N) continue;
          C[i * g.ldc + j] = static_cast<std::int32_t>(acc[r][c] + base);
        }
      }
    }
  }
}

std::atomic<int> g_grid_cap{0};  // set_lut_grid_cap_for_testing

template <class T>
void launch(const std::int32_t* lut, const BatchedGemm& g, cudaStream_t stream, const int* gate) {
  LutArgs args{g, lut, 0, 0, 0, gate};
  args.tiles_m = (g.M + T::BM - 1) / T::BM;
  args.tiles_n = (g.N + T::BN - 1) / T::BN;
  args.tiles_total = args.tiles_m * args.tiles_n * g.n_outer * g.n_inner;
  if (args.tiles_total == 0) return;
  CUDA_CHECK(cudaFuncSetAttribute(lut_gemm_kernel<T>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  T::kSmemBytes));
  const int cap = g_grid_cap.load(std::memory_order_relaxed);
  const std::int64_t blocks = cap > 0 && cap < device_sm_count() ? cap : device_sm_count();
  const std::int64_t grid = args.tiles_total < blocks ? args.tiles_total : blocks;
  lut_gemm_kernel<T><<<static_cast<unsigned>(grid), T::kThreads, T::kSmemBytes, stream>>>(args);
  CUDA_CHECK_LAUNCH();
}

// The compiled tilings: one per line of kLutTilings (lut_tilings.h).
template <int V>
using TilingAt = Tiling<kLutTilings[V].tm, kLutTilings[V].tn, kLutTilings[V].tr, kLutTilings[V].tc,
                        kLutTilings[V].ragged, kLutTilings[V].bk, kLutTilings[V].one_sync>;

// The table's geometry agrees with the template's (the chooser estimates from the table).
template <std::size_t... V>
constexpr bool specs_match(std::index_sequence<V...>) {
  return ((TilingAt<V>::BM == kLutTilings[V].bm() && TilingAt<V>::BN == kLutTilings[V].bn() &&
           TilingAt<V>::kThreads == kLutTilings[V].threads() &&
           TilingAt<V>::padded_k(197) == kLutTilings[V].padded_k(197) &&
           TilingAt<V>::padded_k(768) == kLutTilings[V].padded_k(768)) &&
          ...);
}
static_assert(specs_match(std::make_index_sequence<kLutVariants>{}), "kLutTilings vs Tiling");
// Whole warps, no idle lanes, where the tiling was designed for it.
static_assert(TilingAt<11>::kWorkers == TilingAt<11>::kThreads, "whole warps");
static_assert([] {
  for (int v = 14; v <= 22; ++v)
    if (kLutTilings[v].workers() != kLutTilings[v].threads()) return false;
  return true;
}(), "whole warps");

// AXX_CUDA_LUT_VARIANT=<n> runs compiled tiling n wherever the tiling would be chosen per shape
// (variant < 0), for measurements (it overrides AXX_CUDA_LUT_TILES); read once per process.
// -1: not set.
int forced_variant() {
  static const int v = parse_lut_forced_variant(std::getenv("AXX_CUDA_LUT_VARIANT"));
  return v;
}

// How many tilings the per-shape choice considers (AXX_CUDA_LUT_TILES, parse_lut_tile_count), for
// comparisons with earlier choices; read once per process.
int tile_choice_count() {
  static const int n = parse_lut_tile_count(std::getenv("AXX_CUDA_LUT_TILES"));
  return n;
}

int choose_variant(const BatchedGemm& g, int n) {
  return choose_lut_tiling(g.M, g.N, g.K, g.n_outer * g.n_inner, device_sm_count(), n);
}

using Launcher = void (*)(const std::int32_t*, const BatchedGemm&, cudaStream_t, const int*);
template <std::size_t... V>
constexpr std::array<Launcher, sizeof...(V)> launchers(std::index_sequence<V...>) {
  return {&launch<TilingAt<V>>...};
}
constexpr auto kLaunchers = launchers(std::make_index_sequence<kLutVariants>{});

}  // namespace

void set_lut_grid_cap_for_testing(int blocks) { g_grid_cap.store(blocks < 0 ? 0 : blocks); }

const char* lut_variant_name(int variant) {
  return variant >= 0 && variant < kLutVariants ? kLutTilings[variant].name : "?";
}

void lut_gemm(const std::int32_t* lut, const BatchedGemm& g, cudaStream_t stream, int variant,
              const int* gate) {
  if (g.M == 0 || g.N == 0 || g.n_outer == 0 || g.n_inner == 0) return;
  if (variant == kLutChooseFixed) variant = choose_variant(g, kLutFixedVariants);
  if (variant < 0) variant = forced_variant();
  if (variant < 0) variant = choose_variant(g, tile_choice_count());
  if (variant >= kLutVariants)
    throw UsageError("lut_gemm: unknown kernel variant " + std::to_string(variant));
  kLaunchers[variant](lut, g, stream, gate);
}

}  // namespace axx::emulator::cuda_detail
