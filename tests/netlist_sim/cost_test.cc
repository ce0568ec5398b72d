// Hardware cost (netlist_sim/cost.h): cell mapping and sweep on hand-checkable netlists, on the
// generator's exact multipliers (multipliers/netgen, linked by this test only: the library itself
// depends on no generator), and toggle counts against a scalar gate-by-gate evaluation written here.
#include "netlist_sim/cost.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>

#include "axx/error.h"
#include "multipliers/netgen/netgen.h"
#include "netlist_sim/builder.h"
#include "netlist_sim/reader.h"
#include "test_util.h"

namespace axx::netlist {
namespace {

using test::TempDir;
using test::truth_table;

Netlist verilog(const TempDir& d, const std::string& text) { return read_verilog(d.write("t.v", text)); }

// The generator's exact m x n multiplier (Baugh-Wooley when signed), read back; the cost model's
// reference is the Dadda form (lutgen/cost.h).
Netlist exact_multiplier(int m, int n, bool is_signed,
                         netgen::Reduction r = netgen::Reduction::Dadda) {
  TempDir d;
  netgen::DesignSpec spec{"exact", "exact", "", m, n, is_signed, r};
  return read_verilog(d.write("exact.v", netgen::generate_verilog(spec)));
}

std::map<std::string, std::size_t> cells_of(const StructuralCost& c) {
  return std::map<std::string, std::size_t>(c.cells.begin(), c.cells.end());
}

// Maps, checks the function is kept, and returns the cost.
StructuralCost cost(const Netlist& nl) {
  Netlist m = map_to_cells(nl);
  check_netlist(m);
  EXPECT_EQ(truth_table(m), truth_table(nl)) << nl.name;
  return structural_cost(m);
}

const char* kHeader = "module t(input [1:0] a, input [1:0] b, output [1:0] p);\n";

TEST(CellMapping, OneGateEach) {
  TempDir d;
  struct Case {
    const char* body;
    std::map<std::string, std::size_t> cells;
    double area;
  } cases[] = {
      {"assign p = {1'b0, a[0] & b[0]};", {{"AND2", 1}}, 1.064 / 0.798},
      {"assign p = {1'b0, ~(a[0] & b[0])};", {{"NAND2", 1}}, 1.0},
      {"assign p = {1'b0, ~a[0] | ~b[0]};", {{"NAND2", 1}}, 1.0},
      {"assign p = {1'b0, ~a[0] & ~b[0]};", {{"NOR2", 1}}, 1.0},
      {"assign p = {1'b0, a[0] | b[0]};", {{"OR2", 1}}, 1.064 / 0.798},
      {"assign p = {1'b0, a[0] ^ b[0]};", {{"XOR2", 1}}, 2.0},
      {"assign p = {1'b0, ~a[0] ^ b[0]};", {{"XNOR2", 1}}, 2.0},
      {"assign p = {1'b0, ~(a[0] ^ ~b[0])};", {{"XOR2", 1}}, 2.0},
      {"assign p = {1'b0, a[1] ? b[1] : b[0]};", {{"MUX2", 1}}, 1.862 / 0.798},
      {"assign p = {1'b0, ~a[1] ? b[1] : b[0]};", {{"MUX2", 1}}, 1.862 / 0.798},
      {"assign p = {1'b0, ~a[0]};", {{"INV", 1}}, 0.532 / 0.798},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    StructuralCost s = cost(verilog(d, std::string(kHeader) + "  " + c.body + "\nendmodule\n"));
    EXPECT_EQ(cells_of(s), c.cells);
    EXPECT_EQ(s.gates, 1u);
    EXPECT_DOUBLE_EQ(s.area_nand2, c.area);
    EXPECT_EQ(s.depth, 1u);
  }
}

TEST(CellMapping, WiresAndConstantsAreFree) {
  TempDir d;
  StructuralCost s = cost(verilog(d, std::string(kHeader) +
                                         "  wire x, y; buf (x, a[1]); assign y = ~~x;\n"
                                         "  assign p = {y, 1'b1};\nendmodule\n"));
  EXPECT_EQ(s.gates, 0u);
  EXPECT_EQ(s.area_nand2, 0.0);
  EXPECT_EQ(s.depth, 0u);
}

TEST(CellMapping, NaryGatesBecomeBalancedTwoInputTrees) {
  TempDir d;
  StructuralCost s = cost(verilog(d, "module t(input [3:0] a, input [3:0] b, output [1:0] p);\n"
                                     "  assign p[0] = &{a, b};\n"      // 8 inputs: 7 two-input cells, 3 levels
                                     "  assign p[1] = ^{a[2:0]};\n"    // 3 inputs: 2 XOR2, 2 levels
                                     "endmodule\n"));
  EXPECT_EQ(s.gates, 9u);
  EXPECT_EQ(s.depth, 3u);
  EXPECT_EQ(cells_of(s)["XOR2"], 2u);
}

TEST(CellMapping, SumOfProductsIsNandNand) {
  // a0 b0 | a1 b1: BLIF covers and Verilog both give three NAND2 cells, no inverter.
  TempDir d;
  Netlist v = verilog(d, std::string(kHeader) + "  assign p = {1'b0, (a[0] & b[0]) | (a[1] & b[1])};\nendmodule\n");
  EXPECT_EQ(cells_of(cost(v)), (std::map<std::string, std::size_t>{{"NAND2", 3}}));
  Netlist blif = read_blif(d.write("t.blif", ".model t\n.inputs a[0] a[1] b[0] b[1]\n.outputs p[0] p[1]\n"
                                             ".names a[0] b[0] a[1] b[1] p[0]\n11-- 1\n--11 1\n"
                                             ".names p[1]\n.end\n"));
  StructuralCost s = cost(blif);
  EXPECT_EQ(cells_of(s), (std::map<std::string, std::size_t>{{"NAND2", 3}}));
  EXPECT_EQ(s.depth, 2u);
}

TEST(CellMapping, MajorityCarryIsAFullAdderCarry) {
  // A full adder with the carry as a majority, grouped either way, costs what the XOR form costs:
  // two XOR2 and three NAND2 sharing the sum's XOR.
  TempDir d;
  for (const char* carry : {"(x & y) | (y & z) | (x & z)", "(y & z) | ((x & z) | (x & y))", "(x & y) | (z & (x ^ y))"}) {
    SCOPED_TRACE(carry);
    StructuralCost s = cost(verilog(d, std::string("module t(input [1:0] a, input [0:0] b, output [1:0] p);\n"
                                                   "  wire x = a[0], y = a[1], z = b[0];\n"
                                                   "  assign p = {") + carry + ", (x ^ y) ^ z};\nendmodule\n"));
    EXPECT_EQ(cells_of(s), (std::map<std::string, std::size_t>{{"NAND2", 3}, {"XOR2", 2}}));
  }
}

TEST(CellMapping, AnInverterIsSharedByItsReaders) {
  TempDir d;
  // ~a0 feeds three AND gates that cannot absorb it: one INV, not three.
  StructuralCost s = cost(verilog(d, "module t(input [1:0] a, input [2:0] b, output [2:0] p);\n"
                                     "  wire n = ~a[0];\n"
                                     "  assign p = {n & b[2] & a[1], n & b[1] & a[1], n & b[0] & a[1]};\n"
                                     "endmodule\n"));
  EXPECT_EQ(cells_of(s)["INV"], 1u);
  EXPECT_EQ(cells_of(s)["AND2"], 6u);  // (~a0 & b_i) & a1 for each bit
}

TEST(Sweep, ConstantsPropagateAndDeadGatesVanish) {
  TempDir d;
  // A truncated 2x2 multiplier written in full with constant-zero partial products, a gate that
  // reaches no output, and a duplicated partial product.
  Netlist nl = verilog(d, "module t(input [1:0] a, input [1:0] b, output [3:0] p);\n"
                          "  wire z = 1'b0;\n"
                          "  wire pp00 = a[0] & b[0] & z;\n"
                          "  wire pp10 = a[1] & b[0] & z;\n"
                          "  wire pp01 = a[0] & b[1] & 1'b1;\n"
                          "  wire pp11 = a[1] & b[1];\n"
                          "  wire pp11_again = b[1] & a[1];\n"
                          "  wire unused = (a[0] ^ b[1]) | pp11;\n"
                          "  assign p = {pp11 & pp01, pp11_again ^ (pp10 & pp01), pp01 | pp10, pp00};\n"
                          "endmodule\n");
  StructuralCost s = cost(nl);
  // Left: pp01, pp11 (one node), pp11 & pp01, and the wires p[1] = pp01, p[2] = pp11.
  EXPECT_EQ(s.gates, 3u);
  EXPECT_EQ(cells_of(s), (std::map<std::string, std::size_t>{{"AND2", 3}}));
  EXPECT_EQ(s.depth, 2u);
}

TEST(Sweep, OnlyTheProductConeCounts) {
  TempDir d;
  Netlist nl = verilog(d, "module t(input [1:0] a, input [1:0] b, output [1:0] p, output q);\n"
                          "  assign p = {1'b0, a[0] & b[0]};\n"
                          "  assign q = ^{a, b};\n"
                          "endmodule\n");
  StructuralCost s = structural_cost(map_to_cells(nl, {"", "", "p"}));
  EXPECT_EQ(s.gates, 1u);
}

TEST(Sweep, AnotherInputDrivingTheProductIsAnError) {
  TempDir d;
  Netlist nl = verilog(d, "module t(input [1:0] a, input [1:0] b, input c, output [1:0] p);\n"
                          "  assign p = {c, a[0] & b[0]};\nendmodule\n");
  try {
    map_to_cells(nl);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("input 'c' is neither operand A"), std::string::npos) << e.what();
  }
}

// Random netlists with every gate kind (n-ary, constants, buffers, muxes): the mapping keeps the
// function and leaves only library cells.
TEST(CellMapping, RandomNetlistsKeepTheirFunction) {
  std::mt19937 rng(7);
  auto pick = [&](unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng); };
  for (int k = 0; k < 200; ++k) {
    detail::NetlistBuilder b("rnd" + std::to_string(k));
    Netlist& nl = b.netlist();
    nl.name = "rnd" + std::to_string(k);
    const unsigned wa = pick(1, 4), wb = pick(1, 4);
    Port pa{"a", {}, {}}, pb{"b", {}, {}}, py{"y", {}, {}};
    std::vector<NetId> pool;
    for (unsigned i = 0; i < wa; ++i) pool.push_back(b.net("a[" + std::to_string(i) + "]")), pa.bits.push_back(pool.back());
    for (unsigned i = 0; i < wb; ++i) pool.push_back(b.net("b[" + std::to_string(i) + "]")), pb.bits.push_back(pool.back());
    const unsigned gates = pick(1, 40);
    for (unsigned g = 0; g < gates; ++g) {
      const GateOp op = GateOp(pick(0, unsigned(GateOp::Mux)));
      std::size_t nin = op == GateOp::Const0 || op == GateOp::Const1 ? 0
                        : op == GateOp::Buf || op == GateOp::Not      ? 1
                        : op == GateOp::Mux                             ? 3
                                                                        : pick(1, 5);
      std::vector<NetId> in;
      for (std::size_t i = 0; i < nin; ++i) in.push_back(pool[pick(0, unsigned(pool.size()) - 1)]);
      pool.push_back(b.gate(op, in, b.fresh("w"), "", 0));
    }
    const unsigned wy = pick(1, 8);
    for (unsigned j = 0; j < wy; ++j)
      py.bits.push_back(b.gate(GateOp::Buf, {pool[pool.size() - 1 - pick(0, std::min<unsigned>(unsigned(pool.size()) - 1, 10))]},
                               b.net("y[" + std::to_string(j) + "]"), "", 0));
    nl.inputs = {pa, pb};
    nl.outputs = {py};
    check_netlist(nl);
    SCOPED_TRACE(nl.name);
    Netlist m = map_to_cells(nl);
    check_netlist(m);
    ASSERT_EQ(truth_table(m), truth_table(nl));
    for (const Gate& g : m.gates)
      EXPECT_TRUE(cell_of(g) || g.op == GateOp::Const0 || g.op == GateOp::Const1);
    // Every cell reaches the product: nothing dead is counted.
    std::vector<std::uint8_t> used(m.num_nets(), 0);
    for (NetId n : m.outputs[0].bits) used[n] = 1;
    for (std::size_t i = m.gates.size(); i-- > 0;)
      if (used[m.gates[i].output])
        for (NetId n : m.gates[i].inputs) used[n] = 1;
    for (const Gate& g : m.gates) EXPECT_TRUE(used[g.output]) << m.net_names[g.output];
  }
}

// Mapping keeps every product of the generated exact multipliers, checked exhaustively against
// products computed here, read as unsigned or two's complement.
TEST(ExactMultiplier, ComputesTheProductExhaustively) {
  for (bool is_signed : {false, true})
    for (int m = 2; m <= 7; ++m)
      for (int n = 2; n <= 7; ++n) {
        SCOPED_TRACE(std::to_string(m) + "x" + std::to_string(n) + (is_signed ? " signed" : " unsigned"));
        Netlist nl = exact_multiplier(m, n, is_signed);
        std::vector<std::uint64_t> t = truth_table(nl);
        const std::uint64_t mask = (std::uint64_t{1} << (m + n)) - 1;
        for (std::int64_t pa = 0; pa < (1 << m); ++pa)
          for (std::int64_t pb = 0; pb < (1 << n); ++pb) {
            std::int64_t x = is_signed && pa >> (m - 1) ? pa - (1 << m) : pa;
            std::int64_t y = is_signed && pb >> (n - 1) ? pb - (1 << n) : pb;
            ASSERT_EQ(t[(pa << n) | pb], std::uint64_t(x * y) & mask) << x << " * " << y;
          }
        // The mapped form too.
        ASSERT_EQ(truth_table(map_to_cells(nl)), t);
      }
}

TEST(ExactMultiplier, WideOperandsOnRandomPairs) {
  std::mt19937_64 rng(3);
  for (bool is_signed : {false, true})
    for (auto [m, n] : {std::pair{16, 16}, std::pair{12, 9}, std::pair{8, 16}}) {
      Netlist nl = map_to_cells(exact_multiplier(m, n, is_signed));
      std::vector<std::uint64_t> a(1000), b(1000);
      for (std::size_t i = 0; i < a.size(); ++i) a[i] = rng() & ((1u << m) - 1), b[i] = rng() & ((1u << n) - 1);
      const std::uint64_t mask = (std::uint64_t{1} << (m + n)) - 1;
      simulate_pairs(nl, {}, a.data(), b.data(), a.size(), [&](std::size_t first, std::size_t count, const std::uint64_t* v) {
        for (std::size_t j = 0; j < count; ++j) {
          std::uint64_t p = 0;
          for (std::size_t k = 0; k < nl.outputs[0].bits.size(); ++k) p |= ((v[nl.outputs[0].bits[k]] >> j) & 1) << k;
          const std::uint64_t pa = a[first + j], pb = b[first + j];
          std::int64_t x = is_signed && pa >> (m - 1) ? std::int64_t(pa) - (std::int64_t{1} << m) : std::int64_t(pa);
          std::int64_t y = is_signed && pb >> (n - 1) ? std::int64_t(pb) - (std::int64_t{1} << n) : std::int64_t(pb);
          ASSERT_EQ(p, std::uint64_t(x * y) & mask);
        }
      });
    }
}

TEST(ExactMultiplier, CostGrowsLikeAnArray) {
  // n x n unsigned: n^2 partial products and about n^2 adder cells; the signed form is close. A
  // Dadda tree is shallower than the carry-save array, whose rows each add a level.
  for (int n : {4, 8, 16}) {
    StructuralCost u = structural_cost(map_to_cells(exact_multiplier(n, n, false)));
    StructuralCost s = structural_cost(map_to_cells(exact_multiplier(n, n, true)));
    EXPECT_GT(u.gates, std::size_t(n * n));
    EXPECT_LT(u.gates, std::size_t(8 * n * n));
    EXPECT_NEAR(s.area_nand2 / u.area_nand2, 1.0, 0.15);
    EXPECT_GE(u.depth, unsigned(2 * n));  // the ripple-carry final adder alone
    const StructuralCost array = structural_cost(map_to_cells(exact_multiplier(n, n, false, netgen::Reduction::Array)));
    EXPECT_LE(u.depth, array.depth);
  }
}

// Scalar reference: evaluates every net of every pair gate by gate, in passes until all are known
// (no topological order from the code under test), and counts changes between consecutive pairs.
std::vector<std::uint64_t> scalar_toggles(const Netlist& nl, const std::vector<std::uint64_t>& a,
                                          const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> toggles(nl.num_nets(), 0);
  std::vector<int> prev;
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::vector<int> v(nl.num_nets(), -1);
    for (std::size_t k = 0; k < nl.inputs[0].bits.size(); ++k) v[nl.inputs[0].bits[k]] = (a[i] >> k) & 1;
    for (std::size_t k = 0; k < nl.inputs[1].bits.size(); ++k) v[nl.inputs[1].bits[k]] = (b[i] >> k) & 1;
    for (bool changed = true; changed;) {
      changed = false;
      for (const Gate& g : nl.gates) {
        if (v[g.output] >= 0) continue;
        bool ready = true;
        for (NetId n : g.inputs) ready = ready && v[n] >= 0;
        if (!ready) continue;
        int r = 0;
        switch (g.op) {
          case GateOp::Const0: r = 0; break;
          case GateOp::Const1: r = 1; break;
          case GateOp::Buf: r = v[g.inputs[0]]; break;
          case GateOp::Not: r = !v[g.inputs[0]]; break;
          case GateOp::And: r = v[g.inputs[0]] && v[g.inputs[1]]; break;
          case GateOp::Nand: r = !(v[g.inputs[0]] && v[g.inputs[1]]); break;
          case GateOp::Or: r = v[g.inputs[0]] || v[g.inputs[1]]; break;
          case GateOp::Nor: r = !(v[g.inputs[0]] || v[g.inputs[1]]); break;
          case GateOp::Xor: r = v[g.inputs[0]] != v[g.inputs[1]]; break;
          case GateOp::Xnor: r = v[g.inputs[0]] == v[g.inputs[1]]; break;
          case GateOp::Mux: r = v[g.inputs[0]] ? v[g.inputs[2]] : v[g.inputs[1]]; break;
        }
        v[g.output] = r;
        changed = true;
      }
    }
    if (i > 0)
      for (std::size_t n = 0; n < v.size(); ++n) toggles[n] += v[n] != prev[n];
    prev = v;
  }
  return toggles;
}

TEST(Toggles, MatchAScalarEvaluation) {
  std::mt19937_64 rng(11);
  for (bool is_signed : {false, true}) {
    Netlist nl = map_to_cells(exact_multiplier(4, 5, is_signed));
    for (std::size_t pairs : {2, 63, 64, 65, 200, 1000}) {
      std::vector<std::uint64_t> a(pairs), b(pairs);
      for (std::size_t i = 0; i < pairs; ++i) a[i] = rng(), b[i] = rng();  // high bits are ignored
      SCOPED_TRACE(pairs);
      ASSERT_EQ(count_toggles(nl, {}, a, b), scalar_toggles(nl, a, b));
    }
  }
}

TEST(Toggles, HandCountedOnOneGate) {
  TempDir d;
  Netlist nl = map_to_cells(verilog(d, std::string(kHeader) + "  assign p = {1'b0, ~(a[0] & b[0])};\nendmodule\n"));
  // (a0, b0): (0,0) (1,1) (1,0) (1,1) (0,1): a0 toggles 2, b0 3, the NAND output 1 -> 0 -> 1 -> 0 -> 1: 4.
  std::vector<std::uint64_t> a{0, 1, 1, 1, 0}, b{0, 1, 0, 1, 1};
  std::vector<std::uint64_t> t = count_toggles(nl, {}, a, b);
  const NetId a0 = nl.inputs[0].bits[0], b0 = nl.inputs[1].bits[0], y = nl.outputs[0].bits[0];
  EXPECT_EQ(t[a0], 2u);
  EXPECT_EQ(t[b0], 3u);
  EXPECT_EQ(t[y], 4u);
  // Loads: a0 and b0 one pin each; the NAND output 1 (driver) + 1 (product bit).
  std::vector<std::uint32_t> load = net_loads(nl);
  EXPECT_EQ(load[a0], 1u);
  EXPECT_EQ(load[b0], 1u);
  EXPECT_EQ(load[y], 2u);
  EXPECT_DOUBLE_EQ(power_proxy(nl, {}, a, b), (2.0 * 1 + 3.0 * 1 + 4.0 * 2) / 4.0);
}

TEST(Toggles, PowerProxyIsLoadTimesTogglesPerTransition) {
  std::mt19937_64 rng(5);
  Netlist nl = map_to_cells(exact_multiplier(6, 6, true));
  std::vector<std::uint64_t> a(300), b(300);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = rng(), b[i] = rng();
  // Loads counted here from the gate list: a cell-driven net 1, each reading pin 1, each product bit 1.
  std::vector<double> load(nl.num_nets(), 0);
  for (const Gate& g : nl.gates) {
    if (g.op != GateOp::Const0 && g.op != GateOp::Const1) load[g.output] += 1;
    for (NetId n : g.inputs) load[n] += 1;
  }
  for (NetId n : nl.outputs[0].bits) load[n] += 1;
  std::vector<std::uint64_t> t = scalar_toggles(nl, a, b);
  double sum = 0;
  for (std::size_t n = 0; n < t.size(); ++n) sum += load[n] * double(t[n]);
  EXPECT_DOUBLE_EQ(power_proxy(nl, {}, a, b), sum / 299.0);
  EXPECT_THROW(power_proxy(nl, {}, {1}, {2}), InputError);
}

// The bundled netlists: the broken-array multiplier, written as a cell array, costs less than the exact
// signed 8x8 array; its BLIF form (Yosys synthesis of the behavioural form, with Yosys's own
// adder structure) is a different, larger netlist. Figures and timings printed for docs/cost.md.
TEST(BundledNetlists, CostAndTime) {
  const std::string dir = AXX_MULTIPLIERS_SRC;
  std::mt19937_64 rng(1);
  std::vector<std::uint64_t> a(100000), b(100000);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = rng() & 255, b[i] = rng() & 255;
  auto measure = [&](const Netlist& nl, const char* label) {
    auto t0 = std::chrono::steady_clock::now();
    Netlist m = map_to_cells(nl);
    StructuralCost s = structural_cost(m);
    auto t1 = std::chrono::steady_clock::now();
    double p = power_proxy(m, {}, a, b);
    auto t2 = std::chrono::steady_clock::now();
    std::printf("%-28s gates %4zu  area %8.2f  depth %3u  power %9.2f  map+cost %.2f ms  power(1e5 pairs) %.1f ms\n",
                label, s.gates, s.area_nand2, s.depth, p, std::chrono::duration<double, std::milli>(t1 - t0).count(),
                std::chrono::duration<double, std::milli>(t2 - t1).count());
    for (const auto& [cell, count] : s.cells) std::printf("  %s %zu", cell.c_str(), count);
    std::printf("\n");
    return std::pair{s, p};
  };
  auto exact = measure(exact_multiplier(8, 8, true), "exact 8x8 signed (reference)");
  auto blif = measure(read_blif(dir + "/mul8s_bam_h1v6.blif"), "mul8s_bam_h1v6.blif");
  auto structural = measure(read_verilog(dir + "/mul8s_bam_h1v6_struct.v"), "mul8s_bam_h1v6_struct.v");
  EXPECT_LT(structural.first.area_nand2, exact.first.area_nand2);
  EXPECT_LT(structural.second, exact.second);
  EXPECT_GT(blif.first.gates, 0u);
}

}  // namespace
}  // namespace axx::netlist
