// Exact low-rank GEMM on tensor cores (DESIGN.md, "Exact low-rank form").
//
//   lut[a][b] = val(a) val(b) + sum_r u_r[a] v_r[b]
//   => C[i][j] = sum_t sum_k f_t(A[i][k]) g_t(B[k][j])      (terms t: (val, val), (u_r, v_r))
//
// Every term becomes one or more "slices" (f, g) whose tables fit int8, and the slices are
// stacked along K: A' = [f_0(A) | f_1(A) | ...] (M x S*Kp) and B' = [g_0(B); g_1(B); ...], so the
// whole approximate GEMM is ONE int8 x int8 -> int32 cuBLAS GEMM (IMMA tensor cores). Integer
// products and int32 accumulation are exact modulo 2^32, the same ring as the LUT path, so the
// result equals the table lookup bit for bit for any K.
//
// Fitting a term into int8 (planned on the host from the form's tables, exact integer math):
//  - the term f (x) g is unchanged by moving a sign or a power of two from one side to the other:
//    (-f) (x) (-g), (2f) (x) (g/2); the planner tries every such rebalancing;
//  - what still does not fit is split: f = f_1 + ... + f_n with every part in [-128, 127]
//    (e.g. v = 128 becomes 127 + 1; unsigned val(a) in 0..255 becomes 3 parts), and the term
//    becomes n_f * n_g slices. The planner picks the rebalancing with the fewest slices.
// Tables too wide for a reasonable number of slices make the path decline (the LUT kernel runs).
//
// Layouts (cuBLAS is column-major): A' is stored row-major M x Kt (Kt = S * Kp, Kp = K rounded up
// to 16, zero padded) and B' transposed, N x Kt, so both are K-contiguous: the "TN" int8 GEMM
//   C^T (N x M, column-major == C row-major) = (B'^T)^T * A'^T
// with every leading dimension a multiple of 16.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "emulator/common/lut_math.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"

namespace axx::emulator::cuda_detail {
namespace {

constexpr int kMaxSlices = 32;
constexpr std::int64_t kPadK = 16;

// ---- host planning -------------------------------------------------------------------------

struct Slice {
  std::int8_t f[256];  // A side
  std::int8_t g[256];  // B side
};

std::int64_t parts_needed(const std::vector<std::int64_t>& t) {
  std::int64_t mx = 0, mn = 0;
  for (auto x : t) {
    mx = std::max(mx, x);
    mn = std::min(mn, x);
  }
  const std::int64_t np = (mx + 126) / 127, nn = (-mn + 127) / 128;
  return std::max<std::int64_t>({np, nn, 1});
}

std::vector<std::vector<std::int8_t>> split_parts(const std::vector<std::int64_t>& t,
                                                  std::int64_t n) {
  std::vector<std::vector<std::int8_t>> parts(n, std::vector<std::int8_t>(256));
  for (int a = 0; a < 256; ++a) {
    std::int64_t rem = t[a];
    for (std::int64_t p = 0; p < n; ++p) {
      const std::int64_t part = std::clamp<std::int64_t>(rem, -128, 127);
      parts[p][a] = static_cast<std::int8_t>(part);
      rem -= part;
    }
  }
  return parts;
}

int twos(const std::vector<std::int64_t>& t) {  // largest e with 2^e dividing every entry
  int e = 62;
  for (auto x : t)
    if (x != 0) e = std::min(e, __builtin_ctzll(static_cast<unsigned long long>(x)));
  return e;
}

bool all_zero(const std::vector<std::int64_t>& t) {
  return std::all_of(t.begin(), t.end(), [](std::int64_t x) { return x == 0; });
}

// Appends the slices of term f (x) g; false when it needs too many.
bool plan_term(std::vector<std::int64_t> f, std::vector<std::int64_t> g, std::vector<Slice>& out) {
  if (all_zero(f) || all_zero(g)) return true;
  const int ef = twos(f), eg = twos(g);
  // Parts lie in [-128, 127], so a slice contributes at most 2^14 per product: a term with a
  // factor 2^24 in every product needs over 1024 slices.
  if (ef + eg >= 24) return false;
  for (auto& x : f) x /= std::int64_t{1} << ef;
  for (auto& x : g) x /= std::int64_t{1} << eg;
  const int e = ef + eg;  // total power of two to place on either side
  std::int64_t best_cost = std::int64_t{1} << 62;
  int best_e1 = 0, best_s = 1;
  for (int s : {1, -1})
    for (int e1 = 0; e1 <= e; ++e1) {
      std::vector<std::int64_t> ff(256), gg(256);
      for (int a = 0; a < 256; ++a) {
        ff[a] = s * f[a] * (std::int64_t{1} << e1);
        gg[a] = s * g[a] * (std::int64_t{1} << (e - e1));
      }
      const std::int64_t cost = parts_needed(ff) * parts_needed(gg);
      if (cost < best_cost) {
        best_cost = cost;
        best_e1 = e1;
        best_s = s;
      }
    }
  if (best_cost + static_cast<std::int64_t>(out.size()) > kMaxSlices) return false;
  std::vector<std::int64_t> ff(256), gg(256);
  for (int a = 0; a < 256; ++a) {
    ff[a] = best_s * f[a] * (std::int64_t{1} << best_e1);
    gg[a] = best_s * g[a] * (std::int64_t{1} << (e - best_e1));
  }
  const auto fp = split_parts(ff, parts_needed(ff));
  const auto gp = split_parts(gg, parts_needed(gg));
  for (const auto& x : fp)
    for (const auto& y : gp) {
      Slice sl;
      std::memcpy(sl.f, x.data(), 256);
      std::memcpy(sl.g, y.data(), 256);
      out.push_back(sl);
    }
  return true;
}

// ---- device kernels ------------------------------------------------------------------------

// A'[z][i][s*Kp + k] = f_s(A[z][i][k]); one thread = 16 consecutive k of one row, all slices.
__global__ void gather_a_kernel(const std::uint8_t* __restrict__ A, std::int64_t lda,
                                std::int64_t sa_o, std::int64_t sa_i, std::int64_t n_inner,
                                std::int64_t M, std::int64_t K, std::int64_t Kp,
                                const std::int8_t* __restrict__ tables, int S,
                                std::int8_t* __restrict__ out, std::int64_t Z) {
  __shared__ std::uint8_t tab[kMaxSlices * 256];
  for (int t = threadIdx.x; t < S * 256; t += blockDim.x)
    tab[t] = static_cast<std::uint8_t>(tables[t]);
  __syncthreads();
  const std::int64_t chunks = Kp / 16, Kt = S * Kp;
  const std::int64_t total = Z * M * chunks;
  for (std::int64_t t = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t c = t % chunks, row = t / chunks, z = row / M, i = row % M;
    const std::uint8_t* src = A + (z / n_inner) * sa_o + (z % n_inner) * sa_i + i * lda + c * 16;
    const std::int64_t avail = K - c * 16;
    std::uint8_t v[16];
#pragma unroll
    for (int q = 0; q < 16; ++q) v[q] = q < avail ? __ldg(src + q) : 0;
    std::int8_t* dst = out + row * Kt + c * 16;
    for (int s = 0; s < S; ++s) {
      std::uint32_t w[4];
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        std::uint32_t x = 0;
#pragma unroll
        for (int b = 0; b < 4; ++b) {
          const std::uint32_t e = (4 * q + b) < avail ? tab[s * 256 + v[4 * q + b]] : 0u;
          x |= e << (8 * b);
        }
        w[q] = x;
      }
      *reinterpret_cast<uint4*>(dst + s * Kp) = make_uint4(w[0], w[1], w[2], w[3]);
    }
  }
}

// B'^T[z][j][s*Kp + k] = g_s(B[z][k][j]): a 64 (k) x 64 (j) tile through shared memory, read
// along j and written along k.
constexpr int kTileT = 64;
__global__ void gather_bt_kernel(const std::uint8_t* __restrict__ B, std::int64_t ldb,
                                 std::int64_t sb_o, std::int64_t sb_i, std::int64_t n_inner,
                                 std::int64_t N, std::int64_t K, std::int64_t Kp,
                                 const std::int8_t* __restrict__ tables, int S,
                                 std::int8_t* __restrict__ out) {
  __shared__ std::uint8_t tab[kMaxSlices * 256];
  __shared__ std::uint8_t tile[kTileT][kTileT + 4];
  for (int t = threadIdx.x; t < S * 256; t += blockDim.x)
    tab[t] = static_cast<std::uint8_t>(tables[t]);
  const std::int64_t z = blockIdx.z;
  const std::int64_t k0 = static_cast<std::int64_t>(blockIdx.y) * kTileT;
  const std::int64_t j0 = static_cast<std::int64_t>(blockIdx.x) * kTileT;
  const std::uint8_t* src = B + (z / n_inner) * sb_o + (z % n_inner) * sb_i;
  for (int t = threadIdx.x; t < kTileT * kTileT; t += blockDim.x) {
    const int kk = t / kTileT, jj = t % kTileT;
    const std::int64_t k = k0 + kk, j = j0 + jj;
    tile[kk][jj] = (k < K && j < N) ? __ldg(src + k * ldb + j) : 0;
  }
  __syncthreads();
  const std::int64_t Kt = S * Kp;
  // each thread: one j, 16 consecutive k
  for (int t = threadIdx.x; t < kTileT * (kTileT / 16); t += blockDim.x) {
    const int jj = t / (kTileT / 16), kc = t % (kTileT / 16);
    const std::int64_t j = j0 + jj, kb = k0 + kc * 16;
    if (j >= N || kb >= Kp) continue;
    std::int8_t* dst = out + (z * N + j) * Kt + kb;
    for (int s = 0; s < S; ++s) {
      std::uint32_t w[4];
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        std::uint32_t x = 0;
#pragma unroll
        for (int b = 0; b < 4; ++b) {
          const int kk = kc * 16 + 4 * q + b;
          const std::uint32_t e = (k0 + kk < K) ? tab[s * 256 + tile[kk][jj]] : 0u;
          x |= e << (8 * b);
        }
        w[q] = x;
      }
      *reinterpret_cast<uint4*>(dst + s * Kp) = make_uint4(w[0], w[1], w[2], w[3]);
    }
  }
}

__global__ void epilogue_kernel(std::int64_t M, std::int64_t N, std::int64_t n_inner,
                                std::int64_t Z, const std::int32_t* __restrict__ c,
                                std::int64_t ldc, std::int64_t sc_o, std::int64_t sc_i,
                                std::int32_t* C, std::int64_t ldC, std::int64_t sC_o,
                                std::int64_t sC_i, const EpilogueArgs epi) {
  const std::int64_t total = Z * M * N;
  for (std::int64_t t = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t j = t % N, row = t / N, i = row % M, z = row / M;
    const std::int64_t zo = z / n_inner, zi = z % n_inner;
    const std::int32_t v = c[zo * sc_o + zi * sc_i + i * ldc + j];
    if (C) C[zo * sC_o + zi * sC_i + i * ldC + j] = v;
    if (epi.on) {
      const float sb = epi.per_channel ? epi.scale_b[j] : epi.scale_b[0];
      const float bias = epi.bias ? epi.bias[j] : 0.0f;
      epi.out[zo * epi.so_o + zi * epi.so_i + i * epi.ldo + j] =
          dequantize(v, epi.scale_a, sb, bias);
    }
  }
}

unsigned grid_for(std::int64_t work, int threads) {
  const std::int64_t blocks = (work + threads - 1) / threads;
  const std::int64_t cap = static_cast<std::int64_t>(device_sm_count()) * 16;
  return static_cast<unsigned>(std::max<std::int64_t>(1, std::min(blocks, cap)));
}

cublasHandle_t cublas_handle() {
  // One handle per thread and device (handles are not thread-safe); never destroyed, because
  // destruction at thread exit can run after the CUDA runtime has shut down.
  thread_local std::map<int, cublasHandle_t> handles;
  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  auto it = handles.find(dev);
  if (it != handles.end()) return it->second;
  cublasHandle_t h = nullptr;
  CUBLAS_CHECK(cublasCreate(&h));
  handles[dev] = h;
  return h;
}

// A device allocation on a stream, freed on the same stream when the scope ends.
struct StreamBuffer {
  void* p = nullptr;
  cudaStream_t s = nullptr;
  StreamBuffer(std::size_t bytes, cudaStream_t stream) : s(stream) {
    CUDA_CHECK(cudaMallocAsync(&p, bytes, stream));
  }
  ~StreamBuffer() { (void)cudaFreeAsync(p, s); }
  StreamBuffer(const StreamBuffer&) = delete;
  StreamBuffer& operator=(const StreamBuffer&) = delete;
};

// Uniform batch stride of a two-level strided operand, or -1 when z -> offset is not linear.
std::int64_t flat_stride(std::int64_t s_o, std::int64_t s_i, std::int64_t n_outer,
                         std::int64_t n_inner) {
  if (n_outer == 1) return s_i;
  if (n_inner == 1) return s_o;
  if (s_o == n_inner * s_i) return s_i;
  return -1;
}

}  // namespace

void apply_epilogue(const BatchedGemm& g, const std::int32_t* c, std::int64_t ldc,
                    std::int64_t sc_o, std::int64_t sc_i, const EpilogueArgs& epi,
                    cudaStream_t stream) {
  const std::int64_t Z = g.n_outer * g.n_inner;
  epilogue_kernel<<<grid_for(Z * g.M * g.N, 256), 256, 0, stream>>>(
      g.M, g.N, g.n_inner, Z, c, ldc, sc_o, sc_i, g.C, g.ldc, g.sc_o, g.sc_i, epi);
  CUDA_CHECK_LAUNCH();
}

bool lowrank_gemm(const LowRankView& form, const BatchedGemm& g, const EpilogueArgs& epi,
                  cudaStream_t stream) {
  if (g.K == 0 || form.rank < 0) return false;
  // The form's tables live on the device: read them to plan (a few KiB, one synchronization).
  std::vector<std::int32_t> u(static_cast<std::size_t>(form.rank) * 256),
      v(static_cast<std::size_t>(form.rank) * 256);
  if (form.rank > 0) {
    CUDA_CHECK(cudaMemcpyAsync(u.data(), form.u, u.size() * 4, cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaMemcpyAsync(v.data(), form.v, v.size() * 4, cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));
  }
  std::vector<Slice> slices;
  {
    std::vector<std::int64_t> f(256), gg(256);
    for (int a = 0; a < 256; ++a) f[a] = operand_value(static_cast<std::uint8_t>(a), form.is_signed);
    bool ok = plan_term(f, f, slices);
    for (int r = 0; ok && r < form.rank; ++r) {
      for (int a = 0; a < 256; ++a) {
        f[a] = u[r * 256 + a];
        gg[a] = v[r * 256 + a];
      }
      ok = plan_term(f, gg, slices);
    }
    if (!ok) return false;
  }
  if (slices.empty()) return false;  // an all-zero table: the LUT kernel writes the zeros
  const int S = static_cast<int>(slices.size());
  const std::int64_t Kp = (g.K + kPadK - 1) / kPadK * kPadK, Kt = S * Kp;
  const std::int64_t Z = g.n_outer * g.n_inner;
  const bool a_bcast = g.sa_o == 0 && g.sa_i == 0, b_bcast = g.sb_o == 0 && g.sb_i == 0;
  const std::int64_t ZA = a_bcast ? 1 : Z, ZB = b_bcast ? 1 : Z;
  constexpr std::int64_t kIntMax = 0x7fffffff;
  if (g.M > kIntMax || g.N > kIntMax || Kt > kIntMax || Z > kIntMax || ZB > 65535) return false;

  // Host tables, side by side (the transposed-table case swaps the roles of f and g).
  std::vector<std::int8_t> htab(static_cast<std::size_t>(2 * S) * 256);
  for (int s = 0; s < S; ++s) {
    std::memcpy(&htab[static_cast<std::size_t>(s) * 256], g.transposed_table ? slices[s].g : slices[s].f, 256);
    std::memcpy(&htab[static_cast<std::size_t>(S + s) * 256], g.transposed_table ? slices[s].f : slices[s].g, 256);
  }
  StreamBuffer dtab(htab.size(), stream);
  // Pageable source: cudaMemcpyAsync returns once htab has been staged, so htab may go away.
  CUDA_CHECK(cudaMemcpyAsync(dtab.p, htab.data(), htab.size(), cudaMemcpyHostToDevice, stream));
  const auto* ftab = static_cast<const std::int8_t*>(dtab.p);
  const auto* gtab = ftab + static_cast<std::size_t>(S) * 256;

  StreamBuffer abuf(static_cast<std::size_t>(ZA * g.M * Kt), stream);
  StreamBuffer bbuf(static_cast<std::size_t>(ZB * g.N * Kt), stream);
  auto* Ap = static_cast<std::int8_t*>(abuf.p);
  auto* Bp = static_cast<std::int8_t*>(bbuf.p);
  gather_a_kernel<<<grid_for(ZA * g.M * (Kp / 16), 256), 256, 0, stream>>>(
      g.A, g.lda, g.sa_o, g.sa_i, g.n_inner, g.M, g.K, Kp, ftab, S, Ap, ZA);
  CUDA_CHECK_LAUNCH();
  {
    const dim3 grid(static_cast<unsigned>((g.N + kTileT - 1) / kTileT),
                    static_cast<unsigned>((Kp + kTileT - 1) / kTileT), static_cast<unsigned>(ZB));
    gather_bt_kernel<<<grid, 256, 0, stream>>>(g.B, g.ldb, g.sb_o, g.sb_i, g.n_inner, g.N, g.K, Kp,
                                               gtab, S, Bp);
    CUDA_CHECK_LAUNCH();
  }

  // Output straight into C when its layout suits cuBLAS, else into a scratch buffer.
  const std::int64_t c_flat = g.C ? flat_stride(g.sc_o, g.sc_i, g.n_outer, g.n_inner) : -1;
  const bool direct = g.C && c_flat >= 0 && g.ldc % 4 == 0 && c_flat % 4 == 0 &&
                      reinterpret_cast<std::uintptr_t>(g.C) % 16 == 0 && g.ldc <= kIntMax;
  const std::int64_t ldo = direct ? g.ldc : (g.N + 3) / 4 * 4;
  const std::int64_t so = direct ? c_flat : g.M * ldo;
  std::unique_ptr<StreamBuffer> cbuf;
  std::int32_t* out = g.C;
  if (!direct) {
    cbuf = std::make_unique<StreamBuffer>(static_cast<std::size_t>(Z * g.M * ldo) * 4, stream);
    out = static_cast<std::int32_t*>(cbuf->p);
  }

  cublasHandle_t h = cublas_handle();
  CUBLAS_CHECK(cublasSetStream(h, stream));
  const std::int32_t alpha = 1, beta = 0;
  CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      h, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(g.N), static_cast<int>(g.M),
      static_cast<int>(Kt), &alpha, Bp, CUDA_R_8I, static_cast<int>(Kt), ZB > 1 ? g.N * Kt : 0, Ap,
      CUDA_R_8I, static_cast<int>(Kt), ZA > 1 ? g.M * Kt : 0, &beta, out, CUDA_R_32I,
      static_cast<int>(ldo), so, static_cast<int>(Z), CUBLAS_COMPUTE_32I, CUBLAS_GEMM_DEFAULT));

  if (!direct || epi.on) {
    BatchedGemm g2 = g;
    if (direct) g2.C = nullptr;  // already in place; only the epilogue remains
    // scratch/direct output is flat over z: offset z * so == zo * (n_inner * so) + zi * so
    apply_epilogue(g2, out, ldo, g.n_inner * so, so, epi, stream);
  }
  return true;
}

}  // namespace axx::emulator::cuda_detail
