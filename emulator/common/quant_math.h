// Per-element math of quantize / dequantize (emulator.h, quantize_cpu / quantize_cuda), written
// once for the CPU and the CUDA kernels. AXX_HOST_DEVICE inline and free of CUDA headers.
//
//   quantize:   q = (int8) clamp(rint(x / scale), qmin, qmax),   NaN -> 0
//   dequantize: y = (float) acc * scale
//               y = ((float) acc * scale) + bias                 (with a bias)
//
// All must equal torch's elementwise expressions bit for bit (the layers used them before), so
// the division is the IEEE float32 division (never x * (1 / scale)), the biased dequantize rounds
// twice (the product, then the sum; never one fused multiply-add), and nothing here may be built
// with fast-math flags (none of the project's targets are).
#pragma once
#include <cstdint>
#include <cstring>

#include "emulator/common/lut_math.h"  // AXX_HOST_DEVICE

namespace axx::emulator {

// rint(t) (round half to even) for |t| <= 2^22, in the default rounding mode. On the device one
// instruction (cvt.rni). On the host 1.5 * 2^23 + t lies in [2^23, 2^24), where the float spacing
// is 1, so the add rounds t to an integer half to even and the subtraction is exact; unlike a
// call of rintf this vectorizes on any x86-64 (roundps needs SSE4.1).
AXX_HOST_DEVICE float rint_small(float t) {
#if defined(__CUDA_ARCH__)
  return rintf(t);
#else
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23
  return (t + kMagic) - kMagic;
#endif
}

// Whether t is a NaN, from its bits: an integer test, so that the host loops stay free of
// branches (GCC does not if-convert a select on a float comparison like t != t under its default
// -ftrapping-math, and the loop would not vectorize).
AXX_HOST_DEVICE bool is_nan(float t) {
  std::uint32_t b;
  memcpy(&b, &t, sizeof b);
  return (b & 0x7fffffffu) > 0x7f800000u;
}

// clamp(rint(x / scale), qmin, qmax) as int8; qmin, qmax integers in [-128, 127]. NaN (a NaN
// input, 0 / 0, inf / inf) quantizes to 0: torch leaves that float -> int8 conversion undefined.
// Clamping before rounding gives the same result as after (rounding is monotone and the bounds are
// integers) and bounds the value for rint_small; +-inf clamp to the bounds.
AXX_HOST_DEVICE std::int8_t quantize_value(float x, float scale, float qmin, float qmax) {
  float t = x / scale;
  t = is_nan(t) ? 0.f : t;
  t = t < qmin ? qmin : t;
  t = t > qmax ? qmax : t;
  return static_cast<std::int8_t>(static_cast<int>(rint_small(t)));
}

// acc as float32 (round to nearest even above 2^24), times the scale.
AXX_HOST_DEVICE float dequantize_value(std::int32_t acc, float scale) {
  return static_cast<float>(acc) * scale;
}

// dequantize_value plus the bias, rounded after the product and again after the sum, as torch's
// `acc.float() * scale + bias` (two kernels, two roundings). A fused multiply-add (one rounding)
// differs for some inputs: with bias = -(acc * scale rounded), this gives 0 and an FMA the
// product's rounding error. nvcc contracts a * b + c into an FMA by default (--fmad=true), so the
// device code spells out the rounded operations (__fmul_rn / __fadd_rn give mul.rn / add.rn,
// which ptxas never fuses). GCC contracts across statements too (-ffp-contract=fast, its default
// outside ISO mode) wherever the target has FMA; the host loops that call this
// (emulator/cpu/quant_cpu.cc) are compiled with -ffp-contract=off (emulator/CMakeLists.txt), so
// they stay two roundings even when built for a target with FMA.
AXX_HOST_DEVICE float dequantize_bias_value(std::int32_t acc, float scale, float bias) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(__fmul_rn(static_cast<float>(acc), scale), bias);
#else
  const float product = static_cast<float>(acc) * scale;
  return product + bias;
#endif
}

}  // namespace axx::emulator
