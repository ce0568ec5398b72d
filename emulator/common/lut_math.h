// Per-element math of the emulated GEMM, written once for the CPU and the CUDA kernels
// (docs/emulator.md). Everything here is AXX_HOST_DEVICE inline and free of CUDA headers.
//
// Integer semantics: the accumulator is int32 with two's-complement wrap-around, i.e. every
// path computes sum_k lut[a][b] modulo 2^32. Adds go through uint32 so the C++ code has no signed
// overflow; CUDA integer adds wrap the same way. Because reduction modulo 2^32 is a ring
// homomorphism, the low-rank path (products of int16 operands, vpmaddwd / IMMA) gives the same
// int32 as the table path for any K, with no bound on the accumulation length.
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define AXX_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define AXX_HOST_DEVICE inline
#endif

namespace axx::emulator {

// The table is 256x256 int32, row = operand A pattern (activation), column = operand B pattern
// (weight): lut[a * 256 + b], as in TransAxx/AdaPT (docs/emulator.md).
constexpr int kLutSide = 256;
constexpr int kLutEntries = kLutSide * kLutSide;

AXX_HOST_DEVICE std::int32_t lut_index(std::uint8_t a, std::uint8_t b) {
  return (static_cast<std::int32_t>(a) << 8) | static_cast<std::int32_t>(b);
}

// The value an 8-bit pattern stands for: two's complement for signed tables.
AXX_HOST_DEVICE std::int32_t operand_value(std::uint8_t pattern, bool is_signed) {
  return is_signed ? static_cast<std::int32_t>(static_cast<std::int8_t>(pattern))
                   : static_cast<std::int32_t>(pattern);
}

// acc + x modulo 2^32.
AXX_HOST_DEVICE std::int32_t acc_add(std::int32_t acc, std::int32_t x) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(x));
}

// a * b modulo 2^32.
AXX_HOST_DEVICE std::int32_t acc_mul(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) * static_cast<std::uint32_t>(b));
}

// One table lookup-accumulate: acc + lut[a][b].
AXX_HOST_DEVICE std::int32_t lut_mac(std::int32_t acc, const std::int32_t* lut, std::uint8_t a,
                                     std::uint8_t b) {
  return acc_add(acc, lut[lut_index(a, b)]);
}

}  // namespace axx::emulator
