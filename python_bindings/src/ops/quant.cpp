// axx::quantize / axx::dequantize: the emulator's one-pass quantize and dequantize (emulator.h,
// quantize_cpu / quantize_cuda and the dequantize pair) as torch ops, the elementwise passes
// around the table product of the layers' forward (docs/python.md). Schemas, host wrappers, and
// the CPU, CUDA and Meta registrations.
//
//   quantize:   q = clamp(round(x / scale), qmin, qmax).to(int8)    x float32, q int8
//   dequantize: y = acc.to(float32) * scale                          acc int32, y float32
//               y = acc.to(float32) * scale + bias                   with a bias (two roundings)
//
// bit for bit (IEEE division, round half to even; NaN quantizes to 0; the bias added after the
// product is rounded, never fused into it), with scale float32 holding one element (one scale) or
// x.size(dim) elements (one per index along dim, in order), and bias, when given, float32 of
// shape (acc.size(dim),): one per index along dim (the layers' bias, added in the same pass).
#include <ATen/ops/empty.h>
#include <c10/core/DeviceGuard.h>
#include <torch/library.h>
#ifdef AXX_PYTHON_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

#include <functional>
#include <optional>

#include "python_bindings/src/ops/lut_ops.h"

namespace axx::python {
namespace {

constexpr const char* kQuantize = "axx.quantize";
constexpr const char* kDequantize = "axx.dequantize";

// The channels along dim of the contiguous `t`: size = t.size(dim), inner = the elements after
// dim. dim may be negative; a 0-dim t has the one dimension -1 / 0, of size 1, as in torch.
struct ChannelLayout {
  std::int64_t size = 1, inner = 1;
};

ChannelLayout channel_layout(const char* op, const at::Tensor& t, const char* name,
                             std::int64_t dim) {
  const std::int64_t rank = t.dim() > 0 ? t.dim() : 1;
  TORCH_CHECK_VALUE(dim >= -rank && dim < rank, op, ": dim ", dim, " is out of range for ", name,
                    " of shape ", t.sizes(), " (expected -", rank, " <= dim < ", rank, ")");
  const std::int64_t d = dim < 0 ? dim + rank : dim;
  ChannelLayout l;
  l.size = t.dim() > 0 ? t.size(d) : 1;
  for (std::int64_t i = d + 1; i < t.dim(); ++i) l.inner *= t.size(i);
  return l;
}

// The layout of `scale` over the contiguous `t` (emulator::ScaleView without the pointer): one
// scale, or scale.numel() == t.size(dim) channels with inner = the elements after dim.
emulator::ScaleView check_scale(const char* op, const at::Tensor& t, const char* name,
                                const at::Tensor& scale, std::int64_t dim) {
  TORCH_CHECK_TYPE(scale.scalar_type() == at::kFloat, op, ": scale must be torch.float32, got ",
                   dtype_name(scale.scalar_type()));
  check_same_device(op, t, name, scale, "scale");
  const ChannelLayout l = channel_layout(op, t, name, dim);
  emulator::ScaleView s;
  if (scale.numel() == 1) return s;
  TORCH_CHECK_VALUE(scale.numel() == l.size, op, ": scale must hold 1 element or ", name,
                    ".size(", dim, ") = ", l.size, " elements (one per channel), got ",
                    scale.numel(), " (shape ", scale.sizes(), ")");
  s.channels = l.size;
  s.inner = l.inner;
  return s;
}

void check_range(std::int64_t qmin, std::int64_t qmax) {
  TORCH_CHECK_VALUE(-128 <= qmin && qmin <= qmax && qmax <= 127, kQuantize,
                    ": qmin and qmax must satisfy -128 <= qmin <= qmax <= 127, got qmin = ", qmin,
                    ", qmax = ", qmax);
}

emulator::ScaleView check_quantize(const at::Tensor& x, const at::Tensor& scale, std::int64_t dim,
                                   std::int64_t qmin, std::int64_t qmax) {
  TORCH_CHECK_TYPE(x.scalar_type() == at::kFloat, kQuantize, ": x must be torch.float32, got ",
                   dtype_name(x.scalar_type()));
  check_range(qmin, qmax);
  return check_scale(kQuantize, x, "x", scale, dim);
}

// With a bias the view has a channel per index along dim even when scale holds one element (the
// host wrapper then repeats that scale: same value, same bits).
emulator::ScaleView check_dequantize(const at::Tensor& acc, const at::Tensor& scale,
                                     std::int64_t dim, const std::optional<at::Tensor>& bias) {
  TORCH_CHECK_TYPE(acc.scalar_type() == at::kInt, kDequantize, ": acc must be torch.int32, got ",
                   dtype_name(acc.scalar_type()));
  emulator::ScaleView s = check_scale(kDequantize, acc, "acc", scale, dim);
  if (!bias.has_value()) return s;
  const at::Tensor& b = *bias;
  TORCH_CHECK_TYPE(b.scalar_type() == at::kFloat, kDequantize, ": bias must be torch.float32, got ",
                   dtype_name(b.scalar_type()));
  check_same_device(kDequantize, acc, "acc", b, "bias");
  const ChannelLayout l = channel_layout(kDequantize, acc, "acc", dim);
  TORCH_CHECK_VALUE(b.dim() == 1 && b.numel() == l.size, kDequantize,
                    ": bias must be 1-D with acc.size(", dim, ") = ", l.size,
                    " elements (one per channel), got shape ", b.sizes());
  s.channels = l.size;
  s.inner = l.inner;
  return s;
}

using QuantizeLauncher = std::function<void(const float*, std::int64_t, const emulator::ScaleView&,
                                            int, int, std::int8_t*)>;
// The last argument is the bias (channels floats) or nullptr.
using DequantizeLauncher = std::function<void(const std::int32_t*, std::int64_t,
                                              const emulator::ScaleView&, float*, const float*)>;

at::Tensor quantize(const at::Tensor& x, const at::Tensor& scale, std::int64_t dim,
                    std::int64_t qmin, std::int64_t qmax, const QuantizeLauncher& launch) {
  emulator::ScaleView s = check_quantize(x, scale, dim, qmin, qmax);
  c10::DeviceGuard guard(x.device());
  at::Tensor q = at::empty(x.sizes(), x.options().dtype(at::kChar));
  if (q.numel() == 0) return q;
  const at::Tensor X = x.contiguous(), S = scale.contiguous();
  s.scale = S.const_data_ptr<float>();
  launch(X.const_data_ptr<float>(), X.numel(), s, static_cast<int>(qmin), static_cast<int>(qmax),
         q.mutable_data_ptr<std::int8_t>());
  return q;
}

at::Tensor dequantize(const at::Tensor& acc, const at::Tensor& scale, std::int64_t dim,
                      const std::optional<at::Tensor>& bias, const DequantizeLauncher& launch) {
  emulator::ScaleView s = check_dequantize(acc, scale, dim, bias);
  c10::DeviceGuard guard(acc.device());
  at::Tensor y = at::empty(acc.sizes(), acc.options().dtype(at::kFloat));
  if (y.numel() == 0) return y;
  const at::Tensor A = acc.contiguous();
  // One scale with a bias per channel: the scale repeated once per channel.
  const at::Tensor S = scale.numel() == s.channels
                           ? scale.contiguous()
                           : scale.reshape({1}).expand({s.channels}).contiguous();
  const at::Tensor B = bias.has_value() ? bias->contiguous() : at::Tensor();
  s.scale = S.const_data_ptr<float>();
  launch(A.const_data_ptr<std::int32_t>(), A.numel(), s, y.mutable_data_ptr<float>(),
         B.defined() ? B.const_data_ptr<float>() : nullptr);
  return y;
}

at::Tensor quantize_cpu(const at::Tensor& x, const at::Tensor& scale, std::int64_t dim,
                        std::int64_t qmin, std::int64_t qmax) {
  return quantize(x, scale, dim, qmin, qmax,
                  [](const float* in, std::int64_t n, const emulator::ScaleView& s, int lo, int hi,
                     std::int8_t* out) { emulator::quantize_cpu(in, n, s, lo, hi, out); });
}

at::Tensor dequantize_cpu(const at::Tensor& acc, const at::Tensor& scale, std::int64_t dim,
                          const std::optional<at::Tensor>& bias) {
  return dequantize(acc, scale, dim, bias,
                    [](const std::int32_t* in, std::int64_t n, const emulator::ScaleView& s,
                       float* out, const float* b) { emulator::dequantize_cpu(in, n, s, out, b); });
}

#ifdef AXX_PYTHON_CUDA
at::Tensor quantize_cuda(const at::Tensor& x, const at::Tensor& scale, std::int64_t dim,
                         std::int64_t qmin, std::int64_t qmax) {
  return quantize(x, scale, dim, qmin, qmax,
                  [](const float* in, std::int64_t n, const emulator::ScaleView& s, int lo, int hi,
                     std::int8_t* out) {
                    emulator::quantize_cuda(in, n, s, lo, hi, out,
                                            c10::cuda::getCurrentCUDAStream().stream());
                  });
}

at::Tensor dequantize_cuda(const at::Tensor& acc, const at::Tensor& scale, std::int64_t dim,
                           const std::optional<at::Tensor>& bias) {
  return dequantize(acc, scale, dim, bias,
                    [](const std::int32_t* in, std::int64_t n, const emulator::ScaleView& s,
                       float* out, const float* b) {
                      emulator::dequantize_cuda(in, n, s, out,
                                                c10::cuda::getCurrentCUDAStream().stream(), b);
                    });
}
#endif

at::Tensor quantize_meta(const at::Tensor& x, const at::Tensor& scale, std::int64_t dim,
                         std::int64_t qmin, std::int64_t qmax) {
  check_quantize(x, scale, dim, qmin, qmax);
  return at::empty(x.sizes(), x.options().dtype(at::kChar));
}

at::Tensor dequantize_meta(const at::Tensor& acc, const at::Tensor& scale, std::int64_t dim,
                           const std::optional<at::Tensor>& bias) {
  check_dequantize(acc, scale, dim, bias);
  return at::empty(acc.sizes(), acc.options().dtype(at::kFloat));
}

}  // namespace
}  // namespace axx::python

TORCH_LIBRARY_FRAGMENT(axx, m) {
  m.def("quantize(Tensor x, Tensor scale, int dim, int qmin, int qmax) -> Tensor");
  m.def("dequantize(Tensor acc, Tensor scale, int dim, Tensor? bias=None) -> Tensor");
}

TORCH_LIBRARY_IMPL(axx, CPU, m) {
  m.impl("quantize", TORCH_FN(axx::python::quantize_cpu));
  m.impl("dequantize", TORCH_FN(axx::python::dequantize_cpu));
}

#ifdef AXX_PYTHON_CUDA
TORCH_LIBRARY_IMPL(axx, CUDA, m) {
  m.impl("quantize", TORCH_FN(axx::python::quantize_cuda));
  m.impl("dequantize", TORCH_FN(axx::python::dequantize_cuda));
}
#endif

TORCH_LIBRARY_IMPL(axx, Meta, m) {
  m.impl("quantize", TORCH_FN(axx::python::quantize_meta));
  m.impl("dequantize", TORCH_FN(axx::python::dequantize_meta));
}
