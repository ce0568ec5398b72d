// Argument checks and table plumbing shared by axx::lut_matmul and axx::lut_conv2d.
#include "python_bindings/src/ops/lut_ops.h"

#include <c10/util/Exception.h>

#include <string>

namespace axx::python {

std::string dtype_name(at::ScalarType t) { return "torch." + c10::getDtypeNames(t).first; }

emulator::Path parse_path(const char* op, std::string_view path) {
  if (path == "auto") return emulator::Path::Auto;
  if (path == "lut") return emulator::Path::Lut;
  if (path == "lowrank") return emulator::Path::LowRank;
  if (path == "baseline") return emulator::Path::Baseline;
  TORCH_CHECK_VALUE(false, op, ": unknown path '", std::string(path),
                    "' (expected one of: auto, lut, lowrank, baseline)");
}

void check_operand(const char* op, const at::Tensor& t, const char* name, bool is_signed) {
  const auto expected = is_signed ? at::kChar : at::kByte;
  TORCH_CHECK_TYPE(t.scalar_type() == expected, op, ": ", name, " must be ",
                   is_signed ? "torch.int8 for a signed" : "torch.uint8 for an unsigned",
                   " multiplier, got ", dtype_name(t.scalar_type()));
}

void check_same_device(const char* op, const at::Tensor& a, const char* a_name,
                       const at::Tensor& b, const char* b_name) {
  TORCH_CHECK_VALUE(a.device() == b.device(), op, ": ", a_name, " and ", b_name,
                    " must be on the same device, got ", a.device(), " and ", b.device());
}

void check_table_devices(const char* op, const at::Tensor& lut, const std::optional<at::Tensor>& u,
                         const std::optional<at::Tensor>& v, const at::Device& device) {
  TORCH_CHECK_VALUE(lut.device() == device, op, ": lut must be on the operands' device ", device,
                    ", got ", lut.device());
  for (const auto* f : {&u, &v}) {
    if (!f->has_value()) continue;
    const char* name = f == &u ? "lowrank_u" : "lowrank_v";
    TORCH_CHECK_VALUE((*f)->device() == device, op, ": ", name, " must be on the operands' device ",
                      device, ", got ", (*f)->device());
  }
}

TableArgs table_args(const char* op, const at::Tensor& lut, const std::optional<at::Tensor>& u,
                     const std::optional<at::Tensor>& v, bool is_signed, const at::Device& device,
                     emulator::Path path) {
  TORCH_CHECK_VALUE(lut.scalar_type() == at::kInt && lut.dim() == 2 && lut.size(0) == 256 &&
                        lut.size(1) == 256,
                    op, ": lut must be a 256x256 torch.int32 table, got ",
                    dtype_name(lut.scalar_type()), " of shape ", lut.sizes());
  check_table_devices(op, lut, u, v, device);
  TORCH_CHECK_VALUE(u.has_value() == v.has_value(), op,
                    ": lowrank_u and lowrank_v must be given together");

  TableArgs t;
  t.lut = lut.contiguous();
  t.ref.lut = t.lut.const_data_ptr<std::int32_t>();
  if (u.has_value()) {
    for (const at::Tensor* f : {&*u, &*v}) {
      const char* name = f == &*u ? "lowrank_u" : "lowrank_v";
      TORCH_CHECK_VALUE(f->scalar_type() == at::kInt && f->dim() == 2 && f->size(1) == 256, op,
                        ": ", name, " must be an R x 256 torch.int32 tensor, got ",
                        dtype_name(f->scalar_type()), " of shape ", f->sizes());
    }
    TORCH_CHECK_VALUE(u->size(0) == v->size(0), op,
                      ": lowrank_u and lowrank_v must have the same rank, got ", u->size(0),
                      " and ", v->size(0));
    t.u = u->contiguous();
    t.v = v->contiguous();
    t.ref.lowrank.rank = static_cast<int>(t.u.size(0));
    t.ref.lowrank.is_signed = is_signed;
    t.ref.lowrank.u = t.u.const_data_ptr<std::int32_t>();
    t.ref.lowrank.v = t.v.const_data_ptr<std::int32_t>();
  }
  TORCH_CHECK_VALUE(path != emulator::Path::LowRank || u.has_value(), op,
                    ": path 'lowrank' needs the multiplier's exact low-rank form (lowrank_u, "
                    "lowrank_v); this table has none");
  return t;
}

}  // namespace axx::python
