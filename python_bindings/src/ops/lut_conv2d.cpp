// axx::lut_conv2d: schema, host wrapper shared by every backend, and the Meta (shape) kernel.
#include <ATen/ops/empty.h>
#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include "python_bindings/src/ops/lut_ops.h"

namespace axx::python {
namespace {

constexpr const char* kOp = "axx.lut_conv2d";

// Checks shapes and parameters; returns the problem with sizes and parameters filled in (no
// pointers yet).
emulator::Conv2dProblem check_conv2d(const at::Tensor& x, const at::Tensor& w, bool is_signed,
                                     at::IntArrayRef stride, at::IntArrayRef padding,
                                     at::IntArrayRef dilation, std::int64_t groups) {
  check_operand(kOp, x, "x", is_signed);
  check_operand(kOp, w, "w", is_signed);
  TORCH_CHECK_VALUE(x.dim() == 4, kOp, ": x must be NCHW (4 dimensions), got shape ", x.sizes());
  TORCH_CHECK_VALUE(w.dim() == 4, kOp, ": w must be OIHW (4 dimensions), got shape ", w.sizes());
  // A 0-tap kernel has no defined output size (torch refuses it too).
  TORCH_CHECK_VALUE(w.size(2) > 0 && w.size(3) > 0, kOp, ": w has shape ", w.sizes(),
                    "; the kernel must be at least 1x1");
  TORCH_CHECK_VALUE(stride.size() == 2 && padding.size() == 2 && dilation.size() == 2, kOp,
                    ": stride, padding and dilation must have 2 entries each");
  TORCH_CHECK_VALUE(stride[0] > 0 && stride[1] > 0, kOp, ": stride must be positive, got ",
                    stride);
  TORCH_CHECK_VALUE(dilation[0] > 0 && dilation[1] > 0, kOp,
                    ": dilation must be positive, got ", dilation);
  TORCH_CHECK_VALUE(padding[0] >= 0 && padding[1] >= 0, kOp,
                    ": padding must be non-negative, got ", padding);
  TORCH_CHECK_VALUE(groups > 0, kOp, ": groups must be positive, got ", groups);

  emulator::Conv2dProblem p;
  p.N = x.size(0);
  p.C = x.size(1);
  p.H = x.size(2);
  p.W = x.size(3);
  p.O = w.size(0);
  p.KH = w.size(2);
  p.KW = w.size(3);
  p.stride_h = stride[0];
  p.stride_w = stride[1];
  p.pad_h = padding[0];
  p.pad_w = padding[1];
  p.dil_h = dilation[0];
  p.dil_w = dilation[1];
  p.groups = groups;
  TORCH_CHECK_VALUE(p.C % groups == 0, kOp, ": input channels (", p.C,
                    ") must be divisible by groups (", groups, ")");
  TORCH_CHECK_VALUE(p.O % groups == 0, kOp, ": output channels (", p.O,
                    ") must be divisible by groups (", groups, ")");
  TORCH_CHECK_VALUE(w.size(1) * groups == p.C, kOp, ": w has shape ", w.sizes(), " so expects ",
                    w.size(1) * groups, " input channels (", w.size(1), " per group x ", groups,
                    " groups), but x has shape ", x.sizes(), " (", p.C, " channels)");
  TORCH_CHECK_VALUE(p.out_h() > 0 && p.out_w() > 0, kOp, ": output would be ", p.out_h(), "x",
                    p.out_w(), " for input ", p.H, "x", p.W, ", kernel ", p.KH, "x", p.KW,
                    ", padding ", padding, ", dilation ", dilation, ", stride ", stride,
                    "; the kernel does not fit");
  return p;
}

}  // namespace

at::Tensor lut_conv2d(const at::Tensor& x, const at::Tensor& w, const at::Tensor& lut,
                      const std::optional<at::Tensor>& lowrank_u,
                      const std::optional<at::Tensor>& lowrank_v, bool is_signed,
                      at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation,
                      std::int64_t groups, std::string_view path, const Conv2dLauncher& launch) {
  emulator::Conv2dProblem p = check_conv2d(x, w, is_signed, stride, padding, dilation, groups);
  check_same_device(kOp, x, "x", w, "w");
  const emulator::Path path_ = parse_path(kOp, path);
  const TableArgs table = table_args(kOp, lut, lowrank_u, lowrank_v, is_signed, x.device(), path_);

  c10::DeviceGuard guard(x.device());
  at::Tensor y = at::empty({p.N, p.O, p.out_h(), p.out_w()}, x.options().dtype(at::kInt));
  if (y.numel() == 0) return y;
  if (p.C == 0) return y.zero_();

  const at::Tensor xc = x.contiguous(), wc = w.contiguous();
  p.x = bytes_of(xc);
  p.w = bytes_of(wc);
  p.y = y.mutable_data_ptr<std::int32_t>();
  launch(table.ref, p, path_);
  return y;
}

at::Tensor lut_conv2d_meta(const at::Tensor& x, const at::Tensor& w, const at::Tensor& lut,
                           const std::optional<at::Tensor>& lowrank_u,
                           const std::optional<at::Tensor>& lowrank_v, bool is_signed,
                           at::IntArrayRef stride, at::IntArrayRef padding,
                           at::IntArrayRef dilation, std::int64_t groups, std::string_view path) {
  const emulator::Conv2dProblem p =
      check_conv2d(x, w, is_signed, stride, padding, dilation, groups);
  check_same_device(kOp, x, "x", w, "w");
  parse_path(kOp, path);
  check_table_devices(kOp, lut, lowrank_u, lowrank_v, x.device());
  TORCH_CHECK_VALUE(lut.scalar_type() == at::kInt && lut.dim() == 2, kOp,
                    ": lut must be a 256x256 torch.int32 table");
  return at::empty({p.N, p.O, p.out_h(), p.out_w()}, x.options().dtype(at::kInt));
}

}  // namespace axx::python

TORCH_LIBRARY_FRAGMENT(axx, m) {
  m.def(
      "lut_conv2d(Tensor x, Tensor w, Tensor lut, Tensor? lowrank_u, Tensor? lowrank_v, "
      "bool is_signed, int[2] stride=1, int[2] padding=0, int[2] dilation=1, int groups=1, "
      "str path=\"auto\") -> Tensor");
}

TORCH_LIBRARY_IMPL(axx, Meta, m) {
  m.impl("lut_conv2d", TORCH_FN(axx::python::lut_conv2d_meta));
}
