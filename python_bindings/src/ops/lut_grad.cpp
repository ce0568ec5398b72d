// axx::lut_grad_matmul: the table-gradient GEMM (emulator.h, lut_grad_cpu / lut_grad_cuda) as a
// torch op, the backward of grad="lut" (docs/python.md). Schema, host wrapper, and the CPU, CUDA
// and Meta registrations.
//
//   side "a": out (..., M, K) = scale * sum_n g[..., m, n] * diff[a[..., m, k]][b[..., k, n]]
//   side "b": out (..., K, N) = scale * sum_m g[..., m, n] * diff[a[..., m, k]][b[..., k, n]]
//
// g (..., M, N) float32 sets the batch; a and b have the same batch dimensions or a single matrix
// (broadcast). diff is a 256x256 int32 table indexed by operand patterns, like the lut.
#include <ATen/ops/empty.h>
#include <c10/core/DeviceGuard.h>
#include <torch/library.h>
#ifdef AXX_PYTHON_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

#include <functional>
#include <string>

#include "python_bindings/src/ops/lut_ops.h"

namespace axx::python {
namespace {

constexpr const char* kOp = "axx.lut_grad_matmul";

using GradLauncher = std::function<void(const std::int32_t*, float, emulator::GradSide,
                                        const emulator::GradProblem&)>;

struct GradShape {
  std::int64_t M = 0, K = 0, N = 0, batch = 1;
  std::vector<std::int64_t> out;
  emulator::GradSide side = emulator::GradSide::A;
};

std::int64_t numel_of(at::IntArrayRef sizes) {
  std::int64_t n = 1;
  for (auto d : sizes) n *= d;
  return n;
}

GradShape check_grad(const at::Tensor& a, const at::Tensor& b, const at::Tensor& g,
                     const at::Tensor& diff, std::string_view side) {
  TORCH_CHECK_VALUE(side == "a" || side == "b", kOp, ": side must be 'a' or 'b', got '",
                    std::string(side), "'");
  TORCH_CHECK_TYPE(a.scalar_type() == at::kChar || a.scalar_type() == at::kByte, kOp,
                   ": a must be torch.int8 or torch.uint8, got ", dtype_name(a.scalar_type()));
  TORCH_CHECK_TYPE(b.scalar_type() == a.scalar_type(), kOp, ": b must have a's dtype ",
                   dtype_name(a.scalar_type()), ", got ", dtype_name(b.scalar_type()));
  TORCH_CHECK_TYPE(g.scalar_type() == at::kFloat, kOp, ": g must be torch.float32, got ",
                   dtype_name(g.scalar_type()));
  TORCH_CHECK_VALUE(diff.scalar_type() == at::kInt && diff.dim() == 2 && diff.size(0) == 256 &&
                        diff.size(1) == 256,
                    kOp, ": diff must be a 256x256 torch.int32 table, got ",
                    dtype_name(diff.scalar_type()), " of shape ", diff.sizes());
  TORCH_CHECK_VALUE(a.dim() >= 2 && b.dim() >= 2 && g.dim() >= 2, kOp,
                    ": a, b and g must have shapes (..., M, K), (..., K, N) and (..., M, N), got ",
                    a.sizes(), ", ", b.sizes(), " and ", g.sizes());
  GradShape s;
  s.M = a.size(-2);
  s.K = a.size(-1);
  s.N = b.size(-1);
  TORCH_CHECK_VALUE(b.size(-2) == s.K && g.size(-2) == s.M && g.size(-1) == s.N, kOp,
                    ": shapes do not match: a ", a.sizes(), ", b ", b.sizes(), ", g ", g.sizes(),
                    " (expected (..., M, K), (..., K, N), (..., M, N))");
  const auto batch = g.sizes().slice(0, g.dim() - 2);
  for (const at::Tensor* t : {&a, &b}) {
    const auto own = t->sizes().slice(0, t->dim() - 2);
    TORCH_CHECK_VALUE(own.equals(batch) || numel_of(own) == 1, kOp, ": batch dimensions of ",
                      t == &a ? "a " : "b ", t->sizes(), " must equal g's ", batch,
                      " or hold a single matrix");
  }
  s.batch = numel_of(batch);
  s.side = side == "a" ? emulator::GradSide::A : emulator::GradSide::B;
  s.out = batch.vec();
  s.out.push_back(side == "a" ? s.M : s.K);
  s.out.push_back(side == "a" ? s.K : s.N);
  return s;
}

at::Tensor lut_grad_matmul(const at::Tensor& a, const at::Tensor& b, const at::Tensor& g,
                           const at::Tensor& diff, std::string_view side, double scale,
                           const GradLauncher& launch) {
  const GradShape s = check_grad(a, b, g, diff, side);
  check_same_device(kOp, a, "a", b, "b");
  check_same_device(kOp, a, "a", g, "g");
  check_same_device(kOp, a, "a", diff, "diff");
  c10::DeviceGuard guard(a.device());
  at::Tensor out = at::empty(s.out, g.options());
  if (out.numel() == 0) return out;

  const at::Tensor A = a.contiguous(), B = b.contiguous(), G = g.contiguous(),
                   D = diff.contiguous();
  emulator::GradProblem p;
  p.batch = s.batch;
  p.M = s.M;
  p.N = s.N;
  p.K = s.K;
  p.A = bytes_of(A);
  p.lda = s.K;
  p.stride_a = A.numel() == s.M * s.K ? 0 : s.M * s.K;
  p.B = bytes_of(B);
  p.ldb = s.N;
  p.stride_b = B.numel() == s.K * s.N ? 0 : s.K * s.N;
  p.G = G.const_data_ptr<float>();
  p.ldg = s.N;
  p.stride_g = s.M * s.N;
  p.out = out.mutable_data_ptr<float>();
  p.ld_out = out.size(-1);
  p.stride_out = out.size(-2) * out.size(-1);
  launch(D.const_data_ptr<std::int32_t>(), static_cast<float>(scale), s.side, p);
  return out;
}

at::Tensor lut_grad_matmul_cpu(const at::Tensor& a, const at::Tensor& b, const at::Tensor& g,
                               const at::Tensor& diff, std::string_view side, double scale) {
  return lut_grad_matmul(a, b, g, diff, side, scale,
                         [](const std::int32_t* d, float sc, emulator::GradSide sd,
                            const emulator::GradProblem& p) { emulator::lut_grad_cpu(d, sc, sd, p); });
}

#ifdef AXX_PYTHON_CUDA
at::Tensor lut_grad_matmul_cuda(const at::Tensor& a, const at::Tensor& b, const at::Tensor& g,
                                const at::Tensor& diff, std::string_view side, double scale) {
  return lut_grad_matmul(a, b, g, diff, side, scale,
                         [](const std::int32_t* d, float sc, emulator::GradSide sd,
                            const emulator::GradProblem& p) {
                           emulator::lut_grad_cuda(d, sc, sd, p,
                                                   c10::cuda::getCurrentCUDAStream().stream());
                         });
}
#endif

at::Tensor lut_grad_matmul_meta(const at::Tensor& a, const at::Tensor& b, const at::Tensor& g,
                                const at::Tensor& diff, std::string_view side, double) {
  return at::empty(check_grad(a, b, g, diff, side).out, g.options());
}

}  // namespace
}  // namespace axx::python

TORCH_LIBRARY_FRAGMENT(axx, m) {
  m.def("lut_grad_matmul(Tensor a, Tensor b, Tensor g, Tensor diff, str side, float scale=1.0) -> Tensor");
}

TORCH_LIBRARY_IMPL(axx, CPU, m) {
  m.impl("lut_grad_matmul", TORCH_FN(axx::python::lut_grad_matmul_cpu));
}

#ifdef AXX_PYTHON_CUDA
TORCH_LIBRARY_IMPL(axx, CUDA, m) {
  m.impl("lut_grad_matmul", TORCH_FN(axx::python::lut_grad_matmul_cuda));
}
#endif

TORCH_LIBRARY_IMPL(axx, Meta, m) {
  m.impl("lut_grad_matmul", TORCH_FN(axx::python::lut_grad_matmul_meta));
}
