// Path::Auto on CUDA: LUT kernel or exact low-rank path, per table and shape (docs/emulator-cuda.md,
// "Choosing the path"). Both paths give the same int32 result, so the choice is speed only.
//
// Time models, in seconds, for Z batches of an M x N x K GEMM whose form has S int8 slices:
//   LUT:      t = lut_fixed + lut_per_mac * Z*M*N*K
//   low-rank: t = lr_fixed + lr_per_gather * Z*(M+N)*K*S + lr_per_mac * Z*M*N*K*S
// lut_fixed / lr_fixed are the per-call costs (launches; for low-rank also the slice preparation and
// the gated fallback launch), lr_per_gather the operand translation (bytes written per slice),
// lr_per_mac one int8 tensor-core MAC. The constants are a least-squares fit to timings on an H200
// (bench/emulator_cuda, section "cost model", prints the fit and the measurements).
#pragma once
#include <cstdint>

namespace axx::emulator::cuda_detail {

struct CostModel {
  // Fitted on the H200 (`axx_bench_emulator_cuda --cost-model --reps 9`, after LUT tilings 20-22):
  // picks the faster path at 68 of the benchmark's 77 points (the constants fitted before those
  // tilings: 66; the misses are 64^3 problems within microseconds, and forms of 17-49 slices at
  // the edge of the fit).
  double lut_fixed = 5.203e-05, lut_per_mac = 4.833e-13;
  double lr_fixed = 5.281e-05, lr_per_gather = 1.1e-12, lr_per_mac = 6.307e-16;

  double lut_seconds(std::int64_t Z, std::int64_t M, std::int64_t N, std::int64_t K) const {
    return lut_fixed + lut_per_mac * static_cast<double>(Z) * M * N * K;
  }
  double lowrank_seconds(std::int64_t Z, std::int64_t M, std::int64_t N, std::int64_t K,
                         int S) const {
    const double zk = static_cast<double>(Z) * K * S;
    return lr_fixed + lr_per_gather * zk * (M + N) + lr_per_mac * zk * M * N;
  }
  bool lowrank_is_faster(std::int64_t Z, std::int64_t M, std::int64_t N, std::int64_t K,
                         int S) const {
    return lowrank_seconds(Z, M, N, K, S) < lut_seconds(Z, M, N, K);
  }
};

inline const CostModel& cost_model() {
  static const CostModel m;
  return m;
}

}  // namespace axx::emulator::cuda_detail
