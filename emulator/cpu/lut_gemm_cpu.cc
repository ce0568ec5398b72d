// Table-lookup GEMM on the CPU.
//
// Portable kernel: for a fixed A element a = A[i][k] the table row lut[a][*] is 1 KiB of
// contiguous int32; a row of outputs accumulates row[B[k][j]] over k in a small buffer.
//
// AVX2 kernel ("column tables"): AVX2 gathers turned out slower than scalar lookups on this
// machine's AMD EPYC (Zen 3), so the SIMD kernel avoids gathers altogether. For 8 output columns
// j..j+7 and one k, the 8 table columns lut[*][B[k][j..j+7]] are copied into a 256 x 8 int32 tile
// T_k[a][0..7] (rows of the transposed table, 8x8 register transposes). Then every output row i
// gains T_k[A[i][k]] with one aligned 8-lane load and add: the lookup becomes a plain vector
// load indexed by the A byte.
// - Building T_k costs 256 x 8 copied entries per k, amortised over the M rows, so this kernel
//   serves problems with max(M, N) >= 48 and >= 2^20 lookups (lut_uses_column_tables in
//   kernels_cpu.h), transposing the problem when N > M; the portable kernel serves the rest.
// - Four k's of tables (32 KiB) are built at a time and stay in L1 while all rows stream past.
//   The A bytes are packed k-major (four k's of a row in one 32-bit word, rows consecutive) and
//   the 8-column accumulators live in a contiguous scratch, so both streams are sequential.
// - Tasks are (batch, 8-column block) pairs, taken dynamically by the threads.
// Under CpuIsa::Avx512 / Amx the LUT path runs this AVX2 kernel too: a 16-column AVX-512 version
// (16 KiB tables, 16-lane adds) measured 0.9-1.0x of it on a Xeon (Emerald Rapids), because the
// table builds and the per-row byte loads, not the adds, set its speed; AVX-512 pays off in the
// low-rank kernels instead (lowrank_gemm_avx512.cc).
// The instruction set is chosen at run time (__builtin_cpu_supports) with per-function target
// attributes, so the library itself is built for baseline x86-64 and runs on any of them.
#include <algorithm>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "axx/error.h"
#include "emulator/common/lut_math.h"
#include "emulator/cpu/kernels_cpu.h"
#include "emulator/cpu/parallel_cpu.h"

namespace axx::emulator {
namespace {

constexpr std::int64_t kTileM = 64, kTileN = 128;

// Portable: one row of outputs at a time, accumulating across k into a small int32 buffer.
void lut_tile_portable(const std::int32_t* lut, const std::uint8_t* A, std::int64_t lda,
                       const std::uint8_t* B, std::int64_t ldb, std::int32_t* C, std::int64_t ldc,
                       std::int64_t m, std::int64_t n, std::int64_t K) {
  std::uint32_t acc[kTileN];
  for (std::int64_t i = 0; i < m; ++i) {
    std::fill_n(acc, n, 0u);
    for (std::int64_t k = 0; k < K; ++k) {
      const std::int32_t* row = lut + (static_cast<std::int32_t>(A[i * lda + k]) << 8);
      const std::uint8_t* bk = B + k * ldb;
      for (std::int64_t j = 0; j < n; ++j) acc[j] += static_cast<std::uint32_t>(row[bk[j]]);
    }
    for (std::int64_t j = 0; j < n; ++j) C[i * ldc + j] = static_cast<std::int32_t>(acc[j]);
  }
}

#if defined(__x86_64__)
constexpr int kKB = 4;  // k's of column tables built at a time (4 x 8 KiB)

// T[a*stride + 0..7] = cols[j][a] for a in [0, 256): 8 rows of the transposed table (= 8 table
// columns), transposed back 8x8 at a time in registers.
__attribute__((target("avx2"))) void build_column_table(const std::int32_t* const* cols,
                                                        std::int32_t* T, int stride) {
  for (int a0 = 0; a0 < 256; a0 += 8) {
    __m256i r[8];
    for (int j = 0; j < 8; ++j)
      r[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols[j] + a0));
    const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    auto out = [&](int r) { return reinterpret_cast<__m256i*>(T + (a0 + r) * stride); };
    _mm256_store_si256(out(0), _mm256_permute2x128_si256(u0, u4, 0x20));
    _mm256_store_si256(out(1), _mm256_permute2x128_si256(u1, u5, 0x20));
    _mm256_store_si256(out(2), _mm256_permute2x128_si256(u2, u6, 0x20));
    _mm256_store_si256(out(3), _mm256_permute2x128_si256(u3, u7, 0x20));
    _mm256_store_si256(out(4), _mm256_permute2x128_si256(u0, u4, 0x31));
    _mm256_store_si256(out(5), _mm256_permute2x128_si256(u1, u5, 0x31));
    _mm256_store_si256(out(6), _mm256_permute2x128_si256(u2, u6, 0x31));
    _mm256_store_si256(out(7), _mm256_permute2x128_si256(u3, u7, 0x31));
  }
}

// One block of <= 8 output columns over all K. Row operand packed k-major in groups of four
// (ap[(k/4)*R*4 + r*4 + k%4], so each pass streams it sequentially); column operand
// bc[k*ldb + c]; tabT = the transposed table of the effective lookup. Accumulates in the
// contiguous scratch cb (R x 8), then writes out[r*out_rs + c*out_cs].
__attribute__((target("avx2"))) void lut_columns_avx2(const std::int32_t* tabT,
                                                      const std::uint8_t* ap, std::int64_t R,
                                                      const std::uint8_t* bc, std::int64_t ldb,
                                                      std::int64_t n, std::int64_t K,
                                                      std::int32_t* cb, std::int32_t* out,
                                                      std::int64_t out_rs, std::int64_t out_cs) {
  alignas(64) std::int32_t T[kKB][256 * 8];
  for (std::int64_t k0 = 0; k0 < K; k0 += kKB) {
    const int kb = static_cast<int>(std::min<std::int64_t>(kKB, K - k0));
    for (int kk = 0; kk < kb; ++kk) {
      const std::int32_t* cols[8];
      const std::uint8_t* bk = bc + (k0 + kk) * ldb;
      for (int j = 0; j < 8; ++j) cols[j] = tabT + (j < n ? static_cast<int>(bk[j]) << 8 : 0);
      build_column_table(cols, T[kk], 8);
    }
    const std::uint8_t* a = ap + k0 * R;  // (k0/4) * R * 4
    for (std::int64_t r = 0; r < R; ++r, a += 4) {
      auto* c = reinterpret_cast<__m256i*>(cb + r * 8);
      __m256i acc = k0 == 0 ? _mm256_setzero_si256() : _mm256_loadu_si256(c);
      if (kb == kKB) {
        const __m256i x0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(T[0] + a[0] * 8));
        const __m256i x1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(T[1] + a[1] * 8));
        const __m256i x2 = _mm256_load_si256(reinterpret_cast<const __m256i*>(T[2] + a[2] * 8));
        const __m256i x3 = _mm256_load_si256(reinterpret_cast<const __m256i*>(T[3] + a[3] * 8));
        acc = _mm256_add_epi32(
            acc, _mm256_add_epi32(_mm256_add_epi32(x0, x1), _mm256_add_epi32(x2, x3)));
      } else {
        for (int kk = 0; kk < kb; ++kk)
          acc = _mm256_add_epi32(
              acc, _mm256_load_si256(reinterpret_cast<const __m256i*>(T[kk] + a[kk] * 8)));
      }
      _mm256_storeu_si256(c, acc);
    }
  }
  for (std::int64_t r = 0; r < R; ++r)
    for (std::int64_t c = 0; c < n; ++c) out[r * out_rs + c * out_cs] = cb[r * 8 + c];
}

// The column-table GEMM for one problem (see the top of the file).
void lut_gemm_column_tables(const std::int32_t* lut, const GemmProblem& p) {
  // Rows = the side the column tables amortise over. When N > M the problem is transposed:
  // C^T[j][i] = sum_k lutT[B[k][j]][A[i][k]], whose table's own transpose is lut.
  const bool tr = p.N > p.M;
  std::vector<std::int32_t> lutT;  // lutT[b][a] = lut[a][b], needed when not transposed
  if (!tr) {
    lutT.resize(kLutEntries);
    for (int a = 0; a < kLutSide; ++a)
      for (int b = 0; b < kLutSide; ++b) lutT[b * kLutSide + a] = lut[a * kLutSide + b];
  }
  const std::int64_t R = tr ? p.N : p.M, NC = tr ? p.M : p.N, K = p.K;
  const std::int32_t* tabT = tr ? lut : lutT.data();
  const std::int64_t kq = (K + kKB - 1) / kKB;
  const std::int64_t ap_size = kq * R * kKB, bc_size = tr ? K * NC : 0;
  const std::int64_t chunk = std::clamp<std::int64_t>(
      (std::int64_t{64} << 20) / std::max<std::int64_t>(ap_size + bc_size, 1), 1, p.batch);
  std::vector<std::uint8_t> ap(static_cast<std::size_t>(chunk * ap_size));
  std::vector<std::uint8_t> bct(static_cast<std::size_t>(chunk * bc_size));
  const std::int64_t width = 8, nb = (NC + width - 1) / width;
  for (std::int64_t b0 = 0; b0 < p.batch; b0 += chunk) {
    const std::int64_t nbat = std::min(chunk, p.batch - b0);
    cpu::parallel_for(nbat * 2, [&](std::int64_t t) {
      const std::int64_t lb = t / 2, b = b0 + lb;
      const std::uint8_t* A = p.A + b * p.stride_a;
      const std::uint8_t* B = p.B + b * p.stride_b;
      if (t % 2 == 0) {  // row operand, k-major in groups of kKB (zero tail never read)
        std::uint8_t* dst = ap.data() + lb * ap_size;
        for (std::int64_t r = 0; r < R; ++r)
          for (std::int64_t k = 0; k < K; ++k)
            dst[(k / kKB) * R * kKB + r * kKB + k % kKB] = tr ? B[k * p.ldb + r] : A[r * p.lda + k];
      } else if (tr) {  // column operand A^T[k][i]
        std::uint8_t* dst = bct.data() + lb * bc_size;
        for (std::int64_t i = 0; i < NC; ++i)
          for (std::int64_t k = 0; k < K; ++k) dst[k * NC + i] = A[i * p.lda + k];
      }
    });
    cpu::parallel_for(nbat * nb, [&](std::int64_t t) {
      const std::int64_t lb = t / nb, c0 = t % nb * width, b = b0 + lb;
      const std::uint8_t* bc = tr ? bct.data() + lb * bc_size + c0 : p.B + b * p.stride_b + c0;
      const std::int64_t ldb = tr ? NC : p.ldb;
      std::int32_t* C = p.C + b * p.stride_c;
      std::vector<std::int32_t> cb(static_cast<std::size_t>(R * width));
      lut_columns_avx2(
          tabT, ap.data() + lb * ap_size, R, bc, ldb, std::min(width, NC - c0), K, cb.data(),
          tr ? C + c0 * p.ldc : C + c0, tr ? 1 : p.ldc, tr ? p.ldc : 1);
    });
  }
}
#endif

}  // namespace

namespace cpu {

void lut_gemm(const std::int32_t* lut, const GemmProblem& p, CpuIsa isa) {
#if defined(__x86_64__)
  if (isa != CpuIsa::Portable && lut_uses_column_tables(p)) {
    lut_gemm_column_tables(lut, p);
    return;
  }
#endif
  (void)isa;
  const std::int64_t tm = (p.M + kTileM - 1) / kTileM, tn = (p.N + kTileN - 1) / kTileN;
  parallel_for(p.batch * tm * tn, [&](std::int64_t t) {
    const std::int64_t b = t / (tm * tn), i0 = (t / tn % tm) * kTileM, j0 = t % tn * kTileN;
    const std::int64_t m = std::min(kTileM, p.M - i0), n = std::min(kTileN, p.N - j0);
    lut_tile_portable(lut, p.A + b * p.stride_a + i0 * p.lda, p.lda, p.B + b * p.stride_b + j0,
                      p.ldb, p.C + b * p.stride_c + i0 * p.ldc + j0, p.ldc, m, n, p.K);
  });
}

}  // namespace cpu
}  // namespace axx::emulator
