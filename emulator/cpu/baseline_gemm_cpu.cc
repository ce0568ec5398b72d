// Path::Baseline on the CPU: AdaPT's design, a serial loop with one scalar table lookup per
// multiply. The benchmarks' yardstick; it takes no part in Path::Auto.
#include "emulator/common/lut_math.h"
#include "emulator/cpu/kernels_cpu.h"

namespace axx::emulator::cpu {

void baseline_gemm(const std::int32_t* lut, const GemmProblem& p) {
  for (std::int64_t b = 0; b < p.batch; ++b) {
    const std::uint8_t* A = p.A + b * p.stride_a;
    const std::uint8_t* B = p.B + b * p.stride_b;
    std::int32_t* C = p.C + b * p.stride_c;
    for (std::int64_t i = 0; i < p.M; ++i)
      for (std::int64_t j = 0; j < p.N; ++j) {
        std::int32_t acc = 0;
        for (std::int64_t k = 0; k < p.K; ++k)
          acc = lut_mac(acc, lut, A[i * p.lda + k], B[k * p.ldb + j]);
        C[i * p.ldc + j] = acc;
      }
  }
}

}  // namespace axx::emulator::cpu
