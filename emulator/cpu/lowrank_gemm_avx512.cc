// Exact low-rank GEMM with AVX-512 VNNI and AMX-INT8 (CpuIsa::Avx512 / CpuIsa::Amx).
//
// With lut[a][b] = sum_t f_t(a) g_t(b) over the terms t = 0..R (f_0 = val(a), g_0 = val(b),
// f_t = u_{t-1}, g_t = v_{t-1}), the LUT GEMM is one integer GEMM over operands stacked along K,
// in one of the encodings of emulator/common/lowrank_encoding.h:
//
// - Byte terms (every f_t and every g_t spans at most 256 consecutive values): u8 x s8 operands
//   x_t(A) . y_t(B) plus the corrections rowc[i] + colc[j]. The byte GEMM runs on vpdpbusd (64
//   u8 x s8 products per instruction, summed four at a time into int32 lanes without saturation)
//   or, under Amx, on TDPBUSD tiles (16 x 16 int32 outputs, 64 bytes of K per instruction). The
//   signed exact term is x_0 = a + 128, so every signed table has an A-side offset.
// - Int16 terms (otherwise): f_t and g_t themselves, vpdpwssd (32 int16 products per
//   instruction, summed in pairs into int32 lanes).
// Every product is exact and every add wraps modulo 2^32, as on the LUT path, so the result is
// bit-exact for any K (the corrections are summed in uint32 for the same reason).
//
// Under CpuIsa::AvxVnni (AVX-VNNI without AVX-512: Alder Lake-class cores) the same forms run on
// the 256-bit VEX forms of vpdpbusd / vpdpwssd with a 6 x 16 register tile, packed by scalar
// code (no VBMI there).
//
// Layout: term-major, k' = t*kt + k with each term's block padded to kt (a multiple of 64 bytes)
// with zeros. A' rows are row-major (stride = K' bytes), built by translating 64 operand bytes at a
// time through a 256-byte table with two vpermi2b and a blend (AVX-512 VBMI). B' is packed in
// panels of 16 columns, [slot][column][4 bytes] (a slot = 4 bytes of K' = one int32 lane of
// vpdpbusd, and one row of an AMX B tile); a 4 x 16 block of B is translated and transposed into
// one slot row with vpermi2b + vpermb.
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

#define AXX_AVX512 __attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))
#define AXX_AVXVNNI __attribute__((target("avx2,avxvnni")))
#define AXX_AMX \
  __attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi,amx-tile,amx-int8")))

constexpr std::int64_t kMR = 12, kKC = 128;      // VNNI micro-kernel: 12 rows x 32 columns
constexpr std::int64_t kRowGroup = 8 * kMR, kColGroup = 128;
constexpr std::int64_t kAmxRows = 32, kAmxColGroup = 128;  // AMX: 2 x 2 tiles of 16 x 16
constexpr std::int64_t kMaxPackBytes = std::int64_t{64} << 20;

std::int64_t round_up(std::int64_t x, std::int64_t m) { return (x + m - 1) / m * m; }

struct Form {
  int terms = 1;
  bool bytes = true;  // byte terms, else int16 terms
  bool amx = false;
  std::int64_t K = 0, kt = 0, kbytes = 0, slots = 0;  // kbytes = row length of A' in bytes
  std::int64_t mpad = 0, npad = 0;                    // rows of A', columns of B' (padded)
  ByteTerms bt;                                       // the byte terms (bytes)
  std::uint32_t c0 = 0;                               // K * bt.c0: rowc's constant part
  std::int16_t xa16[kMaxLowRankTerms][256], yb16[kMaxLowRankTerms][256];  // int16 terms (!bytes)
};

}  // namespace

bool lowrank_byte_form(const LowRankView& lr) {
  ByteTerms bt;
  return encode_bytes(lr, 0, bt);
}

namespace {

void build_form(const LowRankView& lr, const GemmProblem& p, bool amx_ok, Form& f) {
  f.terms = lr.rank + 1;
  f.bytes = encode_bytes(lr, 0, f.bt);
  if (f.bytes) {
    f.c0 = f.bt.c0 * static_cast<std::uint32_t>(p.K);
  } else {
    for (int t = 0; t < f.terms; ++t)
      for (int x = 0; x < 256; ++x) {
        f.xa16[t][x] = static_cast<std::int16_t>(term_f(lr, t, x));
        f.yb16[t][x] = static_cast<std::int16_t>(term_g(lr, t, x));
      }
  }
  f.amx = amx_ok && f.bytes;
  f.K = p.K;
  const std::int64_t elem = f.bytes ? 1 : 2;
  f.kt = round_up(p.K, 64 / elem);
  f.kbytes = f.terms * f.kt * elem;
  f.slots = f.kbytes / 4;
  f.mpad = round_up(p.M, f.amx ? kAmxRows : 1);
  f.npad = round_up(p.N, 32);
}

// 64 table bytes at the indices in idx (a 256-byte table in four zmm registers).
AXX_AVX512 inline __m512i translate64(__m512i idx, const __m512i* tab) {
  const __m512i lo = _mm512_permutex2var_epi8(tab[0], idx, tab[1]);
  const __m512i hi = _mm512_permutex2var_epi8(tab[2], idx, tab[3]);
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(idx), lo, hi);
}

AXX_AVX512 void load_table(const void* t, __m512i* tab) {
  for (int q = 0; q < 4; ++q) tab[q] = _mm512_loadu_si512(static_cast<const char*>(t) + 64 * q);
}

// Rows [i0, i1) of A' (one batch) and their corrections rowc[i] (without c0).
AXX_AVX512 void pack_a_rows(const Form& f, const std::uint8_t* A, std::int64_t lda,
                            std::int64_t i0, std::int64_t i1, std::uint8_t* ap,
                            std::uint32_t* rowc) {
  const std::int64_t K = f.K;
  for (std::int64_t i = i0; i < i1; ++i) {
    const std::uint8_t* a = A + i * lda;
    std::uint8_t* out = ap + i * f.kbytes;
    if (f.bytes) {
      for (int t = 0; t < f.terms; ++t) {
        __m512i tab[4];
        load_table(f.bt.x[t], tab);
        std::uint8_t* o = out + t * f.kt;
        for (std::int64_t k = 0; k < f.kt; k += 64) {
          const std::int64_t n = std::clamp<std::int64_t>(K - k, 0, 64);
          const __mmask64 m = n == 64 ? ~__mmask64{0} : ((__mmask64{1} << n) - 1);
          const __m512i idx = _mm512_maskz_loadu_epi8(m, a + std::min(k, K));
          _mm512_storeu_si512(o + k, _mm512_maskz_mov_epi8(m, translate64(idx, tab)));
        }
      }
    } else {
      auto* o = reinterpret_cast<std::int16_t*>(out);
      std::memset(o, 0, static_cast<std::size_t>(f.kbytes));
      for (int t = 0; t < f.terms; ++t)
        for (std::int64_t k = 0; k < K; ++k) o[t * f.kt + k] = f.xa16[t][a[k]];
    }
    if (f.bt.any_cx) {
      std::uint32_t s = 0;
      for (std::int64_t k = 0; k < K; ++k) s += f.bt.cx[a[k]];
      rowc[i] = s;
    } else {
      rowc[i] = 0;
    }
  }
}

// Row q of a 4 x 16 block of B (zeros past K or past the last column).
AXX_AVX512 inline __m128i load_row(const std::uint8_t* bk, std::int64_t q, std::int64_t nq,
                                   std::int64_t n, __mmask16 cm, std::int64_t ldb) {
  return q < nq && n > 0 ? _mm_maskz_loadu_epi8(cm, bk + q * ldb) : _mm_setzero_si128();
}

// Panel `panel` (16 columns) of B' (one batch) and its corrections colc[j].
AXX_AVX512 void pack_b_panel(const Form& f, const std::uint8_t* B, std::int64_t ldb,
                             std::int64_t N, std::int64_t panel, std::uint8_t* bp,
                             std::uint32_t* colc) {
  const std::int64_t K = f.K, j0 = panel * 16, n = std::clamp<std::int64_t>(N - j0, 0, 16);
  std::uint8_t* out = bp + panel * f.slots * 64;
  const __mmask16 cm = static_cast<__mmask16>((1u << n) - 1);
  if (f.bytes) {
    // Byte c*4 + q of a slot row <- row q, column c of the 4 x 16 block (lane q of the zmm).
    alignas(64) std::uint8_t perm[64];
    for (int c = 0; c < 16; ++c)
      for (int q = 0; q < 4; ++q) perm[c * 4 + q] = static_cast<std::uint8_t>(q * 16 + c);
    const __m512i pv = _mm512_load_si512(perm);
    for (int t = 0; t < f.terms; ++t) {
      __m512i tab[4];
      load_table(f.bt.y[t], tab);
      std::uint8_t* o = out + t * (f.kt / 4) * 64;
      for (std::int64_t k = 0; k < f.kt; k += 4) {
        if (k >= K) {
          _mm512_storeu_si512(o + k * 16, _mm512_setzero_si512());
          continue;
        }
        const std::int64_t nq = std::min<std::int64_t>(4, K - k);
        const std::uint8_t* bk = B + k * ldb + j0;
        __m512i blk = _mm512_castsi128_si512(load_row(bk, 0, nq, n, cm, ldb));
        blk = _mm512_inserti32x4(blk, load_row(bk, 1, nq, n, cm, ldb), 1);
        blk = _mm512_inserti32x4(blk, load_row(bk, 2, nq, n, cm, ldb), 2);
        blk = _mm512_inserti32x4(blk, load_row(bk, 3, nq, n, cm, ldb), 3);
        const __mmask64 valid = nq == 4 ? ~__mmask64{0} : (__mmask64{1} << (16 * nq)) - 1;
        const __m512i y = _mm512_maskz_mov_epi8(valid, translate64(blk, tab));
        _mm512_storeu_si512(o + k * 16, _mm512_permutexvar_epi8(pv, y));
      }
    }
  } else {
    auto* o = reinterpret_cast<std::int16_t*>(out);
    std::memset(o, 0, static_cast<std::size_t>(f.slots * 64));
    for (int t = 0; t < f.terms; ++t)
      for (std::int64_t k = 0; k < K; ++k) {
        const std::int64_t kk = t * f.kt + k;  // slot kk/2, half kk%2
        for (std::int64_t c = 0; c < n; ++c)
          o[(kk / 2) * 32 + c * 2 + kk % 2] = f.yb16[t][B[k * ldb + j0 + c]];
      }
  }
  std::uint32_t* cc = colc + j0;
  if (f.bt.any_cy) {
    __m512i acc = _mm512_setzero_si512();
    for (std::int64_t k = 0; k < K; ++k) {
      const __m512i idx = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(cm, B + k * ldb + j0));
      acc = _mm512_add_epi32(acc, _mm512_i32gather_epi32(idx, f.bt.cy, 4));
    }
    _mm512_storeu_si512(cc, acc);  // colc has npad entries; columns >= N are never read
  } else {
    _mm512_storeu_si512(cc, _mm512_setzero_si512());
  }
}

// C tile (m x n of kMR x 32) (+)= A' rows . B' panels over slots [s0, s0+ns); the last K block
// adds the corrections.
template <bool kBytes>
AXX_AVX512 void micro_vnni(const std::uint8_t* const* arow, const std::uint8_t* b0,
                           const std::uint8_t* b1, std::int64_t s0, std::int64_t ns,
                           std::int32_t* C, std::int64_t ldc, std::int64_t m, std::int64_t n,
                           bool accumulate, const std::uint32_t* rowc, const std::uint32_t* colc) {
  __m512i acc[kMR][2];
  for (int r = 0; r < kMR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  for (std::int64_t s = s0; s < s0 + ns; ++s) {
    const __m512i x0 = _mm512_loadu_si512(b0 + s * 64), x1 = _mm512_loadu_si512(b1 + s * 64);
    for (int r = 0; r < kMR; ++r) {
      std::int32_t w;
      std::memcpy(&w, arow[r] + s * 4, 4);
      const __m512i a = _mm512_set1_epi32(w);
      if constexpr (kBytes) {
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], a, x0);
        acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], a, x1);
      } else {
        acc[r][0] = _mm512_dpwssd_epi32(acc[r][0], a, x0);
        acc[r][1] = _mm512_dpwssd_epi32(acc[r][1], a, x1);
      }
    }
  }
  const std::int64_t n0 = std::min<std::int64_t>(n, 16), n1 = std::max<std::int64_t>(n - 16, 0);
  const __mmask16 mk[2] = {static_cast<__mmask16>((1u << n0) - 1),
                           static_cast<__mmask16>((1u << n1) - 1)};
  __m512i cv[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
  if (colc) {
    cv[0] = _mm512_loadu_si512(colc);
    cv[1] = _mm512_loadu_si512(colc + 16);
  }
  for (std::int64_t r = 0; r < m; ++r)
    for (int h = 0; h < 2; ++h) {
      if (!mk[h]) continue;
      std::int32_t* c = C + r * ldc + 16 * h;
      __m512i v = acc[r][h];
      if (accumulate) v = _mm512_add_epi32(v, _mm512_maskz_loadu_epi32(mk[h], c));
      if (rowc) v = _mm512_add_epi32(v, _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(rowc[r])), cv[h]));
      _mm512_mask_storeu_epi32(c, mk[h], v);
    }
}

// Scalar packing for CPUs without AVX-512 (AVX-VNNI): the layouts of pack_a_rows / pack_b_panel.
void pack_a_rows_scalar(const Form& f, const std::uint8_t* A, std::int64_t lda, std::int64_t i0,
                        std::int64_t i1, std::uint8_t* ap, std::uint32_t* rowc) {
  for (std::int64_t i = i0; i < i1; ++i) {
    const std::uint8_t* a = A + i * lda;
    std::uint8_t* out = ap + i * f.kbytes;
    std::memset(out, 0, static_cast<std::size_t>(f.kbytes));
    for (int t = 0; t < f.terms; ++t) {
      if (f.bytes) {
        std::uint8_t* o = out + t * f.kt;
        for (std::int64_t k = 0; k < f.K; ++k) o[k] = f.bt.x[t][a[k]];
      } else {
        auto* o = reinterpret_cast<std::int16_t*>(out) + t * f.kt;
        for (std::int64_t k = 0; k < f.K; ++k) o[k] = f.xa16[t][a[k]];
      }
    }
    std::uint32_t s = 0;
    if (f.bt.any_cx)
      for (std::int64_t k = 0; k < f.K; ++k) s += f.bt.cx[a[k]];
    rowc[i] = s;
  }
}

void pack_b_panel_scalar(const Form& f, const std::uint8_t* B, std::int64_t ldb, std::int64_t N,
                         std::int64_t panel, std::uint8_t* bp, std::uint32_t* colc) {
  const std::int64_t j0 = panel * 16, n = std::clamp<std::int64_t>(N - j0, 0, 16);
  std::uint8_t* out = bp + panel * f.slots * 64;
  std::memset(out, 0, static_cast<std::size_t>(f.slots * 64));
  for (int t = 0; t < f.terms; ++t)
    for (std::int64_t k = 0; k < f.K; ++k) {
      const std::uint8_t* b = B + k * ldb + j0;
      const std::int64_t kk = t * f.kt + k;
      if (f.bytes) {
        std::uint8_t* o = out + (kk / 4) * 64 + kk % 4;  // slot kk/4, byte kk%4 of each column
        for (std::int64_t c = 0; c < n; ++c) o[c * 4] = static_cast<std::uint8_t>(f.bt.y[t][b[c]]);
      } else {
        auto* o = reinterpret_cast<std::int16_t*>(out) + (kk / 2) * 32 + kk % 2;
        for (std::int64_t c = 0; c < n; ++c) o[c * 2] = f.yb16[t][b[c]];
      }
    }
  for (std::int64_t c = 0; c < 16; ++c) {
    std::uint32_t s = 0;
    if (f.bt.any_cy && c < n)
      for (std::int64_t k = 0; k < f.K; ++k) s += f.bt.cy[B[k * ldb + j0 + c]];
    colc[j0 + c] = s;
  }
}

constexpr std::int64_t kMRy = 6;  // AVX-VNNI tile: 6 rows x 16 columns (12 ymm accumulators)

// C tile (m x n of 6 x 16) (+)= A' rows . one B' panel over slots [s0, s0+ns) (+ corrections).
template <bool kBytes>
AXX_AVXVNNI void micro_ymm(const std::uint8_t* const* arow, const std::uint8_t* bp,
                           std::int64_t s0, std::int64_t ns, std::int32_t* C, std::int64_t ldc,
                           std::int64_t m, std::int64_t n, bool accumulate,
                           const std::uint32_t* rowc, const std::uint32_t* colc) {
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
          c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const std::uint8_t *a0 = arow[0], *a1 = arow[1], *a2 = arow[2], *a3 = arow[3], *a4 = arow[4],
                     *a5 = arow[5];
  for (std::int64_t s = s0; s < s0 + ns; ++s) {
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + s * 64));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + s * 64 + 32));
#define AXX_ROW(r)                                                   \
  {                                                                  \
    std::int32_t w;                                                  \
    std::memcpy(&w, a##r + s * 4, 4);                                \
    const __m256i x = _mm256_set1_epi32(w);                          \
    if constexpr (kBytes) {                                          \
      c##r##0 = _mm256_dpbusd_avx_epi32(c##r##0, x, b0);             \
      c##r##1 = _mm256_dpbusd_avx_epi32(c##r##1, x, b1);             \
    } else {                                                         \
      c##r##0 = _mm256_dpwssd_avx_epi32(c##r##0, x, b0);             \
      c##r##1 = _mm256_dpwssd_avx_epi32(c##r##1, x, b1);             \
    }                                                                \
  }
    AXX_ROW(0) AXX_ROW(1) AXX_ROW(2) AXX_ROW(3) AXX_ROW(4) AXX_ROW(5)
#undef AXX_ROW
  }
  alignas(32) std::int32_t tmp[kMRy][16];
  const __m256i all[kMRy][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                                {c30, c31}, {c40, c41}, {c50, c51}};
  for (int r = 0; r < kMRy; ++r)
    for (int h = 0; h < 2; ++h)
      _mm256_store_si256(reinterpret_cast<__m256i*>(&tmp[r][8 * h]), all[r][h]);
  for (std::int64_t r = 0; r < m; ++r)
    for (std::int64_t c = 0; c < n; ++c) {
      std::uint32_t v = static_cast<std::uint32_t>(tmp[r][c]);
      if (accumulate) v += static_cast<std::uint32_t>(C[r * ldc + c]);
      if (rowc) v += rowc[r] + colc[c];
      C[r * ldc + c] = static_cast<std::int32_t>(v);
    }
}

struct TileConfig {
  std::uint8_t palette = 1, start_row = 0, reserved[14] = {};
  std::uint16_t colsb[16] = {};
  std::uint8_t rows[16] = {};
};

// One AMX task: rows [i0, i0+32) x panels pairs [pp0, pp1) of one batch, over all of K'.
AXX_AMX void amx_task(const Form& f, const std::uint8_t* ap, const std::uint8_t* bp,
                      std::int64_t i0, std::int64_t pp0, std::int64_t pp1, std::int32_t* C,
                      std::int64_t ldc, std::int64_t M, std::int64_t N, const std::uint32_t* rowc,
                      const std::uint32_t* colc) {
  alignas(64) TileConfig cfg;
  for (int t = 0; t < 8; ++t) {
    cfg.rows[t] = 16;
    cfg.colsb[t] = 64;
  }
  _tile_loadconfig(&cfg);
  alignas(64) std::int32_t out[32][32];
  const std::uint8_t* a0 = ap + i0 * f.kbytes;
  const std::uint8_t* a1 = a0 + 16 * f.kbytes;
  const std::int64_t m = std::min<std::int64_t>(32, M - i0);
  for (std::int64_t pp = pp0; pp < pp1; ++pp) {
    const std::uint8_t* b0 = bp + (2 * pp) * f.slots * 64;
    const std::uint8_t* b1 = b0 + f.slots * 64;
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (std::int64_t s = 0; s < f.slots; s += 16) {
      _tile_loadd(4, a0 + s * 4, f.kbytes);
      _tile_loadd(5, a1 + s * 4, f.kbytes);
      _tile_loadd(6, b0 + s * 64, 64);
      _tile_loadd(7, b1 + s * 64, 64);
      _tile_dpbusd(0, 4, 6);
      _tile_dpbusd(1, 4, 7);
      _tile_dpbusd(2, 5, 6);
      _tile_dpbusd(3, 5, 7);
    }
    _tile_stored(0, &out[0][0], 128);
    _tile_stored(1, &out[0][16], 128);
    _tile_stored(2, &out[16][0], 128);
    _tile_stored(3, &out[16][16], 128);
    const std::int64_t j0 = 32 * pp, n = std::min<std::int64_t>(32, N - j0);
    const std::int64_t n0 = std::min<std::int64_t>(n, 16), n1 = std::max<std::int64_t>(n - 16, 0);
    const __mmask16 mk[2] = {static_cast<__mmask16>((1u << n0) - 1),
                             static_cast<__mmask16>((1u << n1) - 1)};
    const __m512i cv[2] = {_mm512_loadu_si512(colc + j0), _mm512_loadu_si512(colc + j0 + 16)};
    for (std::int64_t r = 0; r < m; ++r) {
      const __m512i rv = _mm512_set1_epi32(static_cast<int>(rowc[i0 + r]));
      for (int h = 0; h < 2; ++h)
        if (mk[h])
          _mm512_mask_storeu_epi32(
              C + (i0 + r) * ldc + j0 + 16 * h, mk[h],
              _mm512_add_epi32(_mm512_load_si512(&out[r][16 * h]), _mm512_add_epi32(rv, cv[h])));
    }
  }
  _tile_release();
}

}  // namespace

void lowrank_gemm_avx512(const LowRankView& lr, const GemmProblem& p, CpuIsa isa) {
  Form f;
  build_form(lr, p, isa == CpuIsa::Amx, f);
  const bool ymm = isa == CpuIsa::AvxVnni;
  const std::int64_t npanels = f.npad / 16;
  const std::int64_t a_bytes = f.mpad * f.kbytes, b_bytes = npanels * f.slots * 64;
  const std::int64_t per_batch = a_bytes + b_bytes + 4 * (f.mpad + f.npad);
  const std::int64_t chunk = std::clamp<std::int64_t>(kMaxPackBytes / per_batch, 1, p.batch);
  std::vector<std::uint8_t, std::allocator<std::uint8_t>> apack(
      static_cast<std::size_t>(a_bytes * chunk + 64));
  std::vector<std::uint8_t> bpack(static_cast<std::size_t>(b_bytes * chunk + 64));
  std::vector<std::uint32_t> rowc(static_cast<std::size_t>(f.mpad * chunk)),
      colc(static_cast<std::size_t>(f.npad * chunk));
  constexpr std::int64_t kPackRows = 16;
  const std::int64_t rchunks = (p.M + kPackRows - 1) / kPackRows;

  for (std::int64_t b0 = 0; b0 < p.batch; b0 += chunk) {
    const std::int64_t nb = std::min(chunk, p.batch - b0);
    const std::int64_t pack_tasks = rchunks + npanels;
    parallel_for(nb * pack_tasks, [&](std::int64_t t) {
      const std::int64_t lb = t / pack_tasks, x = t % pack_tasks, b = b0 + lb;
      if (x < rchunks) {
        const std::int64_t i0 = x * kPackRows, i1 = std::min(p.M, i0 + kPackRows);
        (ymm ? pack_a_rows_scalar : pack_a_rows)(f, p.A + b * p.stride_a, p.lda, i0, i1,
                                                 apack.data() + lb * a_bytes,
                                                 rowc.data() + lb * f.mpad);
        if (f.c0)
          for (std::int64_t i = i0; i < i1; ++i) rowc[lb * f.mpad + i] += f.c0;
        if (x == rchunks - 1)  // zero pad rows (AMX tiles read them)
          std::memset(apack.data() + lb * a_bytes + p.M * f.kbytes, 0,
                      static_cast<std::size_t>((f.mpad - p.M) * f.kbytes));
      } else {
        (ymm ? pack_b_panel_scalar : pack_b_panel)(f, p.B + b * p.stride_b, p.ldb, p.N,
                                                   x - rchunks, bpack.data() + lb * b_bytes,
                                                   colc.data() + lb * f.npad);
      }
    });
    if (f.amx) {
      const std::int64_t rblocks = f.mpad / kAmxRows, pairs = f.npad / 32;
      const std::int64_t gp = kAmxColGroup / 32, cgroups = (pairs + gp - 1) / gp;
      parallel_for(nb * rblocks * cgroups, [&](std::int64_t t) {
        const std::int64_t lb = t / (rblocks * cgroups), rb = t / cgroups % rblocks,
                           cg = t % cgroups;
        amx_task(f, apack.data() + lb * a_bytes, bpack.data() + lb * b_bytes, rb * kAmxRows,
                 cg * gp, std::min(pairs, (cg + 1) * gp), p.C + (b0 + lb) * p.stride_c, p.ldc,
                 p.M, p.N, rowc.data() + lb * f.mpad, colc.data() + lb * f.npad);
      });
      continue;
    }
    const bool corr = f.bytes;
    // The register-tile loop both VNNI kernels share: tasks of (batch, row group, column group),
    // K' blocked by kKC slots, tiles of MR rows x NR columns (NR / 16 packed panels side by side);
    // the corrections are added on the last K block.
    auto tiles = [&](std::int64_t MR, std::int64_t NR, std::int64_t row_group,
                     std::int64_t col_group, auto micro) {
      const std::int64_t rgroups = (p.M + row_group - 1) / row_group;
      const std::int64_t cgroups = (f.npad + col_group - 1) / col_group;
      parallel_for(nb * rgroups * cgroups, [&](std::int64_t t) {
        const std::int64_t lb = t / (rgroups * cgroups), rg = t / cgroups % rgroups,
                           cg = t % cgroups;
        const std::uint8_t* ab = apack.data() + lb * a_bytes;
        const std::uint8_t* bb = bpack.data() + lb * b_bytes;
        std::int32_t* C = p.C + (b0 + lb) * p.stride_c;
        const std::int64_t r_end = std::min(p.M, (rg + 1) * row_group);
        const std::int64_t c_end = std::min(p.N, (cg + 1) * col_group);
        for (std::int64_t s0 = 0; s0 < f.slots; s0 += kKC) {
          const std::int64_t ns = std::min(kKC, f.slots - s0);
          const bool last = s0 + ns == f.slots;
          for (std::int64_t j0 = cg * col_group; j0 < c_end; j0 += NR)
            for (std::int64_t i0 = rg * row_group; i0 < r_end; i0 += MR) {
              const std::uint8_t* rows[kMR];
              for (std::int64_t r = 0; r < MR; ++r)
                rows[r] = ab + std::min(i0 + r, p.M - 1) * f.kbytes;
              const std::uint32_t* rc = last && corr ? rowc.data() + lb * f.mpad + i0 : nullptr;
              const std::uint32_t* cc = last && corr ? colc.data() + lb * f.npad + j0 : nullptr;
              micro(rows, bb + (j0 / 16) * f.slots * 64, s0, ns, C + i0 * p.ldc + j0,
                    std::min(MR, p.M - i0), std::min(NR, p.N - j0), s0 > 0, rc, cc);
            }
        }
      });
    };
    const std::int64_t ldc = p.ldc, panel = f.slots * 64;
    if (ymm)
      tiles(kMRy, 16, 16 * kMRy, 64, [&](const std::uint8_t* const* rows, const std::uint8_t* bp,
                                         std::int64_t s0, std::int64_t ns, std::int32_t* C,
                                         std::int64_t m, std::int64_t n, bool acc,
                                         const std::uint32_t* rc, const std::uint32_t* cc) {
        (f.bytes ? micro_ymm<true> : micro_ymm<false>)(rows, bp, s0, ns, C, ldc, m, n, acc, rc, cc);
      });
    else
      tiles(kMR, 32, kRowGroup, kColGroup, [&](const std::uint8_t* const* rows,
                                               const std::uint8_t* bp, std::int64_t s0,
                                               std::int64_t ns, std::int32_t* C, std::int64_t m,
                                               std::int64_t n, bool acc, const std::uint32_t* rc,
                                               const std::uint32_t* cc) {
        (f.bytes ? micro_vnni<true> : micro_vnni<false>)(rows, bp, bp + panel, s0, ns, C, ldc, m,
                                                         n, acc, rc, cc);
      });
  }
}

}  // namespace axx::emulator::cpu
