// Argument checks of quantize / dequantize (quantize_cpu / quantize_cuda and the dequantize pair),
// shared by both so they report the same messages.
#pragma once
#include <cstdint>
#include <string>

#include "axx/error.h"
#include "emulator/emulator.h"

namespace axx::emulator {

// Throws UsageError on malformed arguments; returns false when there is nothing to do (n == 0).
// `in` and `out` are the element pointers, qmin / qmax the quantizer's range (dequantize passes
// the full int8 range).
inline bool check_quant_args(const void* in, std::int64_t n, const ScaleView& s, int qmin,
                             int qmax, const void* out, const char* where) {
  const std::string w = std::string(where) + ": ";
  if (n < 0) throw UsageError(w + "negative element count " + std::to_string(n));
  if (qmin < -128 || qmax > 127 || qmin > qmax)
    throw UsageError(w + "qmin, qmax (" + std::to_string(qmin) + ", " + std::to_string(qmax) +
                     ") must satisfy -128 <= qmin <= qmax <= 127");
  if (s.channels < 1 || s.inner < 1)
    throw UsageError(w + "channels (" + std::to_string(s.channels) + ") and inner (" +
                     std::to_string(s.inner) + ") must be at least 1");
  if (n == 0) return false;
  if (!in || !out) throw UsageError(w + "input or output is null");
  if (!s.scale) throw UsageError(w + "scale is null");
  return true;
}

}  // namespace axx::emulator
