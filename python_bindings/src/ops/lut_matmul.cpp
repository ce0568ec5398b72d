// axx::lut_matmul: schema, host wrapper shared by every backend, and the Meta (shape) kernel.
#include <ATen/ExpandUtils.h>
#include <ATen/ops/empty.h>
#include <c10/core/DeviceGuard.h>
#include <torch/library.h>

#include <algorithm>

#include "python_bindings/src/ops/lut_ops.h"

namespace axx::python {
namespace {

constexpr const char* kOp = "axx.lut_matmul";

struct MatmulShape {
  std::int64_t M = 0, K = 0, N = 0;
  std::vector<std::int64_t> batch;  // broadcast batch dimensions
  std::vector<std::int64_t> out;    // batch + {M, N}
};

MatmulShape check_matmul(const at::Tensor& a, const at::Tensor& b, bool is_signed) {
  check_operand(kOp, a, "a", is_signed);
  check_operand(kOp, b, "b", is_signed);
  TORCH_CHECK_VALUE(a.dim() >= 2, kOp, ": a must have shape (..., M, K), got ", a.sizes());
  TORCH_CHECK_VALUE(b.dim() >= 2, kOp, ": b must have shape (K, N) or (..., K, N), got ",
                    b.sizes());
  MatmulShape s;
  s.M = a.size(-2);
  s.K = a.size(-1);
  s.N = b.size(-1);
  TORCH_CHECK_VALUE(b.size(-2) == s.K, kOp, ": K mismatch: a has shape ", a.sizes(), " (K = ", s.K,
                    ") but b has shape ", b.sizes(), " (K = ", b.size(-2), ")");
  const auto batch_a = a.sizes().slice(0, a.dim() - 2), batch_b = b.sizes().slice(0, b.dim() - 2);
  // Checked here so the message names the op and both shapes (at::infer_size's names neither).
  for (std::size_t i = 1; i <= std::min(batch_a.size(), batch_b.size()); ++i) {
    const std::int64_t x = batch_a[batch_a.size() - i], y = batch_b[batch_b.size() - i];
    TORCH_CHECK_VALUE(x == y || x == 1 || y == 1, kOp, ": batch dimensions of a ", a.sizes(), " and b ",
                      b.sizes(), " do not broadcast (", x, " vs ", y, ")");
  }
  s.batch = at::infer_size(batch_a, batch_b);
  s.out = s.batch;
  s.out.push_back(s.M);
  s.out.push_back(s.N);
  return s;
}

std::int64_t product(at::IntArrayRef sizes) {
  std::int64_t n = 1;
  for (auto d : sizes) n *= d;
  return n;
}

// One operand of a batched GEMM: its own batch dimensions either match the broadcast batch (a
// contiguous run of matrices), hold a single matrix (stride 0 broadcasts it), or are expanded
// into a contiguous copy (8-bit data, cheap next to the GEMM itself).
struct BatchedOperand {
  at::Tensor data;
  std::int64_t stride = 0;
};

BatchedOperand batched_operand(const at::Tensor& t, const std::vector<std::int64_t>& batch) {
  const std::int64_t rows = t.size(-2), cols = t.size(-1);
  const auto own = t.sizes().slice(0, t.dim() - 2);
  if (product(own) == 1) return {t.contiguous(), 0};
  std::vector<std::int64_t> full(batch);
  full.push_back(rows);
  full.push_back(cols);
  if (own.vec() == batch) return {t.contiguous(), rows * cols};
  return {t.expand(full).contiguous(), rows * cols};
}

}  // namespace

at::Tensor lut_matmul(const at::Tensor& a, const at::Tensor& b, const at::Tensor& lut,
                      const std::optional<at::Tensor>& lowrank_u,
                      const std::optional<at::Tensor>& lowrank_v, bool is_signed,
                      std::string_view path, const GemmLauncher& launch) {
  const MatmulShape s = check_matmul(a, b, is_signed);
  check_same_device(kOp, a, "a", b, "b");
  const emulator::Path p = parse_path(kOp, path);
  const TableArgs table = table_args(kOp, lut, lowrank_u, lowrank_v, is_signed, a.device(), p);

  c10::DeviceGuard guard(a.device());
  at::Tensor c = at::empty(s.out, a.options().dtype(at::kInt));
  if (c.numel() == 0) return c;
  if (s.K == 0) return c.zero_();

  emulator::GemmProblem g;
  g.N = s.N;
  g.K = s.K;
  g.C = c.mutable_data_ptr<std::int32_t>();
  g.ldc = s.N;
  at::Tensor A, B;
  if (b.dim() == 2) {
    // (..., M, K) x (K, N): every batch of a shares b, so all rows of a form one tall GEMM.
    A = a.contiguous();
    B = b.contiguous();
    g.batch = 1;
    g.M = A.numel() / s.K;
  } else {
    const BatchedOperand ba = batched_operand(a, s.batch), bb = batched_operand(b, s.batch);
    A = ba.data;
    B = bb.data;
    g.batch = product(s.batch);
    g.M = s.M;
    g.stride_a = ba.stride;
    g.stride_b = bb.stride;
    g.stride_c = s.M * s.N;
  }
  g.A = bytes_of(A);
  g.lda = s.K;
  g.B = bytes_of(B);
  g.ldb = s.N;
  launch(table.ref, g, p);
  return c;
}

at::Tensor lut_matmul_meta(const at::Tensor& a, const at::Tensor& b, const at::Tensor& lut,
                           const std::optional<at::Tensor>& lowrank_u,
                           const std::optional<at::Tensor>& lowrank_v, bool is_signed,
                           std::string_view path) {
  const MatmulShape s = check_matmul(a, b, is_signed);
  check_same_device(kOp, a, "a", b, "b");
  parse_path(kOp, path);
  check_table_devices(kOp, lut, lowrank_u, lowrank_v, a.device());
  TORCH_CHECK_VALUE(lut.scalar_type() == at::kInt && lut.dim() == 2, kOp,
                    ": lut must be a 256x256 torch.int32 table");
  return at::empty(s.out, a.options().dtype(at::kInt));
}

}  // namespace axx::python

TORCH_LIBRARY_FRAGMENT(axx, m) {
  m.def(
      "lut_matmul(Tensor a, Tensor b, Tensor lut, Tensor? lowrank_u, Tensor? lowrank_v, "
      "bool is_signed, str path=\"auto\") -> Tensor");
}

TORCH_LIBRARY_IMPL(axx, Meta, m) {
  m.impl("lut_matmul", TORCH_FN(axx::python::lut_matmul_meta));
}
