// Exact low-rank GEMM on tensor cores (docs/emulator-cuda.md).
//
//   lut[a][b] = val(a) val(b) + sum_r u_r[a] v_r[b]
//   => C[i][j] = sum_t sum_k f_t(A[i][k]) g_t(B[k][j])      (terms t: (val, val), (u_r, v_r))
//
// Every term becomes one or more "slices" (f, g) whose tables fit int8 (the int8 slices of
// emulator/common/lowrank_encoding.h), and the slices are stacked along K:
// A' = [f_0(A) | f_1(A) | ...] (M x S*Kp) and B' = [g_0(B); g_1(B); ...], so the whole
// approximate GEMM is ONE int8 x int8 -> int32 cuBLAS GEMM (IMMA tensor cores). Integer
// products and int32 accumulation are exact modulo 2^32, the same ring as the LUT path, so the
// result equals the table lookup bit for bit for any K.
//
// Tables too wide for kMaxSlices slices make the path decline (the LUT kernel runs); so does
// Path::Auto where the cost model (cost_model.h) expects the LUT kernel to be faster. The gather
// kernels hold all S slice tables in dynamic shared memory (S * 256 bytes, up to 216 KiB), so
// their grids are sized to the blocks that fit an SM at once: each block loads the tables once.
//
// Planning (plan_slices) needs the factor tables, which live on the device. The plan (signs,
// shifts and part counts per term, not the tables) is cached per (u, v, rank, signedness, device); only a cache
// miss reads the tables back and synchronizes. Every call then builds the int8 slice tables on
// the device from the CURRENT u and v and verifies that they reconstruct every factor exactly. If
// they do not (the memory behind u or v was overwritten with another form since it was planned),
// a LUT kernel queued behind the GEMM, which otherwise exits at once, recomputes the result, and
// a flag in mapped host memory makes the next call re-plan. So the cache can never make a result
// inexact, and the common call never waits for the device.
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
#include <tuple>
#include <utility>
#include <vector>

#include "emulator/common/lowrank_encoding.h"
#include "emulator/common/lut_math.h"
#include "emulator/cuda/cost_model.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"

namespace axx::emulator::cuda_detail {
namespace {

constexpr std::int64_t kPadK = 16;

// ---- device kernels ------------------------------------------------------------------------

// Slice tables from the current u and v under a plan (slice_entries). Any entry the plan cannot
// reproduce exactly raises both flags.
__global__ void prepare_slices_kernel(const LowRankView form, const SlicePlan plan, bool transposed,
                                      std::int8_t* __restrict__ a_tab,
                                      std::int8_t* __restrict__ b_tab, int* dev_flag,
                                      int* host_flag) {
  const int a = threadIdx.x;  // 256 threads: one table entry each
  if (!slice_entries(form, plan, a, transposed, a_tab, b_tab)) {
    *dev_flag = 1;
    *reinterpret_cast<volatile int*>(host_flag) = 1;
  }
}

// dst[0..15] = tab[byte(q)] for q in 0..15 (0 where !valid(q)), as one 16-byte store; dst is
// 16-byte aligned (slices are padded to Kp, a multiple of 16).
template <class Byte, class Valid>
__device__ __forceinline__ void store_translated16(const std::uint8_t* tab, Byte byte, Valid valid,
                                                   std::int8_t* dst) {
  std::uint32_t w[4];
#pragma unroll
  for (int q = 0; q < 4; ++q) {
    std::uint32_t x = 0;
#pragma unroll
    for (int b = 0; b < 4; ++b) {
      const std::uint32_t e = valid(4 * q + b) ? tab[byte(4 * q + b)] : 0u;
      x |= e << (8 * b);
    }
    w[q] = x;
  }
  *reinterpret_cast<uint4*>(dst) = make_uint4(w[0], w[1], w[2], w[3]);
}

// All S slice tables into shared memory, 16 bytes per load (the tables are 16-byte aligned).
__device__ __forceinline__ void load_tables(const std::int8_t* __restrict__ tables, int S,
                                            std::uint8_t* tab) {
  const uint4* src = reinterpret_cast<const uint4*>(tables);
  uint4* dst = reinterpret_cast<uint4*>(tab);
  for (int t = threadIdx.x; t < S * 16; t += blockDim.x) dst[t] = __ldg(src + t);
}

// A'[z][i][s*Kp + k] = f_s(A[z][i][k]); one thread = 16 consecutive k of one row, all slices.
__global__ void gather_a_kernel(const std::uint8_t* __restrict__ A, std::int64_t lda,
                                std::int64_t sa_o, std::int64_t sa_i, std::int64_t n_inner,
                                std::int64_t M, std::int64_t K, std::int64_t Kp,
                                const std::int8_t* __restrict__ tables, int S,
                                std::int8_t* __restrict__ out, std::int64_t Z) {
  extern __shared__ __align__(16) std::uint8_t tab[];  // S * 256 bytes
  load_tables(tables, S, tab);
  __syncthreads();
  const std::int64_t chunks = Kp / 16, Kt = S * Kp;
  const std::int64_t total = Z * M * chunks;
  for (std::int64_t t = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t c = t % chunks, row = t / chunks, z = row / M, i = row % M;
    const std::uint8_t* src = A + (z / n_inner) * sa_o + (z % n_inner) * sa_i + i * lda + c * 16;
    const std::int64_t avail = K - c * 16;
    std::uint8_t v[16];
    if (avail >= 16 && (reinterpret_cast<std::uintptr_t>(src) & 15) == 0) {
      const uint4 w = __ldg(reinterpret_cast<const uint4*>(src));
      const std::uint32_t ws[4] = {w.x, w.y, w.z, w.w};
#pragma unroll
      for (int q = 0; q < 16; ++q) v[q] = static_cast<std::uint8_t>(ws[q / 4] >> (8 * (q % 4)));
    } else {
#pragma unroll
      for (int q = 0; q < 16; ++q) v[q] = q < avail ? __ldg(src + q) : 0;
    }
    std::int8_t* dst = out + row * Kt + c * 16;
    for (int s = 0; s < S; ++s)
      store_translated16(
          tab + s * 256, [&](int q) { return v[q]; }, [&](int q) { return q < avail; },
          dst + s * Kp);
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
  extern __shared__ __align__(16) std::uint8_t tab[];  // S * 256 bytes
  __shared__ std::uint8_t tile[kTileT][kTileT + 4];
  load_tables(tables, S, tab);
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
  // each thread: one j, 16 consecutive k, every slice s = group (mod groups); blockDim.x is a
  // multiple of the 256 (j, k chunk) pairs of a tile
  constexpr int kPairs = kTileT * (kTileT / 16);
  const int groups = static_cast<int>(blockDim.x) / kPairs, group = threadIdx.x / kPairs;
  {
    const int t = threadIdx.x % kPairs;
    const int jj = t / (kTileT / 16), kc = t % (kTileT / 16);
    const std::int64_t j = j0 + jj, kb = k0 + kc * 16;
    if (j >= N || kb >= Kp) return;
    std::int8_t* dst = out + (z * N + j) * Kt + kb;
    for (int s = group; s < S; s += groups)
      store_translated16(
          tab + s * 256, [&](int q) { return tile[kc * 16 + q][jj]; },
          [&](int q) { return k0 + kc * 16 + q < K; }, dst + s * Kp);
  }
}

// C = the GEMM's scratch result c (flat over z: batch z at z * sc). One row (z, i) per loop step
// of a block, its threads along j: the index arithmetic is per row.
__global__ void copy_result_kernel(std::int64_t M, std::int64_t N, std::int64_t n_inner,
                                   std::int64_t Z, const std::int32_t* __restrict__ c,
                                   std::int64_t ldc, std::int64_t sc, std::int32_t* C,
                                   std::int64_t ldC, std::int64_t sC_o, std::int64_t sC_i) {
  for (std::int64_t row = blockIdx.x; row < Z * M; row += gridDim.x) {
    const std::int64_t i = row % M, z = row / M, zo = z / n_inner, zi = z % n_inner;
    const std::int32_t* src = c + z * sc + i * ldc;
    std::int32_t* dst = C + zo * sC_o + zi * sC_i + i * ldC;
    for (std::int64_t j = threadIdx.x; j < N; j += blockDim.x) dst[j] = src[j];
  }
}

// Dynamic shared memory a block of kernel may use on the current device (the opt-in limit minus
// what the kernel declares statically), queried once per thread, kernel and device.
int max_dynamic_smem(const void* kernel) {
  thread_local std::map<std::pair<const void*, int>, int> known;
  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  auto it = known.find({kernel, dev});
  if (it != known.end()) return it->second;
  int optin = 0;
  CUDA_CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
  cudaFuncAttributes attr{};
  CUDA_CHECK(cudaFuncGetAttributes(&attr, kernel));
  const int bytes = optin - static_cast<int>(attr.sharedSizeBytes);
  known[{kernel, dev}] = bytes;
  return bytes;
}

// Lets kernel's launches use all the dynamic shared memory the device offers (beyond the 48 KiB
// default). Always the same value, so that concurrent calls with different slice counts cannot
// lower it under each other's launches.
void allow_smem(const void* kernel) {
  CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  max_dynamic_smem(kernel)));
}

// A grid-stride grid for `work` items: no more blocks than fit on the device at once, since each
// block first loads all slice tables (up to 216 KiB) into shared memory.
unsigned grid_for(const void* kernel, std::int64_t work, int threads, std::size_t smem) {
  const std::int64_t blocks = (work + threads - 1) / threads;
  int per_sm = 0;
  CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, threads, smem));
  const std::int64_t cap = static_cast<std::int64_t>(device_sm_count()) * std::max(per_sm, 1);
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
  StreamBuffer(std::size_t bytes, cudaStream_t stream) : p(stream_alloc(bytes, stream)), s(stream) {}
  ~StreamBuffer() { stream_free(p, s); }
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

void copy_result(const BatchedGemm& g, const std::int32_t* c, std::int64_t ldc, std::int64_t sc,
                 cudaStream_t stream) {
  const std::int64_t Z = g.n_outer * g.n_inner;
  const int threads = g.N >= 256 ? 256 : (g.N >= 128 ? 128 : 64);
  const std::int64_t rows = Z * g.M;
  const auto blocks = static_cast<unsigned>(
      std::min<std::int64_t>(rows, std::int64_t{device_sm_count()} * 64));
  copy_result_kernel<<<blocks, threads, 0, stream>>>(g.M, g.N, g.n_inner, Z, c, ldc, sc, g.C,
                                                     g.ldc, g.sc_o, g.sc_i);
  CUDA_CHECK_LAUNCH();
}

struct PlanKey {
  const std::int32_t* u;
  const std::int32_t* v;
  int rank;
  bool is_signed;
  int device;
  bool operator<(const PlanKey& o) const {
    return std::tie(u, v, rank, is_signed, device) < std::tie(o.u, o.v, o.rank, o.is_signed, o.device);
  }
};

struct Plan {
  bool fits = false;  // false: no slice plan (too many slices, or an all-zero table: LUT path)
  SlicePlan slices;
  int* host_flag = nullptr;  // mapped pinned memory: set by the device when the plan went stale
};

// The plan of the form's current tables, read back from the device.
Plan make_plan(const LowRankView& form, cudaStream_t stream) {
  std::vector<std::int32_t> u(static_cast<std::size_t>(form.rank) * 256),
      v(static_cast<std::size_t>(form.rank) * 256);
  if (form.rank > 0) {
    CUDA_CHECK(cudaMemcpyAsync(u.data(), form.u, u.size() * 4, cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaMemcpyAsync(v.data(), form.v, v.size() * 4, cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));
  }
  Plan plan;
  plan.fits = plan_slices(LowRankView{form.rank, form.is_signed, u.data(), v.data()}, plan.slices);
  return plan;
}

// The cached plan of a form (re-planned when the device reported it stale).
Plan get_plan(const LowRankView& form, cudaStream_t stream) {
  static std::mutex mu;
  static std::map<PlanKey, Plan> cache;
  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  const PlanKey key{form.u, form.v, form.rank, form.is_signed, dev};
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it != cache.end() && !*reinterpret_cast<volatile int*>(it->second.host_flag))
    return it->second;
  int* flag = nullptr;
  if (it != cache.end()) {
    flag = it->second.host_flag;  // reused: in-flight kernels may still write it
  } else {
    if (cache.size() >= 4096) cache.clear();  // flags of dropped entries stay allocated (4 bytes)
    CUDA_CHECK(cudaHostAlloc(reinterpret_cast<void**>(&flag), sizeof(int),
                             cudaHostAllocMapped | cudaHostAllocPortable));
  }
  Plan plan = make_plan(form, stream);
  *reinterpret_cast<volatile int*>(flag) = 0;
  plan.host_flag = flag;
  cache[key] = plan;
  return plan;
}

}  // namespace

int lowrank_slices(const LowRankView& form, cudaStream_t stream) {
  if (form.rank < 0 || (form.rank > 0 && (!form.u || !form.v))) return 0;
  const Plan plan = get_plan(form, stream);
  return plan.fits ? plan.slices.slices : 0;
}

bool lowrank_gemm(const LowRankView& form, const std::int32_t* lut, const BatchedGemm& g,
                  cudaStream_t stream, bool by_cost) {
  if (g.K == 0 || form.rank < 0 || (form.rank > 0 && (!form.u || !form.v))) return false;
  const Plan plan = get_plan(form, stream);
  if (!plan.fits) return false;
  const int S = plan.slices.slices;
  if (by_cost && !cost_model().lowrank_is_faster(g.n_outer * g.n_inner, g.M, g.N, g.K, S))
    return false;
  const std::int64_t Kp = (g.K + kPadK - 1) / kPadK * kPadK, Kt = S * Kp;
  const std::int64_t Z = g.n_outer * g.n_inner;
  const bool a_bcast = g.sa_o == 0 && g.sa_i == 0, b_bcast = g.sb_o == 0 && g.sb_i == 0;
  const std::int64_t ZA = a_bcast ? 1 : Z, ZB = b_bcast ? 1 : Z;
  constexpr std::int64_t kIntMax = 0x7fffffff;
  if (g.M > kIntMax || g.N > kIntMax || Kt > kIntMax || Z > kIntMax || ZB > 65535) return false;
  // The slice tables must fit the gather kernels' shared memory on this device (they do on sm_90
  // for every plan: kMaxSlices is sized for it).
  const std::size_t tab_bytes = static_cast<std::size_t>(S) * 256;
  const auto* ga = reinterpret_cast<const void*>(gather_a_kernel);
  const auto* gb = reinterpret_cast<const void*>(gather_bt_kernel);
  if (static_cast<std::int64_t>(tab_bytes) > std::min(max_dynamic_smem(ga), max_dynamic_smem(gb)))
    return false;

  // Slice tables (A side, B side) and the stale-plan flag, built on the device.
  StreamBuffer dtab(static_cast<std::size_t>(2 * S) * 256 + 16, stream);
  auto* a_tab = static_cast<std::int8_t*>(dtab.p);
  auto* b_tab = a_tab + static_cast<std::size_t>(S) * 256;
  int* dev_flag = reinterpret_cast<int*>(b_tab + static_cast<std::size_t>(S) * 256);
  CUDA_CHECK(cudaMemsetAsync(dev_flag, 0, sizeof(int), stream));
  int* host_flag_dev = nullptr;
  CUDA_CHECK(cudaHostGetDevicePointer(reinterpret_cast<void**>(&host_flag_dev), plan.host_flag, 0));
  prepare_slices_kernel<<<1, 256, 0, stream>>>(form, plan.slices, g.transposed_table, a_tab,
                                               b_tab, dev_flag, host_flag_dev);
  CUDA_CHECK_LAUNCH();

  StreamBuffer abuf(static_cast<std::size_t>(ZA * g.M * Kt), stream);
  StreamBuffer bbuf(static_cast<std::size_t>(ZB * g.N * Kt), stream);
  auto* Ap = static_cast<std::int8_t*>(abuf.p);
  auto* Bp = static_cast<std::int8_t*>(bbuf.p);
  allow_smem(ga);
  allow_smem(gb);
  // Beyond a quarter of the SM's shared memory (about 220 slices) fewer than four blocks fit an
  // SM: the blocks grow to 1024 threads, so that an SM still runs 32 warps.
  const int threads = tab_bytes * 4 > static_cast<std::size_t>(max_dynamic_smem(ga)) ? 1024 : 256;
  gather_a_kernel<<<grid_for(ga, ZA * g.M * (Kp / 16), threads, tab_bytes), threads, tab_bytes,
                    stream>>>(
      g.A, g.lda, g.sa_o, g.sa_i, g.n_inner, g.M, g.K, Kp, a_tab, S, Ap, ZA);
  CUDA_CHECK_LAUNCH();
  {
    const dim3 grid(static_cast<unsigned>((g.N + kTileT - 1) / kTileT),
                    static_cast<unsigned>((Kp + kTileT - 1) / kTileT), static_cast<unsigned>(ZB));
    gather_bt_kernel<<<grid, threads, tab_bytes, stream>>>(g.B, g.ldb, g.sb_o, g.sb_i, g.n_inner,
                                                           g.N, g.K, Kp, b_tab, S, Bp);
    CUDA_CHECK_LAUNCH();
  }

  // Output straight into C when its layout suits cuBLAS, else into a scratch buffer.
  const std::int64_t c_flat = flat_stride(g.sc_o, g.sc_i, g.n_outer, g.n_inner);
  const bool direct = c_flat >= 0 && g.ldc % 4 == 0 && c_flat % 4 == 0 &&
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

  if (!direct) copy_result(g, out, ldo, so, stream);
  // Exits at once unless the slices did not reproduce the form (see the top of this file).
  lut_gemm(lut, g, stream, -1, dev_flag);
  return true;
}

}  // namespace axx::emulator::cuda_detail
