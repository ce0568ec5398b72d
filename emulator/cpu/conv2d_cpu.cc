// conv2d_cpu: im2col over the whole batch into one batched GEMM (batch = groups), then a
// scatter of the pixel-major result into NCHW.
//
// Operand order follows the table: A = activations (row index of lut), B = weights (column). So
// the GEMM is C[pixel][o] = sum_{c,kh,kw} lut[x(c, ih, iw)][w(o, c, kh, kw)], pixels = (n, oh, ow).
// Padded positions hold the pattern 0 (value zero), so they contribute lut[0][w] -- 0 for any
// sane multiplier but not for an arbitrary table; this is exactly what a zero-padded int8
// convolution through the table computes, and the Python reference does the same.
#include <algorithm>
#include <vector>

#include "emulator/common/problem_check.h"
#include "emulator/cpu/parallel_cpu.h"
#include "emulator/emulator.h"

namespace axx::emulator {
namespace {
constexpr std::int64_t kMaxIm2colBytes = std::int64_t{64} << 20;
}

void conv2d_cpu(const TableRef& table, const Conv2dProblem& p, Path path) {
  check_conv2d_problem(table, p, "conv2d_cpu");
  if (p.N == 0 || p.O == 0) return;
  const std::int64_t OH = p.out_h(), OW = p.out_w(), P = OH * OW, G = p.groups;
  const std::int64_t Cg = p.C / G, Og = p.O / G, Kg = Cg * p.KH * p.KW;

  // B[g][k][o] = w[g*Og + o][k]: the weight, transposed so output channels are columns.
  std::vector<std::uint8_t> wt(static_cast<std::size_t>(G * Kg * Og));
  for (std::int64_t g = 0; g < G; ++g)
    for (std::int64_t o = 0; o < Og; ++o)
      for (std::int64_t k = 0; k < Kg; ++k) wt[(g * Kg + k) * Og + o] = p.w[(g * Og + o) * Kg + k];

  const std::int64_t per_sample = G * P * std::max<std::int64_t>(Kg, 1) + G * P * Og * 4;
  const std::int64_t chunk = std::clamp<std::int64_t>(kMaxIm2colBytes / per_sample, 1, p.N);
  std::vector<std::uint8_t> cols(static_cast<std::size_t>(G * chunk * P * Kg));
  std::vector<std::int32_t> out(static_cast<std::size_t>(G * chunk * P * Og));

  for (std::int64_t n0 = 0; n0 < p.N; n0 += chunk) {
    const std::int64_t nn = std::min(chunk, p.N - n0), rows = nn * P;
    // cols[g][(n, oh, ow)][(c, kh, kw)]
    cpu::parallel_for(G * nn * OH, [&](std::int64_t t) {
      const std::int64_t g = t / (nn * OH), n = t / OH % nn, oh = t % OH;
      const std::uint8_t* xg = p.x + ((n0 + n) * p.C + g * Cg) * p.H * p.W;
      std::uint8_t* dst = cols.data() + (g * rows + n * P + oh * OW) * Kg;
      for (std::int64_t ow = 0; ow < OW; ++ow, dst += Kg) {
        std::uint8_t* d = dst;
        for (std::int64_t c = 0; c < Cg; ++c)
          for (std::int64_t kh = 0; kh < p.KH; ++kh) {
            const std::int64_t ih = oh * p.stride_h - p.pad_h + kh * p.dil_h;
            for (std::int64_t kw = 0; kw < p.KW; ++kw) {
              const std::int64_t iw = ow * p.stride_w - p.pad_w + kw * p.dil_w;
              *d++ = (ih >= 0 && ih < p.H && iw >= 0 && iw < p.W)
                         ? xg[(c * p.H + ih) * p.W + iw]
                         : std::uint8_t{0};
            }
          }
      }
    });
    GemmProblem gp;
    gp.batch = G;
    gp.M = rows;
    gp.N = Og;
    gp.K = Kg;
    gp.A = cols.data();
    gp.lda = Kg;
    gp.stride_a = rows * Kg;
    gp.B = wt.data();
    gp.ldb = Og;
    gp.stride_b = Kg * Og;
    gp.C = out.data();
    gp.ldc = Og;
    gp.stride_c = rows * Og;
    gemm_cpu(table, gp, path);
    // y[n][g*Og + o][pixel] = out[g][n*P + pixel][o]
    cpu::parallel_for(nn * G, [&](std::int64_t t) {
      const std::int64_t n = t / G, g = t % G;
      const std::int32_t* src = out.data() + (g * rows + n * P) * Og;
      std::int32_t* dst = p.y + ((n0 + n) * p.O + g * Og) * P;
      for (std::int64_t px = 0; px < P; ++px)
        for (std::int64_t o = 0; o < Og; ++o) dst[o * P + px] = src[px * Og + o];
    });
  }
}

}  // namespace axx::emulator
