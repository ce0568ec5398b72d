// AVX2 low-rank GEMM for forms with small factors (published truncated / broken-array designs):
// the exact product val(A).val(B) runs as the int16 vpmaddwd GEMM of lowrank_gemm_cpu.cc (a
// rank-0 form), and the R correction terms sum_r U_r(A).V_r(B) run here as a byte GEMM on
// vpmaddubsw, which multiplies 32 u8 x s8 pairs per instruction (twice vpmaddwd's 16) and adds
// adjacent products into 16 int16 lanes, **saturating**. It is exact only while no int16 sum can
// leave [-32768, 32767]:
//
// - the R terms are the byte terms of emulator/common/lowrank_encoding.h (u8 x s8 plus per-row
//   and per-column corrections);
// - with P = 2 max_t(max|x_t| max|y_t|) bounding one instruction's pair sum, S = 32767 / P
//   instructions are accumulated in int16 (vpaddw) before the sums are widened into int32; the
//   form takes this kernel only when S >= kMinSteps (the built-in truncated and broken-array
//   multipliers give S = 42 (mul8s_bam_h1v6) to 2047 (mul8s_trunc4); random factors up to
//   64 x 127 give S = 1 and stay on int16), and rank >= 2 (at rank 1 the separate passes cost
//   what the byte terms save: 0.9-1.1x).
//
// Packing: terms stacked k-major (k' = k*R + t, padded to an even count), A'' in blocks of 4 rows
// as [byte pair][row] (each pair stored twice in an int32, so the broadcast is a plain
// vpbroadcastd load: a 16-bit broadcast costs a shuffle uop on Zen 3), B'' in panels of 32
// columns as [byte pair][column][2] (two ymm per pair); a 4 x 32 tile of int16 sums in 8 ymm
// registers (with 6 rows GCC 12 hoisted the six broadcasts and spilled accumulators to the stack,
// which made the kernel no faster than int16). Measured on Zen 3, one thread, rank 2-4: 1.3-1.4x
// the all-int16 kernel (docs/benchmarks-emulator-cpu.md).
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "emulator/common/lowrank_encoding.h"
#include "emulator/common/lut_math.h"
#include "emulator/cpu/kernels_cpu.h"
#include "emulator/cpu/parallel_cpu.h"

namespace axx::emulator::cpu {
namespace {

constexpr std::int64_t kMR = 4, kNR = 32, kKC = 256;  // kKC in byte pairs
constexpr std::int64_t kRowGroup = 16 * kMR, kColGroup = 2 * kNR;
constexpr std::int64_t kMinSteps = 8;
constexpr std::int64_t kMaxPackBytes = std::int64_t{48} << 20;

// The byte terms and the GEMM's packing geometry.
struct ByteForm {
  ByteTerms terms;
  int R = 0;
  std::int64_t steps = 0;  // vpmaddubsw sums held in int16 before widening
  std::int64_t K = 0, pairs = 0, mblocks = 0, npanels = 0;
};

bool build(const LowRankView& lr, ByteForm& f) {
  if (lr.rank < 2 || lr.rank > kMaxLowRank) return false;  // rank 1: the passes cost what they save
  if (!encode_bytes(lr, 1, f.terms)) return false;
  f.R = lr.rank;
  f.steps = 32767 / (2 * std::max<std::int64_t>(f.terms.max_product, 1));
  return f.steps >= kMinSteps;
}

// Rows of block blk: dst[(blk*pairs + q)*kMR + r] = bytes (2q, 2q+1) of row i's A''; rowc[i].
void pack_a(const ByteForm& f, const std::uint8_t* A, std::int64_t lda, std::int64_t M,
            std::int64_t blk, std::uint32_t* dst, std::uint32_t* rowc) {
  std::vector<std::uint8_t> row(static_cast<std::size_t>(2 * f.pairs));
  std::uint32_t* out = dst + blk * f.pairs * kMR;
  for (std::int64_t r = 0; r < kMR; ++r) {
    const std::int64_t i = blk * kMR + r;
    std::fill(row.begin(), row.end(), 0);
    if (i < M) {
      const std::uint8_t* a = A + i * lda;
      std::uint8_t* w = row.data();
      std::uint32_t sum = f.terms.c0 * static_cast<std::uint32_t>(f.K);
      for (std::int64_t k = 0; k < f.K; ++k) {
        for (int t = 0; t < f.R; ++t) *w++ = f.terms.x[t][a[k]];
        if (f.terms.any_cx) sum += f.terms.cx[a[k]];
      }
      rowc[i] = sum;
    }
    for (std::int64_t q = 0; q < f.pairs; ++q)
      out[q * kMR + r] = (row[2 * q] | (row[2 * q + 1] << 8)) * 0x10001u;
  }
}

// Panel of kNR columns: dst[((panel*pairs + q)*kNR + c)*2 + (k' & 1)]; colc[j].
void pack_b(const ByteForm& f, const std::uint8_t* B, std::int64_t ldb, std::int64_t N,
            std::int64_t panel, std::int8_t* dst, std::uint32_t* colc) {
  std::int8_t* out = dst + panel * f.pairs * kNR * 2;
  std::memset(out, 0, static_cast<std::size_t>(f.pairs * kNR * 2));
  const std::int64_t j0 = panel * kNR, n = std::min(kNR, N - j0);
  std::uint32_t cs[kNR] = {};
  for (std::int64_t k = 0; k < f.K; ++k) {
    const std::uint8_t* b = B + k * ldb + j0;
    for (int t = 0; t < f.R; ++t) {
      const std::int64_t kk = k * f.R + t;
      std::int8_t* o = out + (kk >> 1) * kNR * 2 + (kk & 1);
      for (std::int64_t c = 0; c < n; ++c) o[2 * c] = f.terms.y[t][b[c]];
    }
    if (f.terms.any_cy)
      for (std::int64_t c = 0; c < n; ++c) cs[c] += f.terms.cy[b[c]];
  }
  for (std::int64_t c = 0; c < n; ++c) colc[j0 + c] = cs[c];
}

// w[0..15] += the 16 int16 sums of s, widened.
__attribute__((target("avx2"))) inline void widen(std::int32_t* w, __m256i s) {
  auto* p = reinterpret_cast<__m256i*>(w);
  _mm256_store_si256(p, _mm256_add_epi32(_mm256_load_si256(p),
                                         _mm256_cvtepi16_epi32(_mm256_castsi256_si128(s))));
  _mm256_store_si256(p + 1, _mm256_add_epi32(_mm256_load_si256(p + 1),
                                             _mm256_cvtepi16_epi32(_mm256_extracti128_si256(s, 1))));
}

// C tile (m x n of kMR x kNR) += A'' block . B'' panel over pairs [0, np) (+ the corrections).
__attribute__((target("avx2"))) void micro(const std::uint32_t* ap, const std::int8_t* bp,
                                           std::int64_t np, std::int64_t steps, std::int32_t* C,
                                           std::int64_t ldc, std::int64_t m, std::int64_t n,
                                           const std::uint32_t* rowc, const std::uint32_t* colc) {
  alignas(32) std::int32_t wide[kMR][kNR] = {};
  __m256i s00 = _mm256_setzero_si256(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00,
          s30 = s00, s31 = s00;
  for (std::int64_t q0 = 0; q0 < np; q0 += steps) {
    const std::int64_t q1 = std::min(np, q0 + steps);
    for (std::int64_t q = q0; q < q1; ++q) {
      const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + q * 64));
      const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + q * 64 + 32));
      const std::uint32_t* a = ap + q * kMR;
#define AXX_ROW(r)                                                                  \
  {                                                                                 \
    const __m256i x = _mm256_set1_epi32(static_cast<int>(a[r]));                    \
    s##r##0 = _mm256_add_epi16(s##r##0, _mm256_maddubs_epi16(x, b0));              \
    s##r##1 = _mm256_add_epi16(s##r##1, _mm256_maddubs_epi16(x, b1));              \
  }
      AXX_ROW(0) AXX_ROW(1) AXX_ROW(2) AXX_ROW(3)
#undef AXX_ROW
    }
#define AXX_FLUSH(r)                         \
  widen(wide[r], s##r##0);                   \
  widen(wide[r] + 16, s##r##1);              \
  s##r##0 = s##r##1 = _mm256_setzero_si256();
    AXX_FLUSH(0) AXX_FLUSH(1) AXX_FLUSH(2) AXX_FLUSH(3)
#undef AXX_FLUSH
  }
  for (std::int64_t r = 0; r < m; ++r)
    for (std::int64_t c = 0; c < n; ++c) {
      std::uint32_t x = static_cast<std::uint32_t>(wide[r][c]);
      if (rowc) x += rowc[r] + colc[c];
      C[r * ldc + c] = acc_add(C[r * ldc + c], static_cast<std::int32_t>(x));
    }
}

}  // namespace

bool lowrank_small_bytes(const LowRankView& form) {
  ByteForm f;
  return build(form, f);
}

bool lowrank_bytes_avx2(const LowRankView& lr, const GemmProblem& p) {
  ByteForm f;
  if (!build(lr, f)) return false;
  // The exact product first (rank-0 form: one int16 GEMM that overwrites C) ...
  const LowRankView exact{0, lr.is_signed, nullptr, nullptr};
  lowrank_gemm(exact, p, CpuIsa::Avx2);
  // ... then the correction terms, added into C.
  f.K = p.K;
  f.pairs = (p.K * f.R + 1) / 2;
  f.mblocks = (p.M + kMR - 1) / kMR;
  f.npanels = (p.N + kNR - 1) / kNR;
  const std::int64_t a_elems = f.mblocks * f.pairs * kMR, b_elems = f.npanels * f.pairs * kNR * 2;
  const std::int64_t per_batch = a_elems * 4 + b_elems + 4 * (p.M + p.N);
  const std::int64_t chunk = std::clamp<std::int64_t>(kMaxPackBytes / per_batch, 1, p.batch);
  std::vector<std::uint32_t> apack(static_cast<std::size_t>(a_elems * chunk));
  std::vector<std::int8_t> bpack(static_cast<std::size_t>(b_elems * chunk));
  std::vector<std::uint32_t> rowc(static_cast<std::size_t>(p.M * chunk)),
      colc(static_cast<std::size_t>(p.N * chunk));
  const std::int64_t rgroups = (f.mblocks * kMR + kRowGroup - 1) / kRowGroup;
  const std::int64_t cgroups = (f.npanels * kNR + kColGroup - 1) / kColGroup;
  for (std::int64_t b0 = 0; b0 < p.batch; b0 += chunk) {
    const std::int64_t nb = std::min(chunk, p.batch - b0);
    const std::int64_t pack_tasks = f.mblocks + f.npanels;
    parallel_for(nb * pack_tasks, [&](std::int64_t t) {
      const std::int64_t lb = t / pack_tasks, x = t % pack_tasks, b = b0 + lb;
      if (x < f.mblocks)
        pack_a(f, p.A + b * p.stride_a, p.lda, p.M, x, apack.data() + lb * a_elems,
               rowc.data() + lb * p.M);
      else
        pack_b(f, p.B + b * p.stride_b, p.ldb, p.N, x - f.mblocks, bpack.data() + lb * b_elems,
               colc.data() + lb * p.N);
    });
    parallel_for(nb * rgroups * cgroups, [&](std::int64_t t) {
      const std::int64_t lb = t / (rgroups * cgroups), rg = t / cgroups % rgroups,
                         cg = t % cgroups;
      const std::uint32_t* ab = apack.data() + lb * a_elems;
      const std::int8_t* bb = bpack.data() + lb * b_elems;
      std::int32_t* C = p.C + (b0 + lb) * p.stride_c;
      const std::int64_t blk_end = std::min(f.mblocks, (rg + 1) * kRowGroup / kMR);
      const std::int64_t pan_end = std::min(f.npanels, (cg + 1) * kColGroup / kNR);
      for (std::int64_t q0 = 0; q0 < f.pairs; q0 += kKC) {
        const std::int64_t nq = std::min(kKC, f.pairs - q0);
        for (std::int64_t pan = cg * kColGroup / kNR; pan < pan_end; ++pan)
          for (std::int64_t blk = rg * kRowGroup / kMR; blk < blk_end; ++blk) {
            const std::int64_t i0 = blk * kMR, j0 = pan * kNR;
            micro(ab + (blk * f.pairs + q0) * kMR, bb + (pan * f.pairs + q0) * kNR * 2, nq,
                  f.steps, C + i0 * p.ldc + j0, p.ldc, std::min(kMR, p.M - i0),
                  std::min(kNR, p.N - j0), q0 == 0 ? rowc.data() + lb * p.M + i0 : nullptr,
                  colc.data() + lb * p.N + j0);
          }
      }
    });
  }
  return true;
}

}  // namespace axx::emulator::cpu
