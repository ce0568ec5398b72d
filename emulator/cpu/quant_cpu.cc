// Quantize and dequantize on the CPU (emulator.h, quantize_cpu / dequantize_cpu): one pass over
// the elements, threaded through the common pool in chunks of kChunk elements. Inside a chunk the
// elements are walked in runs that read their scales (and dequantize's optional bias, indexed like
// the scales) the same way, so every inner loop is a plain loop the compiler vectorizes (the
// per-element math, emulator/common/quant_math.h, is branch-free): channels == 1 is one run with
// one scale; inner == 1 (a per-channel scale along the last dimension) runs along a row of
// channels with the scales side by side; otherwise a run is the `inner` elements of one channel,
// with that channel's scale. The loops are compiled twice, for SSE2 and AVX2, and cpu_isa() picks
// (Portable: SSE2).
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

// out[i] = f(in[i], scale of i) for i in [begin, end), in runs as described above; with kBias,
// out[i] = f(in[i], scale of i, bias of i), the bias indexed like the scale.
template <bool kBias, class In, class Out, class F>
[[gnu::always_inline]] inline void run_chunk(const In* in, Out* out, std::int64_t begin,
                                             std::int64_t end, const ScaleView& s,
                                             const float* bias, F f) {
  if (s.channels == 1) {
    const float sc = s.scale[0];
    if constexpr (kBias) {
      const float b = bias[0];
      for (std::int64_t i = begin; i < end; ++i) out[i] = f(in[i], sc, b);
    } else {
      for (std::int64_t i = begin; i < end; ++i) out[i] = f(in[i], sc);
    }
    return;
  }
  for (std::int64_t i = begin; i < end;) {
    const std::int64_t row = i / s.inner, c = row % s.channels;
    const In* x = in + i;
    Out* y = out + i;
    if (s.inner == 1) {  // scales c, c+1, ... up to the end of the row of channels
      const std::int64_t len = std::min(end - i, s.channels - c);
      const float* sc = s.scale + c;
      if constexpr (kBias) {
        const float* b = bias + c;
        for (std::int64_t k = 0; k < len; ++k) y[k] = f(x[k], sc[k], b[k]);
      } else {
        for (std::int64_t k = 0; k < len; ++k) y[k] = f(x[k], sc[k]);
      }
      i += len;
    } else {  // up to the end of channel c's run of inner elements
      const std::int64_t len = std::min(end - i, (row + 1) * s.inner - i);
      const float sc = s.scale[c];
      if constexpr (kBias) {
        const float b = bias[c];
        for (std::int64_t k = 0; k < len; ++k) y[k] = f(x[k], sc, b);
      } else {
        for (std::int64_t k = 0; k < len; ++k) y[k] = f(x[k], sc);
      }
      i += len;
    }
  }
}

// The loops compiled for the baseline x86-64 (SSE2) and for AVX2 (twice the vector width, and
// the int8 packing in fewer instructions); the same IEEE operations either way. No FMA: the AVX2
// target does not enable it, and this file is compiled with -ffp-contract=off besides
// (emulator/CMakeLists.txt), so the biased dequantize rounds its product and its sum separately
// whatever the target (quant_math.h, dequantize_bias_value).
template <bool kBias, class In, class Out, class F>
void chunk_portable(const In* in, Out* out, std::int64_t begin, std::int64_t end,
                    const ScaleView& s, const float* bias, F f) {
  run_chunk<kBias>(in, out, begin, end, s, bias, f);
}

template <bool kBias, class In, class Out, class F>
__attribute__((target("avx2"))) void chunk_avx2(const In* in, Out* out, std::int64_t begin,
                                                std::int64_t end, const ScaleView& s,
                                                const float* bias, F f) {
  run_chunk<kBias>(in, out, begin, end, s, bias, f);
}

// out[i] = f(in[i], scale of i[, bias of i]) for i in [0, n), in chunks over the pool.
template <bool kBias, class In, class Out, class F>
void scaled_pass(const In* in, std::int64_t n, const ScaleView& s, const float* bias, Out* out,
                 F f) {
  const std::int64_t chunks = (n + kChunk - 1) / kChunk;
  const bool avx2 = cpu_isa() != CpuIsa::Portable;  // Avx2 and every ISA above it
  std::optional<cpu::SerialScope> serial;
  if (n < kMinParallel) serial.emplace();
  cpu::parallel_for(chunks, [&](std::int64_t t) {
    const std::int64_t begin = t * kChunk, end = std::min(n, begin + kChunk);
    if (avx2)
      chunk_avx2<kBias>(in, out, begin, end, s, bias, f);
    else
      chunk_portable<kBias>(in, out, begin, end, s, bias, f);
  });
}

}  // namespace

void quantize_cpu(const float* x, std::int64_t n, const ScaleView& s, int qmin, int qmax,
                  std::int8_t* q) {
  if (!check_quant_args(x, n, s, qmin, qmax, q, "quantize_cpu")) return;
  const float lo = static_cast<float>(qmin), hi = static_cast<float>(qmax);
  scaled_pass<false>(x, n, s, nullptr, q,
                     [lo, hi](float v, float sc) { return quantize_value(v, sc, lo, hi); });
}

void dequantize_cpu(const std::int32_t* acc, std::int64_t n, const ScaleView& s, float* y,
                    const float* bias) {
  if (!check_quant_args(acc, n, s, -128, 127, y, "dequantize_cpu")) return;
  if (bias)
    scaled_pass<true>(acc, n, s, bias, y, [](std::int32_t v, float sc, float b) {
      return dequantize_bias_value(v, sc, b);
    });
  else
    scaled_pass<false>(acc, n, s, nullptr, y,
                       [](std::int32_t v, float sc) { return dequantize_value(v, sc); });
}

}  // namespace axx::emulator
