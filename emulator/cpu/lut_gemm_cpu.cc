// Table-lookup GEMM on the CPU.
//
// Layout of the work: for a fixed A element a = A[i][k], the table row lut[a][*] is 1 KiB of
// contiguous int32, so a block of outputs C[i][j..j+7] gains row[B[k][j..j+7]] in one 8-wide
// gather with the zero-extended B bytes as indices. A tile of 2 rows x 32 columns keeps 8
// accumulators in registers over the whole K loop (no C traffic inside it); the B panel
// (K x 32 bytes) stays in L1/L2 while the tile walks down the rows, and the whole 256 KiB table
// stays in L2. Tiles of 64 x 128 outputs are the parallel tasks, taken dynamically by the threads.
// The instruction set is chosen at run time (__builtin_cpu_supports), each variant compiled with
// its own target attribute, so the library runs on any x86-64.
#include <immintrin.h>

#include <algorithm>
#include <atomic>

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
// MR rows x (NV * 8) columns, whole K in registers.
template <int MR, int NV>
__attribute__((target("avx2"))) void lut_micro_avx2(const std::int32_t* lut,
                                                    const std::uint8_t* A, std::int64_t lda,
                                                    const std::uint8_t* B, std::int64_t ldb,
                                                    std::int32_t* C, std::int64_t ldc,
                                                    std::int64_t K) {
  __m256i acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NV; ++q) acc[r][q] = _mm256_setzero_si256();
  for (std::int64_t k = 0; k < K; ++k) {
    const std::uint8_t* bk = B + k * ldb;
    __m256i idx[NV];
    for (int q = 0; q < NV; ++q)
      idx[q] = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(bk + 8 * q)));
    for (int r = 0; r < MR; ++r) {
      const int* row = lut + (static_cast<std::int32_t>(A[r * lda + k]) << 8);
      for (int q = 0; q < NV; ++q)
        acc[r][q] = _mm256_add_epi32(acc[r][q], _mm256_i32gather_epi32(row, idx[q], 4));
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NV; ++q)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(C + r * ldc + 8 * q), acc[r][q]);
}

template <int MR>
__attribute__((target("avx2"))) void lut_rows_avx2(const std::int32_t* lut,
                                                   const std::uint8_t* A, std::int64_t lda,
                                                   const std::uint8_t* B, std::int64_t ldb,
                                                   std::int32_t* C, std::int64_t ldc,
                                                   std::int64_t n, std::int64_t K) {
  std::int64_t j = 0;
  for (; j + 32 <= n; j += 32) lut_micro_avx2<MR, 4>(lut, A, lda, B + j, ldb, C + j, ldc, K);
  switch ((n - j) / 8) {
    case 3: lut_micro_avx2<MR, 3>(lut, A, lda, B + j, ldb, C + j, ldc, K); j += 24; break;
    case 2: lut_micro_avx2<MR, 2>(lut, A, lda, B + j, ldb, C + j, ldc, K); j += 16; break;
    case 1: lut_micro_avx2<MR, 1>(lut, A, lda, B + j, ldb, C + j, ldc, K); j += 8; break;
    default: break;
  }
  if (j < n) lut_tile_portable(lut, A, lda, B + j, ldb, C + j, ldc, MR, n - j, K);
}

__attribute__((target("avx2"))) void lut_tile_avx2(const std::int32_t* lut,
                                                   const std::uint8_t* A, std::int64_t lda,
                                                   const std::uint8_t* B, std::int64_t ldb,
                                                   std::int32_t* C, std::int64_t ldc,
                                                   std::int64_t m, std::int64_t n, std::int64_t K) {
  std::int64_t i = 0;
  for (; i + 2 <= m; i += 2) lut_rows_avx2<2>(lut, A + i * lda, lda, B, ldb, C + i * ldc, ldc, n, K);
  if (i < m) lut_rows_avx2<1>(lut, A + i * lda, lda, B, ldb, C + i * ldc, ldc, n, K);
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
  const std::int64_t tm = (p.M + kTileM - 1) / kTileM, tn = (p.N + kTileN - 1) / kTileN;
  parallel_for(p.batch * tm * tn, [&](std::int64_t t) {
    const std::int64_t b = t / (tm * tn), i0 = (t / tn % tm) * kTileM, j0 = t % tn * kTileN;
    const std::int64_t m = std::min(kTileM, p.M - i0), n = std::min(kTileN, p.N - j0);
    const std::uint8_t* A = p.A + b * p.stride_a + i0 * p.lda;
    const std::uint8_t* B = p.B + b * p.stride_b + j0;
    std::int32_t* C = p.C + b * p.stride_c + i0 * p.ldc + j0;
#if defined(__x86_64__)
    if (isa == CpuIsa::Avx2) {
      lut_tile_avx2(lut, A, p.lda, B, p.ldb, C, p.ldc, m, n, p.K);
      return;
    }
#endif
    (void)isa;
    lut_tile_portable(lut, A, p.lda, B, p.ldb, C, p.ldc, m, n, p.K);
  });
}

}  // namespace cpu
}  // namespace axx::emulator
