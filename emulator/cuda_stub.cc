// The CUDA entry points of a build without nvcc (or without CUDA sources): they say so clearly
// instead of failing to link, and the runtime checks report no CUDA.
#include "axx/error.h"
#include "emulator/emulator.h"

namespace axx::emulator {

bool cuda_compiled() { return false; }
bool cuda_available() { return false; }

void gemm_cuda(const TableRef&, const GemmProblem&, Path, void*) {
  throw Error("axx was built without CUDA");
}

void conv2d_cuda(const TableRef&, const Conv2dProblem&, Path, void*) {
  throw Error("axx was built without CUDA");
}

void lut_grad_cuda(const std::int32_t*, float, GradSide, const GradProblem&, void*) {
  throw Error("axx was built without CUDA");
}

void quantize_cuda(const float*, std::int64_t, const ScaleView&, int, int, std::int8_t*, void*) {
  throw Error("axx was built without CUDA");
}

void dequantize_cuda(const std::int32_t*, std::int64_t, const ScaleView&, float*, void*,
                     const float*) {
  throw Error("axx was built without CUDA");
}

}  // namespace axx::emulator
