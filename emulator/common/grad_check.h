// Argument checks of the table-gradient GEMM (lut_grad_cpu / lut_grad_cuda), shared by both so
// they report the same messages.
#pragma once
#include <cstdint>
#include <string>

#include "axx/error.h"
#include "emulator/emulator.h"

namespace axx::emulator {

// Throws UsageError on a malformed problem; returns false when there is nothing to compute
// (empty output).
inline bool check_grad_problem(const std::int32_t* diff, GradSide side, const GradProblem& p,
                               const char* where) {
  const std::string w = std::string(where) + ": ";
  if (p.batch < 0 || p.M < 0 || p.N < 0 || p.K < 0)
    throw UsageError(w + "negative problem size (batch " + std::to_string(p.batch) + ", M " +
                     std::to_string(p.M) + ", N " + std::to_string(p.N) + ", K " +
                     std::to_string(p.K) + ")");
  const std::int64_t rows = side == GradSide::A ? p.M : p.K;
  const std::int64_t cols = side == GradSide::A ? p.K : p.N;
  if (p.batch == 0 || rows == 0 || cols == 0) return false;
  if (!p.out) throw UsageError(w + "out is null");
  if (p.ld_out < cols)
    throw UsageError(w + "ld_out (" + std::to_string(p.ld_out) + ") < " + std::to_string(cols));
  if (p.batch > 1 && p.stride_out == 0)
    throw UsageError(w + "out batch stride is 0 with batch > 1 (outputs would overlap)");
  if (p.stride_a < 0 || p.stride_b < 0 || p.stride_g < 0 || p.stride_out < 0)
    throw UsageError(w + "negative batch stride");
  if (side == GradSide::A ? p.N == 0 : p.M == 0) return true;  // zero-length sums: out = 0
  if (!diff) throw UsageError(w + "difference table is null");
  if (!p.A || !p.B || !p.G) throw UsageError(w + "A, B or G is null");
  if (p.lda < p.K) throw UsageError(w + "lda (" + std::to_string(p.lda) + ") < K (" +
                                    std::to_string(p.K) + ")");
  if (p.ldb < p.N) throw UsageError(w + "ldb (" + std::to_string(p.ldb) + ") < N (" +
                                    std::to_string(p.N) + ")");
  if (p.ldg < p.N) throw UsageError(w + "ldg (" + std::to_string(p.ldg) + ") < N (" +
                                    std::to_string(p.N) + ")");
  return true;
}

}  // namespace axx::emulator
