// GPU benchmark of the emulator, all in one run (docs/benchmarks-emulator-cuda.md): on each
// ViT-B/16 GEMM shape (M = 197*64 tokens, K/N in {768, 2304, 3072}), random operands and a random
// full-rank table, it times
//   - lookup-only ceiling kernels (table in shared memory, one scalar lookup per "multiply"; the
//     shared-row one is the bound the LUT kernel is rated against, see ceiling_rows_kernel),
//   - TransAxx's kernel as TransAxx runs it (an int16 table in global memory read through __ldg,
//     16x16 operand tiles in shared memory, a fully unrolled 16-step loop, one output per thread),
//     its int32-table variant, and the library's Path::Baseline (which narrows the table per call),
//   - the axx LUT kernel (each compiled tiling, the per-shape choice, and the choice among the
//     power-of-two tilings only, as before the ragged ones), and the axx exact low-rank path,
//     ranks 1..4, 16, 48, and rank 64 with factors in 3 parts (193 int8 slices),
//   - cuBLAS fp32, bf16 and int8 GEMMs of the same shape,
// with CUDA events (warm-up, repetitions, median), and prints T MAC/s (T lookups/s) and the ratio
// to the TransAxx-design kernel (the library's CUDA Path::Baseline). The lookup-only ceiling
// kernel lives here, not in the library. The ViT-B/16 attention matmuls (batched Q K^T and A V,
// 12 heads x 64 images) follow, with each LUT tiling's share of the ceiling and its speed relative
// to the fixed-tile choice.
// It also checks that the axx kernels equal the TransAxx kernel's result bit for bit, and, in a
// last section ("cost model"), times the LUT and low-rank paths over a range of shapes and slice
// counts and fits the constants of emulator/cuda/cost_model.h (least squares), printing them with
// the measurements and the choice the fitted model makes at each point.
//
// Usage: axx_bench_emulator_cuda [--reps N] [--quick | --cost-model] [--shape NAME-PART]
//        [--variants i,j,...]
// (--quick: the first two ViT shapes and the attention matmuls, no cost-model section;
// --cost-model: the cost-model section alone; --shape:
// only the shapes whose name contains NAME-PART, e.g. "qkv" or "Q.K"; --variants: only these LUT
// tilings, e.g. to profile one of them under ncu)
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "emulator/cuda/cost_model.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"
#include "emulator/emulator.h"

namespace {

using namespace axx::emulator;

// ---- reference kernels -----------------------------------------------------------------------

// TransAxx's kernel (emulator/cuda/baseline_gemm_cuda.cu) on Z dense, contiguous batches:
// kind 0 = the int16 table narrowed beforehand (as TransAxx keeps it), 1 = the int32 variant,
// 2 = the library's Path::Baseline (narrows the int32 table per call).
GemmProblem dense_problem(const std::uint8_t* A, const std::uint8_t* B, std::int32_t* C, int M,
                          int N, int K, int Z) {
  GemmProblem p;
  p.batch = Z;
  p.M = M;
  p.N = N;
  p.K = K;
  p.A = A;
  p.lda = K;
  p.stride_a = static_cast<std::int64_t>(M) * K;
  p.B = B;
  p.ldb = N;
  p.stride_b = static_cast<std::int64_t>(K) * N;
  p.C = C;
  p.ldc = N;
  p.stride_c = static_cast<std::int64_t>(M) * N;
  return p;
}

void transaxx(const std::uint8_t* A, const std::uint8_t* B, const std::int32_t* lut,
              const std::int16_t* lut16, std::int32_t* C, int M, int N, int K, int Z = 1,
              int kind = 0) {
  const GemmProblem p = dense_problem(A, B, C, M, N, K, Z);
  if (kind == 0) return cuda_detail::baseline_gemm_int16(lut16, cuda_detail::batched_of(p), nullptr);
  if (kind == 1) return cuda_detail::baseline_gemm_int32(lut, cuda_detail::batched_of(p), nullptr);
  TableRef t;
  t.lut = lut;
  gemm_cuda(t, p, Path::Baseline, nullptr);
}

struct Row {
  std::string name;
  double ms;
  bool exact_checked;
  bool exact;
};

// Lookup-only ceilings: the 16-bit table in shared memory and nothing else per lookup but the
// index arithmetic and the add. How fast random lookups go depends on how the 32 lookups of one
// warp instruction fall on the 32 shared-memory banks (a lookup instruction takes one pass per
// distinct 32-bit word in its most loaded bank), so there are three (docs/emulator-cuda.md,
// "The lookup ceiling"):
//   - kLcg: the first ceiling, a 64K-entry table indexed by the two halves of a per-lane LCG. The
//     LCG is affine and its seeds were consecutive, so at every step the lanes' indices form an
//     arithmetic progression: their low halves nearly never share a bank. ncu: 2.52 passes per
//     instruction, where uniformly random indices take 3.53. No GEMM on random operands sees
//     that pattern, so this one is not a bound (it is kept for comparison with earlier figures).
//   - kSharedRow: the table in the GEMM kernel's layout (rows of 258 entries); each lookup
//     instruction has one random row for the whole warp and a random column per lane, which is the
//     pattern of a GEMM tile whose warp shares the A operand byte: a row's 128 words give every
//     bank only 4 candidates, 2.79 passes per instruction on uniformly random columns (the fewest
//     of any fixed grouping of random lookups). This is the ceiling the LUT kernel is measured
//     against.
//   - kIndependent: the same layout, a random row and column per lane (3.53 passes): the pattern
//     of a kernel whose lanes own unrelated outputs.
// The new patterns draw rows and columns from the top three bytes of LCG states whose seeds are
// hashed (fmix32), so lanes are independent.
enum class Ceiling { kLcg, kSharedRow, kIndependent };
constexpr int kCeilThreads = 1024;
constexpr int kCeilRowStride = 258;  // as the LUT kernel's table
__global__ void __launch_bounds__(kCeilThreads, 1)
    ceiling_kernel(const std::int32_t* __restrict__ lut, std::int64_t steps_per_thread,
                   std::int32_t* __restrict__ sink) {
  extern __shared__ std::uint16_t tbl[];
  for (int e = threadIdx.x; e < 65536; e += blockDim.x) tbl[e] = static_cast<std::uint16_t>(lut[e]);
  __syncthreads();
  std::uint32_t x0 = (blockIdx.x * blockDim.x + threadIdx.x) * 2654435761u + 1u;
  std::uint32_t x1 = x0 ^ 0x9e3779b9u, x2 = x0 * 3u + 7u, x3 = x0 ^ 0x7f4a7c15u;
  std::uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  for (std::int64_t s = 0; s < steps_per_thread; s += 8) {  // 8 lookups per iteration
    x0 = x0 * 1664525u + 1013904223u;
    x1 = x1 * 1664525u + 1013904223u;
    x2 = x2 * 1664525u + 1013904223u;
    x3 = x3 * 1664525u + 1013904223u;
    a0 += tbl[x0 & 0xffff] + tbl[x0 >> 16];
    a1 += tbl[x1 & 0xffff] + tbl[x1 >> 16];
    a2 += tbl[x2 & 0xffff] + tbl[x2 >> 16];
    a3 += tbl[x3 & 0xffff] + tbl[x3 >> 16];
  }
  const std::uint32_t a = a0 + a1 + a2 + a3;
  if (a == 0x12345678u) sink[0] = static_cast<std::int32_t>(a);  // keeps the loop alive
}

__device__ __forceinline__ std::uint32_t fmix32(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

// kSharedRow (SharedRow) or kIndependent: 8 lookups per iteration, rows a0 and a1 with 4 columns
// each; the rows come from a state that is the same in all lanes of a warp (SharedRow) or per lane.
template <bool SharedRow>
__global__ void __launch_bounds__(kCeilThreads, 1)
    ceiling_rows_kernel(const std::int32_t* __restrict__ lut, std::int64_t steps_per_thread,
                        std::int32_t* __restrict__ sink) {
  extern __shared__ std::uint16_t tbl[];
  for (int e = threadIdx.x; e < 65536; e += blockDim.x)
    tbl[(e >> 8) * kCeilRowStride + (e & 255)] = static_cast<std::uint16_t>(lut[e]);
  __syncthreads();
  const std::uint32_t gid = blockIdx.x * blockDim.x + threadIdx.x;
  std::uint32_t xa = fmix32((SharedRow ? gid / 32 : gid) * 2u + 0x51ed270bu);
  std::uint32_t xb0 = fmix32(gid * 3u + 0x2545f491u), xb1 = fmix32(gid * 3u + 0x9e3779b9u),
                xb2 = fmix32(gid * 3u + 0x7f4a7c15u);
  std::uint32_t acc0 = 0, acc1 = 0;
  for (std::int64_t s = 0; s < steps_per_thread; s += 8) {
    xa = xa * 1664525u + 1013904223u;
    xb0 = xb0 * 1664525u + 1013904223u;
    xb1 = xb1 * 1664525u + 1013904223u;
    xb2 = xb2 * 1664525u + 1013904223u;
    const std::uint16_t* r0 = tbl + (xa >> 24) * kCeilRowStride;
    const std::uint16_t* r1 = tbl + ((xa >> 16) & 255) * kCeilRowStride;
    acc0 += r0[(xb0 >> 8) & 255] + r0[(xb0 >> 16) & 255] + r0[xb0 >> 24] + r0[(xb1 >> 8) & 255];
    acc1 += r1[(xb1 >> 16) & 255] + r1[xb1 >> 24] + r1[(xb2 >> 16) & 255] + r1[xb2 >> 24];
  }
  const std::uint32_t a = acc0 + acc1;
  if (a == 0x12345678u) sink[0] = static_cast<std::int32_t>(a);  // keeps the loop alive
}

// ---- helpers ---------------------------------------------------------------------------------

double time_ms(const std::function<void()>& fn, int reps, int warmup = 2);

// A ceiling kernel's time for exactly `macs` lookups (one block per SM; the lookup count is
// rounded up to whole 8-lookup steps per thread and the time scaled back).
double ceiling_ms(Ceiling kind, const std::int32_t* d_lut, std::int32_t* d_sink, double macs,
                  int sms, int reps) {
  const std::int64_t threads = std::int64_t{sms} * kCeilThreads;
  const std::int64_t steps = (static_cast<std::int64_t>(macs) / threads + 7) / 8 * 8;
  const double ms = time_ms(
      [&] {
        if (kind == Ceiling::kLcg)
          ceiling_kernel<<<sms, kCeilThreads, 65536 * 2>>>(d_lut, steps, d_sink);
        else if (kind == Ceiling::kSharedRow)
          ceiling_rows_kernel<true>
              <<<sms, kCeilThreads, 256 * kCeilRowStride * 2>>>(d_lut, steps, d_sink);
        else
          ceiling_rows_kernel<false>
              <<<sms, kCeilThreads, 256 * kCeilRowStride * 2>>>(d_lut, steps, d_sink);
      },
      reps);
  CUDA_CHECK(cudaGetLastError());
  return ms * macs / (double(steps) * threads);
}

// The three ceilings of one shape: rows for the table and the two the LUT tilings are rated
// against (shared row: the bound; LCG: the earlier figure).
struct Ceilings {
  double shared_row, lcg;
};
Ceilings ceilings(std::vector<Row>& rows, const std::int32_t* d_lut, std::int32_t* d_sink,
                  double macs, int sms, int reps) {
  Ceilings c;
  c.shared_row = ceiling_ms(Ceiling::kSharedRow, d_lut, d_sink, macs, sms, reps);
  c.lcg = ceiling_ms(Ceiling::kLcg, d_lut, d_sink, macs, sms, reps);
  const double indep = ceiling_ms(Ceiling::kIndependent, d_lut, d_sink, macs, sms, reps);
  rows.push_back({"ceiling: shared-row lookups", c.shared_row, false, false});
  rows.push_back({"ceiling: independent lookups", indep, false, false});
  rows.push_back({"ceiling: LCG-indexed (earlier)", c.lcg, false, false});
  return c;
}

void fill_random(std::vector<std::uint8_t>& v, std::uint64_t seed) {
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& b : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::uint8_t>(x >> 24);
  }
}

template <class T>
T* dev_alloc(std::size_t n) {
  T* p = nullptr;
  CUDA_CHECK(cudaMalloc(&p, n * sizeof(T)));
  return p;
}

// Median time of fn in ms over reps runs, after warm-up runs.
double time_ms(const std::function<void()>& fn, int reps, int warmup) {
  for (int i = 0; i < warmup; ++i) fn();
  CUDA_CHECK(cudaDeviceSynchronize());
  cudaEvent_t e0, e1;
  CUDA_CHECK(cudaEventCreate(&e0));
  CUDA_CHECK(cudaEventCreate(&e1));
  std::vector<float> t;
  for (int i = 0; i < reps; ++i) {
    CUDA_CHECK(cudaEventRecord(e0));
    fn();
    CUDA_CHECK(cudaEventRecord(e1));
    CUDA_CHECK(cudaEventSynchronize(e1));
    float ms = 0;
    CUDA_CHECK(cudaEventElapsedTime(&ms, e0, e1));
    t.push_back(ms);
  }
  CUDA_CHECK(cudaEventDestroy(e0));
  CUDA_CHECK(cudaEventDestroy(e1));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void print_rows(const std::vector<Row>& rows, double macs, double base_ms) {
  for (const auto& r : rows) {
    std::printf("  %-36s %9.3f ms %9.3f T MAC/s %8.2fx TransAxx  %s\n", r.name.c_str(), r.ms,
                macs / (r.ms * 1e-3) / 1e12, base_ms / r.ms,
                r.exact_checked ? (r.exact ? "bit-exact" : "MISMATCH") : "");
  }
}

// ---- cost model (emulator/cuda/cost_model.h) ----------------------------------------------------

// min sum_i ((X_i . c - y_i) / y_i)^2: relative errors, since the times span three decades.
std::vector<double> fit_relative(const std::vector<std::vector<double>>& X, const std::vector<double>& y) {
  const std::size_t n = X[0].size();
  std::vector<std::vector<double>> A(n, std::vector<double>(n + 1, 0.0));
  for (std::size_t i = 0; i < X.size(); ++i)
    for (std::size_t a = 0; a < n; ++a) {
      for (std::size_t b = 0; b < n; ++b) A[a][b] += X[i][a] * X[i][b] / (y[i] * y[i]);
      A[a][n] += X[i][a] / y[i];
    }
  for (std::size_t c = 0; c < n; ++c) {  // Gauss-Jordan with partial pivoting
    std::size_t piv = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::fabs(A[r][c]) > std::fabs(A[piv][c])) piv = r;
    std::swap(A[c], A[piv]);
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c || A[c][c] == 0) continue;
      const double f = A[r][c] / A[c][c];
      for (std::size_t k = c; k <= n; ++k) A[r][k] -= f * A[c][k];
    }
  }
  std::vector<double> x(n);
  for (std::size_t c = 0; c < n; ++c) x[c] = A[c][c] != 0 ? A[c][n] / A[c][c] : 0;
  return x;
}

// Times Path::Lut and Path::LowRank over shapes from tiny to ViT-sized and each form, fits the
// cost model and prints it with the measurements. Returns whether every low-rank result equalled
// the LUT result.
bool cost_model_section(const std::vector<TableRef>& tables, int reps) {
  struct Pt {
    int Z, M, N, K;
  };
  const Pt shapes[] = {{1, 64, 64, 64},      {1, 256, 256, 256},   {1, 197, 768, 768},
                       {1, 1024, 1024, 1024}, {1, 3152, 768, 768},  {1, 12608, 768, 768},
                       {1, 12608, 2304, 768}, {1, 12608, 768, 3072}, {768, 197, 197, 64},
                       {768, 197, 64, 197},  {8, 64, 64, 4096}};
  std::printf("\ncost model: Path::Lut vs Path::LowRank (ms), S = int8 slices of the form\n");
  std::printf("  %-22s %4s %4s %10s %10s %8s %8s\n", "shape ZxMxNxK", "r", "S", "LUT ms",
              "lowrank ms", "faster", "model");
  std::vector<std::vector<double>> xl, xr;
  std::vector<double> yl, yr;
  struct Meas {
    Pt p;
    int rank, S;
    double lut, lr;
  };
  std::vector<Meas> meas;
  bool exact = true;
  for (const auto& sh : shapes) {
    const std::int64_t Z = sh.Z, M = sh.M, N = sh.N, K = sh.K;
    std::vector<std::uint8_t> hA(Z * M * K), hB(Z * K * N);
    fill_random(hA, 5 + M + K);
    fill_random(hB, 6 + N + K);
    auto* dA = dev_alloc<std::uint8_t>(hA.size());
    auto* dB = dev_alloc<std::uint8_t>(hB.size());
    auto* dC = dev_alloc<std::int32_t>(Z * M * N);
    auto* dR = dev_alloc<std::int32_t>(Z * M * N);
    CUDA_CHECK(cudaMemcpy(dA, hA.data(), hA.size(), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(dB, hB.data(), hB.size(), cudaMemcpyHostToDevice));
    const GemmProblem base = dense_problem(dA, dB, dC, sh.M, sh.N, sh.K, sh.Z);
    std::vector<std::int32_t> ref(Z * M * N), got(Z * M * N);
    for (const auto& t : tables) {
      GemmProblem q = base;
      q.C = dR;
      const double lut_ms = time_ms([&] { gemm_cuda(t, q, Path::Lut, nullptr); }, reps);
      CUDA_CHECK(cudaMemcpy(ref.data(), dR, ref.size() * 4, cudaMemcpyDeviceToHost));
      const int S = cuda_detail::lowrank_slices(t.lowrank, nullptr);
      CUDA_CHECK(cudaMemset(dC, 0xA5, Z * M * N * 4));
      const double lr_ms = time_ms([&] { gemm_cuda(t, base, Path::LowRank, nullptr); }, reps);
      CUDA_CHECK(cudaMemcpy(got.data(), dC, got.size() * 4, cudaMemcpyDeviceToHost));
      exact &= got == ref;
      const double mac = double(Z) * M * N * K;
      xl.push_back({1.0, mac});
      yl.push_back(lut_ms * 1e-3);
      xr.push_back({1.0, double(Z) * (M + N) * K * S, mac * S});
      yr.push_back(lr_ms * 1e-3);
      meas.push_back({sh, t.lowrank.rank, S, lut_ms, lr_ms});
    }
    cudaFree(dA);
    cudaFree(dB);
    cudaFree(dC);
    cudaFree(dR);
  }
  const auto cl = fit_relative(xl, yl), cr = fit_relative(xr, yr);
  cuda_detail::CostModel fitted;
  fitted.lut_fixed = cl[0];
  fitted.lut_per_mac = cl[1];
  fitted.lr_fixed = cr[0];
  fitted.lr_per_gather = cr[1];
  fitted.lr_per_mac = cr[2];
  int agree_fit = 0, agree_cur = 0;
  for (const auto& m : meas) {
    const bool lr_faster = m.lr < m.lut;
    const bool pick_fit = fitted.lowrank_is_faster(m.p.Z, m.p.M, m.p.N, m.p.K, m.S);
    const bool pick_cur = cuda_detail::cost_model().lowrank_is_faster(m.p.Z, m.p.M, m.p.N, m.p.K, m.S);
    agree_fit += pick_fit == lr_faster;
    agree_cur += pick_cur == lr_faster;
    char shape[64];
    std::snprintf(shape, sizeof shape, "%dx%dx%dx%d", m.p.Z, m.p.M, m.p.N, m.p.K);
    std::printf("  %-22s %4d %4d %10.4f %10.4f %8s %8s\n", shape, m.rank, m.S, m.lut, m.lr,
                lr_faster ? "lowrank" : "LUT", pick_fit ? "lowrank" : "LUT");
  }
  std::printf("cost model fit (paste into emulator/cuda/cost_model.h):\n"
              "  lut_fixed = %.4g, lut_per_mac = %.4g, lr_fixed = %.4g, lr_per_gather = %.4g, "
              "lr_per_mac = %.4g\n",
              fitted.lut_fixed, fitted.lut_per_mac, fitted.lr_fixed, fitted.lr_per_gather,
              fitted.lr_per_mac);
  std::printf("  picks the faster path at %d of %zu points (compiled-in constants: %d)\n", agree_fit,
              meas.size(), agree_cur);
  std::printf("  low-rank results %s the LUT results\n", exact ? "equal" : "DIFFER FROM");
  return exact;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 10;
  bool quick = false, cost_model_only = false;
  std::string only_shape;     // --shape S: only the shapes whose name contains S
  std::vector<bool> variant_on(cuda_detail::kLutVariants, true);  // --variants i,j,...
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!std::strcmp(argv[i], "--cost-model")) {
      cost_model_only = true;
    } else if (!std::strcmp(argv[i], "--shape") && i + 1 < argc) {
      only_shape = argv[++i];
    } else if (!std::strcmp(argv[i], "--variants") && i + 1 < argc) {
      std::fill(variant_on.begin(), variant_on.end(), false);
      for (const char* q = argv[++i]; *q;) {
        char* end = nullptr;
        const long v = std::strtol(q, &end, 10);
        if (end == q || v < 0 || v >= cuda_detail::kLutVariants) {
          std::fprintf(stderr, "--variants: expected tiling indices 0..%d separated by commas\n",
                       cuda_detail::kLutVariants - 1);
          return 1;
        }
        variant_on[v] = true;
        q = *end == ',' ? end + 1 : end;
      }
    } else {
      std::fprintf(stderr,
                   "usage: %s [--reps N] [--quick | --cost-model] [--shape NAME-PART] "
                   "[--variants i,j,...]\n",
                   argv[0]);
      return 1;
    }
  }
  auto shape_on = [&](const char* name) {
    return !cost_model_only &&
           (only_shape.empty() || std::strstr(name, only_shape.c_str()) != nullptr);
  };
  if (!cuda_available()) {
    std::printf("no CUDA device\n");
    return 2;
  }
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  int clock_khz = 0;
  CUDA_CHECK(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, 0));
  std::printf("device: %s, %d SMs, %d MHz (reported)\n", prop.name, prop.multiProcessorCount,
              clock_khz / 1000);

  struct Shape {
    const char* name;
    int M, K, N;
  };
  std::vector<Shape> shapes = {{"vit-b16 qkv", 12608, 768, 2304},
                               {"vit-b16 proj", 12608, 768, 768},
                               {"vit-b16 fc1", 12608, 768, 3072},
                               {"vit-b16 fc2", 12608, 3072, 768}};
  if (quick) shapes.resize(2);

  // A random full-rank table in [-16384, 16383] (16-bit entries) and low-rank tables
  // lut = a*b + sum_r u_r v_r with |u| <= 64 and v in [-128, 127] (int8-ready factors), plus one
  // rank-4 table with v in [-128, 128] (the 128 entries need an extra slice per term).
  std::mt19937 rng(2024);
  std::vector<std::int32_t> lut(65536);
  for (auto& x : lut) x = static_cast<std::int32_t>(rng() % 32768) - 16384;
  std::int32_t* d_lut = dev_alloc<std::int32_t>(65536);
  CUDA_CHECK(cudaMemcpy(d_lut, lut.data(), lut.size() * 4, cudaMemcpyHostToDevice));
  std::vector<std::int16_t> lut16(lut.begin(), lut.end());  // entries fit int16
  std::int16_t* d_lut16 = dev_alloc<std::int16_t>(65536);
  CUDA_CHECK(cudaMemcpy(d_lut16, lut16.data(), lut16.size() * 2, cudaMemcpyHostToDevice));
  std::vector<std::int32_t> lut_wide(65536);
  for (auto& x : lut_wide) x = static_cast<std::int32_t>(rng() % 2000001) - 1000000;
  std::int32_t* d_lut_wide = dev_alloc<std::int32_t>(65536);
  CUDA_CHECK(cudaMemcpy(d_lut_wide, lut_wide.data(), lut_wide.size() * 4, cudaMemcpyHostToDevice));

  struct Form {
    std::string name;
    int rank;
    std::int32_t *lut, *u, *v;
  };
  std::vector<Form> forms;
  auto make_form = [&](int rank, int vmax, const std::string& name, int vmin = -128) {
    std::vector<std::int32_t> u(rank * 256), v(rank * 256), l(65536);
    for (auto& x : u) x = static_cast<std::int32_t>(rng() % 129) - 64;
    for (auto& x : v) x = static_cast<std::int32_t>(rng() % (vmax - vmin + 1)) + vmin;
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        std::int32_t s = static_cast<std::int8_t>(a) * static_cast<std::int8_t>(b);
        for (int r = 0; r < rank; ++r) s += u[r * 256 + a] * v[r * 256 + b];
        l[a * 256 + b] = s;
      }
    Form f{name, rank, dev_alloc<std::int32_t>(65536), nullptr, nullptr};
    CUDA_CHECK(cudaMemcpy(f.lut, l.data(), l.size() * 4, cudaMemcpyHostToDevice));
    if (rank > 0) {
      f.u = dev_alloc<std::int32_t>(u.size());
      f.v = dev_alloc<std::int32_t>(v.size());
      CUDA_CHECK(cudaMemcpy(f.u, u.data(), u.size() * 4, cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(f.v, v.data(), v.size() * 4, cudaMemcpyHostToDevice));
    }
    forms.push_back(f);
  };
  for (int r = 1; r <= 4; ++r) make_form(r, 127, "axx low-rank r=" + std::to_string(r));
  make_form(4, 128, "axx low-rank r=4 (|v|<=128)");
  make_form(16, 127, "axx low-rank r=16");
  make_form(48, 127, "axx low-rank r=48");
  // Factors in three int8 parts: 193 slices, beyond the 160 the gather kernels once held.
  make_form(64, 300, "axx low-rank r=64 (S=193)", -300);

  cublasHandle_t blas;
  CUBLAS_CHECK(cublasCreate(&blas));
  std::int32_t* d_sink = dev_alloc<std::int32_t>(1);
  CUDA_CHECK(cudaFuncSetAttribute(ceiling_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  65536 * 2));
  CUDA_CHECK(cudaFuncSetAttribute(ceiling_rows_kernel<true>,
                                  cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  256 * kCeilRowStride * 2));
  CUDA_CHECK(cudaFuncSetAttribute(ceiling_rows_kernel<false>,
                                  cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  256 * kCeilRowStride * 2));

  bool all_exact = true;
  for (const auto& s : shapes) {
    if (!shape_on(s.name)) continue;
    const std::int64_t M = s.M, K = s.K, N = s.N;
    const double macs = static_cast<double>(M) * N * K;
    std::vector<std::uint8_t> hA(M * K), hB(K * N);
    fill_random(hA, 1 + K);
    fill_random(hB, 2 + N);
    auto* dA = dev_alloc<std::uint8_t>(hA.size());
    auto* dB = dev_alloc<std::uint8_t>(hB.size());
    CUDA_CHECK(cudaMemcpy(dA, hA.data(), hA.size(), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(dB, hB.data(), hB.size(), cudaMemcpyHostToDevice));
    auto* dC_ref = dev_alloc<std::int32_t>(M * N);
    auto* dC = dev_alloc<std::int32_t>(M * N);
    std::vector<std::int32_t> ref(M * N), got(M * N);
    auto same = [&]() {
      CUDA_CHECK(cudaMemcpy(got.data(), dC, got.size() * 4, cudaMemcpyDeviceToHost));
      return std::memcmp(got.data(), ref.data(), ref.size() * 4) == 0;
    };

    std::printf("\n%s: M=%lld K=%lld N=%lld (%.2f G MAC)\n", s.name, (long long)M, (long long)K,
                (long long)N, macs / 1e9);
    std::vector<Row> rows;

    // ceilings: exactly M*N*K lookups over one block per SM
    const Ceilings ceil = ceilings(rows, d_lut, d_sink, macs, prop.multiProcessorCount, reps);

    const double base_ms = time_ms(
        [&] { transaxx(dA, dB, d_lut, d_lut16, dC_ref, M, N, K); }, reps);
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaMemcpy(ref.data(), dC_ref, ref.size() * 4, cudaMemcpyDeviceToHost));
    rows.push_back({"TransAxx (int16 __ldg table)", base_ms, false, false});
    for (int kind : {1, 2}) {
      CUDA_CHECK(cudaMemset(dC, 0xA5, M * N * 4));
      const double ms =
          time_ms([&] { transaxx(dA, dB, d_lut, d_lut16, dC, M, N, K, 1, kind); }, reps);
      const bool ok = same();
      all_exact &= ok;
      rows.push_back({kind == 1 ? "TransAxx int32-table variant" : "Path::Baseline (narrows per call)",
                      ms, true, ok});
    }

    TableRef table;
    table.lut = d_lut;
    GemmProblem p;
    p.M = M;
    p.N = N;
    p.K = K;
    p.A = dA;
    p.lda = K;
    p.B = dB;
    p.ldb = N;
    p.C = dC;
    p.ldc = N;
    for (int v = 0; v < cuda_detail::kLutVariants; ++v) {
      if (!variant_on[v]) continue;
      const cuda_detail::BatchedGemm g = cuda_detail::batched_of(p);
      CUDA_CHECK(cudaMemset(dC, 0xA5, M * N * 4));
      const double ms = time_ms([&] { cuda_detail::lut_gemm(d_lut, g, nullptr, v); }, reps);
      const bool ok = same();
      all_exact &= ok;
      rows.push_back({std::string("axx LUT ") + cuda_detail::lut_variant_name(v), ms, true, ok});
    }
    {
      CUDA_CHECK(cudaMemset(dC, 0xA5, M * N * 4));
      const double ms = time_ms([&] { gemm_cuda(table, p, Path::Lut, nullptr); }, reps);
      const bool ok = same();
      all_exact &= ok;
      rows.push_back({"axx LUT (gemm_cuda default)", ms, true, ok});
    }
    double best_lut = 1e30;
    for (const auto& r : rows)
      if (r.name.rfind("axx LUT", 0) == 0) best_lut = std::min(best_lut, r.ms);
    {
      // A table whose range needs more than 16 bits: each tile runs on the high and low halves.
      TableRef wide;
      wide.lut = d_lut_wide;
      transaxx(dA, dB, d_lut_wide, nullptr, dC_ref, M, N, K, 1, 1);
      CUDA_CHECK(cudaGetLastError());
      CUDA_CHECK(cudaMemcpy(ref.data(), dC_ref, ref.size() * 4, cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemset(dC, 0xA5, M * N * 4));
      const double ms = time_ms([&] { gemm_cuda(wide, p, Path::Lut, nullptr); }, reps);
      const bool ok = same();
      all_exact &= ok;
      rows.push_back({"axx LUT, 32-bit table (hi/lo halves)", ms, true, ok});
    }

    // low-rank: the reference result of each structured table comes from the axx LUT kernel
    // (itself checked against TransAxx above).
    for (const auto& f : forms) {
      TableRef t;
      t.lut = f.lut;
      t.lowrank.rank = f.rank;
      t.lowrank.is_signed = true;
      t.lowrank.u = f.u;
      t.lowrank.v = f.v;
      GemmProblem q = p;
      q.C = dC_ref;
      gemm_cuda(t, q, Path::Lut, nullptr);
      CUDA_CHECK(cudaMemcpy(ref.data(), dC_ref, ref.size() * 4, cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemset(dC, 0xA5, M * N * 4));
      const double ms = time_ms([&] { gemm_cuda(t, p, Path::LowRank, nullptr); }, reps);
      const bool ok = same();
      all_exact &= ok;
      rows.push_back({f.name, ms, true, ok});
    }

    // cuBLAS of the same shape (row-major C = A B as column-major C^T = B^T A^T)
    {
      float* fA = dev_alloc<float>(M * K);
      float* fB = dev_alloc<float>(K * N);
      float* fC = dev_alloc<float>(M * N);
      CUDA_CHECK(cudaMemset(fA, 0, M * K * 4));  // values don't change fp32 GEMM speed much,
      CUDA_CHECK(cudaMemset(fB, 0, K * N * 4));  // but fill them anyway with something non-zero:
      {
        std::vector<float> hf(std::max(M * K, K * N));
        for (std::size_t e = 0; e < hf.size(); ++e) hf[e] = static_cast<float>((e * 2654435761u) % 255) - 127.0f;
        CUDA_CHECK(cudaMemcpy(fA, hf.data(), M * K * 4, cudaMemcpyHostToDevice));
        CUDA_CHECK(cudaMemcpy(fB, hf.data(), K * N * 4, cudaMemcpyHostToDevice));
      }
      const float one = 1.0f, zero = 0.0f;
      rows.push_back({"cuBLAS fp32 SGEMM", time_ms([&] {
                        CUBLAS_CHECK(cublasSgemm(blas, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &one, fB, N,
                                                 fA, K, &zero, fC, N));
                      }, reps), false, false});
      __nv_bfloat16* hA16 = dev_alloc<__nv_bfloat16>(M * K);
      __nv_bfloat16* hB16 = dev_alloc<__nv_bfloat16>(K * N);
      __nv_bfloat16* hC16 = dev_alloc<__nv_bfloat16>(M * N);
      {
        std::vector<__nv_bfloat16> hb(std::max(M * K, K * N));
        for (std::size_t e = 0; e < hb.size(); ++e) hb[e] = __float2bfloat16(static_cast<float>((e * 2654435761u) % 255) - 127.0f);
        CUDA_CHECK(cudaMemcpy(hA16, hb.data(), M * K * 2, cudaMemcpyHostToDevice));
        CUDA_CHECK(cudaMemcpy(hB16, hb.data(), K * N * 2, cudaMemcpyHostToDevice));
      }
      rows.push_back({"cuBLAS bf16 (fp32 accumulate)", time_ms([&] {
                        CUBLAS_CHECK(cublasGemmEx(blas, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &one, hB16,
                                                  CUDA_R_16BF, N, hA16, CUDA_R_16BF, K, &zero, hC16,
                                                  CUDA_R_16BF, N, CUBLAS_COMPUTE_32F,
                                                  CUBLAS_GEMM_DEFAULT));
                      }, reps), false, false});
      // int8: B stored transposed (N x K) so both operands are K-contiguous ("TN").
      std::int8_t* iBt = dev_alloc<std::int8_t>(K * N);
      CUDA_CHECK(cudaMemcpy(iBt, hB.data(), K * N, cudaMemcpyHostToDevice));
      const std::int32_t ione = 1, izero = 0;
      rows.push_back({"cuBLAS int8 (int32 accumulate)", time_ms([&] {
                        CUBLAS_CHECK(cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &ione, iBt,
                                                  CUDA_R_8I, K, dA, CUDA_R_8I, K, &izero, dC,
                                                  CUDA_R_32I, N, CUBLAS_COMPUTE_32I,
                                                  CUBLAS_GEMM_DEFAULT));
                      }, reps), false, false});
      cudaFree(fA);
      cudaFree(fB);
      cudaFree(fC);
      cudaFree(hA16);
      cudaFree(hB16);
      cudaFree(hC16);
      cudaFree(iBt);
    }
    print_rows(rows, macs, base_ms);
    std::printf("  LUT tilings: %% of the shared-row lookup ceiling (and of the LCG-indexed one)\n");
    for (const auto& r : rows)
      if (r.name.rfind("axx LUT", 0) == 0)
        std::printf("    %-40s %5.1f%% of ceiling (%5.1f%% LCG)\n", r.name.c_str(),
                    100.0 * ceil.shared_row / r.ms, 100.0 * ceil.lcg / r.ms);
    double best_lr = 1e30;
    for (const auto& r : rows)
      if (r.name.rfind("axx low-rank r=", 0) == 0 && r.name.find("128") == std::string::npos &&
          std::atoi(r.name.c_str() + 15) <= 4)
        best_lr = std::max(best_lr == 1e30 ? 0.0 : best_lr, r.ms);
    std::printf("  best axx LUT: %.2fx TransAxx, %.1f%% of the shared-row lookup ceiling (%.1f%% of "
                "the LCG-indexed one); "
                "slowest low-rank r<=4 (int8-ready factors): %.1fx the best axx LUT\n",
                base_ms / best_lut, 100.0 * ceil.shared_row / best_lut, 100.0 * ceil.lcg / best_lut,
                best_lut / best_lr);
    cudaFree(dA);
    cudaFree(dB);
    cudaFree(dC);
    cudaFree(dC_ref);
  }
  // Attention matmuls of ViT-B/16 at batch 64 (12 heads): Q K^T and A V as batched GEMMs.
  struct BShape {
    const char* name;
    int batch, M, K, N;
  };
  const BShape bshapes[] = {{"attention Q.K^T", 64 * 12, 197, 64, 197},
                            {"attention A.V", 64 * 12, 197, 197, 64}};
  for (const auto& s : bshapes) {
    if (!shape_on(s.name)) continue;
    const std::int64_t Z = s.batch, M = s.M, K = s.K, N = s.N;
    const double macs = static_cast<double>(Z) * M * N * K;
    std::vector<std::uint8_t> hA(Z * M * K), hB(Z * K * N);
    fill_random(hA, 3 + K);
    fill_random(hB, 4 + N);
    auto* dA = dev_alloc<std::uint8_t>(hA.size());
    auto* dB = dev_alloc<std::uint8_t>(hB.size());
    CUDA_CHECK(cudaMemcpy(dA, hA.data(), hA.size(), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(dB, hB.data(), hB.size(), cudaMemcpyHostToDevice));
    auto* dC_ref = dev_alloc<std::int32_t>(Z * M * N);
    auto* dC = dev_alloc<std::int32_t>(Z * M * N);
    std::vector<std::int32_t> ref(Z * M * N), got(Z * M * N);
    auto same = [&]() {
      CUDA_CHECK(cudaMemcpy(got.data(), dC, got.size() * 4, cudaMemcpyDeviceToHost));
      return std::memcmp(got.data(), ref.data(), ref.size() * 4) == 0;
    };
    std::printf("\n%s: batch=%lld M=%lld K=%lld N=%lld (%.2f G MAC)\n", s.name, (long long)Z,
                (long long)M, (long long)K, (long long)N, macs / 1e9);
    std::vector<Row> rows;
    const Ceilings ceil = ceilings(rows, d_lut, d_sink, macs, prop.multiProcessorCount, reps);
    const double base_ms = time_ms(
        [&] { transaxx(dA, dB, d_lut, d_lut16, dC_ref, M, N, K, Z); }, reps);
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaMemcpy(ref.data(), dC_ref, ref.size() * 4, cudaMemcpyDeviceToHost));
    rows.push_back({"TransAxx (int16 __ldg table, batched)", base_ms, false, false});
    GemmProblem p;
    p.batch = Z;
    p.M = M;
    p.N = N;
    p.K = K;
    p.A = dA;
    p.lda = K;
    p.stride_a = M * K;
    p.B = dB;
    p.ldb = N;
    p.stride_b = K * N;
    p.C = dC;
    p.ldc = N;
    p.stride_c = M * N;
    TableRef table;
    table.lut = d_lut;
    bool ok = true;
    for (int v = 0; v < cuda_detail::kLutVariants; ++v) {
      if (!variant_on[v]) continue;
      const cuda_detail::BatchedGemm g = cuda_detail::batched_of(p);
      CUDA_CHECK(cudaMemset(dC, 0xA5, Z * M * N * 4));
      const double ms = time_ms([&] { cuda_detail::lut_gemm(d_lut, g, nullptr, v); }, reps);
      ok = same();
      all_exact &= ok;
      rows.push_back({std::string("axx LUT ") + cuda_detail::lut_variant_name(v), ms, true, ok});
    }
    CUDA_CHECK(cudaMemset(dC, 0xA5, Z * M * N * 4));
    const double fixed_ms = time_ms(
        [&] {
          cuda_detail::lut_gemm(d_lut, cuda_detail::batched_of(p), nullptr,
                                cuda_detail::kLutChooseFixed);
        },
        reps);
    ok = same();
    all_exact &= ok;
    rows.push_back({"axx LUT (fixed-tile choice, before)", fixed_ms, true, ok});
    CUDA_CHECK(cudaMemset(dC, 0xA5, Z * M * N * 4));
    const double lut_ms = time_ms([&] { gemm_cuda(table, p, Path::Lut, nullptr); }, reps);
    ok = same();
    all_exact &= ok;
    rows.push_back({"axx LUT (gemm_cuda default)", lut_ms, true, ok});
    const Form& f = forms[3];  // rank 4
    TableRef t;
    t.lut = f.lut;
    t.lowrank.rank = f.rank;
    t.lowrank.u = f.u;
    t.lowrank.v = f.v;
    GemmProblem q = p;
    q.C = dC_ref;
    gemm_cuda(t, q, Path::Lut, nullptr);
    CUDA_CHECK(cudaMemcpy(ref.data(), dC_ref, ref.size() * 4, cudaMemcpyDeviceToHost));
    CUDA_CHECK(cudaMemset(dC, 0xA5, Z * M * N * 4));
    const double lr_ms = time_ms([&] { gemm_cuda(t, p, Path::LowRank, nullptr); }, reps);
    ok = same();
    all_exact &= ok;
    rows.push_back({f.name, lr_ms, true, ok});
    print_rows(rows, macs, base_ms);
    std::printf("  LUT tilings: %% of the shared-row lookup ceiling (and of the LCG-indexed one), "
                "speed vs the fixed-tile choice\n");
    for (const auto& r : rows)
      if (r.name.rfind("axx LUT", 0) == 0)
        std::printf("    %-40s %5.1f%% of ceiling (%5.1f%% LCG) %6.2fx fixed-tile choice\n",
                    r.name.c_str(), 100.0 * ceil.shared_row / r.ms, 100.0 * ceil.lcg / r.ms,
                    fixed_ms / r.ms);
    cudaFree(dA);
    cudaFree(dB);
    cudaFree(dC);
    cudaFree(dC_ref);
  }

  if (!quick) {
    std::vector<TableRef> fit_tables;
    for (const auto& f : forms) {
      if (f.name.find("128") != std::string::npos) continue;
      TableRef t;
      t.lut = f.lut;
      t.lowrank = {f.rank, true, f.u, f.v};
      fit_tables.push_back(t);
    }
    all_exact &= cost_model_section(fit_tables, reps);
  }
  std::printf("\n%s\n", all_exact ? "all axx results bit-exact" : "MISMATCH in some axx result");
  return all_exact ? 0 : 1;
}
