// Tables for the emulator tests: random (no structure), exact products, and structured tables
// with a known exact low-rank form (random small factors, and truncated-multiplier style).
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "emulator/common/lut_math.h"

namespace axx::emulator::testing {

struct TestTable {
  std::vector<std::int32_t> lut;  // 256 x 256
  bool is_signed = true;
  int rank = -1;                   // known low-rank form when >= 0
  std::vector<std::int32_t> u, v;  // rank x 256
};

inline TestTable exact_table(bool is_signed) {
  TestTable t;
  t.is_signed = is_signed;
  t.rank = 0;
  t.lut.resize(kLutEntries);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b)
      t.lut[a * 256 + b] = operand_value(static_cast<std::uint8_t>(a), is_signed) *
                           operand_value(static_cast<std::uint8_t>(b), is_signed);
  return t;
}

// Entries uniform in [lo, hi]: no structure, full rank.
inline TestTable random_table(std::uint32_t seed, std::int32_t lo, std::int32_t hi,
                              bool is_signed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int32_t> d(lo, hi);
  TestTable t;
  t.is_signed = is_signed;
  t.lut.resize(kLutEntries);
  for (auto& x : t.lut) x = d(rng);
  return t;
}

// lut = val(a) val(b) + sum_r u_r[a] v_r[b] with the given tables.
inline TestTable from_form(bool is_signed, int rank, std::vector<std::int32_t> u,
                           std::vector<std::int32_t> v) {
  TestTable t = exact_table(is_signed);
  t.rank = rank;
  t.u = std::move(u);
  t.v = std::move(v);
  // Summed in 64 bits: a form may be deliberately too large for int32 (lowrank_encoding_test's
  // 2^40 products, which an encoding must decline). Such a table wraps modulo 2^32 (defined since
  // C++20), where an int product would be undefined behaviour (make test-asan stops on it).
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      std::int64_t s = t.lut[a * 256 + b];
      for (int r = 0; r < rank; ++r) s += std::int64_t{t.u[r * 256 + a]} * t.v[r * 256 + b];
      t.lut[a * 256 + b] = static_cast<std::int32_t>(s);
    }
  return t;
}

// Random factors |u| <= 64, |v| <= 128, like published designs.
inline TestTable random_lowrank_table(std::uint32_t seed, int rank, bool is_signed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> du(-64, 64), dv(-128, 128);
  std::vector<std::int32_t> u(rank * 256), v(rank * 256);
  for (auto& x : u) x = du(rng);
  for (auto& x : v) x = dv(rng);
  return from_form(is_signed, rank, std::move(u), std::move(v));
}

// Factors uniform in [ulo, uhi] x [vlo, vhi], with both ends of each range present.
inline TestTable ranged_lowrank_table(std::uint32_t seed, int rank, bool is_signed, int ulo,
                                      int uhi, int vlo, int vhi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> du(ulo, uhi), dv(vlo, vhi);
  std::vector<std::int32_t> u(rank * 256), v(rank * 256);
  for (auto& x : u) x = du(rng);
  for (auto& x : v) x = dv(rng);
  u[0] = ulo;
  u[1] = uhi;
  v[0] = vlo;
  v[1] = vhi;
  return from_form(is_signed, rank, std::move(u), std::move(v));
}

// Factors spanning 256 values each but offset from the byte ranges: u in [-100, 155],
// v in [40, 295], so a byte encoding needs offsets on both sides.
inline TestTable offset_lowrank_table(std::uint32_t seed, int rank, bool is_signed) {
  return ranged_lowrank_table(seed, rank, is_signed, -100, 155, 40, 295);
}

// Small factors of mixed sign and a far-off range: u in [-3, 4], v in [100, 200]. The AVX2
// byte kernel (lowrank_bytes_avx2.cc) takes it with offsets on both sides and widens its int16
// sums every 18 instructions.
inline TestTable small_offset_table(std::uint32_t seed, int rank, bool is_signed) {
  return ranged_lowrank_table(seed, rank, is_signed, -3, 4, 100, 200);
}

// A truncated multiplier: the partial-product bits a_i b_j with i + j < t are dropped.
// E = -sum_{i < t} a_i * (sum_{j < t-i} 2^(i+j) b_j): rank t, u_i = bit i of a,
// v_i = -2^i (b mod 2^(t-i)).
inline TestTable truncated_table(int t, bool is_signed) {
  std::vector<std::int32_t> u(t * 256), v(t * 256);
  for (int i = 0; i < t; ++i)
    for (int x = 0; x < 256; ++x) {
      u[i * 256 + x] = (x >> i) & 1;
      v[i * 256 + x] = -(1 << i) * (x & ((1 << (t - i)) - 1));
    }
  return from_form(is_signed, t, std::move(u), std::move(v));
}

}  // namespace axx::emulator::testing
