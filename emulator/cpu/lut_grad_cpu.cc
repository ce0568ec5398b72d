// Table-gradient GEMM on the CPU (emulator.h, lut_grad_cpu): float gradients through a 256x256
// integer difference table. Plain loops, threaded over output rows through the common pool:
//   side A: out[i][k] = sum_j G[i][j] * D[A[i][k]][B[k][j]], one output row i per task, each sum a
//           walk along contiguous rows of G and B;
//   side B: out[k][j] = sum_i G[i][j] * D[A[i][k]][B[k][j]], a block of output rows k per task,
//           accumulated over i into the row (contiguous in j), so the tasks never share an output.
// The table is converted to float once per call (256 KiB, stays in cache); the scale is applied
// after the sum, so with small integer-valued G every partial sum is exact.
#include <algorithm>
#include <optional>
#include <vector>

#include "emulator/common/grad_check.h"
#include "emulator/cpu/kernels_cpu.h"
#include "emulator/cpu/parallel_cpu.h"
#include "emulator/emulator.h"

namespace axx::emulator {
namespace {

constexpr std::int64_t kRowsPerTaskB = 8;

void grad_a(const float* tab, float scale, const GradProblem& p) {
  cpu::parallel_for(p.batch * p.M, [&](std::int64_t t) {
    const std::int64_t z = t / p.M, i = t % p.M;
    const std::uint8_t* a = p.A + z * p.stride_a + i * p.lda;
    const float* g = p.G + z * p.stride_g + i * p.ldg;
    float* o = p.out + z * p.stride_out + i * p.ld_out;
    for (std::int64_t k = 0; k < p.K; ++k) {
      const float* row = tab + a[k] * 256;
      const std::uint8_t* b = p.B + z * p.stride_b + k * p.ldb;
      float acc = 0.f;
      for (std::int64_t j = 0; j < p.N; ++j) acc += g[j] * row[b[j]];
      o[k] = acc * scale;
    }
  });
}

void grad_b(const float* tab, float scale, const GradProblem& p) {
  const std::int64_t blocks = (p.K + kRowsPerTaskB - 1) / kRowsPerTaskB;
  cpu::parallel_for(p.batch * blocks, [&](std::int64_t t) {
    const std::int64_t z = t / blocks, k0 = (t % blocks) * kRowsPerTaskB;
    const std::int64_t k1 = std::min(p.K, k0 + kRowsPerTaskB);
    for (std::int64_t k = k0; k < k1; ++k) {
      float* o = p.out + z * p.stride_out + k * p.ld_out;
      std::fill_n(o, p.N, 0.f);
      const std::uint8_t* b = p.B + z * p.stride_b + k * p.ldb;
      for (std::int64_t i = 0; i < p.M; ++i) {
        const float* row = tab + p.A[z * p.stride_a + i * p.lda + k] * 256;
        const float* g = p.G + z * p.stride_g + i * p.ldg;
        for (std::int64_t j = 0; j < p.N; ++j) o[j] += g[j] * row[b[j]];
      }
      for (std::int64_t j = 0; j < p.N; ++j) o[j] *= scale;
    }
  });
}

}  // namespace

void lut_grad_cpu(const std::int32_t* diff, float scale, GradSide side, const GradProblem& p) {
  if (!check_grad_problem(diff, side, p, "lut_grad_cpu")) return;
  const std::int64_t rows = side == GradSide::A ? p.M : p.K;
  const std::int64_t cols = side == GradSide::A ? p.K : p.N;
  if (side == GradSide::A ? p.N == 0 : p.M == 0) {
    for (std::int64_t z = 0; z < p.batch; ++z)
      for (std::int64_t r = 0; r < rows; ++r)
        std::fill_n(p.out + z * p.stride_out + r * p.ld_out, cols, 0.f);
    return;
  }
  std::optional<cpu::SerialScope> serial;  // small problems: threads would cost more than they save
  if (p.batch * p.M * p.N * p.K < cpu::kMinLookupsParallel) serial.emplace();

  std::vector<float> tab(256 * 256);
  for (int e = 0; e < 256 * 256; ++e) tab[e] = static_cast<float>(diff[e]);
  if (side == GradSide::A)
    grad_a(tab.data(), scale, p);
  else
    grad_b(tab.data(), scale, p);
}

}  // namespace axx::emulator
