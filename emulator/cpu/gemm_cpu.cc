// gemm_cpu: the public CPU entry point. Same steps as every host wrapper: check, early return on
// empty, pick the kernel family.
#include <algorithm>
#include <optional>

#include "axx/error.h"
#include "emulator/common/problem_check.h"
#include "emulator/cpu/kernels_cpu.h"
#include "emulator/cpu/parallel_cpu.h"
#include "emulator/emulator.h"

namespace axx::emulator {

void gemm_cpu(const TableRef& table, const GemmProblem& p, Path path) {
  check_gemm_problem(table, p, "gemm_cpu");
  if (p.batch == 0 || p.M == 0 || p.N == 0) return;
  check_path(table, path, "gemm_cpu");

  std::optional<cpu::SerialScope> serial;  // small problems: threads would cost more than they save
  if (p.batch * p.M * p.N * std::max<std::int64_t>(p.K, 1) < cpu::kMinLookupsParallel)
    serial.emplace();

  if (p.K == 0) {
    for (std::int64_t b = 0; b < p.batch; ++b)
      for (std::int64_t i = 0; i < p.M; ++i) std::fill_n(p.C + b * p.stride_c + i * p.ldc, p.N, 0);
    return;
  }
  const CpuIsa isa = cpu_isa();
  const bool can_lowrank = table.has_lowrank() && cpu::lowrank_fits(table.lowrank, isa);
  const bool lowrank =
      can_lowrank && (path == Path::LowRank ||
                      (path == Path::Auto && cpu::lowrank_is_faster(table.lowrank, p, isa)));
  if (path == Path::Baseline)
    cpu::baseline_gemm(table.lut, p);
  else if (lowrank)
    cpu::lowrank_gemm(table.lowrank, p, isa);
  else
    cpu::lut_gemm(table.lut, p, isa);
}

}  // namespace axx::emulator
