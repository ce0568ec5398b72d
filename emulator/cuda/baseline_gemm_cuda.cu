// Path::Baseline on the GPU: a faithful reproduction of TransAxx's kernel (Danopoulos et al.,
// "TransAxx", 2024), the baseline the fast LUT and low-rank kernels are measured against, on single
// GEMMs (bench/emulator_cuda) and on whole models (bench/python). As in TransAxx:
//   - the table is a `short` (int16) 256x256 array in global memory, read through __ldg (the
//     read-only data cache);
//   - 16x16 operand tiles in shared memory, one output per thread;
//   - the inner loop over a tile is a fully unrolled 16-step loop (K is padded to a multiple of 16
//     with zero operands; the padded lookups add lut[0][0] each, which is subtracted once at the
//     end, modulo 2^32 like every sum, so the result stays exact for any table).
// Tables whose entries do not fit int16 run the same kernel on the int32 table (the "int32
// variant", which TransAxx does not have; benchmarks label it as such).
//
// The library keeps int32 tables, so each call narrows the table on the device into scratch
// memory (a 256-block kernel, a few microseconds) and raises a flag when some entry does not fit;
// the int16 kernel then runs unless the flag is set, and the int32 variant only if it is (the
// other launch exits at once). bench/emulator_cuda times the int16 kernel alone on a table
// narrowed beforehand, as TransAxx runs it (baseline_gemm_int16).
#include <cuda_runtime.h>

#include "emulator/common/lut_math.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"

namespace axx::emulator::cuda_detail {
namespace {

constexpr int kTile = 16;

// gate: null, or run only when (*gate != 0) == gate_value.
template <class Entry, bool kTransposed>
__global__ void baseline_gemm_kernel(BatchedGemm g, const Entry* __restrict__ lut, const int* gate,
                                     bool gate_value) {
  if (gate && ((*gate != 0) != gate_value)) return;
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
#pragma unroll
    for (int kk = 0; kk < kTile; ++kk) {
      const int a = As[ty][kk], b = Bs[kk][tx];
      acc = acc_add(acc, static_cast<std::int32_t>(__ldg(&lut[kTransposed ? b * 256 + a : a * 256 + b])));
    }
    __syncthreads();
  }
  // Each padded k added lut[0][0]: take them out again.
  const std::int64_t pad = (kTile - g.K % kTile) % kTile;
  if (pad) {
    const std::uint32_t l00 = static_cast<std::uint32_t>(static_cast<std::int32_t>(__ldg(&lut[0])));
    acc = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) -
                                    static_cast<std::uint32_t>(pad) * l00);
  }
  if (row < g.M && col < g.N) g.C[outer * g.sc_o + inner * g.sc_i + row * g.ldc + col] = acc;
}

// lut16[e] = lut[e]; *overflow = 1 when some entry is outside int16.
__global__ void narrow_table_kernel(const std::int32_t* __restrict__ lut, std::int16_t* lut16,
                                    int* overflow) {
  const int e = blockIdx.x * blockDim.x + threadIdx.x;
  const std::int32_t x = lut[e];
  lut16[e] = static_cast<std::int16_t>(x);
  if (x < -32768 || x > 32767) *overflow = 1;
}

template <class Entry>
void launch(const Entry* lut, const BatchedGemm& g, cudaStream_t stream, const int* gate,
            bool gate_value) {
  const std::int64_t batches = g.n_outer * g.n_inner;
  if (g.M == 0 || g.N == 0 || batches == 0) return;
  const dim3 block(kTile, kTile);
  const std::int64_t gx = (g.N + kTile - 1) / kTile, gy = (g.M + kTile - 1) / kTile;
  if (gy > 65535 || batches > 65535)
    throw Error("gemm_cuda: Path::Baseline supports at most 65535 row tiles and batches");
  const dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(gy), static_cast<unsigned>(batches));
  if (g.transposed_table)
    baseline_gemm_kernel<Entry, true><<<grid, block, 0, stream>>>(g, lut, gate, gate_value);
  else
    baseline_gemm_kernel<Entry, false><<<grid, block, 0, stream>>>(g, lut, gate, gate_value);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

void baseline_gemm_int16(const std::int16_t* lut16, const BatchedGemm& g, cudaStream_t stream) {
  launch(lut16, g, stream, nullptr, false);
}

void baseline_gemm_int32(const std::int32_t* lut, const BatchedGemm& g, cudaStream_t stream) {
  launch(lut, g, stream, nullptr, false);
}

bool narrow_table(const std::int32_t* lut, std::int16_t* lut16, int* overflow, cudaStream_t stream) {
  CUDA_CHECK(cudaMemsetAsync(overflow, 0, sizeof(int), stream));
  narrow_table_kernel<<<kLutEntries / 256, 256, 0, stream>>>(lut, lut16, overflow);
  CUDA_CHECK_LAUNCH();
  return true;
}

void baseline_gemm(const std::int32_t* lut, const BatchedGemm& g, cudaStream_t stream) {
  const std::int64_t batches = g.n_outer * g.n_inner;
  if (g.M == 0 || g.N == 0 || batches == 0) return;
  void* scratch = stream_alloc(kLutEntries * sizeof(std::int16_t) + 16, stream);
  auto* lut16 = static_cast<std::int16_t*>(scratch);
  int* overflow = reinterpret_cast<int*>(lut16 + kLutEntries);
  try {
    narrow_table(lut, lut16, overflow, stream);
    launch(lut16, g, stream, overflow, false);  // entries fit int16 (TransAxx's table)
    launch(lut, g, stream, overflow, true);     // int32 variant
  } catch (...) {
    stream_free(scratch, stream);
    throw;
  }
  stream_free(scratch, stream);
}

}  // namespace axx::emulator::cuda_detail
