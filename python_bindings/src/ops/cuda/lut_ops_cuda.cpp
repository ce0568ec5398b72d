// CUDA backend of the axx.* ops: the shared host wrappers with the emulator's CUDA kernels, on
// torch's current stream of the operands' device (the wrapper's device guard selects it). Plain
// C++: the kernels live in axx_emulator and take the stream as an opaque cudaStream_t.
#include <c10/cuda/CUDAStream.h>
#include <torch/library.h>

#include "python_bindings/src/ops/lut_ops.h"

namespace axx::python {
namespace {

void* current_stream() { return c10::cuda::getCurrentCUDAStream().stream(); }

at::Tensor lut_matmul_cuda(const at::Tensor& a, const at::Tensor& b, const at::Tensor& lut,
                           const std::optional<at::Tensor>& u, const std::optional<at::Tensor>& v,
                           bool is_signed, std::string_view path) {
  return lut_matmul(a, b, lut, u, v, is_signed, path,
                    [](const emulator::TableRef& t, const emulator::GemmProblem& p,
                       emulator::Path path_) {
                      emulator::gemm_cuda(t, p, path_, current_stream());
                    });
}

at::Tensor lut_conv2d_cuda(const at::Tensor& x, const at::Tensor& w, const at::Tensor& lut,
                           const std::optional<at::Tensor>& u, const std::optional<at::Tensor>& v,
                           bool is_signed, at::IntArrayRef stride, at::IntArrayRef padding,
                           at::IntArrayRef dilation, std::int64_t groups, std::string_view path) {
  return lut_conv2d(x, w, lut, u, v, is_signed, stride, padding, dilation, groups, path,
                    [](const emulator::TableRef& t, const emulator::Conv2dProblem& p,
                       emulator::Path path_) {
                      emulator::conv2d_cuda(t, p, path_, current_stream());
                    });
}

}  // namespace
}  // namespace axx::python

TORCH_LIBRARY_IMPL(axx, CUDA, m) {
  m.impl("lut_matmul", TORCH_FN(axx::python::lut_matmul_cuda));
  m.impl("lut_conv2d", TORCH_FN(axx::python::lut_conv2d_cuda));
}
