// Exact low-rank GEMM on the CPU (docs/emulator.md).
//
// With lut[a][b] = val(a)*val(b) + sum_r u_r[a]*v_r[b], the LUT GEMM equals one integer GEMM
// over the stacked operands A' = [val(A) | U_1(A) | ...] and B' = [val(B); V_1(B); ...], with
// K' = K(R+1). Here the R+1 terms of each k sit next to each other (k' = k*(R+1) + t), which is
// the same sum. The GEMM runs on int16 operands with vpmaddwd: each instruction multiplies 16
// int16 pairs exactly and adds adjacent products into 8 int32 lanes. The products are exact
// (|x*y| <= 2^30) and every add wraps modulo 2^32 exactly like the LUT path's accumulator, so the
// result is bit-exact for any K as long as val, u and v fit int16 (the int16 terms of
// emulator/common/lowrank_encoding.h, checked by lowrank_fits; otherwise the LUT kernel runs).
//
// Packing: A' as blocks of 6 rows, [k-pair][row] of int32 (two int16), broadcast one per row;
// B' as panels of 16 columns, [k-pair][column][2] int16 = two ymm per k-pair. The micro-kernel
// holds a 6 x 16 int32 tile in 12 ymm registers; K' is blocked by 128 pairs so a B panel (8 KiB)
// stays in L1 and the A' block in L2.
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

constexpr std::int64_t kMR = 6, kNR = 16, kKC = 128;  // kKC in k-pairs
constexpr std::int64_t kRowGroup = 16 * kMR, kColGroup = 4 * kNR;
constexpr std::int64_t kMaxPackBytes = std::int64_t{48} << 20;

struct Packed {
  std::int64_t terms = 1, kp = 0;  // terms = R+1; kp = k-pairs of K' = K*terms
  std::int64_t mblocks = 0, npanels = 0;
  std::int16_t ta[kMaxLowRankTerms][256], tb[kMaxLowRankTerms][256];
};

// A' rows [i0, i0+m) of one batch into blocks of kMR rows: dst[(blk*kp + pair)*kMR + r].
void pack_a(const Packed& pk, const std::uint8_t* A, std::int64_t lda, std::int64_t M,
            std::int64_t K, std::int64_t blk, std::int32_t* dst) {
  std::vector<std::int16_t> row(static_cast<std::size_t>(2 * pk.kp));
  std::int32_t* out = dst + blk * pk.kp * kMR;
  for (std::int64_t r = 0; r < kMR; ++r) {
    const std::int64_t i = blk * kMR + r;
    std::fill(row.begin(), row.end(), 0);
    if (i < M) {
      const std::uint8_t* a = A + i * lda;
      std::int16_t* w = row.data();
      for (std::int64_t k = 0; k < K; ++k)
        for (std::int64_t t = 0; t < pk.terms; ++t) *w++ = pk.ta[t][a[k]];
    }
    for (std::int64_t q = 0; q < pk.kp; ++q) {
      std::uint32_t lo = static_cast<std::uint16_t>(row[2 * q]);
      std::uint32_t hi = static_cast<std::uint16_t>(row[2 * q + 1]);
      out[q * kMR + r] = static_cast<std::int32_t>(lo | (hi << 16));
    }
  }
}

// B' panel of kNR columns: dst[((panel*kp + pair)*kNR + col)*2 + (k' & 1)].
void pack_b(const Packed& pk, const std::uint8_t* B, std::int64_t ldb, std::int64_t N,
            std::int64_t K, std::int64_t panel, std::int16_t* dst) {
  std::int16_t* out = dst + panel * pk.kp * kNR * 2;
  std::memset(out, 0, static_cast<std::size_t>(pk.kp * kNR * 2) * sizeof(std::int16_t));
  const std::int64_t j0 = panel * kNR, n = std::min(kNR, N - j0);
  for (std::int64_t k = 0; k < K; ++k) {
    const std::uint8_t* b = B + k * ldb + j0;
    for (std::int64_t t = 0; t < pk.terms; ++t) {
      const std::int64_t kk = k * pk.terms + t;
      std::int16_t* o = out + (kk >> 1) * kNR * 2 + (kk & 1);
      for (std::int64_t c = 0; c < n; ++c) o[2 * c] = pk.tb[t][b[c]];
    }
  }
}

// C tile (m x n valid of kMR x kNR) (+)= A' block . B' panel over pairs [0, np). The 12
// accumulators are named variables: as an array GCC 12 kept them on the stack (a load and a store
// per vpmaddwd; the whole GEMM ran 1.47x slower).
__attribute__((target("avx2"))) void micro_avx2(const std::int32_t* ap, const std::int16_t* bp,
                                                std::int64_t np, std::int32_t* C, std::int64_t ldc,
                                                std::int64_t m, std::int64_t n, bool accumulate) {
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
          c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (std::int64_t q = 0; q < np; ++q, ap += kMR, bp += 2 * kNR) {
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + 16));
#define AXX_ROW(r)                                                  \
  {                                                                 \
    const __m256i a = _mm256_set1_epi32(ap[r]);                     \
    c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(a, b0)); \
    c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(a, b1)); \
  }
    AXX_ROW(0) AXX_ROW(1) AXX_ROW(2) AXX_ROW(3) AXX_ROW(4) AXX_ROW(5)
#undef AXX_ROW
  }
  alignas(32) std::int32_t tmp[kMR][kNR];
  const __m256i all[kMR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                               {c30, c31}, {c40, c41}, {c50, c51}};
  for (int r = 0; r < kMR; ++r)
    for (int h = 0; h < 2; ++h)
      _mm256_store_si256(reinterpret_cast<__m256i*>(&tmp[r][8 * h]), all[r][h]);
  if (m == kMR && n == kNR) {
    for (int r = 0; r < kMR; ++r)
      for (int h = 0; h < 2; ++h) {
        auto* c = reinterpret_cast<__m256i*>(C + r * ldc + 8 * h);
        __m256i v = _mm256_load_si256(reinterpret_cast<const __m256i*>(&tmp[r][8 * h]));
        if (accumulate) v = _mm256_add_epi32(v, _mm256_loadu_si256(c));
        _mm256_storeu_si256(c, v);
      }
    return;
  }
  for (std::int64_t r = 0; r < m; ++r)
    for (std::int64_t c = 0; c < n; ++c)
      C[r * ldc + c] = accumulate ? acc_add(C[r * ldc + c], tmp[r][c]) : tmp[r][c];
}

}  // namespace

bool lowrank_fits(const LowRankView& form, CpuIsa isa) {
  return isa != CpuIsa::Auto && isa != CpuIsa::Portable && fits_int16(form);
}

void lowrank_gemm(const LowRankView& form, const GemmProblem& p, CpuIsa isa) {
  if (isa == CpuIsa::AvxVnni || isa == CpuIsa::Avx512 || isa == CpuIsa::Amx) {
    lowrank_gemm_avx512(form, p, isa);
    return;
  }
  if (form.rank >= 1 && lowrank_bytes_avx2(form, p)) return;
  Packed pk;
  pk.terms = form.rank + 1;
  for (int t = 0; t < pk.terms; ++t)
    for (int x = 0; x < 256; ++x) {
      pk.ta[t][x] = static_cast<std::int16_t>(term_f(form, t, x));
      pk.tb[t][x] = static_cast<std::int16_t>(term_g(form, t, x));
    }
  pk.kp = (p.K * pk.terms + 1) / 2;
  pk.mblocks = (p.M + kMR - 1) / kMR;
  pk.npanels = (p.N + kNR - 1) / kNR;
  const std::int64_t a_elems = pk.mblocks * pk.kp * kMR, b_elems = pk.npanels * pk.kp * kNR * 2;
  const std::int64_t per_batch = a_elems * 4 + b_elems * 2;
  const std::int64_t chunk = std::clamp<std::int64_t>(kMaxPackBytes / per_batch, 1, p.batch);
  std::vector<std::int32_t> apack(static_cast<std::size_t>(a_elems * chunk));
  std::vector<std::int16_t> bpack(static_cast<std::size_t>(b_elems * chunk));
  const std::int64_t rgroups = (pk.mblocks * kMR + kRowGroup - 1) / kRowGroup;
  const std::int64_t cgroups = (pk.npanels * kNR + kColGroup - 1) / kColGroup;

  for (std::int64_t b0 = 0; b0 < p.batch; b0 += chunk) {
    const std::int64_t nb = std::min(chunk, p.batch - b0);
    const std::int64_t pack_tasks = pk.mblocks + pk.npanels;
    parallel_for(nb * pack_tasks, [&](std::int64_t t) {
      const std::int64_t lb = t / pack_tasks, x = t % pack_tasks, b = b0 + lb;
      if (x < pk.mblocks)
        pack_a(pk, p.A + b * p.stride_a, p.lda, p.M, p.K, x, apack.data() + lb * a_elems);
      else
        pack_b(pk, p.B + b * p.stride_b, p.ldb, p.N, p.K, x - pk.mblocks,
               bpack.data() + lb * b_elems);
    });
    parallel_for(nb * rgroups * cgroups, [&](std::int64_t t) {
      const std::int64_t lb = t / (rgroups * cgroups), rg = t / cgroups % rgroups, cg = t % cgroups,
                         b = b0 + lb;
      const std::int32_t* ab = apack.data() + lb * a_elems;
      const std::int16_t* bb = bpack.data() + lb * b_elems;
      std::int32_t* C = p.C + b * p.stride_c;
      const std::int64_t blk_end = std::min(pk.mblocks, (rg + 1) * kRowGroup / kMR);
      const std::int64_t pan_end = std::min(pk.npanels, (cg + 1) * kColGroup / kNR);
      for (std::int64_t q0 = 0; q0 < pk.kp; q0 += kKC) {
        const std::int64_t nq = std::min(kKC, pk.kp - q0);
        for (std::int64_t pan = cg * kColGroup / kNR; pan < pan_end; ++pan)
          for (std::int64_t blk = rg * kRowGroup / kMR; blk < blk_end; ++blk) {
            const std::int64_t i0 = blk * kMR, j0 = pan * kNR;
            micro_avx2(ab + (blk * pk.kp + q0) * kMR, bb + (pan * pk.kp + q0) * kNR * 2, nq,
                       C + i0 * p.ldc + j0, p.ldc, std::min(kMR, p.M - i0), std::min(kNR, p.N - j0),
                       q0 > 0);
          }
      }
    });
  }
}

}  // namespace axx::emulator::cpu
