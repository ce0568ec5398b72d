// conv2d on CUDA: an im2col pass, then every (sample, group) pair as one batched GEMM launch
// (no per-sample host loop).
//
// The GEMM puts the weights in A (rows = output channels of the group) and the unfolded input in
// B (rows = (c, kh, kw), columns = output pixels), so C[o][p] lands directly in the NCHW output
// y[n][g*Og + o][p] with ldc = OH*OW. The table's row must stay the activation (docs/emulator.md,
// "Semantics"), so the kernels look the table up transposed (BatchedGemm::transposed_table).
// Padded input positions read operand pattern 0, as on the CPU.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "axx/error.h"
#include "emulator/common/problem_check.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"
#include "emulator/emulator.h"

namespace axx::emulator {
namespace cuda_detail {

void run_gemm(const TableRef& table, const BatchedGemm& g, Path path, cudaStream_t stream);

namespace {

// col[n][c][kh][kw][oh*OW + ow] = x[n][c][oh*sh - ph + kh*dh][ow*sw - pw + kw*dw] (0 outside);
// c runs over all C channels, so group g's rows are the contiguous block c in [g*Cg, (g+1)*Cg).
__global__ void im2col_kernel(const std::uint8_t* __restrict__ x, std::uint8_t* __restrict__ col,
                              std::int64_t N, std::int64_t C, std::int64_t H, std::int64_t W,
                              std::int64_t KH, std::int64_t KW, std::int64_t OH, std::int64_t OW,
                              std::int64_t sh, std::int64_t sw, std::int64_t ph, std::int64_t pw,
                              std::int64_t dh, std::int64_t dw) {
  const std::int64_t P = OH * OW, total = N * C * KH * KW * P;
  for (std::int64_t t = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; t < total;
       t += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t p = t % P;
    std::int64_t r = t / P;
    const std::int64_t kw = r % KW;
    r /= KW;
    const std::int64_t kh = r % KH;
    r /= KH;
    const std::int64_t c = r % C, n = r / C;
    const std::int64_t ih = (p / OW) * sh - ph + kh * dh, iw = (p % OW) * sw - pw + kw * dw;
    col[t] = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[((n * C + c) * H + ih) * W + iw] : 0;
  }
}

}  // namespace
}  // namespace cuda_detail

void conv2d_cuda(const TableRef& table, const Conv2dProblem& p, Path path, void* stream_ptr) {
  using namespace cuda_detail;
  check_conv2d_problem(table, p, "conv2d_cuda");
  check_path(table, path, "conv2d_cuda");
  if (!cuda_available()) throw Error("conv2d_cuda: no CUDA device is present");
  const std::int64_t OH = p.out_h(), OW = p.out_w(), P = OH * OW;
  if (p.N == 0 || p.O == 0 || P == 0) return;
  auto stream = static_cast<cudaStream_t>(stream_ptr);
  const std::int64_t G = p.groups, Cg = p.C / G, Og = p.O / G, Kg = Cg * p.KH * p.KW;

  std::uint8_t* col = nullptr;
  const std::int64_t col_bytes = p.N * p.C * p.KH * p.KW * P;
  if (col_bytes > 0) {
    col = static_cast<std::uint8_t*>(stream_alloc(static_cast<std::size_t>(col_bytes), stream));
    const std::int64_t blocks = std::min<std::int64_t>((col_bytes + 255) / 256,
                                                       std::int64_t{device_sm_count()} * 32);
    im2col_kernel<<<static_cast<unsigned>(blocks), 256, 0, stream>>>(
        p.x, col, p.N, p.C, p.H, p.W, p.KH, p.KW, OH, OW, p.stride_h, p.stride_w, p.pad_h, p.pad_w,
        p.dil_h, p.dil_w);
    if (cudaPeekAtLastError() != cudaSuccess) stream_free(col, stream);
    CUDA_CHECK_LAUNCH();
  }

  BatchedGemm g;
  g.M = Og;
  g.N = P;
  g.K = Kg;
  g.n_outer = p.N;
  g.n_inner = G;
  g.A = p.w;
  g.lda = std::max<std::int64_t>(Kg, 1);
  g.sa_o = 0;
  g.sa_i = Og * Kg;
  g.B = col;
  g.ldb = P;
  g.sb_o = G * Kg * P;
  g.sb_i = Kg * P;
  g.C = p.y;
  g.ldc = P;
  g.sc_o = p.O * P;
  g.sc_i = Og * P;
  g.transposed_table = true;
  try {
    run_gemm(table, g, path, stream);
  } catch (...) {
    stream_free(col, stream);
    throw;
  }
  stream_free(col, stream);
}

}  // namespace axx::emulator
