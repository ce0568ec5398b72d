// gemm_cpu: the public CPU entry point. Same steps as every host wrapper: check, early return on
// empty, scratch for the int32 result when only the epilogue output is wanted, pick the kernel
// family, run the epilogue.
#include <algorithm>
#include <optional>
#include <vector>

#include "axx/error.h"
#include "emulator/common/lut_math.h"
#include "emulator/common/problem_check.h"
#include "emulator/cpu/kernels_cpu.h"
#include "emulator/cpu/parallel_cpu.h"
#include "emulator/emulator.h"

namespace axx::emulator {

namespace cpu {

void apply_epilogue(const GemmProblem& p, const Epilogue& e) {
  parallel_for(p.batch * p.M, [&](std::int64_t t) {
    const std::int64_t b = t / p.M, i = t % p.M;
    const std::int32_t* c = p.C + b * p.stride_c + i * p.ldc;
    float* o = e.out + b * e.stride_o + i * e.ldo;
    for (std::int64_t j = 0; j < p.N; ++j) {
      const float sb = e.scale_b[e.scale_b_per_channel ? j : 0];
      o[j] = dequantize(c[j], e.scale_a, sb, e.bias ? e.bias[j] : 0.0f);
    }
  });
}

}  // namespace cpu

void gemm_cpu(const TableRef& table, const GemmProblem& p, const Epilogue* epi, Path path) {
  check_gemm_problem(table, p, epi, "gemm_cpu");
  if (p.batch == 0 || p.M == 0 || p.N == 0) return;
  if (path == Path::LowRank && !table.has_lowrank())
    throw UsageError("gemm_cpu: Path::LowRank requested but the table has no low-rank form");

  std::optional<cpu::SerialScope> serial;  // small problems: threads would cost more than they save
  if (p.batch * p.M * p.N * std::max<std::int64_t>(p.K, 1) < cpu::kMinLookupsParallel)
    serial.emplace();

  GemmProblem q = p;
  std::vector<std::int32_t> scratch;
  if (!q.C) {
    scratch.resize(static_cast<std::size_t>(q.batch * q.M * q.N));
    q.C = scratch.data();
    q.ldc = q.N;
    q.stride_c = q.M * q.N;
  }

  if (q.K == 0) {
    for (std::int64_t b = 0; b < q.batch; ++b)
      for (std::int64_t i = 0; i < q.M; ++i) std::fill_n(q.C + b * q.stride_c + i * q.ldc, q.N, 0);
  } else {
    const CpuIsa isa = cpu_isa();
    const bool can_lowrank = table.has_lowrank() && cpu::lowrank_fits(table.lowrank, isa);
    const bool lowrank =
        can_lowrank && (path == Path::LowRank ||
                        (path == Path::Auto && cpu::lowrank_is_faster(table.lowrank, q, isa)));
    if (path == Path::Reference)
      cpu::reference_gemm(table.lut, q);
    else if (lowrank)
      cpu::lowrank_gemm(table.lowrank, q, isa);
    else
      cpu::lut_gemm(table.lut, q, isa);
  }
  if (epi) cpu::apply_epilogue(q, *epi);
}

}  // namespace axx::emulator
