// CPU backend of the axx.* ops: the shared host wrappers with the emulator's CPU kernels.
#include <torch/library.h>

#include "python_bindings/src/ops/lut_ops.h"

namespace axx::python {
namespace {

at::Tensor lut_matmul_cpu(const at::Tensor& a, const at::Tensor& b, const at::Tensor& lut,
                          const std::optional<at::Tensor>& u, const std::optional<at::Tensor>& v,
                          bool is_signed, std::string_view path) {
  return lut_matmul(a, b, lut, u, v, is_signed, path,
                    [](const emulator::TableRef& t, const emulator::GemmProblem& p,
                       emulator::Path path_) { emulator::gemm_cpu(t, p, path_); });
}

at::Tensor lut_conv2d_cpu(const at::Tensor& x, const at::Tensor& w, const at::Tensor& lut,
                          const std::optional<at::Tensor>& u, const std::optional<at::Tensor>& v,
                          bool is_signed, at::IntArrayRef stride, at::IntArrayRef padding,
                          at::IntArrayRef dilation, std::int64_t groups, std::string_view path) {
  return lut_conv2d(x, w, lut, u, v, is_signed, stride, padding, dilation, groups, path,
                    [](const emulator::TableRef& t, const emulator::Conv2dProblem& p,
                       emulator::Path path_) { emulator::conv2d_cpu(t, p, path_); });
}

}  // namespace
}  // namespace axx::python

TORCH_LIBRARY_IMPL(axx, CPU, m) {
  m.impl("lut_matmul", TORCH_FN(axx::python::lut_matmul_cpu));
  m.impl("lut_conv2d", TORCH_FN(axx::python::lut_conv2d_cpu));
}
