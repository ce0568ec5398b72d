// Exact low-rank form of an approximate multiplier (docs/emulator.md, the exact low-rank form):
//   lut[a][b] = value(a) * value(b) + sum_r u[r][a] * v[r][b]    for every 8-bit pattern pair,
// integer tables found with exact arithmetic and verified on every entry.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace axx::lutgen {

struct LowRankForm {
  int rank = 0;
  bool is_signed = true;
  std::vector<std::int32_t> u;  // rank x 256, row r at u[r*256 .. r*256+255]
  std::vector<std::int32_t> v;  // rank x 256
};

// lut256: 256x256 table (expand_to_256). Returns nullopt when the exact rank exceeds max_rank.
std::optional<LowRankForm> decompose(const std::vector<std::int32_t>& lut256, bool is_signed,
                                     int max_rank = 8);

}  // namespace axx::lutgen
