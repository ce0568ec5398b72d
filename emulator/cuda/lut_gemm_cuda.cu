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

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "emulator/common/lut_math.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"

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
  __host__ __device__ static std::int64_t padded_k(std::int64_t K) {
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

using Tiling0 = Tiling<4, 8, 32, 16>;  // 512 threads, 128 x 128 tile, 32 outputs per thread
using Tiling1 = Tiling<8, 8, 16, 16>;  // 256 threads, 128 x 128 tile, 64 outputs per thread
using Tiling2 = Tiling<4, 8, 16, 16>;  // 256 threads, 64 x 128 tile, 32 outputs per thread
using Tiling3 = Tiling<4, 4, 16, 16>;  // 256 threads, 64 x 64 tile, 16 outputs per thread
using Tiling4 = Tiling<2, 4, 32, 16>;  // 512 threads, 64 x 64 tile, 8 outputs per thread
// Ragged tiles for the attention matmuls of ViT (197 tokens, head dim 64; docs/emulator-cuda.md,
// "Attention shapes"): 197 = 5 x 40 - 3 = 200 - 3, so these waste 1.5% per dimension where a
// 64-row tile wastes 23% (and a 128-column tile 50% of N = 64), and K = 197 is trimmed to 200.
using Tiling5 = Tiling<4, 8, 10, 25, true>;  // 250 (256) threads, 40 x 200 tile: Q K^T
using Tiling6 = Tiling<4, 8, 25, 25, true>;  // 625 (640) threads, 100 x 200 tile: Q K^T
using Tiling7 = Tiling<4, 8, 50, 8, true>;   // 400 (416) threads, 200 x 64 tile: A V
// The same tiles (and two new thread shapes) with one barrier per K stage and deeper stages
// (OneSync, see one_sync_tiles): Q K^T's K = 64 in one stage, A V's K = 197 in two (128 + 72).
using Tiling8 = Tiling<4, 8, 25, 25, true, 64, true>;   // 625 (640) threads, 100 x 200: Q K^T
using Tiling9 = Tiling<4, 8, 10, 25, true, 64, true>;   // 250 (256) threads, 40 x 200: Q K^T
using Tiling10 = Tiling<4, 8, 50, 8, true, 128, true>;  // 400 (416) threads, 200 x 64: A V
// Whole warps, no idle lanes: 5 x 8 outputs per thread.
using Tiling11 = Tiling<5, 8, 40, 8, true, 128, true>;   // 320 threads, 200 x 64: A V
using Tiling12 = Tiling<5, 8, 20, 25, true, 64, true>;   // 500 (512) threads, 100 x 200: Q K^T
static_assert(Tiling11::kWorkers == Tiling11::kThreads, "whole warps");
// Third generation (13-18; measured: docs/benchmarks-emulator-cuda.md). 10 x 8 outputs per thread on the attention tiles:
// twice the independent lookups of 5 x 8 per K step and fewer operand reads per lookup (4.5
// 32-bit shared loads per 80 lookups against 3.25 per 40), on fewer warps (8 and 5).
using Tiling13 = Tiling<10, 8, 10, 25, true, 64, true>;  // 250 (256) threads, 100 x 200: Q K^T
using Tiling14 = Tiling<10, 8, 20, 8, true, 128, true>;  // 160 threads, 200 x 64: A V
// The one-barrier walk on power-of-two tiles for the linear layers (K = 768: 12 stages of 64).
// Ragged here only switches on what the one-sync loop needs (K trimmed to 4, unrolled byte loads
// for unaligned rows, the panel column layout); aligned rows still take 16-byte loads.
using Tiling15 = Tiling<8, 8, 16, 16, true, 64, true>;  // 256 threads, 128 x 128
using Tiling16 = Tiling<4, 8, 16, 16, true, 64, true>;  // 256 threads, 64 x 128 (as 2)
using Tiling17 = Tiling<8, 8, 16, 8, true, 64, true>;   // 128 threads, 128 x 64
using Tiling18 = Tiling<8, 8, 16, 32, true, 64, true>;  // 512 threads, 128 x 256
// 18's 8x8 thread core on a 128 x 192 tile: 768 = 4 x 192, 2304 = 12 x 192 and 3072 = 16 x 192, so
// at 12608 rows (ViT-B/16 at batch 64) every linear layer is a whole number of waves of 132 SMs
// (396, 1188, 1584 tiles), where 18 leaves proj's and fc2's last wave a quarter full.
using Tiling19 = Tiling<8, 8, 16, 24, true, 64, true>;  // 384 threads, 128 x 192
// Fourth generation: every warp on one tile row, so all 32 lanes of a lookup share the A byte and
// hence the table row (docs/emulator-cuda.md, "The lookup ceiling": a row's 128 words give each
// bank 4 candidates, 2.79 passes per lookup instruction on random data, against 2.96 for 24 + 8
// lanes on two rows as in 19 and about 3.2 for four rows as in the 200 x 64 tilings).
// 20: 18's core on 96 x 256: 12608 = 131.3 x 96, so qkv, proj, fc1 and fc2 at batch 64 fill
// whole waves of 132 SMs (1188, 396, 1584, 396 tiles).
using Tiling20 = Tiling<8, 8, 12, 32, true, 64, true>;  // 384 threads, 96 x 256
// 21, 22: A V (N = 64) with 2 columns per thread, 32 threads per row.
using Tiling21 = Tiling<10, 2, 20, 32, true, 128, true>;  // 640 threads, 200 x 64
using Tiling22 = Tiling<20, 2, 10, 32, true, 128, true>;  // 320 threads, 200 x 64
static_assert(Tiling14::kWorkers == Tiling14::kThreads && Tiling15::kWorkers == Tiling15::kThreads &&
                  Tiling16::kWorkers == Tiling16::kThreads &&
                  Tiling17::kWorkers == Tiling17::kThreads &&
                  Tiling18::kWorkers == Tiling18::kThreads &&
                  Tiling19::kWorkers == Tiling19::kThreads &&
                  Tiling20::kWorkers == Tiling20::kThreads &&
                  Tiling21::kWorkers == Tiling21::kThreads &&
                  Tiling22::kWorkers == Tiling22::kThreads,
              "whole warps");
// Ties go to the 64 x 128 tiling: on the H200 it was fastest or within 2% of it on every ViT
// shape (docs/benchmarks-emulator-cuda.md).
constexpr int kDefaultVariant = 2;

// Picks the tiling for a shape. A block walks ceil(tiles / grid) tiles, so the run time goes as
// that count times the padded work of one tile, divided by the tiling's lookup efficiency
// (relative figures measured on the H200, docs/benchmarks-emulator-cuda.md). Smaller tiles waste
// less on odd sizes and balance the last wave better; larger ones reuse each operand byte more.
//
// The padded K and the idle lanes of a ragged block enter too (both matter only for the ragged
// tilings: the others have whole warps, and K pads alike for all of them).
template <class T>
double estimate(const BatchedGemm& g, double efficiency, int sms) {
  const double tiles = static_cast<double>((g.M + T::BM - 1) / T::BM) *
                       static_cast<double>((g.N + T::BN - 1) / T::BN) *
                       static_cast<double>(g.n_outer * g.n_inner);
  const double grid = tiles < sms ? tiles : sms;
  const double waves = std::ceil(tiles / grid);
  const double lanes = static_cast<double>(T::kWorkers) / T::kThreads;
  return waves * T::BM * T::BN * static_cast<double>(T::padded_k(g.K)) / (efficiency * lanes);
}

// The ragged tilings' efficiency sits below the 4x8 tilings' (same per-thread work, but a smaller
// tile reloads operands more often), so they win only where they cut padding: the attention
// shapes, not the ViT linear layers. On the H200 the 40 x 200 tile ran 4% slower than the
// 100 x 200 one on Q K^T, where the estimate has them equal (docs/benchmarks-emulator-cuda.md).
constexpr double kRaggedEfficiency = 0.97;
constexpr double kRagged40Efficiency = 0.93;
// The one-barrier tilings (8-12), weighted from their H200 measurements on ViT attention at batch
// 768 (docs/benchmarks-emulator-cuda.md): Q K^T ran 64.6% / 66.7% / 66.9% of the lookup ceiling
// with tilings 8 / 9 / 12, A V 67.4% / 69.0% with 10 / 11. The estimate above leaves out what
// differs between them (warps per SM, operand reloads per lookup), so the weights carry it; they
// are set so that the measured best wins both shapes at batches 96-1536 without moving the ViT
// linear layers off the power-of-two tilings.
constexpr double kOneSync100x200Efficiency = 0.97;  // 8
constexpr double kOneSync40Efficiency = 0.98;       // 9
constexpr double kOneSync200x64Efficiency = 0.97;   // 10
constexpr double kOneSync5x8x200x64Efficiency = 0.985;  // 11
constexpr double kOneSync5x8x100x200Efficiency = 1.00;  // 12
// 13-18, from the same kind of run (relative to tiling 2's 1.00 on the linear layers and 12's on
// Q K^T, after the estimate's own wave and padding terms; two linear shapes gave the same weights
// to 0.001): 13 (10x8, 100 x 200) ran Q K^T at 68.0% against 12's 66.3%; on the ViT linear layers
// 16 (tiling 2 with one barrier per stage) ran 77.3-77.5% against 76.0-76.2%, 15 (8x8, 128 x
// 128) 1.036 after its waves, and 18 (8x8 on 512 threads, 128 x 256) 83.6% on qkv, where its
// tiles fill whole waves (proj's 768 columns leave its last wave a quarter full: 64.9%, which the
// wave term of the estimate accounts for). 14 and 17 ran below the tilings they would replace.
constexpr double kOneSync10x8x100x200Efficiency = 1.025;  // 13
constexpr double kOneSync10x8x200x64Efficiency = 0.90;    // 14
constexpr double kOneSync128x128Efficiency = 1.036;       // 15
constexpr double kOneSync64x128Efficiency = 1.017;        // 16
constexpr double kOneSync128x64Efficiency = 0.90;         // 17
constexpr double kOneSync128x256Efficiency = 1.138;       // 18
// 19-22 from the same kind of run (linear layers at batch 64; A V at batch 768 relative to 11):
// 19 ran 78.5% of the earlier LCG-indexed ceiling on qkv (its 24-thread rows put two rows in a
// warp: 2.96 bank passes per lookup instruction against 18's 2.68), 20 86.5% on qkv and 86.6% on
// proj (whole waves: 1188 and 396 tiles), 21 and 22 A V at 76.6% and 76.2% where 11 ran 68.9%.
// The implied weights agreed to 0.003 between qkv and proj and, for 21 and 22, between the linear
// layers and A V.
constexpr double kOneSync128x192Efficiency = 1.03;        // 19
constexpr double kOneSync96x256Efficiency = 1.13;         // 20
constexpr double kOneSync10x2x200x64Efficiency = 1.095;   // 21
constexpr double kOneSync20x2x200x64Efficiency = 1.09;    // 22

// AXX_CUDA_LUT_VARIANT=<n> runs compiled tiling n wherever the tiling would be chosen per shape
// (variant < 0), for measurements (it overrides AXX_CUDA_LUT_TILES); read once per process.
// -1: not set.
int forced_variant() {
  static const int v = [] {
    const char* e = std::getenv("AXX_CUDA_LUT_VARIANT");
    if (!e || !*e) return -1;
    char* end = nullptr;
    const long n = std::strtol(e, &end, 10);
    if (*end != 0 || n < 0 || n >= kLutVariants)
      throw UsageError("AXX_CUDA_LUT_VARIANT=" + std::string(e) + ": expected a tiling index 0.." +
                       std::to_string(kLutVariants - 1));
    return static_cast<int>(n);
  }();
  return v;
}

// Picks among tilings 0 .. n - 1.
int choose_variant(const BatchedGemm& g, int n) {
  const int sms = device_sm_count();
  const double est[] = {
      estimate<Tiling0>(g, 1.00, sms),  estimate<Tiling1>(g, 1.01, sms),
      estimate<Tiling2>(g, 1.00, sms),  estimate<Tiling3>(g, 0.95, sms),
      estimate<Tiling4>(g, 0.90, sms),  estimate<Tiling5>(g, kRagged40Efficiency, sms),
      estimate<Tiling6>(g, kRaggedEfficiency, sms), estimate<Tiling7>(g, kRaggedEfficiency, sms),
      estimate<Tiling8>(g, kOneSync100x200Efficiency, sms),
      estimate<Tiling9>(g, kOneSync40Efficiency, sms),
      estimate<Tiling10>(g, kOneSync200x64Efficiency, sms),
      estimate<Tiling11>(g, kOneSync5x8x200x64Efficiency, sms),
      estimate<Tiling12>(g, kOneSync5x8x100x200Efficiency, sms),
      estimate<Tiling13>(g, kOneSync10x8x100x200Efficiency, sms),
      estimate<Tiling14>(g, kOneSync10x8x200x64Efficiency, sms),
      estimate<Tiling15>(g, kOneSync128x128Efficiency, sms),
      estimate<Tiling16>(g, kOneSync64x128Efficiency, sms),
      estimate<Tiling17>(g, kOneSync128x64Efficiency, sms),
      estimate<Tiling18>(g, kOneSync128x256Efficiency, sms),
      estimate<Tiling19>(g, kOneSync128x192Efficiency, sms),
      estimate<Tiling20>(g, kOneSync96x256Efficiency, sms),
      estimate<Tiling21>(g, kOneSync10x2x200x64Efficiency, sms),
      estimate<Tiling22>(g, kOneSync20x2x200x64Efficiency, sms)};
  // A missing entry would read as 0 and win every choice.
  static_assert(sizeof(est) / sizeof(est[0]) == kLutVariants, "one estimate per tiling");
  int best = kDefaultVariant;
  for (int v = 0; v < n; ++v)
    if (est[v] < est[best]) best = v;
  return best;
}

// How many tilings the per-shape choice considers, for comparisons with earlier choices; read once
// per process. AXX_CUDA_LUT_TILES=fixed: the five power-of-two tilings (the choice before the
// ragged ones existed); AXX_CUDA_LUT_TILES=<n>: tilings 0 .. n - 1 (20: the choice before the
// one-row-per-warp tilings 20-22). Unset: all.
int tile_choice_count() {
  static const int n = [] {
    const char* e = std::getenv("AXX_CUDA_LUT_TILES");
    if (!e || !*e) return kLutVariants;
    if (std::string(e) == "fixed") return kLutFixedVariants;
    char* end = nullptr;
    const long k = std::strtol(e, &end, 10);
    if (*end != 0 || k <= kDefaultVariant || k > kLutVariants)
      throw UsageError("AXX_CUDA_LUT_TILES=" + std::string(e) + ": expected 'fixed' or a count " +
                       std::to_string(kDefaultVariant + 1) + ".." + std::to_string(kLutVariants));
    return static_cast<int>(k);
  }();
  return n;
}

}  // namespace

void set_lut_grid_cap_for_testing(int blocks) { g_grid_cap.store(blocks < 0 ? 0 : blocks); }

const char* lut_variant_name(int variant) {
  switch (variant) {
    case 0: return "4x8/512thr/128x128";
    case 1: return "8x8/256thr/128x128";
    case 2: return "4x8/256thr/64x128";
    case 3: return "4x4/256thr/64x64";
    case 4: return "2x4/512thr/64x64";
    case 5: return "4x8/250thr/40x200";
    case 6: return "4x8/625thr/100x200";
    case 7: return "4x8/400thr/200x64";
    case 8: return "4x8/625thr/100x200/k64/1sync";
    case 9: return "4x8/250thr/40x200/k64/1sync";
    case 10: return "4x8/400thr/200x64/k128/1sync";
    case 11: return "5x8/320thr/200x64/k128/1sync";
    case 12: return "5x8/500thr/100x200/k64/1sync";
    case 13: return "10x8/250thr/100x200/k64/1sync";
    case 14: return "10x8/160thr/200x64/k128/1sync";
    case 15: return "8x8/256thr/128x128/k64/1sync";
    case 16: return "4x8/256thr/64x128/k64/1sync";
    case 17: return "8x8/128thr/128x64/k64/1sync";
    case 18: return "8x8/512thr/128x256/k64/1sync";
    case 19: return "8x8/384thr/128x192/k64/1sync";
    case 20: return "8x8/384thr/96x256/k64/1sync";
    case 21: return "10x2/640thr/200x64/k128/1sync";
    case 22: return "20x2/320thr/200x64/k128/1sync";
    default: return "?";
  }
}

void lut_gemm(const std::int32_t* lut, const BatchedGemm& g, cudaStream_t stream, int variant,
              const int* gate) {
  if (g.M == 0 || g.N == 0 || g.n_outer == 0 || g.n_inner == 0) return;
  if (variant == kLutChooseFixed) variant = choose_variant(g, kLutFixedVariants);
  if (variant < 0) variant = forced_variant();
  switch (variant < 0 ? choose_variant(g, tile_choice_count()) : variant) {
    case 0: launch<Tiling0>(lut, g, stream, gate); break;
    case 1: launch<Tiling1>(lut, g, stream, gate); break;
    case 2: launch<Tiling2>(lut, g, stream, gate); break;
    case 3: launch<Tiling3>(lut, g, stream, gate); break;
    case 4: launch<Tiling4>(lut, g, stream, gate); break;
    case 5: launch<Tiling5>(lut, g, stream, gate); break;
    case 6: launch<Tiling6>(lut, g, stream, gate); break;
    case 7: launch<Tiling7>(lut, g, stream, gate); break;
    case 8: launch<Tiling8>(lut, g, stream, gate); break;
    case 9: launch<Tiling9>(lut, g, stream, gate); break;
    case 10: launch<Tiling10>(lut, g, stream, gate); break;
    case 11: launch<Tiling11>(lut, g, stream, gate); break;
    case 12: launch<Tiling12>(lut, g, stream, gate); break;
    case 13: launch<Tiling13>(lut, g, stream, gate); break;
    case 14: launch<Tiling14>(lut, g, stream, gate); break;
    case 15: launch<Tiling15>(lut, g, stream, gate); break;
    case 16: launch<Tiling16>(lut, g, stream, gate); break;
    case 17: launch<Tiling17>(lut, g, stream, gate); break;
    case 18: launch<Tiling18>(lut, g, stream, gate); break;
    case 19: launch<Tiling19>(lut, g, stream, gate); break;
    case 20: launch<Tiling20>(lut, g, stream, gate); break;
    case 21: launch<Tiling21>(lut, g, stream, gate); break;
    case 22: launch<Tiling22>(lut, g, stream, gate); break;
    default: throw UsageError("lut_gemm: unknown kernel variant " + std::to_string(variant));
  }
}

}  // namespace axx::emulator::cuda_detail
