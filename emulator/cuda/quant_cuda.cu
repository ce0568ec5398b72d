// Quantize and dequantize on CUDA (emulator.h, quantize_cuda / dequantize_cuda): one grid-stride
// elementwise pass each, on the caller's stream, with the per-element math of
// emulator/common/quant_math.h (the CPU uses the same functions, so the two agree bit for bit).
//
// Memory-bound: each thread moves four elements per step through one 16-byte load (float4 or
// int4) and one 4- or 16-byte store when both pointers are aligned for it (a tensor view with a
// storage offset may not be); otherwise, and for the last n % 4 elements, one element at a time.
// The channel of an element, (i / inner) % channels, costs one division and one remainder per
// step (the four elements' channels follow by counting); one scale for all (channels == 1) costs
// none. Indices are 32-bit when n fits, for the cheaper division. Dequantize's optional bias is
// read by channel like the scale, in a kernel of its own (DequantizeOp<true>): the kernel without
// a bias reads and computes what it did before.
#include <cuda_runtime.h>

#include <cstdint>

#include "axx/error.h"
#include "emulator/common/quant_check.h"
#include "emulator/common/quant_math.h"
#include "emulator/cuda/cuda_check.cuh"
#include "emulator/cuda/gemm_cuda.cuh"
#include "emulator/emulator.h"

namespace axx::emulator {
namespace cuda_detail {
namespace {

constexpr int kThreads = 256;
constexpr int kBlocksPerSm = 8;  // grid-stride: enough blocks to fill every SM, no more

// The per-element operations, called with an element's value and its channel; each holds its
// channel-indexed arrays (device pointers, read through the read-only cache).
struct QuantizeOp {
  using In = float;
  using Out = std::int8_t;
  const float* scale;
  float lo, hi;
  template <class Index>
  __device__ __forceinline__ Out operator()(float x, Index c) const {
    return quantize_value(x, __ldg(scale + c), lo, hi);
  }
};

// kBias: plus bias[c], rounded after the product and again after the sum (dequantize_bias_value:
// __fmul_rn / __fadd_rn, never contracted into an FMA). Without it nothing is read for the bias.
template <bool kBias>
struct DequantizeOp {
  using In = std::int32_t;
  using Out = float;
  const float* scale;
  const float* bias;  // channels floats with kBias, else unused
  template <class Index>
  __device__ __forceinline__ Out operator()(std::int32_t a, Index c) const {
    if constexpr (kBias)
      return dequantize_bias_value(a, __ldg(scale + c), __ldg(bias + c));
    else
      return dequantize_value(a, __ldg(scale + c));
  }
};

template <class T>
struct Vec4;
template <>
struct Vec4<float> {
  using type = float4;
};
template <>
struct Vec4<std::int32_t> {
  using type = int4;
};
template <>
struct Vec4<std::int8_t> {
  using type = char4;
};

// The channel of element i and of the elements after it: r = i % inner, c = (i / inner) % channels.
template <class Index, bool kOneScale>
struct ChannelWalk {
  Index r = 0, c = 0;
  __device__ __forceinline__ ChannelWalk(Index i, Index channels, Index inner) {
    if constexpr (!kOneScale) {
      const Index row = i / inner;
      r = i - row * inner;
      c = row % channels;
    }
  }
  __device__ __forceinline__ void next(Index channels, Index inner) {
    if constexpr (!kOneScale) {
      if (++r == inner) {
        r = 0;
        if (++c == channels) c = 0;
      }
    }
  }
};

template <class Op, class Index, bool kOneScale, bool kVector>
__global__ void __launch_bounds__(kThreads)
    scaled_kernel(const typename Op::In* __restrict__ in, Index n, Index channels, Index inner,
                  typename Op::Out* __restrict__ out, Op op) {
  using In = typename Op::In;
  using Out = typename Op::Out;
  const Index stride = static_cast<Index>(gridDim.x) * kThreads;
  const Index first = static_cast<Index>(blockIdx.x) * kThreads + threadIdx.x;
  Index done = 0;
  if constexpr (kVector) {
    const Index vectors = n / 4;
    const auto* in4 = reinterpret_cast<const typename Vec4<In>::type*>(in);
    auto* out4 = reinterpret_cast<typename Vec4<Out>::type*>(out);
    for (Index v = first; v < vectors; v += stride) {
      const auto a = in4[v];
      ChannelWalk<Index, kOneScale> w(v * 4, channels, inner);
      typename Vec4<Out>::type b;
      b.x = op(a.x, w.c);
      w.next(channels, inner);
      b.y = op(a.y, w.c);
      w.next(channels, inner);
      b.z = op(a.z, w.c);
      w.next(channels, inner);
      b.w = op(a.w, w.c);
      out4[v] = b;
    }
    done = vectors * 4;
  }
  for (Index i = done + first; i < n; i += stride) {
    const ChannelWalk<Index, kOneScale> w(i, channels, inner);
    out[i] = op(in[i], w.c);
  }
}

bool aligned(const void* p, std::size_t bytes) {
  return reinterpret_cast<std::uintptr_t>(p) % bytes == 0;
}

template <class Op, class Index, bool kOneScale, bool kVector>
void launch(const typename Op::In* in, std::int64_t n, const ScaleView& s, typename Op::Out* out,
            Op op, cudaStream_t stream) {
  const std::int64_t work = kVector ? n / 4 + n % 4 : n;
  std::int64_t blocks = (work + kThreads - 1) / kThreads;
  const std::int64_t most = static_cast<std::int64_t>(device_sm_count()) * kBlocksPerSm;
  if (blocks > most) blocks = most;
  scaled_kernel<Op, Index, kOneScale, kVector>
      <<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(
          in, static_cast<Index>(n), static_cast<Index>(s.channels), static_cast<Index>(s.inner),
          out, op);
  CUDA_CHECK_LAUNCH();
}

template <class Op, class Index>
void launch_index(const typename Op::In* in, std::int64_t n, const ScaleView& s,
                  typename Op::Out* out, Op op, cudaStream_t stream) {
  const bool vector = aligned(in, sizeof(typename Vec4<typename Op::In>::type)) &&
                      aligned(out, sizeof(typename Vec4<typename Op::Out>::type));
  const bool one = s.channels == 1;
  if (one && vector)
    launch<Op, Index, true, true>(in, n, s, out, op, stream);
  else if (one)
    launch<Op, Index, true, false>(in, n, s, out, op, stream);
  else if (vector)
    launch<Op, Index, false, true>(in, n, s, out, op, stream);
  else
    launch<Op, Index, false, false>(in, n, s, out, op, stream);
}

// 32-bit indices when every index the kernel forms (up to n plus one grid stride, channels and
// inner) fits them.
template <class Op>
void run(const typename Op::In* in, std::int64_t n, const ScaleView& s, typename Op::Out* out,
         Op op, void* stream) {
  const cudaStream_t st = static_cast<cudaStream_t>(stream);
  if (n <= INT32_MAX && s.channels <= INT32_MAX && s.inner <= INT32_MAX)
    launch_index<Op, std::uint32_t>(in, n, s, out, op, st);
  else
    launch_index<Op, std::int64_t>(in, n, s, out, op, st);
}

}  // namespace
}  // namespace cuda_detail

void quantize_cuda(const float* x, std::int64_t n, const ScaleView& s, int qmin, int qmax,
                   std::int8_t* q, void* stream) {
  if (!check_quant_args(x, n, s, qmin, qmax, q, "quantize_cuda")) return;
  if (!cuda_available()) throw Error("quantize_cuda: no CUDA device is present");
  cuda_detail::run(
      x, n, s, q,
      cuda_detail::QuantizeOp{s.scale, static_cast<float>(qmin), static_cast<float>(qmax)},
      stream);
}

void dequantize_cuda(const std::int32_t* acc, std::int64_t n, const ScaleView& s, float* y,
                     void* stream, const float* bias) {
  if (!check_quant_args(acc, n, s, -128, 127, y, "dequantize_cuda")) return;
  if (!cuda_available()) throw Error("dequantize_cuda: no CUDA device is present");
  if (bias)
    cuda_detail::run(acc, n, s, y, cuda_detail::DequantizeOp<true>{s.scale, bias}, stream);
  else
    cuda_detail::run(acc, n, s, y, cuda_detail::DequantizeOp<false>{s.scale, nullptr}, stream);
}

}  // namespace axx::emulator
