// The CPU kernel families behind gemm_cpu (one file each). All take a checked, non-empty problem
// with K > 0 and C non-null; C is overwritten.
#pragma once
#include <cstdint>

#include "emulator/emulator.h"

namespace axx::emulator::cpu {

// The oracle: the plain triple loop, one lookup per multiply (reference_gemm_cpu.cc).
void reference_gemm(const std::int32_t* lut, const GemmProblem& p);

// Table-lookup GEMM, cache-blocked and threaded, with the given instruction set (lut_gemm_cpu.cc).
void lut_gemm(const std::int32_t* lut, const GemmProblem& p, CpuIsa isa);

// Whether lowrank_gemm can run this form exactly under isa (operand tables fit int16, AVX2).
bool lowrank_fits(const LowRankView& form, CpuIsa isa);
// C = A.B + sum_r U_r(A).V_r(B) as one int16 GEMM with the terms stacked along K
// (lowrank_gemm_cpu.cc). Requires lowrank_fits(form, isa).
void lowrank_gemm(const LowRankView& form, const GemmProblem& p, CpuIsa isa);

// Whether the AVX2 LUT kernel uses its column tables (lut_gemm_cpu.cc): they cost a 256 KiB table
// transpose per call and 256 x 8 entries per (k, 8 columns), amortised over max(M, N) rows, so
// small problems run the portable kernel instead.
constexpr std::int64_t kMinRowsColumnTable = 48;
constexpr std::int64_t kMinLookupsColumnTable = std::int64_t{1} << 20;
inline bool lut_uses_column_tables(const GemmProblem& p) {
  return (p.M > p.N ? p.M : p.N) >= kMinRowsColumnTable &&
         p.batch * p.M * p.N * p.K >= kMinLookupsColumnTable;
}

// Path::Auto's choice between the two exact AVX2 kernels, from their costs measured on this
// machine (docs/benchmarks-emulator-cpu.md, CPU time per lookup): the low-rank GEMM costs R+1
// int16 MACs per lookup at ~0.035 ns each; the column-table LUT kernel ~0.07 ns per lookup plus
// its table builds, ~100 ns / rows where rows = max(M, N) is the side they amortise over. Where
// the LUT kernel would be the portable one, low-rank always wins.
inline bool lowrank_is_faster(int rank, const GemmProblem& p) {
  if (!lut_uses_column_tables(p)) return true;
  const double rows = static_cast<double>(p.M > p.N ? p.M : p.N);
  const double lut_ns = 0.07 + 100.0 / rows, lowrank_ns = 0.035 * (rank + 1);
  return lowrank_ns < lut_ns;
}

// Problems below this many lookups run on the calling thread only (starting threads costs more).
constexpr std::int64_t kMinLookupsParallel = std::int64_t{1} << 18;

// out = dequantize(C) for every element (gemm_cpu.cc).
void apply_epilogue(const GemmProblem& p, const Epilogue& e);

}  // namespace axx::emulator::cpu
