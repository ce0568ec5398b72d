// Exactness cases for the CUDA paths, shared by the GoogleTest suite (emulator_cuda_test.cc) and
// the gtest-free self-check (emulator_cuda_selfcheck.cu) that bench/emulator_cuda/run_gpu.sh runs
// on the GPU machine. Every case compares a CUDA result with a plain integer loop on the host, bit
// for bit.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "axx/error.h"
#include "emulator/common/lowrank_encoding.h"
#include "emulator/common/lut_math.h"
#include "emulator/cuda/gemm_cuda.cuh"
#include "emulator/emulator.h"
#include "tests/emulator/test_tables.h"

namespace axx::emulator::cuda_cases {

using testing::TestTable;

// Failures of one case; the gtest adapter turns them into ADD_FAILURE, the self-check prints them.
struct Report {
  std::vector<std::string> failures;
  void fail(const std::string& s) {
    if (failures.size() < 20) failures.push_back(s);
  }
};

#define AXX_CASE_CUDA(expr)                                                                  \
  do {                                                                                       \
    cudaError_t e_ = (expr);                                                                 \
    if (e_ != cudaSuccess)                                                                   \
      throw ::axx::Error(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " +    \
                         #expr + ": " + cudaGetErrorString(e_));                             \
  } while (0)

template <class T>
struct DevBuf {
  T* p = nullptr;
  std::size_t n = 0;
  explicit DevBuf(std::size_t count) : n(count) {
    if (n) AXX_CASE_CUDA(cudaMalloc(&p, n * sizeof(T)));
  }
  explicit DevBuf(const std::vector<T>& h) : DevBuf(h.size()) {
    if (n) AXX_CASE_CUDA(cudaMemcpy(p, h.data(), n * sizeof(T), cudaMemcpyHostToDevice));
  }
  ~DevBuf() {
    if (p) cudaFree(p);
  }
  DevBuf(const DevBuf&) = delete;
  DevBuf& operator=(const DevBuf&) = delete;
  std::vector<T> get() const {
    std::vector<T> h(n);
    if (n) AXX_CASE_CUDA(cudaMemcpy(h.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
    return h;
  }
  void poison() {  // 0xA5 bytes: every output element must be written
    if (n) AXX_CASE_CUDA(cudaMemset(p, 0xA5, n * sizeof(T)));
  }
};

// A table on the device, with its low-rank form when it has one.
struct DevTable {
  DevBuf<std::int32_t> lut, u, v;
  TableRef ref;
  explicit DevTable(const TestTable& t, bool with_form = true)
      : lut(t.lut), u(t.u), v(t.v) {
    ref.lut = lut.p;
    if (with_form && t.rank >= 0) {
      ref.lowrank.rank = t.rank;
      ref.lowrank.is_signed = t.is_signed;
      ref.lowrank.u = u.p;  // null for rank 0, which needs no tables
      ref.lowrank.v = v.p;
    }
  }
};

inline std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& x : v) x = static_cast<std::uint8_t>(rng());
  return v;
}

// Host shape of a strided batched problem (element offsets, not pointers).
struct Shape {
  std::int64_t batch = 1, M = 0, N = 0, K = 0;
  std::int64_t lda = 0, ldb = 0, ldc = 0;
  std::int64_t stride_a = 0, stride_b = 0, stride_c = 0;
  std::int64_t off_a = 0, off_b = 0, off_c = 0;  // misalign the base pointers
};

inline Shape dense(std::int64_t batch, std::int64_t M, std::int64_t N, std::int64_t K,
                   std::int64_t pad = 0) {
  Shape s;
  s.batch = batch;
  s.M = M;
  s.N = N;
  s.K = K;
  s.lda = K + pad;
  s.ldb = N + pad;
  s.ldc = N + pad;
  s.stride_a = M * s.lda + pad;
  s.stride_b = K * s.ldb + pad;
  s.stride_c = M * s.ldc + pad;
  s.off_a = s.off_b = s.off_c = pad;
  return s;
}

inline std::int64_t span(std::int64_t batch, std::int64_t stride, std::int64_t rows,
                         std::int64_t ld, std::int64_t cols, std::int64_t off) {
  if (batch == 0 || rows == 0 || cols == 0) return off + 1;
  return off + (batch - 1) * stride + (rows - 1) * ld + cols + 1;
}

// The plain integer reference: sum_k lut[a][b] modulo 2^32.
inline std::vector<std::int32_t> host_reference(const std::vector<std::int32_t>& lut,
                                                const Shape& s, const std::vector<std::uint8_t>& A,
                                                const std::vector<std::uint8_t>& B) {
  std::vector<std::int32_t> C(static_cast<std::size_t>(s.batch * s.M * s.N));
  for (std::int64_t b = 0; b < s.batch; ++b)
    for (std::int64_t i = 0; i < s.M; ++i)
      for (std::int64_t j = 0; j < s.N; ++j) {
        std::uint32_t acc = 0;
        for (std::int64_t k = 0; k < s.K; ++k)
          acc += static_cast<std::uint32_t>(
              lut[A[s.off_a + b * s.stride_a + i * s.lda + k] * 256 +
                  B[s.off_b + b * s.stride_b + k * s.ldb + j]]);
        C[(b * s.M + i) * s.N + j] = static_cast<std::int32_t>(acc);
      }
  return C;
}

// How check_gemm runs the GEMM: through gemm_cuda with its path, one compiled LUT tiling
// (cuda_detail::lut_gemm with that variant), or the low-rank path itself, which must not decline.
struct Runner {
  enum Kind { Api, LutVariant, LowRankOnly } kind = Api;
  int variant = -1;
};

// Runs one GEMM on the device and compares with the host reference.
inline void check_gemm(Report& rep, const std::string& what, const TestTable& t, const Shape& s,
                       Path path, std::uint32_t seed,
                       const std::vector<std::uint8_t>* fixed_a = nullptr,
                       const std::vector<std::uint8_t>* fixed_b = nullptr, Runner run = {}) {
  const auto A = fixed_a ? *fixed_a
                         : random_bytes(span(s.stride_a ? s.batch : 1, s.stride_a, s.M, s.lda,
                                             s.K, s.off_a), seed);
  const auto B = fixed_b ? *fixed_b
                         : random_bytes(span(s.stride_b ? s.batch : 1, s.stride_b, s.K, s.ldb,
                                             s.N, s.off_b), seed * 7 + 1);
  const auto want = host_reference(t.lut, s, A, B);
  DevTable dt(t);
  DevBuf<std::uint8_t> dA(A), dB(B);
  const std::int64_t c_len = span(s.batch, s.stride_c, s.M, s.ldc, s.N, s.off_c);
  DevBuf<std::int32_t> dC(static_cast<std::size_t>(c_len));
  dC.poison();
  GemmProblem p;
  p.batch = s.batch;
  p.M = s.M;
  p.N = s.N;
  p.K = s.K;
  p.A = dA.p + s.off_a;
  p.lda = s.lda;
  p.stride_a = s.stride_a;
  p.B = dB.p + s.off_b;
  p.ldb = s.ldb;
  p.stride_b = s.stride_b;
  p.C = dC.p + s.off_c;
  p.ldc = s.ldc;
  p.stride_c = s.stride_c;

  if (run.kind == Runner::Api) {
    gemm_cuda(dt.ref, p, path, nullptr);
  } else if (run.kind == Runner::LutVariant) {
    if (s.batch > 0 && s.M > 0 && s.N > 0)
      cuda_detail::lut_gemm(dt.ref.lut, cuda_detail::batched_of(p), nullptr, run.variant);
  } else if (!cuda_detail::lowrank_gemm(dt.ref.lowrank, dt.ref.lut, cuda_detail::batched_of(p),
                                        nullptr)) {
    rep.fail(what + ": the low-rank path declined");
    return;
  }
  AXX_CASE_CUDA(cudaDeviceSynchronize());

  const auto got = dC.get();
  std::int64_t bad = 0;
  for (std::int64_t b = 0; b < s.batch; ++b)
    for (std::int64_t i = 0; i < s.M; ++i)
      for (std::int64_t j = 0; j < s.N; ++j) {
        const std::int32_t g = got[s.off_c + b * s.stride_c + i * s.ldc + j];
        const std::int32_t w = want[(b * s.M + i) * s.N + j];
        if (g != w && bad++ < 3)
          rep.fail(what + ": C[" + std::to_string(b) + "][" + std::to_string(i) + "][" +
                   std::to_string(j) + "] = " + std::to_string(g) + ", want " + std::to_string(w));
      }
  if (bad > 3) rep.fail(what + ": " + std::to_string(bad) + " mismatches in C");
}

// ---- conv2d ---------------------------------------------------------------------------------

inline std::vector<std::int32_t> host_conv(const std::vector<std::int32_t>& lut,
                                           const Conv2dProblem& p,
                                           const std::vector<std::uint8_t>& x,
                                           const std::vector<std::uint8_t>& w) {
  const std::int64_t OH = p.out_h(), OW = p.out_w(), G = p.groups, Cg = p.C / G, Og = p.O / G;
  std::vector<std::int32_t> y(static_cast<std::size_t>(p.N * p.O * OH * OW));
  for (std::int64_t n = 0; n < p.N; ++n)
    for (std::int64_t o = 0; o < p.O; ++o) {
      const std::int64_t g = o / Og;
      for (std::int64_t oh = 0; oh < OH; ++oh)
        for (std::int64_t ow = 0; ow < OW; ++ow) {
          std::uint32_t acc = 0;
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t kh = 0; kh < p.KH; ++kh)
              for (std::int64_t kw = 0; kw < p.KW; ++kw) {
                const std::int64_t ih = oh * p.stride_h - p.pad_h + kh * p.dil_h;
                const std::int64_t iw = ow * p.stride_w - p.pad_w + kw * p.dil_w;
                const std::uint8_t a =
                    (ih >= 0 && ih < p.H && iw >= 0 && iw < p.W)
                        ? x[((n * p.C + g * Cg + c) * p.H + ih) * p.W + iw]
                        : 0;  // padding reads operand pattern 0
                const std::uint8_t b = w[((o * Cg + c) * p.KH + kh) * p.KW + kw];
                acc += static_cast<std::uint32_t>(lut[a * 256 + b]);
              }
          y[((n * p.O + o) * OH + oh) * OW + ow] = static_cast<std::int32_t>(acc);
        }
    }
  return y;
}

inline void check_conv(Report& rep, const std::string& what, const TestTable& t,
                       Conv2dProblem p, Path path, std::uint32_t seed) {
  const auto x = random_bytes(static_cast<std::size_t>(p.N * p.C * p.H * p.W), seed);
  const auto w = random_bytes(static_cast<std::size_t>(p.O * (p.C / p.groups) * p.KH * p.KW),
                              seed + 5);
  const auto want = host_conv(t.lut, p, x, w);
  DevTable dt(t);
  DevBuf<std::uint8_t> dx(x), dw(w);
  DevBuf<std::int32_t> dy(want.size());
  dy.poison();
  p.x = dx.p;
  p.w = dw.p;
  p.y = dy.p;
  conv2d_cuda(dt.ref, p, path, nullptr);
  AXX_CASE_CUDA(cudaDeviceSynchronize());
  const auto got = dy.get();
  std::int64_t bad = 0;
  for (std::size_t e = 0; e < want.size(); ++e)
    if (got[e] != want[e] && bad++ < 3)
      rep.fail(what + ": y[" + std::to_string(e) + "] = " + std::to_string(got[e]) + ", want " +
               std::to_string(want[e]));
  if (bad > 3) rep.fail(what + ": " + std::to_string(bad) + " mismatches");
}

inline Conv2dProblem conv(std::int64_t N, std::int64_t C, std::int64_t H, std::int64_t W,
                          std::int64_t O, std::int64_t KH, std::int64_t KW, std::int64_t stride,
                          std::int64_t pad, std::int64_t dil, std::int64_t groups) {
  Conv2dProblem p;
  p.N = N;
  p.C = C;
  p.H = H;
  p.W = W;
  p.O = O;
  p.KH = KH;
  p.KW = KW;
  p.stride_h = p.stride_w = stride;
  p.pad_h = p.pad_w = pad;
  p.dil_h = p.dil_w = dil;
  p.groups = groups;
  return p;
}

// ---- the cases ------------------------------------------------------------------------------

inline std::vector<Shape> odd_shapes() {
  std::vector<Shape> v = {dense(1, 1, 1, 1),     dense(1, 7, 5, 3),     dense(1, 33, 47, 1),
                          dense(1, 129, 130, 33), dense(1, 64, 128, 64), dense(1, 300, 17, 200),
                          dense(1, 5, 260, 97),   dense(1, 131, 129, 1), dense(1, 3, 4, 0),
                          dense(1, 0, 4, 5),      dense(1, 4, 0, 5),     dense(0, 4, 4, 4),
                          dense(1, 70, 90, 50, 3) /* unaligned strides and pointers */};
  return v;
}

inline void case_lut_int16_odd_shapes(Report& rep) {
  const TestTable t = testing::random_table(11, -20000, 20000, true);
  std::uint32_t seed = 1;
  // Path::Baseline (the TransAxx-design kernel) must agree too: the benchmarks compare with it.
  for (Path path : {Path::Lut, Path::Baseline})
    for (const auto& s : odd_shapes())
      check_gemm(rep, std::string(path == Path::Lut ? "lut16 " : "reference ") +
                          std::to_string(s.M) + "x" + std::to_string(s.N) + "x" + std::to_string(s.K),
                 t, s, path, seed++);
}

// The table may be a view that is not 16-byte aligned (e.g. a slice of a larger tensor).
inline void case_lut_unaligned_table(Report& rep) {
  const TestTable t = testing::random_table(15, -30000, 30000, true);
  const TestTable w = testing::random_table(16, -(1 << 30), 1 << 30, true);
  const Shape s = dense(1, 70, 90, 50);
  const auto A = random_bytes(static_cast<std::size_t>(s.M * s.K), 17);
  const auto B = random_bytes(static_cast<std::size_t>(s.K * s.N), 18);
  for (const TestTable* tt : {&t, &w}) {
    std::vector<std::int32_t> shifted(kLutEntries + 1, 0);
    std::copy(tt->lut.begin(), tt->lut.end(), shifted.begin() + 1);
    DevBuf<std::int32_t> dl(shifted);
    DevBuf<std::uint8_t> dA(A), dB(B);
    DevBuf<std::int32_t> dC(static_cast<std::size_t>(s.M * s.N));
    dC.poison();
    TableRef ref;
    ref.lut = dl.p + 1;  // 4-byte but not 16-byte aligned
    GemmProblem p;
    p.M = s.M;
    p.N = s.N;
    p.K = s.K;
    p.A = dA.p;
    p.lda = s.lda;
    p.B = dB.p;
    p.ldb = s.ldb;
    p.C = dC.p;
    p.ldc = s.ldc;
    gemm_cuda(ref, p, Path::Lut, nullptr);
    AXX_CASE_CUDA(cudaDeviceSynchronize());
    if (dC.get() != host_reference(tt->lut, s, A, B))
      rep.fail(std::string("unaligned table pointer: wrong result (") +
               (tt == &t ? "16-bit" : "32-bit") + " table)");
  }
}

inline void case_lut_int32_table(Report& rep) {
  // Range far beyond 16 bits: the kernel runs each tile on the high and the low halves.
  const TestTable t = testing::random_table(12, -(1 << 30), (1 << 30), true);
  std::uint32_t seed = 100;
  for (const auto& s : {dense(1, 129, 130, 33), dense(1, 7, 5, 3), dense(1, 33, 47, 1),
                        dense(2, 70, 90, 50, 3), dense(1, 3, 4, 0)})
    check_gemm(rep, "lut32 " + std::to_string(s.M) + "x" + std::to_string(s.N) + "x" +
                        std::to_string(s.K),
               t, s, Path::Lut, seed++);
}

inline void case_lut_unsigned_and_offset_tables(Report& rep) {
  // Unsigned exact products (0..65025: 16 bits only with the min offset) and a table whose
  // values are all large and positive.
  check_gemm(rep, "lut unsigned exact", testing::exact_table(false), dense(1, 100, 70, 130),
             Path::Lut, 21);
  check_gemm(rep, "lut offset", testing::random_table(13, 1000000, 1060000, false),
             dense(1, 100, 70, 130), Path::Lut, 22);
  check_gemm(rep, "lut constant", testing::random_table(14, -5, -5, true), dense(1, 9, 9, 9),
             Path::Lut, 23);
}

inline void case_all_operand_pairs(Report& rep) {
  // K = 1 with A = every pattern (column) and B = every pattern (row): C is the table itself.
  std::vector<std::uint8_t> a(256), b(256);
  for (int x = 0; x < 256; ++x) a[x] = b[x] = static_cast<std::uint8_t>(x);
  const Shape s1 = dense(1, 256, 256, 1);
  // K = 256 with rotated patterns: output (i, j) sums the pairs (i+k, 7j+k), so every (a, b)
  // pair occurs in some output.
  const Shape s2 = dense(1, 256, 256, 256);
  std::vector<std::uint8_t> a2(256 * 256), b2(256 * 256);
  for (int i = 0; i < 256; ++i)
    for (int k = 0; k < 256; ++k) {
      a2[i * 256 + k] = static_cast<std::uint8_t>(i + k);
      b2[k * 256 + i] = static_cast<std::uint8_t>(7 * i + k);
    }
  const TestTable tables[] = {testing::random_table(31, -30000, 30000, true),
                              testing::random_table(32, -(1 << 29), 1 << 29, false),
                              testing::random_lowrank_table(33, 3, true),
                              testing::truncated_table(4, false)};
  int n = 0;
  for (const auto& t : tables) {
    for (Path path : {Path::Lut, Path::Auto, Path::Baseline}) {
      const std::string name = "pairs table" + std::to_string(n) +
                               (path == Path::Lut ? " lut" : path == Path::Auto ? " auto" : " reference");
      check_gemm(rep, name + " K=1", t, s1, path, 0, &a, &b);
      check_gemm(rep, name + " K=256", t, s2, path, 0, &a2, &b2);
    }
    ++n;
  }
}

inline void case_batched_broadcast(Report& rep) {
  const TestTable tables[] = {testing::random_table(41, -20000, 20000, true),
                              testing::random_lowrank_table(42, 2, true)};
  for (int n = 0; n < 2; ++n) {
    const Path path = n == 0 ? Path::Lut : Path::LowRank;
    Shape s = dense(3, 37, 45, 29, 1);
    check_gemm(rep, "batched " + std::to_string(n), tables[n], s, path, 50 + n);
    Shape sa = s;
    sa.stride_a = 0;  // A broadcast over the batch
    check_gemm(rep, "broadcast A " + std::to_string(n), tables[n], sa, path, 60 + n);
    Shape sb = s;
    sb.stride_b = 0;  // B broadcast over the batch
    check_gemm(rep, "broadcast B " + std::to_string(n), tables[n], sb, path, 70 + n);
    // attention-like: 12 heads, head dim 64, 197 tokens (K = 197 is odd: unaligned rows)
    Shape at = dense(12, 197, 64, 197);
    check_gemm(rep, "attention A.V " + std::to_string(n), tables[n], at, path, 80 + n);
  }
}

// AXX_SELFCHECK_LUT_VARIANTS=<i,j,...>: the LUT tiling cases run only these tilings
// (compute-sanitizer's racecheck takes minutes over all of them; the self-check runs a few at a
// time this way). Unset: all.
inline std::vector<bool> selected_lut_variants() {
  std::vector<bool> selected(cuda_detail::kLutVariants, true);
  if (const char* list = std::getenv("AXX_SELFCHECK_LUT_VARIANTS")) {
    selected.assign(cuda_detail::kLutVariants, false);
    for (const char* p = list; *p;) {
      char* end = nullptr;
      const long v = std::strtol(p, &end, 10);
      if (end == p) break;
      if (v >= 0 && v < cuda_detail::kLutVariants) selected[v] = true;
      p = *end == ',' ? end + 1 : end;
    }
  }
  return selected;
}

// Every selected tiling (and, with `chosen`, the per-shape choice with and without the ragged
// tilings) on each shape, with the 16-bit and the 32-bit table.
template <std::size_t N>
inline void check_lut_tilings(Report& rep, const std::string& prefix, const TestTable& t16,
                              const TestTable& t32, const Shape (&shapes)[N], std::uint32_t seed,
                              bool chosen) {
  const std::vector<bool> selected = selected_lut_variants();
  for (const TestTable* t : {&t16, &t32})
    for (const auto& s : shapes) {
      const std::string name = prefix + (t == &t16 ? "lut16 " : "lut32 ") +
                               std::to_string(s.batch) + "x" + std::to_string(s.M) + "x" +
                               std::to_string(s.N) + "x" + std::to_string(s.K);
      for (int v = 0; v < cuda_detail::kLutVariants; ++v, ++seed)
        if (selected[v])
          check_gemm(rep, name + " " + cuda_detail::lut_variant_name(v), *t, s, Path::Lut, seed,
                     nullptr, nullptr, Runner{Runner::LutVariant, v});
      if (chosen)
        for (int v : {-1, cuda_detail::kLutChooseFixed})
          check_gemm(rep, name + (v == -1 ? " chosen" : " chosen among fixed"), *t, s, Path::Lut,
                     seed++, nullptr, nullptr, Runner{Runner::LutVariant, v});
    }
}


// The attention matmuls of ViT (12 heads, 197 tokens, head dim 64) and odd shapes on every compiled
// LUT tiling, the ragged ones (40 x 200, 100 x 200, 200 x 64 tiles, K trimmed to a multiple of 4;
// with one barrier per stage and BK = 64 or 128 in variants 8-14; power-of-two tiles on that walk
// in 15-18) included, with 16-bit and 32-bit tables; and the per-shape choice with and without
// them.
inline void case_lut_tilings(Report& rep) {
  const TestTable t16 = testing::random_table(91, -30000, 30000, true);
  const TestTable t32 = testing::random_table(92, -(1 << 30), 1 << 30, false);
  Shape qk_pad = dense(4, 197, 197, 64, 3);  // unaligned strides and pointers
  const Shape shapes[] = {dense(12, 197, 197, 64),   dense(12, 197, 64, 197),
                          qk_pad,                    dense(3, 197, 64, 197, 1),
                          dense(1, 129, 130, 33),    dense(2, 70, 90, 50, 3),
                          dense(1, 7, 5, 3),         dense(1, 3, 4, 0),
                          dense(1, 201, 401, 5),     dense(2, 50, 400, 40) /* aligned rows,
                                                        tiles at column 200 */,
                          // More tiles than an H200 has SMs (132), so blocks walk two or three
                          // tiles: the one-barrier tilings (8-12) carry stage buffers and the
                          // prefetched first stage across tiles. K = 64 is one stage at BK = 64
                          // (the buffer parity flips every tile); K = 130 is 128 + 2 and 64 + 64
                          // + 2; K = 197 as in A V; K = 256 full stages with aligned rows.
                          dense(270, 23, 37, 64, 1), dense(140, 30, 20, 130),
                          dense(140, 9, 70, 197),    dense(140, 8, 16, 256),
                          // Several tiles per head in both M and N and more than 132 tiles for
                          // every tiling, the largest (128 x 256) included: blocks walk tiles
                          // that differ in m0, n0 and batch; unaligned rows and strides.
                          dense(36, 130, 260, 20, 1)};
  check_lut_tilings(rep, "", t16, t32, shapes, 700, true);
}

// The cross-tile paths of the persistent LUT kernel on small problems: the grid capped at 1 and 3
// blocks (set_lut_grid_cap_for_testing), so each block walks many tiles (stage buffers, the
// prefetched first stage of the next tile and the wide table's reloads carried from tile to tile)
// while the problem stays small enough for compute-sanitizer's racecheck to finish in seconds.
//
// AXX_SELFCHECK_LUT_WALKS_LIGHT=1 (for racecheck, which takes minutes per tiling on the full case):
// the grid capped at 3 only, on three shapes with a fifth of the lookups that still walk several
// tiles per block, several K stages (K = 64, 197) and several tiles in M and N (130 x 260).
inline void case_lut_walks(Report& rep) {
  const TestTable t16 = testing::random_table(93, -30000, 30000, true);
  const TestTable t32 = testing::random_table(94, -(1 << 30), 1 << 30, false);
  const char* light_env = std::getenv("AXX_SELFCHECK_LUT_WALKS_LIGHT");
  const bool light = light_env && std::string(light_env) == "1";
  const Shape shapes[] = {dense(6, 23, 37, 64, 1), dense(3, 30, 20, 130),
                          dense(3, 9, 70, 197, 3), dense(2, 130, 260, 20, 1)};
  const Shape light_shapes[] = {dense(6, 23, 37, 64, 1), dense(3, 9, 70, 197, 3),
                                dense(2, 130, 260, 4, 1)};
  struct Uncap {  // the normal grid again, also when a check throws
    ~Uncap() { cuda_detail::set_lut_grid_cap_for_testing(0); }
  } uncap;
  for (int cap : {1, 3}) {
    if (light && cap != 3) continue;
    cuda_detail::set_lut_grid_cap_for_testing(cap);
    const std::string prefix = "grid " + std::to_string(cap) + (light ? " light " : " ");
    if (light)
      check_lut_tilings(rep, prefix, t16, t32, light_shapes, 900 + 100 * cap, false);
    else
      check_lut_tilings(rep, prefix, t16, t32, shapes, 900 + 100 * cap, false);
  }
}

inline void case_lowrank_forms(Report& rep) {
  std::uint32_t seed = 200;
  for (bool is_signed : {true, false}) {
    const std::string sg = is_signed ? " signed" : " unsigned";
    for (int rank = 0; rank <= 4; ++rank) {
      const TestTable t = rank == 0 ? testing::exact_table(is_signed)
                                    : testing::random_lowrank_table(seed, rank, is_signed);
      for (const auto& s : {dense(1, 129, 130, 33), dense(1, 33, 47, 1), dense(1, 70, 90, 50, 3),
                            dense(1, 200, 64, 300)})
        check_gemm(rep, "lowrank rank" + std::to_string(rank) + sg + " " + std::to_string(s.M) +
                            "x" + std::to_string(s.N) + "x" + std::to_string(s.K),
                   t, s, Path::LowRank, seed++);
    }
    for (int bits : {2, 4, 6})
      check_gemm(rep, "truncated" + std::to_string(bits) + sg, testing::truncated_table(bits, is_signed),
                 dense(1, 100, 100, 100), Path::Auto, seed++);
  }
  // Factors too wide for the int8 slices: the path declines and the LUT kernel answers.
  std::vector<std::int32_t> u(256), v(256);
  std::mt19937 rng(7);
  for (auto& x : u) x = static_cast<std::int32_t>(rng() % 200001) - 100000;
  for (auto& x : v) x = static_cast<std::int32_t>(rng() % 20001) - 10000;
  check_gemm(rep, "lowrank wide factors", testing::from_form(true, 1, u, v), dense(1, 50, 60, 70),
             Path::LowRank, seed++);
}

// The low-rank path caches its plan per (u, v) pointers. Overwriting the form in place must not
// make a result inexact: first with factors that need more slices than the cached plan (the
// device detects it and the queued LUT kernel answers), then again (re-planned), then with
// factors the new plan holds. t1..t3 have the same rank.
inline void stale_plan_sequence(Report& rep, const std::string& what, const TestTable& t1,
                                const TestTable& t2, const TestTable& t3) {
  const Shape s = dense(1, 77, 66, 55);
  const auto A = random_bytes(static_cast<std::size_t>(s.M * s.K), 404);
  const auto B = random_bytes(static_cast<std::size_t>(s.K * s.N), 405);
  DevTable dt(t1);
  DevBuf<std::uint8_t> dA(A), dB(B);
  DevBuf<std::int32_t> dC(static_cast<std::size_t>(s.M * s.N));
  GemmProblem p;
  p.M = s.M;
  p.N = s.N;
  p.K = s.K;
  p.A = dA.p;
  p.lda = s.lda;
  p.B = dB.p;
  p.ldb = s.ldb;
  p.C = dC.p;
  p.ldc = s.ldc;
  const TestTable* seq[] = {&t1, &t2, &t2, &t3, &t3};
  int step = 0;
  for (const TestTable* t : seq) {
    AXX_CASE_CUDA(cudaMemcpy(dt.lut.p, t->lut.data(), t->lut.size() * 4, cudaMemcpyHostToDevice));
    AXX_CASE_CUDA(cudaMemcpy(dt.u.p, t->u.data(), t->u.size() * 4, cudaMemcpyHostToDevice));
    AXX_CASE_CUDA(cudaMemcpy(dt.v.p, t->v.data(), t->v.size() * 4, cudaMemcpyHostToDevice));
    dC.poison();
    gemm_cuda(dt.ref, p, Path::LowRank, nullptr);
    AXX_CASE_CUDA(cudaDeviceSynchronize());
    const auto want = host_reference(t->lut, s, A, B);
    if (dC.get() != want) rep.fail(what + ": wrong result at step " + std::to_string(step));
    ++step;
  }
}

inline void case_lowrank_stale_plan(Report& rep) {
  auto form = [](std::uint32_t seed, int vmax) {
    std::mt19937 rng(seed);
    std::vector<std::int32_t> u(2 * 256), v(2 * 256);
    for (auto& x : u) x = static_cast<std::int32_t>(rng() % 129) - 64;
    for (auto& x : v) x = static_cast<std::int32_t>(rng() % (2 * vmax + 1)) - vmax;
    return testing::from_form(true, 2, u, v);
  };
  stale_plan_sequence(rep, "stale plan", form(401, 100), form(402, 128), form(403, 90));
  // Plans beyond 160 slices: 193 (v in [-300, 300]: 3 parts per term), then 257 (4 parts).
  auto wide = [](std::uint32_t seed, int vmax) {
    return testing::ranged_lowrank_table(seed, 64, true, -64, 64, -vmax, vmax);
  };
  stale_plan_sequence(rep, "stale wide plan", wide(406, 300), wide(407, 400), wide(408, 200));
}

// Path::Baseline, TransAxx's kernel: the int16 table (K not a multiple of 16, so the padded
// lookups of lut[0][0] != 0 must be taken out again), the int32 variant for wide tables, batches,
// and conv2d (weights in A: the table looked up transposed).
inline void case_baseline(Report& rep) {
  TestTable t16 = testing::random_table(71, -32768, 32767, true);
  t16.lut[0] = 12345;
  t16.lut[1] = -32768;
  const TestTable t32 = testing::random_table(72, -(1 << 30), 1 << 30, false);
  TestTable t_edge = testing::random_table(73, -32768, 32767, true);
  t_edge.lut[65535] = 32768;  // one entry past int16: the int32 variant
  std::uint32_t seed = 500;
  const TestTable* tables[] = {&t16, &t32, &t_edge};
  const char* names[] = {"int16", "int32", "int16+1"};
  for (int n = 0; n < 3; ++n)
    for (const auto& s : {dense(1, 129, 130, 33), dense(1, 7, 5, 3), dense(1, 33, 47, 1),
                          dense(1, 40, 50, 16), dense(2, 70, 90, 50, 3), dense(1, 3, 4, 0)})
      check_gemm(rep, std::string("baseline ") + names[n] + " " + std::to_string(s.M) + "x" +
                          std::to_string(s.N) + "x" + std::to_string(s.K),
                 *tables[n], s, Path::Baseline, seed++);
  for (int n = 0; n < 3; ++n)
    check_conv(rep, std::string("conv baseline ") + names[n], *tables[n],
               conv(2, 5, 9, 11, 7, 3, 3, 1, 1, 1, 1), Path::Baseline, seed++);
}

// Exact forms of rank 9..64 (what lutgen::decompose now finds): one int8 GEMM over K x slices.
// Path::LowRank and Path::Auto (cost model) must both equal the loop; factors too wide for
// kMaxSlices slices make the path decline, and the LUT kernel answers.
inline void case_lowrank_high_ranks(Report& rep) {
  std::uint32_t seed = 600;
  for (int rank : {9, 16, 33, 48, 64})
    for (bool is_signed : {true, false}) {
      const TestTable t = testing::random_lowrank_table(seed, rank, is_signed);
      const std::string sg = is_signed ? " signed" : " unsigned";
      for (const auto& s : {dense(1, 129, 130, 33), dense(1, 33, 47, 1), dense(2, 70, 90, 50, 3)})
        for (Path path : {Path::LowRank, Path::Auto})
          check_gemm(rep, "lowrank rank" + std::to_string(rank) + sg + " " +
                              std::to_string(s.M) + "x" + std::to_string(s.N) + "x" +
                              std::to_string(s.K) + (path == Path::Auto ? " auto" : ""),
                     t, s, path, seed++);
    }
  // Rank 64 with v in [-300, 300]: three parts per term, 193 slices (more than the 160 the
  // gather kernels' static shared memory held): the low-rank path itself must run them.
  const TestTable wide = testing::ranged_lowrank_table(seed, 64, true, -64, 64, -300, 300);
  const Runner lowrank_only{Runner::LowRankOnly};
  for (const auto& s : {dense(1, 65, 66, 67), dense(3, 37, 45, 29, 1), dense(1, 129, 130, 33)})
    check_gemm(rep, "lowrank rank64 193 slices " + std::to_string(s.M) + "x" +
                        std::to_string(s.N) + "x" + std::to_string(s.K),
               wide, s, Path::LowRank, seed++, nullptr, nullptr, lowrank_only);
  // Rank 64, unsigned, both factors in [-300, 300]: 3 x 3 = 9 slices per term, 580 in all
  // (145 KiB of tables: the gathers run 1024-thread blocks).
  const TestTable wide9 = testing::ranged_lowrank_table(seed, 64, false, -300, 300, -300, 300);
  for (const auto& s : {dense(1, 65, 66, 67), dense(2, 33, 130, 40, 1)})
    check_gemm(rep, "lowrank rank64 580 slices " + std::to_string(s.M) + "x" +
                        std::to_string(s.N) + "x" + std::to_string(s.K),
               wide9, s, Path::LowRank, seed++, nullptr, nullptr, lowrank_only);
  // Rank 64 with u in [-300, 300] and v in [-600, 600]: 3 x 5 = 15 slices per term, 961 in all,
  // beyond kMaxSlices: the path declines and the LUT kernel answers.
  const TestTable wider = testing::ranged_lowrank_table(seed, 64, true, -300, 300, -600, 600);
  check_gemm(rep, "lowrank rank64 961 slices (declines)", wider, dense(1, 65, 66, 67),
             Path::LowRank, seed++);
  check_conv(rep, "conv lowrank rank48", testing::random_lowrank_table(seed, 48, true),
             conv(2, 6, 8, 8, 4, 3, 3, 1, 1, 1, 2), Path::LowRank, seed + 1);
}

inline void case_conv2d(Report& rep) {
  const TestTable tables[] = {testing::random_table(61, -20000, 20000, true),
                              testing::random_lowrank_table(62, 3, true),
                              testing::random_table(63, -(1 << 30), 1 << 30, false)};
  const std::pair<const char*, Conv2dProblem> convs[] = {
      {"3x3 pad1", conv(2, 5, 9, 11, 7, 3, 3, 1, 1, 1, 1)},
      {"3x3 stride2", conv(2, 4, 13, 10, 6, 3, 3, 2, 1, 1, 1)},
      {"dilation2", conv(1, 3, 12, 12, 4, 3, 3, 1, 2, 2, 1)},
      {"groups2", conv(2, 6, 8, 8, 4, 3, 3, 1, 1, 1, 2)},
      {"depthwise", conv(2, 8, 7, 9, 8, 3, 3, 1, 1, 1, 8)},
      {"1x1", conv(3, 16, 5, 6, 24, 1, 1, 1, 0, 1, 1)},
      {"patch16", conv(2, 3, 32, 32, 20, 16, 16, 16, 0, 1, 1)},
      {"5x3 asym", conv(1, 2, 6, 9, 3, 5, 3, 1, 2, 1, 1)},
  };
  std::uint32_t seed = 300;
  for (int n = 0; n < 3; ++n)
    for (const auto& [name, p] : convs)
      check_conv(rep, std::string("conv ") + name + " table" + std::to_string(n), tables[n], p,
                 n == 1 ? Path::Auto : Path::Lut, seed++);
  check_conv(rep, "conv lowrank forced", tables[1], conv(2, 6, 8, 8, 4, 3, 3, 1, 1, 1, 2),
             Path::LowRank, seed++);
}

inline void case_errors(Report& rep) {
  const TestTable t = testing::random_table(71, -100, 100, true);
  DevTable dt(t, false);
  GemmProblem p;
  p.M = p.N = p.K = 4;
  p.lda = p.ldb = p.ldc = 4;
  DevBuf<std::uint8_t> a(16), b(16);
  DevBuf<std::int32_t> c(16);
  p.A = a.p;
  p.B = b.p;
  p.C = c.p;
  auto expect = [&](const std::function<void()>& f, const std::string& msg) {
    try {
      f();
      rep.fail("no exception, want: " + msg);
    } catch (const UsageError& e) {
      if (e.what() != msg) rep.fail(std::string("message '") + e.what() + "', want '" + msg + "'");
    }
  };
  expect([&] { gemm_cuda(dt.ref, p, Path::LowRank, nullptr); },
         "gemm_cuda: Path::LowRank requested but the table has no low-rank form");
  GemmProblem q = p;
  q.lda = 3;
  expect([&] { gemm_cuda(dt.ref, q, Path::Lut, nullptr); }, "gemm_cuda: lda (3) < K (4)");
}

// quantize_cuda / dequantize_cuda against quantize_cpu / dequantize_cpu (which quant_test.cc checks
// against scalar loops), bit for bit: random values with exact ties (x / s = k + 0.5), values
// beyond the range, +-inf and NaN; one scale and per-channel scales with inner 1 and inner > 1;
// element counts that are not a multiple of the kernels' vector width; pointers at every offset
// (the vector path needs 16-byte aligned input, the scalar path takes the rest); nothing written
// past the n outputs. One call runs on a stream of its own. Dequantize also runs with a bias per
// channel, y = ((float) acc * s) + b in two roundings: a third of the accumulators sit near A_c
// with b_c = -(A_c * s_c) rounded, where a fused multiply-add would differ (the case checks that
// std::fma does differ on many of them), and a few biases (never channel 0's) are random, +-0,
// infinite or NaN.
inline void case_quantize(Report& rep) {
  std::mt19937 rng(900);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  struct Shape {
    std::int64_t n, channels, inner;
  };
  const Shape shapes[] = {{1, 1, 1},           {3, 1, 1},           {4, 2, 2},
                          {1001, 7, 13},       {4099, 768, 1},      {65536 * 5 + 3, 64, 197},
                          {1 << 20, 1, 1},     {300001, 3, 50000},  {12345, 5, 3}};
  cudaStream_t own = nullptr;
  AXX_CASE_CUDA(cudaStreamCreate(&own));
  int call = 0;
  for (const Shape& sh : shapes) {
    std::vector<float> scales(static_cast<std::size_t>(sh.channels));
    for (auto& s : scales) s = std::ldexp(0.5f + std::fabs(unit(rng)), -static_cast<int>(rng() % 8));
    scales[0] = 0.125f;  // a power of two: the ties below are exact ties for channel 0
    const ScaleView host_view{scales.data(), sh.channels, sh.inner};
    // Biases that cancel the products of accumulators near center[c] (acc * s inexact: there an
    // FMA differs).
    std::vector<float> bias(scales.size());
    std::vector<std::int32_t> center(scales.size());
    for (std::size_t c = 0; c < bias.size(); ++c) {
      center[c] = static_cast<std::int32_t>(rng() % 20000000) - 10000000;
      bias[c] = -(static_cast<float>(center[c]) * scales[c]);
      switch (c == 0 ? 15 : rng() % 16) {  // channel 0 always cancels
        case 0: bias[c] = unit(rng) * 1000.f; break;
        case 1: bias[c] = rng() % 2 ? 0.f : -0.f; break;
        case 2: bias[c] = rng() % 2 ? std::numeric_limits<float>::infinity()
                                    : std::numeric_limits<float>::quiet_NaN();
                break;
        default: break;
      }
    }
    std::int64_t fma_sensitive = 0;
    for (std::int64_t off = 0; off < 4; ++off) {
      const std::size_t n = static_cast<std::size_t>(sh.n - (off ? 1 : 0));
      std::vector<float> x(n + off);
      std::vector<std::int32_t> acc(n + off);
      for (std::size_t i = 0; i < x.size(); ++i) {
        switch (rng() % 10) {
          case 0:  x[i] = (static_cast<float>(static_cast<int>(rng() % 256) - 128) + 0.5f) * 0.125f; break;
          case 1:  x[i] = unit(rng) * 1000.f; break;
          case 2:  x[i] = rng() % 3 == 0 ? std::numeric_limits<float>::quiet_NaN()
                                         : (rng() % 2 ? 1.f : -1.f) * std::numeric_limits<float>::infinity();
                   break;
          default: x[i] = unit(rng) * 130.f * scales[(i / sh.inner) % sh.channels];
        }
        acc[i] = static_cast<std::int32_t>(rng());
        if (i >= static_cast<std::size_t>(off) && rng() % 3 == 0) {  // element i - off of the call
          const std::size_t c = ((i - off) / sh.inner) % sh.channels;
          acc[i] = center[c] + static_cast<std::int32_t>(rng() % 7) - 3;
        }
      }
      std::vector<std::int8_t> want_q(n);
      std::vector<float> want_y(n), want_yb(n);
      const int qmin = off % 2 ? -128 : -127;
      quantize_cpu(x.data() + off, static_cast<std::int64_t>(n), host_view, qmin, 127, want_q.data());
      dequantize_cpu(acc.data() + off, static_cast<std::int64_t>(n), host_view, want_y.data());
      dequantize_cpu(acc.data() + off, static_cast<std::int64_t>(n), host_view, want_yb.data(),
                     bias.data());
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = (i / sh.inner) % sh.channels;
        const float f = std::fma(static_cast<float>(acc[off + i]), scales[c], bias[c]);
        if (std::memcmp(&f, &want_yb[i], sizeof f) != 0) ++fma_sensitive;
      }

      DevBuf<float> dx(x), dscale(scales), dbias(bias);
      DevBuf<std::int32_t> dacc(acc);
      DevBuf<std::int8_t> dq(n + off + 4);
      DevBuf<float> dy(n + off + 4), dyb(n + off + 4);
      dq.poison();
      dy.poison();
      dyb.poison();
      const ScaleView dev_view{dscale.p, sh.channels, sh.inner};
      void* stream = call++ % 3 == 2 ? static_cast<void*>(own) : nullptr;
      // The outputs at offset off (aligned for off = 0 only), or 4 - off.
      const std::int64_t out_off = (off * 3) % 4;
      quantize_cuda(dx.p + off, static_cast<std::int64_t>(n), dev_view, qmin, 127, dq.p + out_off, stream);
      dequantize_cuda(dacc.p + off, static_cast<std::int64_t>(n), dev_view, dy.p + out_off, stream);
      dequantize_cuda(dacc.p + off, static_cast<std::int64_t>(n), dev_view, dyb.p + out_off, stream,
                      dbias.p);
      AXX_CASE_CUDA(cudaDeviceSynchronize());
      const auto got_q = dq.get();
      const auto got_y = dy.get();
      const auto got_yb = dyb.get();
      const std::string what = "quantize n=" + std::to_string(n) + " channels=" +
                               std::to_string(sh.channels) + " inner=" + std::to_string(sh.inner) +
                               " offset=" + std::to_string(off);
      std::int64_t bad = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (got_q[out_off + i] != want_q[i] && bad++ < 3)
          rep.fail(what + ": q[" + std::to_string(i) + "] = " + std::to_string(got_q[out_off + i]) +
                   ", want " + std::to_string(want_q[i]) + " (x = " + std::to_string(x[off + i]) + ")");
        if (std::memcmp(&got_y[out_off + i], &want_y[i], sizeof(float)) != 0 && bad++ < 3)
          rep.fail(what + ": y[" + std::to_string(i) + "] = " + std::to_string(got_y[out_off + i]) +
                   ", want " + std::to_string(want_y[i]));
        // Bit for bit, except that any NaN equals any NaN: a NaN bias gives the host's NaN (x86
        // keeps the operand's payload and sign) and the device's canonical one; torch's CUDA add
        // gives the device's, which tests/python/test_quant_ops.py compares with.
        const bool both_nan = std::isnan(got_yb[out_off + i]) && std::isnan(want_yb[i]);
        if (!both_nan && std::memcmp(&got_yb[out_off + i], &want_yb[i], sizeof(float)) != 0 &&
            bad++ < 3)
          rep.fail(what + ": with bias, y[" + std::to_string(i) + "] = " +
                   std::to_string(got_yb[out_off + i]) + ", want " + std::to_string(want_yb[i]) +
                   " (acc = " + std::to_string(acc[off + i]) + ")");
      }
      std::uint32_t poison = 0;
      std::memset(&poison, 0xA5, sizeof(poison));
      for (std::size_t i = 0; i < got_q.size(); ++i) {
        if (i >= static_cast<std::size_t>(out_off) && i < static_cast<std::size_t>(out_off) + n) continue;
        std::uint32_t yb = 0, ybb = 0;
        std::memcpy(&yb, &got_y[i], sizeof(yb));
        std::memcpy(&ybb, &got_yb[i], sizeof(ybb));
        if (static_cast<std::uint8_t>(got_q[i]) != 0xA5 || yb != poison || ybb != poison) {
          rep.fail(what + ": element " + std::to_string(i) + " outside the output was written");
          break;
        }
      }
    }
    // Shapes of many elements have many FMA-sensitive ones (a third of them cancel).
    if (sh.n >= 1000 && fma_sensitive < sh.n / 8)
      rep.fail("channels=" + std::to_string(sh.channels) + " inner=" + std::to_string(sh.inner) +
               ": only " + std::to_string(fma_sensitive) + " elements where an FMA differs");
  }
  AXX_CASE_CUDA(cudaStreamDestroy(own));
  // n == 0 does nothing, null pointers included; bad arguments get the CPU's messages.
  quantize_cuda(nullptr, 0, ScaleView{}, -127, 127, nullptr, nullptr);
  dequantize_cuda(nullptr, 0, ScaleView{}, nullptr, nullptr);
  dequantize_cuda(nullptr, 0, ScaleView{}, nullptr, nullptr, nullptr);
  DevBuf<float> one(std::vector<float>{1.f});
  DevBuf<std::int8_t> q1(1);
  try {
    quantize_cuda(one.p, 1, ScaleView{one.p, 1, 1}, 3, 2, q1.p, nullptr);
    rep.fail("quantize_cuda: no error for qmin > qmax");
  } catch (const UsageError& e) {
    const std::string want = "quantize_cuda: qmin, qmax (3, 2) must satisfy -128 <= qmin <= qmax <= 127";
    if (e.what() != want) rep.fail(std::string("message '") + e.what() + "', want '" + want + "'");
  }
}

struct NamedCase {
  const char* name;
  void (*fn)(Report&);
};

inline const std::vector<NamedCase>& all_cases() {
  static const std::vector<NamedCase> cases = {
      {"LutInt16OddShapes", case_lut_int16_odd_shapes},
      {"LutInt32Table", case_lut_int32_table},
      {"LutUnalignedTable", case_lut_unaligned_table},
      {"LutUnsignedAndOffsetTables", case_lut_unsigned_and_offset_tables},
      {"AllOperandPairs", case_all_operand_pairs},
      {"LutTilings", case_lut_tilings},
      {"LutWalks", case_lut_walks},
      {"BatchedBroadcast", case_batched_broadcast},
      {"LowRankForms", case_lowrank_forms},
      {"LowRankStalePlan", case_lowrank_stale_plan},
      {"LowRankHighRanks", case_lowrank_high_ranks},
      {"Baseline", case_baseline},
      {"Conv2d", case_conv2d},
      {"Errors", case_errors},
      {"QuantizeDequantize", case_quantize},
  };
  return cases;
}

}  // namespace axx::emulator::cuda_cases
