// The builtin registry, and every design against an independent reference model written here from
// its family's published definition and its params string (operand-value formulas, not the
// bit-level C code of multipliers/c/), so a params string that disagrees with the arguments the
// family function gets fails too.
#include "multipliers/registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "axx/error.h"
#include "design_lines.h"
#include "table_util.h"

namespace axx::multipliers {
namespace {

using test_util::param_int;
using test_util::parse_params;
using Ref = std::function<std::int64_t(std::int64_t, std::int64_t)>;
using Params = std::map<std::string, std::string>;

std::int64_t wrap16(std::int64_t v) { return static_cast<std::int16_t>(static_cast<std::uint16_t>(v & 0xFFFF)); }
unsigned bit(std::int64_t v, int i) { return static_cast<unsigned>((static_cast<std::uint64_t>(v) >> i) & 1u); }
std::int64_t pow2(int e) { return std::int64_t{1} << e; }
std::int64_t floor_to(std::int64_t v, int k) {  // largest multiple of 2^k <= v
  return v >= 0 ? v / pow2(k) * pow2(k) : -((-v + pow2(k) - 1) / pow2(k)) * pow2(k);
}

// Modified Baugh-Wooley partial-product bit of row i (b_i), column i + j (a_j): an AND, or a NAND
// when exactly one of the two is a sign bit (bit 7); plus constant ones at columns 8 and 15.
unsigned bw_bit(std::int64_t a, std::int64_t b, int i, int j) {
  const unsigned p = bit(a, j) & bit(b, i);
  return (i == 7) != (j == 7) ? 1u - p : p;
}

// Sum of every bit of the array (Baugh-Wooley for signed) in columns < k, constants included.
std::int64_t dropped(std::int64_t a, std::int64_t b, int k, bool is_signed) {
  std::int64_t s = 0;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      if (i + j < k) s += std::int64_t{is_signed ? bw_bit(a, b, i, j) : bit(a, j) & bit(b, i)} << (i + j);
  if (is_signed && k > 8) s += 256;
  if (is_signed && k > 15) s += 32768;
  return s;
}

// The array's value with columns < k dropped: a*b - dropped, modulo 2^16 for the signed array.
std::int64_t kept(std::int64_t a, std::int64_t b, int k, bool is_signed) {
  const std::int64_t v = a * b - dropped(a, b, k, is_signed);
  return is_signed ? wrap16(v) : v;
}

std::int64_t drum_value(std::int64_t x, int k) {
  if (x < pow2(k)) return x;
  const int shift = std::bit_width(static_cast<std::uint64_t>(x)) - k;
  return ((x >> shift) | 1) << shift;
}

// Mitchell in floating point: every quantity is a dyadic rational far inside double precision.
std::int64_t mitchell_value(std::int64_t x, std::int64_t y) {
  if (x == 0 || y == 0) return 0;
  const int k1 = std::bit_width(static_cast<std::uint64_t>(x)) - 1;
  const int k2 = std::bit_width(static_cast<std::uint64_t>(y)) - 1;
  const double f1 = std::ldexp(static_cast<double>(x), -k1) - 1.0;
  const double f2 = std::ldexp(static_cast<double>(y), -k2) - 1.0;
  const double p = f1 + f2 < 1.0 ? std::ldexp(1.0 + f1 + f2, k1 + k2) : std::ldexp(f1 + f2, k1 + k2 + 1);
  return static_cast<std::int64_t>(p);
}

// x with its N leading ones removed.
std::int64_t drop_leading_ones(std::int64_t x, int n) {
  for (int i = 0; i < n && x; ++i) x -= std::bit_floor(static_cast<std::uint64_t>(x));
  return x;
}

// The ILM after iter corrections leaves exactly the product of the residues (Babic et al.).
std::int64_t ilm_value(std::int64_t x, std::int64_t y, int iter) {
  return x * y - drop_leading_ones(x, iter + 1) * drop_leading_ones(y, iter + 1);
}

// Nearest power of two, the larger one at a tie (RoBA); 0 for 0.
std::int64_t roba_round(std::int64_t x) {
  if (x == 0) return 0;
  std::int64_t best = 1;
  for (std::int64_t p = 1; p <= 512; p *= 2)
    if (std::llabs(x - p) <= std::llabs(x - best)) best = p;
  return best;
}

std::int64_t udm_threes(std::int64_t x) {  // sum of 4^i over base-4 digits equal to 3
  std::int64_t s = 0;
  for (int i = 0; i < 4; ++i)
    if (((x >> (2 * i)) & 3) == 3) s += pow2(2 * i);
  return s;
}

std::int64_t etm_value(std::int64_t x, std::int64_t y, int k) {
  const std::int64_t xh = x / pow2(k), yh = y / pow2(k), v = (x | y) % pow2(k);
  if (xh == 0 && yh == 0) return x * y;
  const std::int64_t fill = v == 0 ? 0 : pow2(k + std::bit_width(static_cast<std::uint64_t>(v))) - 1;
  return xh * yh * pow2(2 * k) + fill;
}

std::int64_t ssm_value(std::int64_t x, int m) { return x < pow2(m) ? x : floor_to(x, 8 - m); }

// Approximate 4:2 compressor stage over the array bits (the order multipliers/c/compressor42.c
// documents), written with queues: each Venkatachalam-Ko compressor outputs the exact count of its
// four bits except 1 for two ones not in the same pair and 3 for four ones.
std::int64_t c42_value(std::int64_t a, std::int64_t b, int cols, bool is_signed) {
  std::vector<std::deque<unsigned>> col(18);
  for (int c = 0; c < 16; ++c) {
    for (int i = 0; i < 8; ++i)
      if (c - i >= 0 && c - i < 8) col[c].push_back(is_signed ? bw_bit(a, b, i, c - i) : bit(a, c - i) & bit(b, i));
    if (is_signed && (c == 8 || c == 15)) col[c].push_back(1);
  }
  std::int64_t total = 0;
  for (int c = 0; c < 17; ++c) {
    while (c < cols && col[c].size() >= 4) {
      unsigned x[4];
      for (unsigned& v : x) v = col[c].front(), col[c].pop_front();
      const int ones = static_cast<int>(x[0] + x[1] + x[2] + x[3]);
      const bool split_pair = ones == 2 && x[0] != x[1];
      const int out = ones == 4 ? 3 : split_pair ? 1 : ones;  // 2 carry + sum
      total += std::int64_t{out & 1} << c;
      col[c + 1].push_back(static_cast<unsigned>(out >> 1));
    }
    for (unsigned v : col[c]) total += std::int64_t{v} << c;
  }
  return is_signed ? wrap16(total) : total;
}

// Expected value of the bits column truncation drops (AND bits 1/4, NAND bits 3/4, constants 1),
// rounded to the nearest multiple of 2^k: the correction rule the corr= designs follow.
std::int64_t expected_correction(int k, bool is_signed) {
  double e = 0;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      if (i + j < k) e += std::ldexp(is_signed && ((i == 7) != (j == 7)) ? 0.75 : 0.25, i + j);
  if (is_signed && k > 8) e += 256;
  return std::llround(e / std::ldexp(1.0, k)) * pow2(k);
}

// Magnitude families: the signed form is sign-magnitude around the unsigned reference.
Ref sign_magnitude(bool is_signed, Ref core) {
  if (!is_signed) return core;
  return [core](std::int64_t a, std::int64_t b) {
    const std::int64_t p = core(std::llabs(a), std::llabs(b));
    return (a < 0) != (b < 0) ? -p : p;
  };
}

// The reference model of builtin M from its family and params; nullptr for an unknown family.
Ref reference(const Builtin& m) {
  const std::string family = m.family;
  const Params p = parse_params(m.params);
  const bool s = m.is_signed;
  if (family == "exact") return [](std::int64_t a, std::int64_t b) { return a * b; };
  if (family == "operand_trunc") {
    const int ka = param_int(p, "ka"), kb = param_int(p, "kb");
    return [=](std::int64_t a, std::int64_t b) { return floor_to(a, ka) * floor_to(b, kb); };
  }
  if (family == "column_trunc") {
    const int k = param_int(p, "k"), corr = param_int(p, "corr");
    return [=](std::int64_t a, std::int64_t b) {
      return s ? wrap16(kept(a, b, k, s) + corr) : kept(a, b, k, s) + corr;
    };
  }
  if (family == "bam") {
    const int h = param_int(p, "hbl"), v = param_int(p, "vbl");
    return [=](std::int64_t a, std::int64_t b) {
      const std::int64_t b_rows = b - (b & (pow2(h) - 1));  // rows < h never added
      return kept(a, b_rows, v, s);
    };
  }
  if (family == "perforation") {
    std::int64_t low = 0;
    std::stringstream rows(p.count("rows") ? p.at("rows") : "");
    for (std::string r; std::getline(rows, r, ',');) low |= pow2(std::stoi(r));
    return [=](std::int64_t a, std::int64_t b) { return a * (b - (b & low)); };
  }
  if (family == "lor") {
    const int k = param_int(p, "k");
    return [=](std::int64_t a, std::int64_t b) {
      std::int64_t ors = 0;
      for (int c = 0; c < k; ++c) {
        unsigned any = 0;
        for (int i = 0; i < 8; ++i)
          if (c - i >= 0 && c - i < 8) any |= s ? bw_bit(a, b, i, c - i) : bit(a, c - i) & bit(b, i);
        ors += std::int64_t{any} << c;
      }
      return s ? wrap16(kept(a, b, k, s) + ors) : kept(a, b, k, s) + ors;
    };
  }
  if (family == "compressor42") {
    if (p.count("variant") == 0 || p.at("variant") != "vk") return nullptr;
    const int cols = param_int(p, "cols");
    return [=](std::int64_t a, std::int64_t b) { return c42_value(a, b, cols, s); };
  }
  if (family == "drum") {
    const int k = param_int(p, "k");
    return sign_magnitude(s, [k](std::int64_t x, std::int64_t y) { return drum_value(x, k) * drum_value(y, k); });
  }
  if (family == "mitchell") return sign_magnitude(s, mitchell_value);
  if (family == "ilm") {
    const int iter = param_int(p, "iter");
    return sign_magnitude(s, [iter](std::int64_t x, std::int64_t y) { return ilm_value(x, y, iter); });
  }
  if (family == "etm") {
    const int k = param_int(p, "k");
    return sign_magnitude(s, [k](std::int64_t x, std::int64_t y) { return etm_value(x, y, k); });
  }
  if (family == "roba")
    return sign_magnitude(s, [](std::int64_t x, std::int64_t y) {
      return x * y - (x - roba_round(x)) * (y - roba_round(y));
    });
  if (family == "udm")
    return sign_magnitude(s, [](std::int64_t x, std::int64_t y) { return x * y - 2 * udm_threes(x) * udm_threes(y); });
  if (family == "ssm") {
    const int mm = param_int(p, "m");
    return sign_magnitude(s, [mm](std::int64_t x, std::int64_t y) { return ssm_value(x, mm) * ssm_value(y, mm); });
  }
  return nullptr;
}

class Design : public ::testing::TestWithParam<std::string> {};

// Every design equals its family's reference model at its params, on every operand pair.
TEST_P(Design, MatchesTheReferenceModelOfItsParams) {
  const Builtin& m = *find_builtin(GetParam());
  ASSERT_EQ(m.bits_a, 8);
  ASSERT_EQ(m.bits_b, 8);
  const Ref ref = reference(m);
  ASSERT_TRUE(ref) << m.name << ": no reference model for family " << m.family << " " << m.params;
  const int lo = m.is_signed ? -128 : 0, hi = m.is_signed ? 127 : 255;
  for (int a = lo; a <= hi; ++a)
    for (int b = lo; b <= hi; ++b) {
      const std::int64_t got = m.fn(a, b), want = ref(a, b);
      if (got != want) FAIL() << m.name << "(" << a << ", " << b << ") = " << got << ", want " << want;
    }
}

// The numeric arguments of the design's builtins.def line are exactly the values of its params.
TEST_P(Design, ParamsStringMatchesTheArguments) {
  const Builtin& m = *find_builtin(GetParam());
  const test_util::DesignLine* line = test_util::find_line(m.name);
  ASSERT_NE(line, nullptr);
  EXPECT_EQ(line->family, m.family);
  EXPECT_EQ(line->form, m.is_signed ? "s8" : "u8");
  std::vector<std::int64_t> args;
  std::stringstream in(line->args);
  for (std::string t; std::getline(in, t, ',');) {
    t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
    if (t == "AXX_C42_VK") args.push_back(-1);  // stands for variant=vk below
    else args.push_back(std::stoll(t, nullptr, 0));
  }
  // The expected argument list from the params string, in the order of c/families.h.
  const Params p = parse_params(m.params);
  ASSERT_EQ(p.count("<malformed>"), 0u) << m.params;
  std::vector<std::int64_t> want;
  const std::string f = m.family;
  const auto keys = [&](std::initializer_list<const char*> names) {
    EXPECT_EQ(p.size(), names.size()) << m.params;
    for (const char* k : names) {
      EXPECT_TRUE(p.count(k)) << m.name << " lacks " << k;
      want.push_back(param_int(p, k));
    }
  };
  if (f == "exact" || f == "mitchell" || f == "roba" || f == "udm") keys({});
  else if (f == "operand_trunc") keys({"ka", "kb"});
  else if (f == "column_trunc") keys({"k", "corr"});
  else if (f == "bam") keys({"hbl", "vbl"});
  else if (f == "lor" || f == "drum" || f == "etm") keys({"k"});
  else if (f == "ilm") keys({"iter"});
  else if (f == "ssm") keys({"m"});
  else if (f == "perforation") {
    ASSERT_EQ(p.size(), 1u);
    std::int64_t mask = 0;
    std::stringstream rows(p.at("rows"));
    for (std::string r; std::getline(rows, r, ',');) mask |= pow2(std::stoi(r));
    want.push_back(mask);
  } else if (f == "compressor42") {
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p.at("variant"), "vk");
    want = {-1, param_int(p, "cols")};
  } else {
    FAIL() << "family " << f << " has no params rule here";
  }
  EXPECT_EQ(args, want) << m.name << ": " << m.params << " vs (" << line->args << ")";
}

INSTANTIATE_TEST_SUITE_P(Builtins, Design, ::testing::ValuesIn(test_util::builtin_names()),
                         [](const auto& info) { return info.param; });

TEST(Registry, NamesAreUniqueAndDescribed) {
  std::set<std::string> names;
  for (const Builtin& m : builtins()) {
    EXPECT_TRUE(names.insert(m.name).second) << "duplicate " << m.name;
    EXPECT_GT(std::string(m.description).size(), 10u) << m.name;
    EXPECT_GT(std::string(m.citation).size(), 10u) << m.name;
    EXPECT_NE(test_util::find_family(m.family), nullptr) << m.name;
    EXPECT_EQ(find_builtin(m.name), &m);
    // Naming convention the demo script relies on: mul<bits><s|u>_...
    EXPECT_EQ(std::string(m.name).rfind(m.is_signed ? "mul8s_" : "mul8u_", 0), 0u) << m.name;
  }
  EXPECT_GE(builtins().size(), 60u);
}

// The coverage: every listed family with signed and unsigned designs, DRUM k = 3..7.
TEST(Registry, FamiliesCoverTheLiterature) {
  std::map<std::string, std::set<bool>> forms;
  for (const Builtin& m : builtins()) forms[m.family].insert(m.is_signed);
  for (const char* f : {"exact", "operand_trunc", "column_trunc", "bam", "perforation", "lor", "compressor42", "drum",
                        "mitchell", "ilm", "etm", "roba", "udm", "ssm"})
    EXPECT_EQ(forms[f].size(), 2u) << f << " needs a signed and an unsigned design";
  for (int k = 3; k <= 7; ++k)
    for (const char* s : {"mul8s_drum", "mul8u_drum"})
      EXPECT_NE(find_builtin(s + std::to_string(k)), nullptr) << s << k;
  // The signed form of each family is what its AXX_FAMILY line says.
  for (const auto& f : test_util::family_lines())
    EXPECT_TRUE(f.signed_form == "bw" || f.signed_form == "sm") << f.family;
}

// The signed form each AXX_FAMILY line declares: sign-magnitude designs are odd in each operand
// (f(-a, b) = -f(a, b)); Baugh-Wooley designs of approximating families are not, in general, and
// are checked bit for bit by their reference models above.
TEST(Registry, SignMagnitudeFamiliesAreOdd) {
  for (const Builtin& m : builtins()) {
    if (!m.is_signed || test_util::find_family(m.family)->signed_form != "sm") continue;
    for (int a = 1; a < 128; ++a)  // not 0: -0 = 0 (ETM's product with 0 is not 0)
      for (int b = -128; b < 128; ++b) {
        ASSERT_EQ(m.fn(-a, b), -m.fn(a, b)) << m.name << " " << a << " " << b;
        ASSERT_EQ(m.fn(b, -a), -m.fn(b, a)) << m.name << " " << a << " " << b;
      }
  }
}

TEST(Registry, UnknownNameIsNull) {
  EXPECT_EQ(find_builtin("mul8s_nonexistent"), nullptr);
  EXPECT_EQ(find_builtin(""), nullptr);
  EXPECT_EQ(find_builtin("builtin:mul8s_exact"), nullptr);  // the prefix belongs to lutgen
}

// The compiled-in tables hold fn at the operand VALUES of each pattern pair, row = A's pattern.
TEST(Registry, Table256IsIndexedByPatterns) {
  for (const Builtin& m : builtins()) {
    const std::int32_t* lut = table_256(m);
    ASSERT_EQ(lut, table_256(m)) << m.name;  // computed once
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        const std::int64_t va = m.is_signed ? static_cast<std::int8_t>(a) : a;
        const std::int64_t vb = m.is_signed ? static_cast<std::int8_t>(b) : b;
        ASSERT_EQ(lut[a * 256 + b], m.fn(va, vb)) << m.name << " [" << a << "][" << b << "]";
      }
  }
  const std::int32_t* s = table_256(*find_builtin("mul8s_exact"));
  EXPECT_EQ(s[0x80 * 256 + 0x80], 16384);  // -128 * -128
  EXPECT_EQ(s[0xFF * 256 + 0x02], -2);     // -1 * 2
  EXPECT_EQ(table_256(*find_builtin("mul8u_exact"))[0xFF * 256 + 0xFF], 65025);
  const Builtin copy = *find_builtin("mul8s_exact");  // not an entry of builtins()
  EXPECT_THROW(table_256(copy), UsageError);
}

TEST(Registry, MostDesignsAreSigned) {
  int signed_count = 0;
  for (const Builtin& m : builtins()) signed_count += m.is_signed;
  EXPECT_GT(2 * signed_count, static_cast<int>(builtins().size()));
}

// The reference models' building blocks, checked by hand and against the exact identity.
TEST(Reference, BaughWooleyArraySumsToTheProduct) {
  for (int a = -128; a < 128; ++a)
    for (int b = -128; b < 128; ++b) ASSERT_EQ(kept(a, b, 0, true), a * b) << a << " " << b;
}

TEST(Reference, HandComputedValues) {
  // trunc4(3, 5): bits a_j b_i in columns < 4: a=0b011, b=0b101: a0b0 (1) + a1b0 (2) + a0b2 (4)
  // + a1b2 (8) = 15 = the whole product, so 0.
  EXPECT_EQ(find_builtin("mul8s_trunc4")->fn(3, 5), 0);
  EXPECT_EQ(find_builtin("mul8s_trunc4")->fn(16, 16), 256);
  EXPECT_EQ(find_builtin("mul8s_trunc4")->fn(-128, -128), 16384);
  // perforated rows 0-1: 7 * 7 -> 7 * 4
  EXPECT_EQ(find_builtin("mul8s_perf2")->fn(7, 7), 28);
  EXPECT_EQ(find_builtin("mul8s_perf2")->fn(-7, -1), 28);  // -1 = 0b11111111 -> 0b11111100 = -4
  // Mitchell 3 * 3: 2^(1+1) (1 + 1/2 + 1/2) -> f1 + f2 = 1 takes the second branch: 2^3 * 1 = 8.
  EXPECT_EQ(find_builtin("mul8u_mitchell")->fn(3, 3), 8);
  EXPECT_EQ(find_builtin("mul8s_mitchell")->fn(-3, 3), -8);
  // DRUM k=4: 255 -> segment 1111 (LSB already 1) << 4 = 240; 17 -> 17 (>= 16: 1000|1 << 1 = 18).
  EXPECT_EQ(find_builtin("mul8u_drum4")->fn(255, 17), 240 * 18);
  EXPECT_EQ(find_builtin("mul8u_drum4")->fn(15, 15), 225);
  // UDM: 3 * 3 = 7; 15 * 15 = (3*4+3)^2: four 2x2 products 3x3 -> 7 each: 7*16 + 7*4*2 + 7 = 175.
  EXPECT_EQ(find_builtin("mul8u_udm")->fn(3, 3), 7);
  EXPECT_EQ(find_builtin("mul8u_udm")->fn(15, 15), 175);
  // RoBA: 3 rounds to 4 (tie, the larger), 5 to 4: 4*5 + 3*4 - 16 = 16 (exact 15).
  EXPECT_EQ(find_builtin("mul8u_roba")->fn(3, 5), 16);
  // ETM k=4: 200 = 1100 1000, 100 = 0110 0100: 12*6 << 8 = 18432; low parts 1000 | 0100 = 1100:
  // the top low bit (3) sets result bits 7..0: + 255.
  EXPECT_EQ(find_builtin("mul8u_etm4")->fn(200, 100), 18432 + 255);
  EXPECT_EQ(find_builtin("mul8u_etm4")->fn(15, 13), 195);  // both high parts zero: exact
  // ILM basic block: 3 * 3 -> 4 + 2 + 2 = 8; one correction adds 1 * 1 = 1: exact.
  EXPECT_EQ(find_builtin("mul8u_ilm0")->fn(3, 3), 8);
  EXPECT_EQ(find_builtin("mul8u_ilm1")->fn(3, 3), 9);
  // SSM m=4: 200 -> 1100 0000 = 192, 9 -> 9: 1728.
  EXPECT_EQ(find_builtin("mul8u_ssm4")->fn(200, 9), 1728);
  // One vk compressor in column 3 of 15 * 15 (bits 1111 from rows 0-3) answers 3 instead of 4.
  EXPECT_EQ(find_builtin("mul8u_c42vk8")->fn(15, 15), c42_value(15, 15, 8, false));
}

// The correction constants of the corr= designs follow the documented rule.
TEST(Reference, CorrectionConstantsAreTheRoundedExpectedDrop) {
  EXPECT_EQ(expected_correction(6, true), 64);  // 80.25 -> 64, the value the literature example uses
  for (const Builtin& m : builtins()) {
    if (std::string(m.family) != "column_trunc") continue;
    const Params p = parse_params(m.params);
    if (param_int(p, "corr") == 0) continue;
    EXPECT_EQ(param_int(p, "corr"), expected_correction(param_int(p, "k"), m.is_signed)) << m.name;
  }
}

double mean_abs_error(const char* name) {
  const Builtin& m = *find_builtin(name);
  const int lo = m.is_signed ? -128 : 0, hi = m.is_signed ? 127 : 255;
  double sum = 0;
  for (int a = lo; a <= hi; ++a)
    for (int b = lo; b <= hi; ++b) sum += static_cast<double>(std::llabs(m.fn(a, b) - a * b));
  return sum / 65536;
}

double mean_relative_error(const char* name) {
  const Builtin& m = *find_builtin(name);
  const int lo = m.is_signed ? -128 : 0, hi = m.is_signed ? 127 : 255;
  double sum = 0;
  for (int a = lo; a <= hi; ++a)
    for (int b = lo; b <= hi; ++b)
      if (a * b != 0) sum += static_cast<double>(std::llabs(m.fn(a, b) - a * b)) / std::abs(a * b);
  return sum / 65536;
}

// Along each family's parameter, error grows as the literature describes: more truncated columns,
// rows or bits -> more error; more DRUM/SSM bits or ILM iterations -> less.
TEST(Metrics, ExactDesignsHaveNoError) {
  for (const Builtin& m : builtins())
    if (std::string(m.family) == "exact") EXPECT_EQ(mean_abs_error(m.name), 0) << m.name;
}

TEST(Metrics, ErrorIsMonotoneAlongEachFamilyParameter) {
  const std::vector<std::vector<const char*>> increasing = {
      {"mul8s_optrunc2", "mul8s_optrunc3", "mul8s_optrunc4"},
      {"mul8u_optrunc2", "mul8u_optrunc4"},
      {"mul8s_trunc2", "mul8s_trunc4", "mul8s_trunc6", "mul8s_trunc8", "mul8s_trunc10"},
      {"mul8s_trunc4c", "mul8s_trunc6c", "mul8s_trunc8c", "mul8s_trunc10c"},
      {"mul8u_trunc4", "mul8u_trunc6", "mul8u_trunc8"},
      {"mul8s_bam_h1v4", "mul8s_bam_h1v6", "mul8s_bam_h2v6", "mul8s_bam_h2v8", "mul8s_bam_h3v9"},
      {"mul8u_bam_h1v6", "mul8u_bam_h2v8"},
      {"mul8s_perf1", "mul8s_perf2", "mul8s_perf3", "mul8s_perf4"},
      {"mul8u_perf2", "mul8u_perf3"},
      {"mul8s_lor4", "mul8s_lor6", "mul8s_lor8"},
      {"mul8u_lor4", "mul8u_lor6", "mul8u_lor8"},
      {"mul8s_c42vk6", "mul8s_c42vk8", "mul8s_c42vk10"},
      {"mul8u_c42vk8", "mul8u_c42vk12"},
      {"mul8s_drum7", "mul8s_drum6", "mul8s_drum5", "mul8s_drum4", "mul8s_drum3"},
      {"mul8u_drum7", "mul8u_drum6", "mul8u_drum5", "mul8u_drum4", "mul8u_drum3"},
      {"mul8s_ilm2", "mul8s_ilm1", "mul8s_ilm0"},
      {"mul8u_ilm2", "mul8u_ilm1", "mul8u_ilm0"},
      {"mul8s_etm2", "mul8s_etm3", "mul8s_etm4"},
      {"mul8u_etm2", "mul8u_etm3", "mul8u_etm4"},
      {"mul8s_ssm6", "mul8s_ssm5", "mul8s_ssm4"},
      {"mul8u_ssm6", "mul8u_ssm5", "mul8u_ssm4"},
  };
  for (const auto& chain : increasing)
    for (std::size_t i = 1; i < chain.size(); ++i) {
      EXPECT_LT(mean_abs_error(chain[i - 1]), mean_abs_error(chain[i])) << chain[i - 1] << " vs " << chain[i];
      if (std::string(chain[i]).find("drum") != std::string::npos || std::string(chain[i]).find("ssm") != std::string::npos)
        EXPECT_LT(mean_relative_error(chain[i - 1]), mean_relative_error(chain[i])) << chain[i - 1] << " vs " << chain[i];
    }
}

// Worst relative error of unsigned design NAME as an exact fraction num/den.
std::pair<std::int64_t, std::int64_t> worst_relative_error(const char* name) {
  const Builtin& m = *find_builtin(name);
  std::int64_t num = 0, den = 1;
  for (int a = 1; a < 256; ++a)
    for (int b = 1; b < 256; ++b) {
      const std::int64_t e = std::llabs(m.fn(a, b) - a * b);
      if (e * den > num * (a * b)) num = e, den = a * b;
    }
  const std::int64_t g = std::gcd(num, den);
  return {num / g, den / g};
}

// Published figures. Mitchell (1962): the approximation never exceeds the product and its worst
// relative error is 1/9 (11.1%), reached at f1 = f2 = 1/2 (e.g. 3 x 3 -> 8).
TEST(Published, MitchellWorstRelativeErrorIsOneNinth) {
  const Builtin* m = find_builtin("mul8u_mitchell");
  for (int a = 1; a < 256; ++a)
    for (int b = 1; b < 256; ++b) ASSERT_LE(m->fn(a, b), a * b);
  EXPECT_EQ(worst_relative_error("mul8u_mitchell"), std::make_pair(std::int64_t{1}, std::int64_t{9}));
}

// Babic et al. (2011): the ILM's relative error is below 25% with the basic block alone, 6.25%
// with one correction and 1.56% with two (each correction squares away another leading one); on
// 8-bit operands the worst cases come close to the bounds (within 10% of them).
TEST(Published, IlmRelativeErrorBounds) {
  const std::pair<const char*, double> cases[] = {{"mul8u_ilm0", 0.25}, {"mul8u_ilm1", 0.0625}, {"mul8u_ilm2", 0.015625}};
  for (const auto& [name, bound] : cases) {
    const auto [num, den] = worst_relative_error(name);
    const double worst = static_cast<double>(num) / static_cast<double>(den);
    EXPECT_LT(worst, bound) << name;
    EXPECT_GT(worst, 0.9 * bound) << name;
  }
}

// Hashemi et al. (2015): DRUM's error is unbiased in the relative sense, and operands below 2^k
// pass exactly.
TEST(Published, DrumExactBelowTwoToTheK) {
  for (int k = 3; k <= 7; ++k) {
    const Builtin& m = *find_builtin("mul8u_drum" + std::to_string(k));
    for (int a = 0; a < (1 << k); ++a)
      for (int b = 0; b < (1 << k); ++b) ASSERT_EQ(m.fn(a, b), a * b) << m.name;
  }
}

// The designs span exact to very coarse: small (MAE < 20) to large (MAE > 1000) among the signed.
TEST(Registry, ErrorRangeIsWide) {
  double min_mae = 1e9, max_mae = 0;
  for (const Builtin& m : builtins()) {
    if (!m.is_signed || std::string(m.family) == "exact") continue;
    min_mae = std::min(min_mae, mean_abs_error(m.name));
    max_mae = std::max(max_mae, mean_abs_error(m.name));
  }
  EXPECT_LT(min_mae, 20);
  EXPECT_GT(max_mae, 1000);
}

}  // namespace
}  // namespace axx::multipliers
