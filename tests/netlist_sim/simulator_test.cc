#include <gtest/gtest.h>

#include <atomic>
#include <random>

#include "test_util.h"

namespace axx::netlist {
namespace {

using test::TempDir;
using test::truth_table;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// Unsigned array multiplier of the given widths written as structural Verilog (AND partial
// products summed by ripple rows of full adders), plus extra outputs for the port rules.
std::string array_multiplier(unsigned wa, unsigned wb) {
  std::string v = "module fa(input x, input y, input c, output s, output co);\n"
                  "  assign s = x ^ y ^ c;\n  assign co = (x & y) | (c & (x ^ y));\nendmodule\n";
  v += "module mul(input [" + std::to_string(wa - 1) + ":0] a, input [" + std::to_string(wb - 1) +
       ":0] b, output [" + std::to_string(wa + wb - 1) + ":0] p);\n";
  // row r holds the running sum bits [r .. r+wa]
  v += "  wire [" + std::to_string(wa) + ":0] s0;\n";
  v += "  assign s0 = {1'b0, a & {" + std::to_string(wa) + "{b[0]}}};\n";
  for (unsigned r = 1; r < wb; ++r) {
    std::string prev = "s" + std::to_string(r - 1), cur = "s" + std::to_string(r), c = "c" + std::to_string(r);
    v += "  wire [" + std::to_string(wa) + ":0] " + cur + ";\n  wire [" + std::to_string(wa) + ":0] " + c + ";\n";
    v += "  assign " + c + "[0] = 1'b0;\n";
    v += "  assign p[" + std::to_string(r - 1) + "] = " + prev + "[0];\n";
    for (unsigned i = 0; i < wa; ++i)
      v += "  fa f" + std::to_string(r) + "_" + std::to_string(i) + "(.x(" + prev + "[" + std::to_string(i + 1) +
           "]), .y(a[" + std::to_string(i) + "] & b[" + std::to_string(r) + "]), .c(" + c + "[" + std::to_string(i) +
           "]), .s(" + cur + "[" + std::to_string(i) + "]), .co(" + c + "[" + std::to_string(i + 1) + "]));\n";
    v += "  assign " + cur + "[" + std::to_string(wa) + "] = " + c + "[" + std::to_string(wa) + "];\n";
  }
  std::string last = "s" + std::to_string(wb - 1);
  v += "  assign p[" + std::to_string(wa + wb - 1) + ":" + std::to_string(wb - 1) + "] = " + last + ";\n";
  v += "endmodule\n";
  return v;
}

TEST(Simulator, ArrayMultipliersOfManyShapesAreExact) {
  TempDir d;
  // Covers every block layout: fewer lanes than one word, lanes spanning A bits, block bits, key bits.
  for (auto [wa, wb] : std::vector<std::pair<unsigned, unsigned>>{{1, 1}, {2, 3}, {3, 2}, {4, 4}, {5, 7}, {8, 8}, {3, 11}, {11, 2}, {6, 12}}) {
    Netlist nl = read_verilog(d.write("m.v", array_multiplier(wa, wb)), "mul");
    std::vector<std::uint64_t> t = truth_table(nl);
    std::uint64_t bad = 0;
    for (std::uint64_t a = 0; a < (1u << wa); ++a)
      for (std::uint64_t b = 0; b < (1u << wb); ++b) bad += t[(a << wb) | b] != a * b;
    EXPECT_EQ(bad, 0u) << wa << "x" << wb;
  }
}

TEST(Simulator, ThreadCountsGiveTheSameTable) {
  TempDir d;
  Netlist nl = read_verilog(d.write("m.v", array_multiplier(7, 9)), "mul");
  std::vector<std::uint64_t> one = truth_table(nl, {}, 1);
  EXPECT_EQ(truth_table(nl, {}, 2), one);
  EXPECT_EQ(truth_table(nl, {}, 5), one);
}

TEST(Simulator, SinkSeesEveryIndexOnceWithWorkerIds) {
  TempDir d;
  Netlist nl = read_verilog(d.write("m.v", array_multiplier(6, 8)), "mul");
  std::vector<std::atomic<int>> seen(1 << 14);
  std::atomic<unsigned> max_worker{0};
  unsigned used = simulate_exhaustive(nl, {}, [&](unsigned w, std::uint64_t first, const std::uint64_t*, std::size_t n) {
    unsigned m = max_worker.load();
    while (w > m && !max_worker.compare_exchange_weak(m, w)) {
    }
    for (std::size_t i = 0; i < n; ++i) seen[first + i]++;
  }, 2);
  EXPECT_EQ(used, 2u);
  EXPECT_LT(max_worker.load(), 2u);
  for (auto& s : seen) ASSERT_EQ(s.load(), 1);
}

TEST(Simulator, ConstantAndInvertedOutputsAndInputsPassedThrough) {
  TempDir d;
  std::string p = d.write("c.v", "module c(input [1:0] a, input [1:0] b, output [5:0] y);\n"
                                 "  assign y = {1'b1, 1'b0, ~b[1], a[0], ~(a[1] ^ a[1]), b[0] & ~b[0]};\nendmodule\n");
  std::vector<std::uint64_t> t = truth_table(read_verilog(p));
  for (unsigned a = 0; a < 4; ++a)
    for (unsigned b = 0; b < 4; ++b)
      EXPECT_EQ(t[(a << 2) | b], 0u | 1u << 1 | (a & 1) << 2 | (1 - (b >> 1)) << 3 | 0u << 4 | 1u << 5);
}

TEST(Simulator, SixtyFourBitOutput) {
  TempDir d;
  std::string p = d.write("w.v", "module w(input [1:0] a, input [1:0] b, output [63:0] y);\n"
                                 "  assign y = {32{a ^ b}};\nendmodule\n");
  std::vector<std::uint64_t> t = truth_table(read_verilog(p));
  for (unsigned a = 0; a < 4; ++a)
    for (unsigned b = 0; b < 4; ++b) {
      std::uint64_t want = 0;
      for (int k = 0; k < 32; ++k) want |= std::uint64_t(a ^ b) << (2 * k);
      EXPECT_EQ(t[(a << 2) | b], want);
    }
}

TEST(ResolvePorts, DefaultsAndNames) {
  TempDir d;
  Netlist nl = read_verilog(d.write("p.v", "module p(input [2:0] x, input [1:0] B, input [3:0] a, output [1:0] q);\n"
                                           "  assign q = B;\nendmodule\n"));
  ResolvedPorts r = resolve_ports(nl, {});
  EXPECT_EQ(r.a->name, "a");  // by name, although declared third
  EXPECT_EQ(r.b->name, "B");
  EXPECT_EQ(r.out->name, "q");
  Netlist nl2 = read_verilog(d.write("q.v", "module q(input [2:0] x, input [1:0] y, input z, output [1:0] o);\n"
                                            "  assign o = y;\nendmodule\n"));
  r = resolve_ports(nl2, {});
  EXPECT_EQ(r.a->name, "x");  // first and second input bus
  EXPECT_EQ(r.b->name, "y");
  r = resolve_ports(nl2, {"z", "x", "o"});
  EXPECT_EQ(r.a->name, "z");
  EXPECT_EQ(r.b->name, "x");
}

TEST(ResolvePorts, Errors) {
  TempDir d;
  std::string p = d.write("e.v", "module e(input [1:0] a, input [1:0] b, input c, output [1:0] s, output t);\n"
                                 "  assign s = a ^ b ^ {c, c};\n  assign t = c;\nendmodule\n");
  Netlist nl = read_verilog(p);
  EXPECT_EQ(error_of([&] { resolve_ports(nl, {}); }), p + ": netlist has 2 output ports (s, t); name the product port");
  EXPECT_EQ(error_of([&] { resolve_ports(nl, {"k", "", "s"}); }), p + ": no input port 'k' for operand A (inputs: a, b, c)");
  EXPECT_EQ(error_of([&] { resolve_ports(nl, {"", "", "u"}); }), p + ": no output port 'u' (outputs: s, t)");
  EXPECT_EQ(error_of([&] { resolve_ports(nl, {"a", "a", "s"}); }), p + ": operands A and B are both port 'a'");
  EXPECT_EQ(error_of([&] { truth_table(nl, {"", "", "s"}); }),
            p + ": input 'c' is neither operand A ('a') nor operand B ('b') but drives output 's'");
  // An extra input outside the output's cone is harmless.
  EXPECT_EQ(error_of([&] { truth_table(nl, {"a", "c", "t"}); }), "no error");
  Netlist one = read_verilog(d.write("o.v", "module o(input a, output y);\n  assign y = a;\nendmodule\n"));
  EXPECT_EQ(error_of([&] { resolve_ports(one, {}); }),
            d.file("o.v") + ": a multiplier netlist needs two input ports (inputs: a)");
}

TEST(Simulator, RejectsTooManyIndexBits) {
  TempDir d;
  std::string p = d.write("big.v", "module big(input [16:0] a, input [15:0] b, output y);\n  assign y = a[0] & b[0];\nendmodule\n");
  Netlist nl = read_verilog(p);
  EXPECT_EQ(error_of([&] { simulate_exhaustive(nl, {}, [](unsigned, std::uint64_t, const std::uint64_t*, std::size_t) {}); }),
            p + ": operands of 17 + 16 bits exceed the simulator's 32 index bits");
}

TEST(Simulator, SinkExceptionPropagates) {
  TempDir d;
  Netlist nl = read_verilog(d.write("m.v", array_multiplier(8, 8)), "mul");
  EXPECT_EQ(error_of([&] {
              simulate_exhaustive(nl, {}, [](unsigned, std::uint64_t first, const std::uint64_t*, std::size_t) {
                if (first > 1000) throw InputError("sink gave up");
              });
            }),
            "sink gave up");
}

}  // namespace
}  // namespace axx::netlist
