// The netlist generator (multipliers/netgen/): every built-in design with a generator, read back by
// the project's structural Verilog reader and simulated exhaustively, against the design's table
// (multipliers::table_256); exact designs of other widths against a*b computed here; generated
// netlists against Icarus Verilog as an independent simulator.
#include "multipliers/netgen/netgen.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "axx/error.h"
#include "multipliers/netgen/builtin_spec.h"
#include "multipliers/registry.h"
#include "netlist_sim/reader.h"
#include "netlist_sim/simulator.h"
#include "../netlist_sim/test_util.h"

namespace axx::netgen {
namespace {

using netlist::test::TempDir;  // tests/netlist_sim/test_util.h

const Reduction kReductions[] = {Reduction::Array, Reduction::Wallace, Reduction::Dadda};

netlist::Netlist read_back(const TempDir& dir, const DesignSpec& d, const std::string& verilog) {
  std::string path = dir.write(d.name + "_" + reduction_name(d.reduction) + ".v", verilog);
  return netlist::read_verilog(path);  // the structural reader only: no yosys fallback
}

// Every output pattern, indexed by (a_pattern << bits_b) | b_pattern.
std::vector<std::uint64_t> truth_table(const netlist::Netlist& nl) {
  netlist::ResolvedPorts p = netlist::resolve_ports(nl, {});
  std::vector<std::uint64_t> t(std::size_t{1} << (p.a->bits.size() + p.b->bits.size()), ~std::uint64_t{0});
  netlist::simulate_exhaustive(nl, {}, [&](unsigned, std::uint64_t first, const std::uint64_t* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) t[first + i] = out[i];
  });
  return t;
}

// Pattern of the product of the operand patterns A, B (widths m, n) modulo 2^(m+n), computed here.
std::uint64_t exact_pattern(std::uint64_t A, std::uint64_t B, int m, int n, bool is_signed) {
  std::int64_t a = static_cast<std::int64_t>(A), b = static_cast<std::int64_t>(B);
  if (is_signed) {
    if ((A >> (m - 1)) & 1) a -= std::int64_t{1} << m;
    if ((B >> (n - 1)) & 1) b -= std::int64_t{1} << n;
  }
  return static_cast<std::uint64_t>(a * b) & ((std::uint64_t{1} << (m + n)) - 1);
}

// Reference models written here from the families' definitions (docs/netgen.md, the papers).
int top_bit(std::uint64_t x) { return 63 - __builtin_clzll(x); }

// DRUM: K bits from the leading one, the lowest kept bit set; values below 2^K exact.
std::uint64_t drum_ref(std::uint64_t x, std::uint64_t y, int k) {
  auto approx = [k](std::uint64_t v) -> std::uint64_t {
    if (v < (std::uint64_t{1} << k)) return v;
    int shift = top_bit(v) - k + 1;
    return ((v >> shift) | 1) << shift;
  };
  return approx(x) * approx(y);
}

// Mitchell: antilog(log x + log y) with log2(2^k (1 + f)) ~ k + f, in exact rationals scaled to
// integers: 2^(k1+k2) (1 + f1 + f2) when f1 + f2 < 1, else 2^(k1+k2+1) (f1 + f2).
std::uint64_t mitchell_ref(std::uint64_t x, std::uint64_t y) {
  if (x == 0 || y == 0) return 0;
  int k1 = top_bit(x), k2 = top_bit(y);
  std::uint64_t frac_sum = ((x - (std::uint64_t{1} << k1)) << k2) + ((y - (std::uint64_t{1} << k2)) << k1);
  std::uint64_t one = std::uint64_t{1} << (k1 + k2);
  return frac_sum < one ? one + frac_sum : 2 * frac_sum;
}

// UDM: base-4 digit products, 3 x 3 counted as 7.
std::uint64_t udm_ref(std::uint64_t x, std::uint64_t y) {
  std::uint64_t p = 0;
  for (int i = 0; (x >> i) != 0; i += 2)
    for (int j = 0; (y >> j) != 0; j += 2) {
      std::uint64_t dx = (x >> i) & 3, dy = (y >> j) & 3;
      p += (dx == 3 && dy == 3 ? 7 : dx * dy) << (i + j);
    }
  return p;
}

// SSM: the low M bits when nothing is above them, else the top M bits of the W-bit operand.
std::uint64_t ssm_ref(std::uint64_t x, std::uint64_t y, int M, int wx, int wy) {
  auto seg = [M](std::uint64_t v, int w) {
    if (M >= w || (v >> M) == 0) return v;
    return v & ~((std::uint64_t{1} << (w - M)) - 1);
  };
  return seg(x, wx) * seg(y, wy);
}

// ETM: high parts multiplied at 2^(2K), low 2K bits filled up to K + (top bit of a_low | b_low);
// low parts multiplied exactly when both high parts are zero.
std::uint64_t etm_ref(std::uint64_t x, std::uint64_t y, int K, int wx, int wy) {
  if (K >= wx || K >= wy) return x * y;
  std::uint64_t xh = x >> K, yh = y >> K, v = (x | y) & ((std::uint64_t{1} << K) - 1);
  if (xh == 0 && yh == 0) return x * y;
  return ((xh * yh) << (2 * K)) + (v ? (std::uint64_t{1} << (K + top_bit(v) + 1)) - 1 : 0);
}

// RoBA: Ar b + a Br - Ar Br, Ar = a rounded to the nearest power of two (ties up).
std::uint64_t roba_ref(std::uint64_t x, std::uint64_t y) {
  auto round = [](std::uint64_t v) -> std::uint64_t {
    if (v == 0) return 0;
    std::uint64_t lo = std::uint64_t{1} << top_bit(v);
    return v - lo >= lo - v + lo ? 2 * lo : lo;  // v - lo >= 2 lo - v: at or past the midpoint 1.5 lo
  };
  std::uint64_t xr = round(x), yr = round(y);
  return xr * y + x * yr - xr * yr;
}

// ILM: ITER + 1 blocks, each 2^(k1+k2) + x' 2^k2 + y' 2^k1 on the previous residues.
std::uint64_t ilm_ref(std::uint64_t x, std::uint64_t y, int iter) {
  std::uint64_t p = 0;
  for (int n = 0; n <= iter && x != 0 && y != 0; ++n) {
    int k1 = top_bit(x), k2 = top_bit(y);
    std::uint64_t rx = x - (std::uint64_t{1} << k1), ry = y - (std::uint64_t{1} << k2);
    p += (std::uint64_t{1} << (k1 + k2)) + (rx << k2) + (ry << k1);
    x = rx;
    y = ry;
  }
  return p;
}

// 8x8 compressor42 with the Venkatachalam-Ko compressor: the column lists (rows' bits in row
// order, then the Baugh-Wooley constants), groups of four compressed in columns below COLS with the
// carry appended to the next column, the rest summed; signed results wrap modulo 2^16.
std::int64_t c42_ref(std::uint32_t A, std::uint32_t B, bool is_signed, int cols) {
  struct List {
    int bit[24];
    std::size_t n = 0;
    std::size_t size() const { return n; }
    void push_back(int v) { bit[n++] = v; }
    int operator[](std::size_t i) const { return bit[i]; }
  };
  List list[17];
  for (int c = 0; c < 16; ++c) {
    for (int i = 0; i < 8; ++i) {
      int j = c - i;
      if (j < 0 || j > 7) continue;
      int bit = (A >> j) & (B >> i) & 1;
      if (is_signed && ((i == 7) != (j == 7))) bit ^= 1;
      list[c].push_back(bit);
    }
    if (is_signed && (c == 8 || c == 15)) list[c].push_back(1);
  }
  std::int64_t total = 0;
  for (int c = 0; c < 16; ++c) {
    std::size_t k = 0;
    if (c < cols)
      for (; list[c].size() - k >= 4; k += 4) {
        int x1 = list[c][k], x2 = list[c][k + 1], x3 = list[c][k + 2], x4 = list[c][k + 3];
        int count = x1 + x2 + x3 + x4;
        // Exact except: two ones in different pairs count 1, four ones count 3.
        bool cross = count == 2 && x1 != x2;
        int approx = cross ? 1 : count == 4 ? 3 : count;
        int carry = (x1 & x2) | (x3 & x4);
        total += std::int64_t{approx - 2 * carry} << c;
        list[c + 1].push_back(carry);
      }
    for (; k < list[c].size(); ++k) total += std::int64_t{list[c][k]} << c;
  }
  for (std::size_t k = 0; k < list[16].size(); ++k) total += std::int64_t{list[16][k]} << 16;
  if (is_signed) return static_cast<std::int16_t>(static_cast<std::uint16_t>(total & 0xFFFF));
  return total;
}

void expect_ports(const netlist::Netlist& nl, const DesignSpec& d) {
  netlist::ResolvedPorts p = netlist::resolve_ports(nl, {});
  EXPECT_EQ(p.a->name, "a");
  EXPECT_EQ(p.b->name, "b");
  EXPECT_EQ(p.out->name, "p");
  EXPECT_EQ(static_cast<int>(p.a->bits.size()), d.bits_a);
  EXPECT_EQ(static_cast<int>(p.b->bits.size()), d.bits_b);
  EXPECT_EQ(static_cast<int>(p.out->bits.size()), d.bits_a + d.bits_b);
  EXPECT_EQ(p.a->declared_signed.value_or(false), d.is_signed);
  EXPECT_EQ(p.b->declared_signed.value_or(false), d.is_signed);
}

// Gate lines never take a constant input: constants are folded into the cells that receive them.
void expect_no_constant_gates(const std::string& v) {
  std::istringstream in(v);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("  assign", 0) == 0 || line.rfind("//", 0) == 0) continue;
    EXPECT_EQ(line.find("1'b"), std::string::npos) << line;
  }
}

TEST(Netgen, EveryBuiltinWithAGeneratorMatchesItsTable) {
  TempDir dir;
  int designs = 0;
  std::set<std::string> families;
  for (const multipliers::Builtin& b : multipliers::builtins()) {
    for (Reduction r : kReductions) {
      auto spec = spec_of(b, r);
      if (!spec) break;
      SCOPED_TRACE(std::string(b.name) + " " + reduction_name(r));
      families.insert(spec->family);
      Generated g = generate(*spec);
      expect_no_constant_gates(g.verilog);
      netlist::Netlist nl = read_back(dir, *spec, g.verilog);
      expect_ports(nl, *spec);
      std::vector<std::uint64_t> t = truth_table(nl);
      const std::int32_t* lut = multipliers::table_256(b);
      int bad = 0;
      for (std::uint32_t i = 0; i < 65536 && bad < 5; ++i) {
        std::int64_t got = b.is_signed ? static_cast<std::int16_t>(t[i]) : static_cast<std::int64_t>(t[i]);
        if (got != lut[i]) {
          ADD_FAILURE() << "a=" << (i >> 8) << " b=" << (i & 255) << ": netlist " << got << ", table " << lut[i];
          ++bad;
        }
      }
      if (r == Reduction::Array) ++designs;
    }
  }
  // The designs registered today with an array-family generator (and any added since).
  EXPECT_GE(designs, 9);
  for (const char* f : {"exact", "column_trunc", "bam", "perforation", "lor", "drum", "mitchell"})
    EXPECT_TRUE(families.count(f)) << f;
}

TEST(Netgen, ExactDesignsOfOtherWidthsMatchTheProduct) {
  TempDir dir;
  const std::pair<int, int> widths[] = {{2, 2}, {3, 5}, {4, 4}, {6, 8}, {8, 6}, {7, 3}, {10, 10}, {12, 12}};
  for (auto [m, n] : widths)
    for (bool s : {false, true})
      for (Reduction r : kReductions) {
        if (m == 12 && r != Reduction::Dadda) continue;  // 2^24 pairs: one reduction is enough
        DesignSpec d{"m" + std::to_string(m) + "x" + std::to_string(n), "exact", "", m, n, s, r};
        SCOPED_TRACE(d.name + (s ? " signed " : " unsigned ") + reduction_name(r));
        Generated g = generate(d);
        expect_no_constant_gates(g.verilog);
        netlist::Netlist nl = read_back(dir, d, g.verilog);
        expect_ports(nl, d);
        std::vector<std::uint64_t> t = truth_table(nl);
        int bad = 0;
        for (std::uint64_t i = 0; i < t.size() && bad < 5; ++i) {
          std::uint64_t want = exact_pattern(i >> n, i & ((1u << n) - 1), m, n, s);
          if (t[i] != want) {
            ADD_FAILURE() << "a=" << (i >> n) << " b=" << (i & ((1u << n) - 1)) << ": " << t[i] << " want " << want;
            ++bad;
          }
        }
      }
}

// The magnitude-based families for several parameters and operand widths, against the reference
// models above, in sign-magnitude form for signed operands.
TEST(Netgen, MagnitudeFamiliesMatchTheirDefinitions) {
  TempDir dir;
  struct Case {
    const char* family;
    int k;
  };
  std::vector<Case> cases{{"mitchell", -1}, {"udm", -1}, {"roba", -1}};
  for (int k = 1; k <= 9; ++k) cases.push_back({"drum", k});
  for (int k = 2; k <= 8; ++k) cases.push_back({"ssm", k});
  for (int k = 1; k <= 5; ++k) cases.push_back({"etm", k});
  for (int k = 0; k <= 4; ++k) cases.push_back({"ilm", k});
  cases.push_back({"ilm", 8});
  const std::pair<int, int> widths[] = {{8, 8}, {4, 4}, {6, 8}, {5, 3}};
  for (auto [m, n] : widths)
    for (bool s : {false, true})
      for (const Case& cs : cases) {
        std::string f = cs.family;
        std::string params = cs.k < 0 ? "" : (f == "ssm" ? "m=" : f == "ilm" ? "iter=" : "k=") + std::to_string(cs.k);
        Reduction r = kReductions[(cs.k + 3) % 3];
        DesignSpec d{std::string(cs.family) + std::to_string(m) + "x" + std::to_string(n), cs.family, params, m, n, s, r};
        SCOPED_TRACE(d.name + (s ? " signed " : " unsigned ") + params);
        netlist::Netlist nl = read_back(dir, d, generate_verilog(d));
        std::vector<std::uint64_t> t = truth_table(nl);
        int bad = 0;
        for (std::uint64_t i = 0; i < t.size() && bad < 5; ++i) {
          std::uint64_t A = i >> n, B = i & ((1u << n) - 1);
          std::int64_t a = static_cast<std::int64_t>(A), b = static_cast<std::int64_t>(B);
          if (s && (A >> (m - 1))) a -= std::int64_t{1} << m;
          if (s && (B >> (n - 1))) b -= std::int64_t{1} << n;
          std::uint64_t ma = static_cast<std::uint64_t>(a < 0 ? -a : a), mb = static_cast<std::uint64_t>(b < 0 ? -b : b);
          std::uint64_t um = f == "drum"       ? drum_ref(ma, mb, cs.k)
                             : f == "mitchell" ? mitchell_ref(ma, mb)
                             : f == "udm"      ? udm_ref(ma, mb)
                             : f == "roba"     ? roba_ref(ma, mb)
                             : f == "ssm"      ? ssm_ref(ma, mb, cs.k, m, n)
                             : f == "etm"      ? etm_ref(ma, mb, cs.k, m, n)
                                               : ilm_ref(ma, mb, cs.k);
          std::int64_t mag = static_cast<std::int64_t>(um);
          std::uint64_t want = static_cast<std::uint64_t>((a < 0) != (b < 0) ? -mag : mag) & ((1u << (m + n)) - 1);
          if (t[i] != want) {
            ADD_FAILURE() << "a=" << a << " b=" << b << ": " << t[i] << " want " << want;
            ++bad;
          }
        }
      }
}

// compressor42 for several column counts, every reduction, against the model written here.
TEST(Netgen, Compressor42MatchesItsDefinition) {
  TempDir dir;
  for (bool s : {false, true})
    for (int cols : {0, 3, 6, 8, 10, 12, 16})
      for (Reduction r : kReductions) {
        DesignSpec d{"c42", "compressor42", "variant=vk cols=" + std::to_string(cols), 8, 8, s, r};
        SCOPED_TRACE(d.params + (s ? " signed " : " unsigned ") + reduction_name(r));
        Generated g = generate(d);
        expect_no_constant_gates(g.verilog);
        if (cols >= 6) {
          EXPECT_GT(g.compressors42, 0);
        }
        std::vector<std::uint64_t> t = truth_table(read_back(dir, d, g.verilog));
        int bad = 0;
        for (std::uint32_t i = 0; i < 65536 && bad < 5; ++i) {
          std::int64_t got = s ? static_cast<std::int16_t>(t[i]) : static_cast<std::int64_t>(t[i]);
          std::int64_t want = c42_ref(i >> 8, i & 255, s, cols);
          if (got != want) {
            ADD_FAILURE() << "a=" << (i >> 8) << " b=" << (i & 255) << ": " << got << " want " << want;
            ++bad;
          }
        }
      }
  EXPECT_THROW(generate({"c42", "compressor42", "variant=xyz cols=6", 8, 8, true, Reduction::Dadda}), UsageError);
  EXPECT_THROW(generate({"c42", "compressor42", "cols=6", 8, 8, true, Reduction::Dadda}), UsageError);
}

// 16x16 and 16x9 by sampling: the netlist the reader built, evaluated gate by gate in topological
// order on random operands and the corner patterns.
TEST(Netgen, WideExactDesignsBySampling) {
  TempDir dir;
  std::mt19937_64 rng(12345);
  for (auto [m, n] : {std::pair{16, 16}, std::pair{16, 9}, std::pair{5, 16}})
    for (bool s : {false, true})
      for (Reduction r : kReductions) {
        DesignSpec d{"w" + std::to_string(m) + "x" + std::to_string(n), "exact", "", m, n, s, r};
        SCOPED_TRACE(d.name + (s ? " signed " : " unsigned ") + reduction_name(r));
        netlist::Netlist nl = read_back(dir, d, generate_verilog(d));
        netlist::ResolvedPorts p = netlist::resolve_ports(nl, {});
        std::vector<std::size_t> order = netlist::topological_order(nl);
        std::vector<std::uint64_t> samples_a, samples_b;
        const std::uint64_t ma = (1u << m) - 1, mb = (1u << n) - 1;
        for (std::uint64_t x : {std::uint64_t{0}, std::uint64_t{1}, ma, ma >> 1, (ma >> 1) + 1})
          for (std::uint64_t y : {std::uint64_t{0}, std::uint64_t{1}, mb, mb >> 1, (mb >> 1) + 1}) {
            samples_a.push_back(x);
            samples_b.push_back(y);
          }
        for (int k = 0; k < 3000; ++k) {
          samples_a.push_back(rng() & ma);
          samples_b.push_back(rng() & mb);
        }
        std::vector<std::uint8_t> v(nl.num_nets());
        for (std::size_t k = 0; k < samples_a.size(); ++k) {
          for (int j = 0; j < m; ++j) v[p.a->bits[j]] = (samples_a[k] >> j) & 1;
          for (int j = 0; j < n; ++j) v[p.b->bits[j]] = (samples_b[k] >> j) & 1;
          for (std::size_t gi : order) {
            const netlist::Gate& gt = nl.gates[gi];
            auto in = [&](std::size_t q) { return v[gt.inputs[q]]; };
            std::uint8_t x = 0;
            switch (gt.op) {
              case netlist::GateOp::Const0: x = 0; break;
              case netlist::GateOp::Const1: x = 1; break;
              case netlist::GateOp::Buf: x = in(0); break;
              case netlist::GateOp::Not: x = !in(0); break;
              case netlist::GateOp::Mux: x = in(0) ? in(2) : in(1); break;
              default: {
                bool is_and = gt.op == netlist::GateOp::And || gt.op == netlist::GateOp::Nand;
                bool is_or = gt.op == netlist::GateOp::Or || gt.op == netlist::GateOp::Nor;
                x = is_and ? 1 : 0;
                for (std::size_t q = 0; q < gt.inputs.size(); ++q)
                  x = is_and ? (x & in(q)) : is_or ? (x | in(q)) : (x ^ in(q));
                if (gt.op == netlist::GateOp::Nand || gt.op == netlist::GateOp::Nor || gt.op == netlist::GateOp::Xnor)
                  x ^= 1;
              }
            }
            v[gt.output] = x;
          }
          std::uint64_t got = 0;
          for (std::size_t j = 0; j < p.out->bits.size(); ++j) got |= std::uint64_t{v[p.out->bits[j]]} << j;
          ASSERT_EQ(got, exact_pattern(samples_a[k], samples_b[k], m, n, s))
              << "a=" << samples_a[k] << " b=" << samples_b[k];
        }
      }
}

// Pruned partial products are absent: the generator reports the AND/NAND bits it built, counted
// here from each family's definition.
TEST(Netgen, PrunedPartialProductsAreNotGenerated) {
  auto count = [](int rows_from, int min_col) {
    int c = 0;
    for (int i = rows_from; i < 8; ++i)
      for (int j = 0; j < 8; ++j) c += i + j >= min_col;
    return c;
  };
  auto pp = [](const char* family, const char* params, bool s) {
    return generate({"m", family, params, 8, 8, s, Reduction::Dadda}).partial_products;
  };
  EXPECT_EQ(pp("exact", "", true), 64);
  EXPECT_EQ(pp("column_trunc", "k=4 corr=0", true), count(0, 4));
  EXPECT_EQ(pp("column_trunc", "k=6 corr=0", false), 64 - 21);
  EXPECT_EQ(pp("bam", "hbl=1 vbl=6", true), count(1, 6));
  EXPECT_EQ(pp("perforation", "rows=0,1", true), count(2, 0));
  EXPECT_EQ(pp("operand_trunc", "ka=2 kb=3", false), 6 * 5);
  // Fewer cells than the exact design, for every reduction.
  for (Reduction r : kReductions) {
    int exact = generate({"m", "exact", "", 8, 8, true, r}).total_gates;
    for (auto [f, q] : {std::pair{"column_trunc", "k=6 corr=64"}, std::pair{"bam", "hbl=1 vbl=6"},
                        std::pair{"perforation", "rows=0,1"}, std::pair{"lor", "k=6"},
                        std::pair{"operand_trunc", "ka=2 kb=2"}})
      EXPECT_LT(generate({"m", f, q, 8, 8, true, r}).total_gates, exact) << f << " " << reduction_name(r);
  }
}

// Families and params outside the generator's reach are usage errors, not netlists.
TEST(Netgen, RejectsBadSpecs) {
  EXPECT_THROW(generate({"m", "no_such_family", "", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "exact", "k=3", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "column_trunc", "corr=3", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "column_trunc", "k=x", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "column_trunc", "k=17", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "column_trunc", "k=3 k=4", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "perforation", "rows=0,8", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "perforation", "rows=", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "drum", "", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "mitchell", "k=3", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "exact", "", 17, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"m", "exact", "", 8, 1, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"2m", "exact", "", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(generate({"module", "exact", "", 8, 8, true, Reduction::Array}), UsageError);
  EXPECT_THROW(parse_reduction("booth"), UsageError);
  EXPECT_FALSE(has_generator("no_such_family"));
  for (const GeneratorFamily& f : generator_families()) EXPECT_TRUE(has_generator(f.name));
}

// Icarus Verilog simulates generated netlists (an independent reader and simulator) on every
// operand pair; its results must equal the design's table.
TEST(Netgen, IcarusAgreesOnGeneratedNetlists) {
  if (std::system("command -v iverilog >/dev/null 2>&1 && command -v vvp >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "Icarus Verilog is not installed (Debian package iverilog)";
  for (auto [name, r] : {std::pair{"mul8s_trunc6c", Reduction::Dadda}, std::pair{"mul8s_lor6", Reduction::Wallace},
                         std::pair{"mul8u_exact", Reduction::Array}, std::pair{"mul8s_bam_h1v6", Reduction::Array},
                         std::pair{"mul8s_drum6", Reduction::Dadda}, std::pair{"mul8s_mitchell", Reduction::Dadda},
                         std::pair{"mul8u_ilm1", Reduction::Wallace}}) {
    SCOPED_TRACE(name);
    const multipliers::Builtin* b = multipliers::find_builtin(name);
    ASSERT_NE(b, nullptr);
    auto spec = spec_of(*b, r);
    ASSERT_TRUE(spec);
    TempDir dir;
    std::string dut = dir.write("dut.v", generate_verilog(*spec));
    std::ostringstream tb;
    tb << "module tb;\n  reg [7:0] a, b;\n  wire [15:0] p;\n  integer i;\n  " << name << " u(.a(a), .b(b), .p(p));\n"
       << "  initial begin\n    for (i = 0; i < 65536; i = i + 1) begin\n      a = i[15:8]; b = i[7:0]; #1;\n"
       << "      $display(\"%0d\", p);\n    end\n  end\nendmodule\n";
    std::string tbp = dir.write("tb.v", tb.str());
    std::string cmd = "iverilog -g2005 -o " + dir.file("sim.vvp") + " " + tbp + " " + dut + " > " +
                      dir.file("iv.log") + " 2>&1 && vvp -n " + dir.file("sim.vvp") + " > " + dir.file("out.txt");
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(dir.file("out.txt"));
    const std::int32_t* lut = multipliers::table_256(*b);
    std::uint32_t i = 0;
    int bad = 0;
    for (std::string line; std::getline(in, line) && i < 65536; ++i) {
      std::int64_t v = std::stoll(line);
      if (b->is_signed) v = static_cast<std::int16_t>(static_cast<std::uint16_t>(v));
      if (v != lut[i] && bad++ < 5) ADD_FAILURE() << "a=" << (i >> 8) << " b=" << (i & 255) << ": " << v << " vs " << lut[i];
    }
    EXPECT_EQ(i, 65536u);
  }
}

// The axx_netgen program: one NAME.v per built-in with a generator, each read back whole; usage
// errors exit with status 1 and write nothing.
TEST(NetgenTool, WritesOneFilePerBuiltinWithAGenerator) {
  TempDir dir;
  std::string out = dir.file("out");
  std::string cmd = std::string(AXX_NETGEN_BIN) + " " + out + " --reduction wallace > " + dir.file("log") + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::size_t expected = 0;
  for (const multipliers::Builtin& b : multipliers::builtins()) {
    auto spec = spec_of(b, Reduction::Wallace);
    if (!spec) continue;
    ++expected;
    std::string path = out + "/" + b.name + ".v";
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), generate_verilog(*spec)) << path;
  }
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(out)) files += e.path().extension() == ".v";
  EXPECT_EQ(files, expected);

  std::string bad = std::string(AXX_NETGEN_BIN) + " " + dir.file("bad") + " --reduction booth > /dev/null 2>&1";
  int rc = std::system(bad.c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 1) << rc;
  EXPECT_FALSE(std::filesystem::exists(dir.file("bad")));
}

}  // namespace
}  // namespace axx::netgen
