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
// load indexed by the A byte. Building T_k costs 256 x 8 copied entries per k, amortised over
// the M rows, so this kernel serves max(M, N) >= kMinRowsColumnTable (transposing the problem when N > M)
// and the portable one the rest. Four
// k's of tiles (32 KiB) are built at a time and stay in L1 while all rows stream past; the C
// column block is loaded and stored once per four k's. Tasks are (batch, 8-column block) pairs,
// taken dynamically by the threads. The instruction set is chosen at run time
// (__builtin_cpu_supports) with per-function target attributes, so the library runs on any x86-64.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "axx/error.h"
#include "emulator/common/lut_math.h"
#include "emulator/cpu/kernels_cpu.h"
#include "emulator/cpu/parallel_cpu.h"

namespace axx::emulator {
namespace {

constexpr std::int64_t kTileM = 64, kTileN = 128;

std::atomic<int> g_isa{static_cast<int>(CpuIsa::Auto)};

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

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
constexpr std::int64_t kMinRowsColumnTable = 48;

// T[a][0..7] = lutT[b_j][a] for a in [0, 256): the 8 table columns, transposed 8x8 at a time.
__attribute__((target("avx2"))) void build_column_table(const std::int32_t* lutT,
                                                        const std::int32_t* const* cols,
                                                        std::int32_t* T) {
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
    __m256i* out = reinterpret_cast<__m256i*>(T + a0 * 8);
    _mm256_store_si256(out + 0, _mm256_permute2x128_si256(u0, u4, 0x20));
    _mm256_store_si256(out + 1, _mm256_permute2x128_si256(u1, u5, 0x20));
    _mm256_store_si256(out + 2, _mm256_permute2x128_si256(u2, u6, 0x20));
    _mm256_store_si256(out + 3, _mm256_permute2x128_si256(u3, u7, 0x20));
    _mm256_store_si256(out + 4, _mm256_permute2x128_si256(u0, u4, 0x31));
    _mm256_store_si256(out + 5, _mm256_permute2x128_si256(u1, u5, 0x31));
    _mm256_store_si256(out + 6, _mm256_permute2x128_si256(u2, u6, 0x31));
    _mm256_store_si256(out + 7, _mm256_permute2x128_si256(u3, u7, 0x31));
  }
  (void)lutT;
}

// C[0..M)[0..n) for n <= 8 columns over all K, with the column tables above.
__attribute__((target("avx2"))) void lut_columns_avx2(const std::int32_t* lutT,
                                                      const std::uint8_t* A, std::int64_t lda,
                                                      const std::uint8_t* B, std::int64_t ldb,
                                                      std::int32_t* C, std::int64_t ldc,
                                                      std::int64_t M, std::int64_t n,
                                                      std::int64_t K) {
  alignas(64) std::int32_t T[kKB][256 * 8];
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lane);
  const bool full = n == 8;
  for (std::int64_t k0 = 0; k0 < K; k0 += kKB) {
    const int kb = static_cast<int>(std::min<std::int64_t>(kKB, K - k0));
    for (int kk = 0; kk < kb; ++kk) {
      const std::int32_t* cols[8];
      const std::uint8_t* bk = B + (k0 + kk) * ldb;
      for (int j = 0; j < 8; ++j) cols[j] = lutT + (j < n ? static_cast<int>(bk[j]) << 8 : 0);
      build_column_table(lutT, cols, T[kk]);
    }
    for (std::int64_t i = 0; i < M; ++i) {
      const std::uint8_t* a = A + i * lda + k0;
      auto* c = reinterpret_cast<__m256i*>(C + i * ldc);
      __m256i acc = k0 == 0 ? _mm256_setzero_si256()
                            : (full ? _mm256_loadu_si256(c)
                                    : _mm256_maskload_epi32(C + i * ldc, mask));
      if (kb == kKB) {
        const __m256i x0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(T[0] + a[0] * 8));
        const __m256i x1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(T[1] + a[1] * 8));
        const __m256i x2 = _mm256_load_si256(reinterpret_cast<const __m256i*>(T[2] + a[2] * 8));
        const __m256i x3 = _mm256_load_si256(reinterpret_cast<const __m256i*>(T[3] + a[3] * 8));
        acc = _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_add_epi32(x0, x1), _mm256_add_epi32(x2, x3)));
      } else {
        for (int kk = 0; kk < kb; ++kk)
          acc = _mm256_add_epi32(
              acc, _mm256_load_si256(reinterpret_cast<const __m256i*>(T[kk] + a[kk] * 8)));
      }
      if (full)
        _mm256_storeu_si256(c, acc);
      else
        _mm256_maskstore_epi32(C + i * ldc, mask, acc);
    }
  }
}
#endif

}  // namespace

bool cpu_isa_supported(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Auto:
    case CpuIsa::Portable: return true;
    case CpuIsa::Avx2: return cpu_has_avx2();
  }
  return false;
}

void set_cpu_isa(CpuIsa isa) {
  if (!cpu_isa_supported(isa)) throw UsageError("set_cpu_isa: this CPU does not support AVX2");
  g_isa.store(static_cast<int>(isa));
}

CpuIsa cpu_isa() {
  const auto isa = static_cast<CpuIsa>(g_isa.load());
  if (isa != CpuIsa::Auto) return isa;
  return cpu_has_avx2() ? CpuIsa::Avx2 : CpuIsa::Portable;
}

namespace cpu {

void lut_gemm(const std::int32_t* lut, const GemmProblem& p, CpuIsa isa) {
#if defined(__x86_64__)
  if (isa == CpuIsa::Avx2 && std::max(p.M, p.N) >= kMinRowsColumnTable) {
    std::vector<std::int32_t> lutT(kLutEntries);  // lutT[b][a] = lut[a][b]
    for (int a = 0; a < kLutSide; ++a)
      for (int b = 0; b < kLutSide; ++b) lutT[b * kLutSide + a] = lut[a * kLutSide + b];
    if (p.M >= p.N) {
      const std::int64_t nb = (p.N + 7) / 8;
      parallel_for(p.batch * nb, [&](std::int64_t t) {
        const std::int64_t b = t / nb, j0 = t % nb * 8;
        lut_columns_avx2(lutT.data(), p.A + b * p.stride_a, p.lda, p.B + b * p.stride_b + j0,
                         p.ldb, p.C + b * p.stride_c + j0, p.ldc, p.M,
                         std::min<std::int64_t>(8, p.N - j0), p.K);
      });
      return;
    }
    // Wide problems (N > M) amortise the column tables over N instead: C^T = B^T (.) A^T through
    // the transposed table, whose own transpose is lut. Operands and result are transposed in
    // per-batch scratch (O((M + N) K + M N), small next to the M N K lookups).
    const std::int64_t per_batch = (p.M + p.N) * p.K + p.M * p.N * 4;
    const std::int64_t chunk =
        std::clamp<std::int64_t>((std::int64_t{64} << 20) / std::max<std::int64_t>(per_batch, 1), 1, p.batch);
    std::vector<std::uint8_t> At(static_cast<std::size_t>(chunk * p.K * p.M));
    std::vector<std::uint8_t> Bt(static_cast<std::size_t>(chunk * p.N * p.K));
    std::vector<std::int32_t> Ct(static_cast<std::size_t>(chunk * p.N * p.M));
    const std::int64_t mb = (p.M + 7) / 8;
    for (std::int64_t b0 = 0; b0 < p.batch; b0 += chunk) {
      const std::int64_t nbat = std::min(chunk, p.batch - b0);
      parallel_for(nbat * 2, [&](std::int64_t t) {
        const std::int64_t lb = t / 2, b = b0 + lb;
        if (t % 2 == 0) {
          const std::uint8_t* A = p.A + b * p.stride_a;
          std::uint8_t* at = At.data() + lb * p.K * p.M;
          for (std::int64_t i = 0; i < p.M; ++i)
            for (std::int64_t k = 0; k < p.K; ++k) at[k * p.M + i] = A[i * p.lda + k];
        } else {
          const std::uint8_t* B = p.B + b * p.stride_b;
          std::uint8_t* bt = Bt.data() + lb * p.N * p.K;
          for (std::int64_t k = 0; k < p.K; ++k)
            for (std::int64_t j = 0; j < p.N; ++j) bt[j * p.K + k] = B[k * p.ldb + j];
        }
      });
      parallel_for(nbat * mb, [&](std::int64_t t) {
        const std::int64_t lb = t / mb, i0 = t % mb * 8;
        lut_columns_avx2(lut, Bt.data() + lb * p.N * p.K, p.K, At.data() + lb * p.K * p.M + i0,
                         p.M, Ct.data() + lb * p.N * p.M + i0, p.M, p.N,
                         std::min<std::int64_t>(8, p.M - i0), p.K);
      });
      parallel_for(nbat, [&](std::int64_t lb) {
        const std::int32_t* ct = Ct.data() + lb * p.N * p.M;
        std::int32_t* C = p.C + (b0 + lb) * p.stride_c;
        for (std::int64_t i = 0; i < p.M; ++i)
          for (std::int64_t j = 0; j < p.N; ++j) C[i * p.ldc + j] = ct[j * p.M + i];
      });
    }
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
