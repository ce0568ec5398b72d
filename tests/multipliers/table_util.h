// Helpers shared by the multipliers tests: a builtin's table in the Lut layout, and a readable
// first difference between two tables (so a failure names the operand pair, not just "differ").
#pragma once
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <utility>
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

// A design's params string as key -> value ("k=5 corr=0" -> {k: "5", corr: "0"}).
inline std::map<std::string, std::string> parse_params(const std::string& params) {
  std::map<std::string, std::string> out;
  std::istringstream in(params);
  for (std::string item; in >> item;) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return {{"<malformed>", item}};
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

inline int param_int(const std::map<std::string, std::string>& p, const std::string& key) {
  const auto it = p.find(key);
  if (it == p.end()) return -1;
  return std::atoi(it->second.c_str());
}

// Rank of a 256x256 integer matrix modulo the prime q = 2^31 - 1 by Gaussian elimination: a lower
// bound on its rational rank (a minor that vanishes over the integers vanishes modulo q).
constexpr std::uint64_t kRankPrime = (std::uint64_t{1} << 31) - 1;

inline std::uint64_t mod_q(std::int64_t x) {
  const std::int64_t r = x % static_cast<std::int64_t>(kRankPrime);
  return static_cast<std::uint64_t>(r < 0 ? r + static_cast<std::int64_t>(kRankPrime) : r);
}

inline std::uint64_t pow_q(std::uint64_t a, std::uint64_t e) {
  std::uint64_t r = 1;
  for (; e; e >>= 1, a = a * a % kRankPrime)
    if (e & 1) r = r * a % kRankPrime;
  return r;
}

inline int rank_mod_q(std::vector<std::uint64_t> m) {
  constexpr std::uint64_t q = kRankPrime;
  int rank = 0;
  for (int col = 0; col < 256 && rank < 256; ++col) {
    int pivot = rank;
    while (pivot < 256 && m[pivot * 256 + col] == 0) ++pivot;
    if (pivot == 256) continue;
    for (int c = 0; c < 256; ++c) std::swap(m[rank * 256 + c], m[pivot * 256 + c]);
    const std::uint64_t inv = pow_q(m[rank * 256 + col], q - 2);
    for (int c = col; c < 256; ++c) m[rank * 256 + c] = m[rank * 256 + c] * inv % q;
    for (int r = rank + 1; r < 256; ++r) {
      const std::uint64_t f = m[r * 256 + col];
      if (f == 0) continue;
      for (int c = col; c < 256; ++c) m[r * 256 + c] = (m[r * 256 + c] + (q - f) * m[rank * 256 + c]) % q;
    }
    ++rank;
  }
  return rank;
}

// The error matrix E = table - a*b of builtin M (rows = A pattern), reduced modulo q, and its rank.
inline int error_rank_mod_q(const Builtin& m) {
  std::vector<std::uint64_t> e(256 * 256);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      const std::int64_t va = m.is_signed ? static_cast<std::int8_t>(a) : a;
      const std::int64_t vb = m.is_signed ? static_cast<std::int8_t>(b) : b;
      e[a * 256 + b] = mod_q(m.fn(va, vb) - va * vb);
    }
  return rank_mod_q(std::move(e));
}

}  // namespace axx::multipliers::test_util
