// Internal interface of the CUDA kernels (not installed; the public API is emulator/emulator.h).
// Every path works on one BatchedGemm: a strided GEMM with a two-level batch z = zo*n_inner + zi,
// so that conv2d can run (sample, group) pairs in one launch without a host loop.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "emulator/cuda/lut_tilings.h"
#include "emulator/emulator.h"

namespace axx::emulator::cuda_detail {

struct BatchedGemm {
  std::int64_t M = 0, N = 0, K = 0;
  std::int64_t n_outer = 1, n_inner = 1;
  const std::uint8_t* A = nullptr;
  std::int64_t lda = 0, sa_o = 0, sa_i = 0;
  const std::uint8_t* B = nullptr;
  std::int64_t ldb = 0, sb_o = 0, sb_i = 0;
  std::int32_t* C = nullptr;
  std::int64_t ldc = 0, sc_o = 0, sc_i = 0;
  // Look up lut[b][a] instead of lut[a][b]. conv2d puts the weights in A (so that the output is
  // NCHW without a transpose pass) and keeps the table's row = activation convention this way.
  bool transposed_table = false;
};

// The public strided batched GEMM as a BatchedGemm (one batch level: n_outer = batch).
inline BatchedGemm batched_of(const GemmProblem& p) {
  BatchedGemm g;
  g.M = p.M;
  g.N = p.N;
  g.K = p.K;
  g.n_outer = p.batch;
  g.A = p.A;
  g.lda = p.lda;
  g.sa_o = p.stride_a;
  g.B = p.B;
  g.ldb = p.ldb;
  g.sb_o = p.stride_b;
  g.C = p.C;
  g.ldc = p.ldc;
  g.sc_o = p.stride_c;
  return g;
}

// LUT kernel (lut_gemm_cuda.cu). variant < 0: the tiling is chosen per shape;
// 0..kLutVariants-1 select one of the compiled tilings, the lines of kLutTilings (lut_tilings.h;
// the benchmark compares them): the first kLutFixedVariants are power-of-two tiles, the rest
// ragged ones for small odd shapes (attention; 8 and up with one barrier per K stage; 15-20 are
// power-of-two-like tiles on that one-barrier walk, 20-22 keep each warp on one tile row).
// kLutChooseFixed: chosen per shape among the fixed ones only (the choice before the ragged
// tiles; also what AXX_CUDA_LUT_TILES=fixed makes the default).
// AXX_CUDA_LUT_VARIANT=<n> makes variant < 0 run tiling n (measurements).
constexpr int kLutChooseFixed = -2;
const char* lut_variant_name(int variant);
// gate: when non-null, the kernel does nothing unless *gate != 0 (device memory; the low-rank
// path's fallback when its slices turned out stale).
void lut_gemm(const std::int32_t* lut, const BatchedGemm& g, cudaStream_t stream,
              int variant = -1, const int* gate = nullptr);
// Tests only: caps the LUT kernel's persistent grid at `blocks` (0: one block per SM, the normal
// grid), so that small problems make each block walk many tiles (tests/emulator: LutWalks, small
// enough for compute-sanitizer's racecheck). Process-wide; not for concurrent callers.
void set_lut_grid_cap_for_testing(int blocks);

// Path::Baseline: TransAxx's kernel (baseline_gemm_cuda.cu): int16 table in global memory
// through the read-only cache, 16x16 shared tiles, unrolled 16-step loop, one output per thread.
// baseline_gemm narrows the int32 table per call and runs the int16 kernel, or the int32 variant
// when some entry does not fit int16.
void baseline_gemm(const std::int32_t* lut, const BatchedGemm& g, cudaStream_t stream);
// The kernel on a table narrowed beforehand (as TransAxx runs it), and the int32 variant.
void baseline_gemm_int16(const std::int16_t* lut16, const BatchedGemm& g, cudaStream_t stream);
void baseline_gemm_int32(const std::int32_t* lut, const BatchedGemm& g, cudaStream_t stream);
// lut16 = lut narrowed to int16; *overflow (device memory) set to 1 when some entry does not fit.
bool narrow_table(const std::int32_t* lut, std::int16_t* lut16, int* overflow, cudaStream_t stream);

// Exact low-rank path (lowrank_gemm_cuda.cu). Returns false, having launched nothing, when the
// form does not fit the exact tensor-core operand ranges (the caller then runs the LUT kernel).
// lut is the form's table, for the in-stream fallback. by_cost: also decline when the cost model
// (cost_model.h) expects the LUT kernel to be faster for this form and shape (Path::Auto).
bool lowrank_gemm(const LowRankView& form, const std::int32_t* lut, const BatchedGemm& g,
                  cudaStream_t stream, bool by_cost = false);
// The number of int8 slices of the form's plan (0: no plan; the path declines). Plans are cached.
int lowrank_slices(const LowRankView& form, cudaStream_t stream);

// Stream-ordered scratch memory from the emulator's own pool, which keeps freed memory for reuse
// (the default pool would return it to the driver at every synchronization).
void* stream_alloc(std::size_t bytes, cudaStream_t stream);
void stream_free(void* p, cudaStream_t stream);

int device_sm_count();

}  // namespace axx::emulator::cuda_detail
