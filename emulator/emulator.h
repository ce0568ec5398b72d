// Public interface of the approximate-GEMM emulator. No torch and no CUDA headers here: CUDA entry
// points take device pointers and the stream as an opaque pointer (cudaStream_t), so code that
// includes this header builds without nvcc.
//
// Semantics (docs/emulator.md):
//   C[b][i][j] = sum_k lut[A[b][i][k]][B[b][k][j]]   with int32 accumulation,
// where operands are raw 8-bit patterns (int8 two's complement for a signed table, uint8 otherwise)
// and lut is a 256x256 int32 table indexed lut[a_pattern * 256 + b_pattern]. Tables of narrower
// operands are expanded to 256x256 by the caller (see expand_table in lutgen).
#pragma once
#include <cstdint>

namespace axx::emulator {

// A strided batched GEMM over 8-bit operand patterns. Row-major: A element (i,k) of batch b at
// A[b*stride_a + i*lda + k], B element (k,j) at B[b*stride_b + k*ldb + j], C (i,j) at
// C[b*stride_c + i*ldc + j]. A stride of 0 broadcasts that operand over the batch.
struct GemmProblem {
  std::int64_t batch = 1, M = 0, N = 0, K = 0;
  const std::uint8_t* A = nullptr;
  std::int64_t lda = 0, stride_a = 0;
  const std::uint8_t* B = nullptr;
  std::int64_t ldb = 0, stride_b = 0;
  std::int32_t* C = nullptr;
  std::int64_t ldc = 0, stride_c = 0;
};

// The exact low-rank form of a table (lutgen::decompose finds it):
//   lut[a][b] = value(a) * value(b) + sum_r u[r*256 + a] * v[r*256 + b]
// where value() reads the pattern as signed or unsigned according to is_signed.
struct LowRankView {
  int rank = 0;
  bool is_signed = true;
  const std::int32_t* u = nullptr;  // rank x 256
  const std::int32_t* v = nullptr;  // rank x 256
};

// Direct convolution problem: input x is NCHW, weight w is OIHW with I = C / groups, output y is
// N x O x OH x OW (all contiguous, 8-bit patterns in, int32 out). Runs as implicit GEMM / im2col.
struct Conv2dProblem {
  std::int64_t N = 0, C = 0, H = 0, W = 0;
  std::int64_t O = 0, KH = 1, KW = 1;
  std::int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dil_h = 1, dil_w = 1;
  std::int64_t groups = 1;
  const std::uint8_t* x = nullptr;
  const std::uint8_t* w = nullptr;
  std::int32_t* y = nullptr;
  std::int64_t out_h() const { return (H + 2 * pad_h - dil_h * (KH - 1) - 1) / stride_h + 1; }
  std::int64_t out_w() const { return (W + 2 * pad_w - dil_w * (KW - 1) - 1) / stride_w + 1; }
};

// A multiplier as the kernels see it: its 256x256 table and, where it has one, its exact low-rank
// form (lowrank.rank < 0 or u == nullptr: none). Host pointers for *_cpu, device pointers for *_cuda.
struct TableRef {
  const std::int32_t* lut = nullptr;
  LowRankView lowrank{-1, true, nullptr, nullptr};
  bool has_lowrank() const { return lowrank.rank >= 0 && (lowrank.rank == 0 || lowrank.u); }
};

// Which kernel family runs. Auto picks the fastest exact one (low-rank when the table has a form).
// Baseline is a kernel of the peers' design, the yardstick benchmarks measure the others against:
// on the CPU AdaPT's (a serial loop, one scalar table lookup per multiply), on CUDA TransAxx's
// (the table in global memory through the read-only cache, one output per thread). LowRank on a
// table without a form throws axx::UsageError; where the form does not fit the kernel's exact
// integer ranges (e.g. |u| or |v| > 32767 on the CPU) the LUT kernel runs instead. Every path
// gives the same int32 result; accumulation wraps modulo 2^32 (emulator/common/lut_math.h).
enum class Path { Auto, Lut, LowRank, Baseline };

// Table-gradient GEMM, the backward of C = A x B through a table (docs/emulator.md): with a float
// output gradient G (M x N per batch) and a 256x256 integer difference table D (indexed like the
// lut, D[a_pattern * 256 + b_pattern]), one side per call:
//   GradSide::A: out[b][i][k] = scale * sum_j G[b][i][j] * D[A[b][i][k]][B[b][k][j]]   (M x K)
//   GradSide::B: out[b][k][j] = scale * sum_i G[b][i][j] * D[A[b][i][k]][B[b][k][j]]   (K x N)
// Float accumulation, D entries taken as float (exact up to 2^24). Layout as GemmProblem (A, B,
// row-major, batch strides, 0 broadcasts); out is M x K (side A) or K x N (side B).
enum class GradSide { A, B };
struct GradProblem {
  std::int64_t batch = 1, M = 0, N = 0, K = 0;
  const std::uint8_t* A = nullptr;
  std::int64_t lda = 0, stride_a = 0;
  const std::uint8_t* B = nullptr;
  std::int64_t ldb = 0, stride_b = 0;
  const float* G = nullptr;
  std::int64_t ldg = 0, stride_g = 0;
  float* out = nullptr;
  std::int64_t ld_out = 0, stride_out = 0;
};

// Quantize and dequantize, the elementwise passes around a table product (docs/emulator.md), one
// pass each. Element i of a contiguous tensor uses the scale of channel c(i) = (i / inner) %
// channels: channels = 1 is one scale for all (inner is then ignored); a per-channel scale along
// dimension d of a contiguous tensor has channels = size(d) and inner = the product of the sizes
// after d. Pointers are host pointers for *_cpu, device pointers for *_cuda.
//   quantize:   q[i] = (int8) clamp(rint(x[i] / scale[c(i)]), qmin, qmax)
//   dequantize: y[i] = (float) acc[i] * scale[c(i)]
//               y[i] = ((float) acc[i] * scale[c(i)]) + bias[c(i)]     (with a bias)
// with IEEE float32 division, product and sum (no reciprocal, no fused multiply-add: the bias
// add is a second rounding after the product's) and rint rounding half to even, so they equal
// torch's `torch.round(x / s).clamp(qmin, qmax).to(torch.int8)`, `acc.to(torch.float32) * s` and
// `acc.to(torch.float32) * s + bias` bit for bit. +-inf (and any value beyond the range) clamps to
// qmax / qmin; NaN quantizes to 0 (torch leaves that conversion undefined). -128 <= qmin <= qmax
// <= 127. The bias of dequantize is optional (nullptr: none); it holds `channels` floats, indexed
// like the scale (a bias per channel with one scale: repeat the scale `channels` times). The
// per-element math is emulator/common/quant_math.h, the checks emulator/common/quant_check.h.
struct ScaleView {
  const float* scale = nullptr;  // channels floats
  std::int64_t channels = 1, inner = 1;
};

// --- CPU (emulator/cpu/) --------------------------------------------------------------------
void gemm_cpu(const TableRef& table, const GemmProblem& p, Path path = Path::Auto);
void conv2d_cpu(const TableRef& table, const Conv2dProblem& p, Path path = Path::Auto);

// CPU settings, process-wide (tests and benchmarks pin them; normal use leaves them alone).
// CpuIsa picks the kernels' instruction set: Auto = the best this CPU supports (checked at run
// time), Portable = plain C++, Avx2 = the SIMD kernels (LUT via per-k column tables, low-rank via
// vpmaddwd), AvxVnni = Avx2 + 256-bit AVX-VNNI (low-rank via VEX vpdpbusd/vpdpwssd; Alder
// Lake-class cores without AVX-512), Avx512 = AVX-512 F/BW/VL/VNNI/VBMI (low-rank via vpdpbusd/vpdpwssd;
// the LUT path keeps the AVX2 kernel, measured as fast), Amx = Avx512 plus AMX-INT8 tiles for low-rank forms whose terms fit bytes.
// Under Portable the low-rank path falls back to the LUT kernel (same result).
enum class CpuIsa { Auto, Portable, Avx2, AvxVnni, Avx512, Amx };
bool cpu_isa_supported(CpuIsa isa);
void set_cpu_isa(CpuIsa isa);  // throws axx::UsageError when this CPU lacks it
CpuIsa cpu_isa();              // the resolved choice (never Auto)
void set_cpu_threads(int n);   // worker threads for *_cpu (and lutgen, the simulator when given 0); 0 = all hardware threads
int cpu_threads();
void lut_grad_cpu(const std::int32_t* diff, float scale, GradSide side, const GradProblem& p);
void quantize_cpu(const float* x, std::int64_t n, const ScaleView& s, int qmin, int qmax,
                  std::int8_t* q);
void dequantize_cpu(const std::int32_t* acc, std::int64_t n, const ScaleView& s, float* y,
                    const float* bias = nullptr);

// --- CUDA (emulator/cuda/) ------------------------------------------------------------------
// All pointers in the problem and the table are device pointers; stream is a cudaStream_t
// (nullptr: the legacy default stream). Without CUDA support these throw axx::Error.
bool cuda_compiled();   // the library was built with the CUDA kernels
bool cuda_available();  // ... and a device is present at run time
void gemm_cuda(const TableRef& table, const GemmProblem& p, Path path, void* stream);
void conv2d_cuda(const TableRef& table, const Conv2dProblem& p, Path path, void* stream);
void lut_grad_cuda(const std::int32_t* diff, float scale, GradSide side, const GradProblem& p,
                   void* stream);
void quantize_cuda(const float* x, std::int64_t n, const ScaleView& s, int qmin, int qmax,
                   std::int8_t* q, void* stream);
void dequantize_cuda(const std::int32_t* acc, std::int64_t n, const ScaleView& s, float* y,
                     void* stream, const float* bias = nullptr);

}  // namespace axx::emulator
