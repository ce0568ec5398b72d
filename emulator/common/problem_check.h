// Argument checks shared by the CPU and CUDA entry points (host code only), so that both report
// the same readable messages for the same mistakes.
#pragma once
#include <cstdint>
#include <string>

#include "axx/error.h"
#include "emulator/emulator.h"

namespace axx::emulator {

inline void check_gemm_problem(const TableRef& table, const GemmProblem& p, const char* where) {
  const std::string w = std::string(where) + ": ";
  if (p.batch < 0 || p.M < 0 || p.N < 0 || p.K < 0)
    throw UsageError(w + "negative problem size (batch " + std::to_string(p.batch) + ", M " +
                     std::to_string(p.M) + ", N " + std::to_string(p.N) + ", K " +
                     std::to_string(p.K) + ")");
  if (p.batch == 0 || p.M == 0 || p.N == 0) return;
  if (!table.lut) throw UsageError(w + "table is null");
  if (p.K > 0) {
    if (!p.A) throw UsageError(w + "A is null");
    if (!p.B) throw UsageError(w + "B is null");
    if (p.lda < p.K) throw UsageError(w + "lda (" + std::to_string(p.lda) + ") < K (" +
                                      std::to_string(p.K) + ")");
    if (p.ldb < p.N) throw UsageError(w + "ldb (" + std::to_string(p.ldb) + ") < N (" +
                                      std::to_string(p.N) + ")");
  }
  if (p.stride_a < 0 || p.stride_b < 0 || p.stride_c < 0)
    throw UsageError(w + "negative batch stride");
  if (!p.C) throw UsageError(w + "C is null");
  if (p.batch > 1 && p.stride_c == 0)
    throw UsageError(w + "C batch stride is 0 with batch > 1 (outputs would overlap)");
  if (p.ldc < p.N)
    throw UsageError(w + "ldc (" + std::to_string(p.ldc) + ") < N (" + std::to_string(p.N) + ")");
}

// Path::LowRank needs the table's low-rank form.
inline void check_path(const TableRef& table, Path path, const char* where) {
  if (path == Path::LowRank && !table.has_lowrank())
    throw UsageError(std::string(where) +
                     ": Path::LowRank requested but the table has no low-rank form");
}

inline void check_conv2d_problem(const TableRef& table, const Conv2dProblem& p, const char* where) {
  const std::string w = std::string(where) + ": ";
  if (p.N < 0 || p.C < 0 || p.H < 0 || p.W < 0 || p.O < 0 || p.KH < 1 || p.KW < 1)
    throw UsageError(w + "bad conv2d sizes");
  if (p.stride_h < 1 || p.stride_w < 1) throw UsageError(w + "stride must be >= 1");
  if (p.dil_h < 1 || p.dil_w < 1) throw UsageError(w + "dilation must be >= 1");
  if (p.pad_h < 0 || p.pad_w < 0) throw UsageError(w + "padding must be >= 0");
  if (p.groups < 1) throw UsageError(w + "groups must be >= 1");
  if (p.C % p.groups != 0 || p.O % p.groups != 0)
    throw UsageError(w + "channels (" + std::to_string(p.C) + " in, " + std::to_string(p.O) +
                     " out) not divisible by groups (" + std::to_string(p.groups) + ")");
  if (p.out_h() < 1 || p.out_w() < 1)
    throw UsageError(w + "kernel larger than the padded input");
  if (p.N == 0 || p.O == 0) return;
  if (!table.lut) throw UsageError(w + "table is null");
  if (!p.y) throw UsageError(w + "y is null");
  if (p.C > 0 && (!p.x || !p.w)) throw UsageError(w + "x or w is null");
}

}  // namespace axx::emulator
