// The CPU kernel families behind gemm_cpu (one file each). All take a checked, non-empty problem
// with K > 0 and C non-null; C is overwritten.
#pragma once
#include <cstdint>

#include "emulator/emulator.h"

namespace axx::emulator::cpu {

// Path::Baseline: AdaPT's design, a serial triple loop with one table lookup per multiply
// (baseline_gemm_cpu.cc).
void baseline_gemm(const std::int32_t* lut, const GemmProblem& p);

// Table-lookup GEMM, cache-blocked and threaded, with the given instruction set (lut_gemm_cpu.cc).
void lut_gemm(const std::int32_t* lut, const GemmProblem& p, CpuIsa isa);

// Whether lowrank_gemm can run this form exactly under isa (operand tables fit int16; AVX2 or
// better).
bool lowrank_fits(const LowRankView& form, CpuIsa isa);
// C = A.B + sum_r U_r(A).V_r(B) as one integer GEMM with the terms stacked along K
// (lowrank_gemm_cpu.cc: int16 vpmaddwd under Avx2). Requires lowrank_fits(form, isa).
void lowrank_gemm(const LowRankView& form, const GemmProblem& p, CpuIsa isa);
// Forms whose correction factors are small enough for int16 sums of vpmaddubsw (see
// lowrank_bytes_avx2.cc): the exact product as an int16 GEMM, the R terms as a byte GEMM.
// lowrank_bytes_avx2 returns false (and does nothing) when the form does not qualify.
bool lowrank_small_bytes(const LowRankView& form);
bool lowrank_bytes_avx2(const LowRankView& form, const GemmProblem& p);
// The same with VNNI: 256-bit AVX-VNNI (isa AvxVnni), AVX-512 VNNI (Avx512), or AMX-INT8 tiles
// (Amx, when the form's terms fit bytes) (lowrank_gemm_avx512.cc).
void lowrank_gemm_avx512(const LowRankView& form, const GemmProblem& p, CpuIsa isa);

// Whether the AVX2 LUT kernel uses its column tables (lut_gemm_cpu.cc): they cost a 256 KiB table
// transpose per call and 256 x 8 entries per (k, 8 columns), amortised over max(M, N) rows, so
// small problems run the portable kernel instead.
constexpr std::int64_t kMinRowsColumnTable = 48;
constexpr std::int64_t kMinLookupsColumnTable = std::int64_t{1} << 20;
inline bool lut_uses_column_tables(const GemmProblem& p) {
  return (p.M > p.N ? p.M : p.N) >= kMinRowsColumnTable &&
         p.batch * p.M * p.N * p.K >= kMinLookupsColumnTable;
}

// Whether every term of the form spans at most 256 values on each side, so the AVX-512/AMX
// kernels run it as a byte GEMM (lowrank_gemm_avx512.cc); otherwise they use int16.
bool lowrank_byte_form(const LowRankView& form);

// Path::Auto's choice between the exact LUT and low-rank kernels, from their costs measured per
// core (docs/benchmarks-emulator-cpu.md): the column-table LUT kernel ~0.06 ns per lookup plus its
// table builds, ~40 ns / rows where rows = max(M, N) is the side they amortise over; low-rank
// costs per lookup and term (R+1 terms): AVX2 vpmaddwd ~0.023 ns (Zen 3; the byte terms of
// lowrank_bytes_avx2 ~0.011 ns each), AVX-512 vpdpbusd ~0.0085 ns and vpdpwssd ~0.02 ns (Xeon),
// twice that for 256-bit AVX-VNNI; AMX tiles are faster than the LUT kernel at every rank up to 8.
// Where the LUT kernel would be the portable one, low-rank always wins.
inline bool lowrank_is_faster(const LowRankView& form, const GemmProblem& p, CpuIsa isa) {
  if (!lut_uses_column_tables(p)) return true;
  const bool vnni = isa == CpuIsa::AvxVnni || isa == CpuIsa::Avx512 || isa == CpuIsa::Amx;
  const bool bytes = vnni && lowrank_byte_form(form);
  if (isa == CpuIsa::Amx && bytes) return true;
  const double wide = isa == CpuIsa::AvxVnni ? 2.0 : 1.0;
  const double per_term = isa == CpuIsa::Avx2 ? 0.023 : (bytes ? 0.0085 : 0.02) * wide;
  const double rows = static_cast<double>(p.M > p.N ? p.M : p.N);
  const double lut_ns = 0.06 + 40.0 / rows;
  const double lowrank_ns = isa == CpuIsa::Avx2 && form.rank >= 1 && lowrank_small_bytes(form)
                                ? 0.023 + 0.011 * form.rank  // int16 product + byte terms
                                : per_term * (form.rank + 1);
  return lowrank_ns < lut_ns;
}

// Problems below this many lookups run on the calling thread only (starting threads costs more).
constexpr std::int64_t kMinLookupsParallel = std::int64_t{1} << 18;

}  // namespace axx::emulator::cpu
