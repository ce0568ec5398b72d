// Path::Baseline on the GPU: a kernel of TransAxx's design (Danopoulos et al., "TransAxx", 2024):
// the int32 table in global memory read through the read-only data cache, 16x16 operand tiles in
// shared memory, one output per thread. It is the baseline the fast LUT and low-rank kernels are
// measured against, on single GEMMs (bench/emulator_cuda) and on whole models (bench/python).
#include <cuda_runtime.h>

#include "emulator/common/lut_math.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"

namespace axx::emulator::cuda_detail {
namespace {

constexpr int kTile = 16;

__global__ void baseline_gemm_kernel(BatchedGemm g, const std::int32_t* __restrict__ lut) {
  __shared__ std::uint8_t As[kTile][kTile], Bs[kTile][kTile];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const std::int64_t row = static_cast<std::int64_t>(blockIdx.y) * kTile + ty;
  const std::int64_t col = static_cast<std::int64_t>(blockIdx.x) * kTile + tx;
  const std::int64_t outer = blockIdx.z / g.n_inner, inner = blockIdx.z % g.n_inner;
  const std::uint8_t* A = g.A + outer * g.sa_o + inner * g.sa_i;
  const std::uint8_t* B = g.B + outer * g.sb_o + inner * g.sb_i;
  std::int32_t acc = 0;
  for (std::int64_t k0 = 0; k0 < g.K; k0 += kTile) {
    As[ty][tx] = (row < g.M && k0 + tx < g.K) ? A[row * g.lda + k0 + tx] : 0;
    Bs[ty][tx] = (k0 + ty < g.K && col < g.N) ? B[(k0 + ty) * g.ldb + col] : 0;
    __syncthreads();
    const int kn = g.K - k0 < kTile ? static_cast<int>(g.K - k0) : kTile;
    for (int kk = 0; kk < kn; ++kk) {
      const std::uint8_t a = As[ty][kk], b = Bs[kk][tx];
      acc = acc_add(acc, __ldg(&lut[g.transposed_table ? lut_index(b, a) : lut_index(a, b)]));
    }
    __syncthreads();
  }
  if (row < g.M && col < g.N) g.C[outer * g.sc_o + inner * g.sc_i + row * g.ldc + col] = acc;
}

}  // namespace

void baseline_gemm(const std::int32_t* lut, const BatchedGemm& g, cudaStream_t stream) {
  const std::int64_t batches = g.n_outer * g.n_inner;
  if (g.M == 0 || g.N == 0 || batches == 0) return;
  const dim3 block(kTile, kTile);
  const std::int64_t gx = (g.N + kTile - 1) / kTile, gy = (g.M + kTile - 1) / kTile;
  if (gy > 65535 || batches > 65535)
    throw Error("gemm_cuda: Path::Baseline supports at most 65535 row tiles and batches");
  const dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(gy), static_cast<unsigned>(batches));
  baseline_gemm_kernel<<<grid, block, 0, stream>>>(g, lut);
  CUDA_CHECK_LAUNCH();
}

}  // namespace axx::emulator::cuda_detail
