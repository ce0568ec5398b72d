// Quantize and dequantize on the CPU (emulator.h, quantize_cpu / dequantize_cpu): one pass over
// the elements, threaded through the common pool in chunks of kChunk elements. Inside a chunk the
// elements are walked in runs that read their scales the same way, so every inner loop is a
// plain loop the compiler vectorizes (the per-element math, emulator/common/quant_math.h, is
// branch-free): channels == 1 is one run with one scale; inner == 1 (a per-channel scale along the
// last dimension) runs along a row of channels with the scales side by side; otherwise a run is the
// `inner` elements of one channel, with that channel's scale. The loops are compiled twice, for
// SSE2 and AVX2, and cpu_isa() picks (Portable: SSE2).
#include <algorithm>
#include <cstdint>
#include <optional>

#include "emulator/common/quant_check.h"
#include "emulator/common/quant_math.h"
#include "emulator/cpu/parallel_cpu.h"
#include "emulator/emulator.h"

namespace axx::emulator {
namespace {

constexpr std::int64_t kChunk = std::int64_t{1} << 16;
// Fewer elements than this run on the calling thread (waking the pool costs more).
constexpr std::int64_t kMinParallel = std::int64_t{1} << 18;

// out[i] = f(in[i], scale of i) for i in [begin, end), in runs as described above.
template <class In, class Out, class F>
[[gnu::always_inline]] inline void run_chunk(const In* in, Out* out, std::int64_t begin,
                                             std::int64_t end, const ScaleView& s, F f) {
  if (s.channels == 1) {
    const float sc = s.scale[0];
    for (std::int64_t i = begin; i < end; ++i) out[i] = f(in[i], sc);
    return;
  }
  for (std::int64_t i = begin; i < end;) {
    const std::int64_t row = i / s.inner, c = row % s.channels;
    const In* x = in + i;
    Out* y = out + i;
    if (s.inner == 1) {  // scales c, c+1, ... up to the end of the row of channels
      const std::int64_t len = std::min(end - i, s.channels - c);
      const float* sc = s.scale + c;
      for (std::int64_t k = 0; k < len; ++k) y[k] = f(x[k], sc[k]);
      i += len;
    } else {  // up to the end of channel c's run of inner elements
      const std::int64_t len = std::min(end - i, (row + 1) * s.inner - i);
      const float sc = s.scale[c];
      for (std::int64_t k = 0; k < len; ++k) y[k] = f(x[k], sc);
      i += len;
    }
  }
}

// The loops compiled for the baseline x86-64 (SSE2) and for AVX2 (twice the vector width, and
// the int8 packing in fewer instructions); the same IEEE operations either way, and no FMA (the
// math has no product to fuse with an add anyway).
template <class In, class Out, class F>
void chunk_portable(const In* in, Out* out, std::int64_t begin, std::int64_t end,
                    const ScaleView& s, F f) {
  run_chunk(in, out, begin, end, s, f);
}

template <class In, class Out, class F>
__attribute__((target("avx2"))) void chunk_avx2(const In* in, Out* out, std::int64_t begin,
                                                std::int64_t end, const ScaleView& s, F f) {
  run_chunk(in, out, begin, end, s, f);
}

// out[i] = f(in[i], scale of i) for i in [0, n), in chunks over the pool.
template <class In, class Out, class F>
void scaled_pass(const In* in, std::int64_t n, const ScaleView& s, Out* out, F f) {
  const std::int64_t chunks = (n + kChunk - 1) / kChunk;
  const bool avx2 = cpu_isa() != CpuIsa::Portable;  // Avx2 and every ISA above it
  std::optional<cpu::SerialScope> serial;
  if (n < kMinParallel) serial.emplace();
  cpu::parallel_for(chunks, [&](std::int64_t t) {
    const std::int64_t begin = t * kChunk, end = std::min(n, begin + kChunk);
    if (avx2)
      chunk_avx2(in, out, begin, end, s, f);
    else
      chunk_portable(in, out, begin, end, s, f);
  });
}

}  // namespace

void quantize_cpu(const float* x, std::int64_t n, const ScaleView& s, int qmin, int qmax,
                  std::int8_t* q) {
  if (!check_quant_args(x, n, s, qmin, qmax, q, "quantize_cpu")) return;
  const float lo = static_cast<float>(qmin), hi = static_cast<float>(qmax);
  scaled_pass(x, n, s, q, [lo, hi](float v, float sc) { return quantize_value(v, sc, lo, hi); });
}

void dequantize_cpu(const std::int32_t* acc, std::int64_t n, const ScaleView& s, float* y) {
  if (!check_quant_args(acc, n, s, -128, 127, y, "dequantize_cpu")) return;
  scaled_pass(acc, n, s, y, [](std::int32_t v, float sc) { return dequantize_value(v, sc); });
}

}  // namespace axx::emulator
