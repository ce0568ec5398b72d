// Helpers shared by the multipliers tests: a builtin's table in the Lut layout, and a readable
// first difference between two tables (so a failure names the operand pair, not just "differ").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lutgen/lut.h"
#include "multipliers/registry.h"

namespace axx::multipliers::test_util {

// Every builtin's name, for value-parameterised tests (one ctest entry per design, so they run
// in parallel under ctest -j).
inline std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const Builtin& m : builtins()) names.emplace_back(m.name);
  return names;
}

inline std::string source_path(const std::string& relative) {
  return std::string(AXX_SOURCE_DIR) + "/" + relative;
}

// Table of a builtin, row = A pattern, column = B pattern (lutgen::Lut layout).
inline std::vector<std::int32_t> builtin_table(const Builtin& m) {
  const lutgen::OperandSpec spec{m.bits_a, m.bits_b, m.is_signed};
  std::vector<std::int32_t> t;
  t.reserve(spec.rows() * spec.cols());
  for (std::uint64_t a = 0; a < spec.rows(); ++a)
    for (std::uint64_t b = 0; b < spec.cols(); ++b)
      t.push_back(static_cast<std::int32_t>(m.fn(spec.value_a(a), spec.value_b(b))));
  return t;
}

// "" when equal, else the first differing entry as "[a][b]: got X, want Y" (8-bit patterns).
inline std::string first_difference(const std::vector<std::int32_t>& got,
                                    const std::vector<std::int32_t>& want, int bits_b = 8) {
  if (got.size() != want.size())
    return "size " + std::to_string(got.size()) + " != " + std::to_string(want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i]) {
      return "[" + std::to_string(i >> bits_b) + "][" + std::to_string(i & ((1u << bits_b) - 1)) +
             "]: got " + std::to_string(got[i]) + ", want " + std::to_string(want[i]);
    }
  }
  return "";
}

}  // namespace axx::multipliers::test_util
