// Host-side wrappers of the axx.* torch ops (schemas in lut_matmul.cpp / lut_conv2d.cpp).
//
// Every backend runs the same steps, written once here: check arguments (readable messages), device
// guard, allocate, early return on empty, make contiguous, then hand raw pointers to the emulator.
// A backend file (cpu/, cuda/) only supplies the launcher that calls its emulator entry point, so
// the CPU and CUDA ops cannot drift apart.
#pragma once
#include <ATen/core/Tensor.h>

#include <functional>
#include <optional>
#include <string_view>

#include "emulator/emulator.h"

namespace axx::python {

using GemmLauncher =
    std::function<void(const emulator::TableRef&, const emulator::GemmProblem&, emulator::Path)>;
using Conv2dLauncher =
    std::function<void(const emulator::TableRef&, const emulator::Conv2dProblem&, emulator::Path)>;

// axx::lut_matmul: a (..., M, K), b (K, N) or (..., K, N), batch dimensions broadcast like
// torch.matmul; int32 result (..., M, N) with C[i][j] = sum_k lut[a[i][k]][b[k][j]].
at::Tensor lut_matmul(const at::Tensor& a, const at::Tensor& b, const at::Tensor& lut,
                      const std::optional<at::Tensor>& lowrank_u,
                      const std::optional<at::Tensor>& lowrank_v, bool is_signed,
                      std::string_view path, const GemmLauncher& launch);

// Shape-only version for the Meta backend (fake tensors, torch.compile).
at::Tensor lut_matmul_meta(const at::Tensor& a, const at::Tensor& b, const at::Tensor& lut,
                           const std::optional<at::Tensor>& lowrank_u,
                           const std::optional<at::Tensor>& lowrank_v, bool is_signed,
                           std::string_view path);

// axx::lut_conv2d: x NCHW, w OIHW with I = C / groups; int32 result N x O x OH x OW.
at::Tensor lut_conv2d(const at::Tensor& x, const at::Tensor& w, const at::Tensor& lut,
                      const std::optional<at::Tensor>& lowrank_u,
                      const std::optional<at::Tensor>& lowrank_v, bool is_signed,
                      at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation,
                      std::int64_t groups, std::string_view path, const Conv2dLauncher& launch);

at::Tensor lut_conv2d_meta(const at::Tensor& x, const at::Tensor& w, const at::Tensor& lut,
                           const std::optional<at::Tensor>& lowrank_u,
                           const std::optional<at::Tensor>& lowrank_v, bool is_signed,
                           at::IntArrayRef stride, at::IntArrayRef padding,
                           at::IntArrayRef dilation, std::int64_t groups, std::string_view path);

// --- shared by both ops (lut_ops.cpp) ------------------------------------------------------

// The multiplier's tables as the kernels see them; keeps the contiguous tensors alive.
struct TableArgs {
  at::Tensor lut, u, v;
  emulator::TableRef ref;
};

// Checks lut (256x256 int32) and the optional low-rank pair (R x 256 int32 each, both or neither),
// all on `device`, and that `path` can run with them.
TableArgs table_args(const char* op, const at::Tensor& lut, const std::optional<at::Tensor>& u,
                     const std::optional<at::Tensor>& v, bool is_signed, const at::Device& device,
                     emulator::Path path);

// The devices table_args checks, for the Meta kernels (which run on shapes only, so take no
// pointers): a Meta tensor among real ones dispatches here and must not pass for a result.
void check_table_devices(const char* op, const at::Tensor& lut, const std::optional<at::Tensor>& u,
                         const std::optional<at::Tensor>& v, const at::Device& device);

// "auto" | "lut" | "lowrank" | "baseline".
emulator::Path parse_path(const char* op, std::string_view path);

// "torch.int8" etc., as Python spells a dtype.
std::string dtype_name(at::ScalarType t);

// An operand must hold 8-bit patterns of the multiplier's signedness: int8 when signed, uint8 not.
void check_operand(const char* op, const at::Tensor& t, const char* name, bool is_signed);
void check_same_device(const char* op, const at::Tensor& a, const char* a_name,
                       const at::Tensor& b, const char* b_name);

inline const std::uint8_t* bytes_of(const at::Tensor& t) {
  return static_cast<const std::uint8_t*>(t.const_data_ptr());
}

}  // namespace axx::python
