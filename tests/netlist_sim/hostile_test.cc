// Hostile netlists (docs/testing.md, "Hostile netlists"): huge, deep, recursive, malformed. Each
// either reads with the right table (computed here gate by gate, bit-sliced over all 2^16 operand
// pairs) or stops with one message naming the place; none may crash, hang or exhaust memory.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace axx::netlist {
namespace {

using test::TempDir;
using test::truth_table;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UnsupportedConstruct& e) {
    return std::string("unsupported: ") + e.what();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
std::string read_error(const std::string& path) {
  return error_of([&] { read_netlist_file(path, ReadOptions{"", YosysMode::Never, "", nullptr}); });
}

// Values of one net over all 2^16 pairs (a << 8 | b), 64 pairs per word.
using Slice = std::vector<std::uint64_t>;
constexpr std::size_t kWords = (1u << 16) / 64;

Slice operand_bit(bool is_a, unsigned k) {
  Slice s(kWords);
  for (std::size_t i = 0; i < (1u << 16); ++i) {
    unsigned v = is_a ? unsigned(i >> 8) : unsigned(i & 255);
    if ((v >> k) & 1) s[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  return s;
}

enum Op { And, Or, Xor, Nand, Nor, Xnor };
Slice apply(Op op, const Slice& x, const Slice& y) {
  Slice r(kWords);
  for (std::size_t w = 0; w < kWords; ++w) {
    std::uint64_t v = op == And || op == Nand ? x[w] & y[w] : op == Or || op == Nor ? x[w] | y[w] : x[w] ^ y[w];
    r[w] = op >= Nand ? ~v : v;
  }
  return r;
}

// A netlist with 8-bit operands a, b and a 16-bit output y: gate i computes op_i(in0_i, in1_i),
// inputs being operand bits (-1 - k: a[k] for k < 8, b[k - 8] otherwise) or earlier gates; y[k]
// is gate n - 16 + k. Written as BLIF or structural Verilog; its table is computed here.
struct Dag {
  std::vector<Op> op;
  std::vector<long> in0, in1;

  static Dag chain(std::size_t n) {
    Dag d;
    for (std::size_t i = 0; i < n; ++i) {
      d.op.push_back(Op(i % 3));  // and, or, xor: the chain keeps depending on every operand bit
      d.in0.push_back(i == 0 ? -1 : long(i) - 1);
      d.in1.push_back(-1 - long(i % 16));
    }
    return d;
  }
  static Dag random(std::size_t n, std::size_t window, unsigned seed) {
    Dag d;
    std::mt19937 rng(seed);
    for (std::size_t i = 0; i < n; ++i) {
      auto pick = [&]() -> long {
        std::size_t k = rng() % (16 + std::min(i, window));
        return k < 16 ? -1 - long(k) : long(i - 1 - (k - 16));
      };
      d.op.push_back(Op(rng() % 6));
      d.in0.push_back(pick());
      d.in1.push_back(pick());
    }
    return d;
  }
  static std::string name(long x) {
    if (x >= 0) return "n" + std::to_string(x);
    long k = -1 - x;
    return (k < 8 ? "a[" : "b[") + std::to_string(k % 8) + "]";
  }
  std::string blif() const {
    static const char* covers[] = {"11 1\n", "1- 1\n-1 1\n", "10 1\n01 1\n", "11 0\n", "1- 0\n-1 0\n", "10 0\n01 0\n"};
    std::ostringstream s;
    s << ".model big\n.inputs";
    for (int k = 0; k < 8; ++k) s << " a[" << k << "]";
    for (int k = 0; k < 8; ++k) s << " b[" << k << "]";
    s << "\n.outputs";
    for (int k = 0; k < 16; ++k) s << " y[" << k << "]";
    s << "\n";
    for (std::size_t i = 0; i < op.size(); ++i)
      s << ".names " << name(in0[i]) << " " << name(in1[i]) << " n" << i << "\n" << covers[op[i]];
    for (std::size_t k = 0; k < 16; ++k) s << ".names n" << op.size() - 16 + k << " y[" << k << "]\n1 1\n";
    s << ".end\n";
    return s.str();
  }
  std::string verilog() const {
    static const char* ops[] = {"&", "|", "^", "&", "|", "^"};
    std::ostringstream s;
    s << "module big(input [7:0] a, input [7:0] b, output [15:0] y);\n";
    for (std::size_t i = 0; i < op.size(); ++i) s << "  wire n" << i << ";\n";
    for (std::size_t i = 0; i < op.size(); ++i)
      s << "  assign n" << i << " = " << (op[i] >= Nand ? "~(" : "(") << name(in0[i]) << " " << ops[op[i]] << " "
        << name(in1[i]) << ");\n";
    for (std::size_t k = 0; k < 16; ++k) s << "  assign y[" << k << "] = n" << op.size() - 16 + k << ";\n";
    s << "endmodule\n";
    return s.str();
  }
  // The table, keeping only the gates that later gates can still read (chain: 1, random: window).
  std::vector<std::uint64_t> table(std::size_t window) const {
    std::vector<Slice> ops(16), ring(window + 1);
    for (unsigned k = 0; k < 16; ++k) ops[k] = operand_bit(k < 8, k % 8);
    std::vector<Slice> y(16);
    auto value = [&](long x) -> const Slice& { return x < 0 ? ops[std::size_t(-1 - x)] : ring[std::size_t(x) % ring.size()]; };
    for (std::size_t i = 0; i < op.size(); ++i) {
      ring[i % ring.size()] = apply(op[i], value(in0[i]), value(in1[i]));
      if (i + 16 >= op.size()) y[i + 16 - op.size()] = ring[i % ring.size()];
    }
    std::vector<std::uint64_t> t(1u << 16, 0);
    for (std::size_t i = 0; i < t.size(); ++i)
      for (unsigned k = 0; k < 16; ++k) t[i] |= ((y[k][i / 64] >> (i % 64)) & 1) << k;
    return t;
  }
};

TEST(Hostile, ChainOf200000GatesInBothFormats) {
  TempDir d;
  Dag dag = Dag::chain(200000);
  std::vector<std::uint64_t> want = dag.table(16);
  for (const std::string& p : {d.write("chain.blif", dag.blif()), d.write("chain.v", dag.verilog())}) {
    Netlist nl = read_netlist_file(p, ReadOptions{"", YosysMode::Never, "", nullptr});
    EXPECT_EQ(truth_table(nl), want) << p;
  }
}

TEST(Hostile, RandomDagOf100000GatesInBothFormats) {
  TempDir d;
  Dag dag = Dag::random(100000, 1000, 7);
  std::vector<std::uint64_t> want = dag.table(1000);
  for (const std::string& p : {d.write("dag.blif", dag.blif()), d.write("dag.v", dag.verilog())}) {
    Netlist nl = read_netlist_file(p, ReadOptions{"", YosysMode::Never, "", nullptr});
    EXPECT_EQ(truth_table(nl), want) << p;
  }
}

// y = a[0] op0 (a[1] op1 (a[2] ... (b[0]))) with op = & | ^ in turn, `depth` levels, and its
// value computed here from the inside out.
std::string nested_chain(std::size_t depth, std::uint64_t a, std::uint64_t b, bool& y) {
  std::string s;
  bool v = b & 1;
  std::vector<int> ops;
  for (std::size_t i = 0; i < depth; ++i) s += "a[" + std::to_string(i % 8) + "] " + "&|^"[i % 3] + " (";
  s += "b[0]";
  s.append(depth, ')');
  for (std::size_t i = depth; i-- > 0;) {
    bool x = (a >> (i % 8)) & 1;
    v = i % 3 == 0 ? (x && v) : i % 3 == 1 ? (x || v) : (x != v);
  }
  y = v;
  return s;
}

TEST(Hostile, VerilogNestingOf10000LevelsIsRead) {
  TempDir d;
  bool unused;
  std::string e = nested_chain(10000, 0, 0, unused);
  std::string p = d.write("deep.v", "module m(input [7:0] a, input [7:0] b, output y);\n  assign y = " + e + ";\nendmodule\n");
  Netlist nl = read_verilog(p);
  std::vector<std::uint64_t> t = truth_table(nl);
  for (std::uint64_t a = 0; a < 256; ++a)
    for (std::uint64_t b = 0; b < 2; ++b) {
      bool y;
      nested_chain(10000, a, b, y);
      ASSERT_EQ(t[a << 8 | b], std::uint64_t(y)) << a << " " << b;
    }
  // Parentheses, unary operators, a flat operator chain and concatenations, each 10^4 deep.
  const std::string head = "module m(input [7:0] a, input [7:0] b, output y);\n  assign y = ";
  std::string parens = std::string(10000, '(') + "a[0] ^ b[0]" + std::string(10000, ')');
  std::string nots = std::string(10000, '~') + "a[0] ^ b[0]";
  std::string flat;
  for (int i = 0; i < 10000; ++i) flat += "a[" + std::to_string(i % 8) + "] ^ ";
  flat += "b[0]";
  std::string concat = "a[0] ^ b[0]";
  for (int i = 0; i < 10000; ++i) concat = "{" + concat + "}";
  for (const std::string& x : {parens, nots, flat, concat}) {
    Netlist n2 = read_verilog(d.write("d2.v", head + x + ";\nendmodule\n"));
    std::vector<std::uint64_t> t2 = truth_table(n2);
    for (std::uint64_t i = 0; i < t2.size(); ++i) {
      std::uint64_t a = i >> 8, b = i & 255;
      // 10^4 inversions cancel; the flat chain XORs each a bit 1250 times (even), leaving b[0].
      std::uint64_t want = x == flat ? (b & 1) : ((a ^ b) & 1);
      ASSERT_EQ(t2[i], want) << x.substr(0, 20) << " at " << i;
    }
  }
}

// AddressSanitizer cannot follow an exception thrown tens of thousands of frames deep on the readers'
// 1 GiB stack: it skips unpoisoning stacks over 64 MiB on a no-return call and then reports false
// stack-buffer-overflows (google/sanitizers issue 189). Those cases run in the ordinary build only.
#if defined(__SANITIZE_ADDRESS__)
#define AXX_SKIP_DEEP_UNDER_ASAN() GTEST_SKIP() << "deep-stack unwinding is not supported by ASan"
#else
#define AXX_SKIP_DEEP_UNDER_ASAN() (void)0
#endif

TEST(Hostile, VerilogNestingBeyondTheLimitIsAnError) {
  AXX_SKIP_DEEP_UNDER_ASAN();
  TempDir d;
  const std::string head = "module m(input [7:0] a, input [7:0] b, output y);\n  assign y = ";
  const std::string msg = "expression nested more than 50000 levels deep (split it into several assignments)";
  bool unused;
  std::string chain = nested_chain(100000, 0, 0, unused);
  std::string p = d.write("c.v", head + chain + ";\nendmodule\n");
  // Level k (from 0) starts at column 14 + 8k with "a[i] & ("; the select's index of level 49999
  // is the 50001st nested expression.
  EXPECT_EQ(read_error(p), p + ":2:" + std::to_string(14 + 8 * 49999 + 2) + ": " + msg);
  p = d.write("p.v", head + std::string(1000000, '(') + "a[0]" + std::string(1000000, ')') + ";\nendmodule\n");
  EXPECT_EQ(read_error(p), p + ":2:" + std::to_string(14 + 50000) + ": " + msg);  // the 50001st parenthesis
  p = d.write("n.v", head + std::string(1000000, '~') + "a[0];\nendmodule\n");
  EXPECT_EQ(read_error(p), p + ":2:" + std::to_string(14 + 49999) + ": " + msg);  // the 50000th operator
  // A flat chain is deep too, as a tree: the error is at the operator that makes it too deep.
  std::string flat;
  for (int i = 0; i < 1000000; ++i) flat += "a[0] ^ ";
  p = d.write("f.v", head + flat + "b[0];\nendmodule\n");
  // Each "a[0] ^ " adds a level to a tree that starts 2 deep (the select): the 49999th operator.
  EXPECT_EQ(read_error(p), p + ":2:" + std::to_string(14 + 7 * 49998 + 5) + ": " + msg);
}

std::string verilog_hierarchy(std::size_t depth) {
  std::string s = "module m0(input [7:0] a, input [7:0] b, output y);\n  m1 u(.x(a[0]), .z(b[0]), .y(y));\nendmodule\n";
  for (std::size_t i = 1; i < depth; ++i)
    s += "module m" + std::to_string(i) + "(input x, input z, output y);\n  m" + std::to_string(i + 1) +
         " u(.x(x), .z(z), .y(y));\nendmodule\n";
  s += "module m" + std::to_string(depth) + "(input x, input z, output y);\n  assign y = x & ~z;\nendmodule\n";
  return s;
}
std::string blif_hierarchy(std::size_t depth) {
  std::string s = ".model m0\n.inputs a[0] a[1] b[0] b[1]\n.outputs y\n.subckt m1 x=a[0] z=b[0] y=y\n.end\n";
  for (std::size_t i = 1; i < depth; ++i)
    s += ".model m" + std::to_string(i) + "\n.inputs x z\n.outputs y\n.subckt m" + std::to_string(i + 1) +
         " x=x z=z y=y\n.end\n";
  s += ".model m" + std::to_string(depth) + "\n.inputs x z\n.outputs y\n.names x z y\n10 1\n.end\n";
  return s;
}

TEST(Hostile, DeepHierarchies) {
  AXX_SKIP_DEEP_UNDER_ASAN();
  TempDir d;
  // 10^4 levels: read, and y = a[0] & ~b[0].
  for (const std::string& p : {d.write("h.v", verilog_hierarchy(10000)), d.write("h.blif", blif_hierarchy(10000))}) {
    Netlist nl = read_netlist_file(p, ReadOptions{"", YosysMode::Never, "", nullptr});
    ResolvedPorts ports = resolve_ports(nl, {});
    std::vector<std::uint64_t> t = truth_table(nl);
    unsigned bb = unsigned(ports.b->bits.size());
    for (std::uint64_t i = 0; i < t.size(); ++i)
      ASSERT_EQ(t[i], ((i >> bb) & 1) & ~i & 1) << p << " " << i;
  }
  // Beyond 50000 levels (m0 .. m49999): an error at the instance of m50000, in m49999.
  std::string p = d.write("deep.v", verilog_hierarchy(50005));
  EXPECT_EQ(read_error(p), p + ":" + std::to_string(3 * 49999 + 2) + ":10: module hierarchy deeper than 50000 levels");
  p = d.write("deep.blif", blif_hierarchy(50005));
  EXPECT_EQ(read_error(p), p + ":" + std::to_string(5 * 49999 + 4) + ": model hierarchy deeper than 50000 levels");
}

// Each level instantiates the next twice: 2^40 gates once flattened.
TEST(Hostile, ExponentialHierarchyIsRefusedBeforeItIsBuilt) {
  TempDir d;
  std::string v = "module m0(input [1:0] a, input [1:0] b, output y);\n  wire l, r;\n  m1 u(.x(a[0]), .y(l));\n"
                  "  m1 w(.x(b[0]), .y(r));\n  assign y = l ^ r;\nendmodule\n";
  std::string blif = ".model m0\n.inputs a[0] a[1] b[0] b[1]\n.outputs y\n.subckt m1 x=a[0] y=l\n.subckt m1 x=b[0] y=r\n"
                     ".names l r y\n10 1\n01 1\n.end\n";
  for (int i = 1; i < 40; ++i) {
    std::string n = std::to_string(i), s = std::to_string(i + 1);
    v += "module m" + n + "(input x, output y);\n  wire l, r;\n  m" + s + " u(.x(x), .y(l));\n  m" + s +
         " w(.x(x), .y(r));\n  assign y = l ^ r;\nendmodule\n";
    blif += ".model m" + n + "\n.inputs x\n.outputs y\n.subckt m" + s + " x=x y=l\n.subckt m" + s +
            " x=x y=r\n.names l r y\n10 1\n01 1\n.end\n";
  }
  v += "module m40(input x, output y);\n  assign y = ~x;\nendmodule\n";
  blif += ".model m40\n.inputs x\n.outputs y\n.names x y\n0 1\n.end\n";
  std::string pv = d.write("exp.v", v), pb = d.write("exp.blif", blif);
  EXPECT_EQ(read_error(pv), pv + ": the flattened netlist has more than 16777216 gates");
  EXPECT_EQ(read_error(pb), pb + ": the flattened netlist has more than 16777216 gates");
}

TEST(Hostile, RecursiveInstantiation) {
  TempDir d;
  std::string p = d.write("r1.v", "module m(input [1:0] a, input [1:0] b, output y);\n  m u(.a(a), .b(b), .y(y));\nendmodule\n");
  EXPECT_EQ(read_error(p), p + ":2:5: module 'm' instantiates itself");
  p = d.write("r2.v", "module top(input [1:0] a, input [1:0] b, output y);\n  p u(.x(a[0]), .y(y));\nendmodule\n"
                      "module p(input x, output y);\n  q u(.x(x), .y(y));\nendmodule\n"
                      "module q(input x, output y);\n  p u(.x(x), .y(y));\nendmodule\n");
  EXPECT_EQ(read_error(p), p + ":8:5: module 'p' instantiates itself");
  p = d.write("r1.blif", ".model m\n.inputs a b\n.outputs y\n.subckt m a=a b=b y=y\n.end\n");
  EXPECT_EQ(read_error(p), p + ":4: model 'm' instantiates itself");
  p = d.write("r2.blif", ".model m\n.inputs a b\n.outputs y\n.subckt p x=a y=y\n.end\n.model p\n.inputs x\n.outputs y\n"
                         ".subckt q x=x y=y\n.end\n.model q\n.inputs x\n.outputs y\n.subckt p x=x y=y\n.end\n");
  EXPECT_EQ(read_error(p), p + ":14: model 'p' instantiates itself");
}

TEST(Hostile, DuplicateDefinitions) {
  TempDir d;
  std::string p = d.write("d.v", "module m(input a, input b, output y);\n  assign y = a & b;\nendmodule\n"
                                 "module m(input a, input b, output y);\n  assign y = a | b;\nendmodule\n");
  EXPECT_EQ(read_error(p), p + ":4:1: module 'm' is defined twice");
  p = d.write("d.blif", ".model m\n.inputs a b\n.outputs y\n.names a b y\n11 1\n.end\n"
                        ".model m\n.inputs a b\n.outputs y\n.names a b y\n1- 1\n.end\n");
  EXPECT_EQ(read_error(p), p + ":7: model 'm' is defined twice");
  // 10^5 distinct modules are read (in linear time: the check is a set); the message listing the
  // candidates for the top names the first 20.
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "module x" + std::to_string(i) + "(input a, input b, output y);\n  assign y = a;\nendmodule\n";
  p = d.write("many.v", many);
  EXPECT_EQ(error_of([&] { read_verilog(p, "x99999"); }), "no error");
  EXPECT_EQ(read_error(p), p + ": cannot tell the top module (candidates: x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, "
                               "x12, x13, x14, x15, x16, x17, x18, x19, ... (99980 more)); name it with the top option");
}

TEST(Hostile, BlifPortListsThatAreNotBuses) {
  TempDir d;
  // a[0] a[5]: without the check, a[5] would be the operand's bit 1.
  std::string p = d.write("g.blif", ".model m\n.inputs a[0] a[5] b[0] b[1]\n.outputs y\n.names a[5] b[1] y\n11 1\n.end\n");
  EXPECT_EQ(read_error(p), p + ":2: input bus 'a' has a[5] but no a[1]");
  p = d.write("d.blif", ".model m\n.inputs a[0] a[1] b[0]\n.inputs a[0]\n.outputs y\n.names a[0] b[0] y\n11 1\n.end\n");
  EXPECT_EQ(read_error(p), p + ":3: input 'a[0]' is listed twice");
  p = d.write("r.blif", ".model m\n.inputs a[0] a[1] b[0] b[1]\n.outputs y[0] y[1] y[01]\n.names a[0] b[0] y[0]\n11 1\n"
                        ".names a[1] b[1] y[01]\n11 1\n.end\n");
  EXPECT_EQ(read_error(p), p + ":3: output 'y[01]' repeats bit 1 of bus 'y'");
}

TEST(Hostile, EmptyAndBinaryFiles) {
  TempDir d;
  std::string p = d.write("e.v", "");
  EXPECT_EQ(read_error(p), p + ": no module in Verilog file");
  p = d.write("e.blif", "");
  EXPECT_EQ(read_error(p), p + ": no .model in BLIF file");
  p = d.write("c.blif", "# only a comment\n\n");
  EXPECT_EQ(read_error(p), p + ": no .model in BLIF file");
  p = d.write("n.v", std::string("module m(input a, input b, output y);\n  assign y = a &\0 b;\nendmodule\n", 67));
  EXPECT_EQ(read_error(p), p + ":2:17: NUL byte: not a text file");
  p = d.write("n.blif", std::string(".model m\n.inputs a b\n.outputs y\n.names a b y\n1\0 1\n.end\n", 50));
  EXPECT_EQ(read_error(p), p + ":5: NUL byte: not a text file");
  p = d.write("z.v", std::string(4, '\0'));
  EXPECT_EQ(read_error(p), p + ":1:1: NUL byte: not a text file");
}

TEST(Hostile, HugeWidthsAreRefusedAtTheDeclaration) {
  TempDir d;
  std::string p = d.write("w.v", "module m(input [2147483646:0] a, input [7:0] b, output [15:0] y);\n  assign y = {b, b};\nendmodule\n");
  EXPECT_EQ(read_error(p), p + ":1:16: range [2147483646:0] has a bound beyond +-1048576");  // at the '[' 
  p = d.write("r.v", "module m(input [7:0] a, input [7:0] b, output [15:0] y);\n  assign y = {4096{{4096{{4096{a[0]}}}}}};\nendmodule\n");
  // At the first replication too wide, the middle one: 4096 * 4096 bits.
  EXPECT_EQ(read_error(p), p + ":2:20: expression is 16777216 bits wide, more than 65536");
  // 513 wires of 2^16 bits are over the 2^25 nets a netlist may have: refused before any is made.
  std::string wires;
  for (int i = 0; i < 513; ++i) wires += "  wire [65535:0] w" + std::to_string(i) + ";\n";
  p = d.write("n.v", "module m(input [7:0] a, input [7:0] b, output [15:0] y);\n" + wires + "  assign y = {b, b};\nendmodule\n");
  EXPECT_EQ(read_error(p), p + ": the flattened netlist has more than 33554432 nets");
}

// Ports connected to narrower or wider expressions follow Verilog: zero-extended or truncated
// (Icarus Verilog agrees, with a warning). The table is worked out here from those rules.
TEST(Hostile, PortWidthMismatchesFollowVerilog) {
  TempDir d;
  std::string p = d.write("pw.v", R"(module s(input [3:0] x, output [1:0] z);
  assign z = x[1:0] ^ x[3:2];
endmodule
module m(input [1:0] a, input [1:0] b, output [3:0] y);
  wire n;
  s u(.x(a), .z(y[1:0]));
  s v(.x({a, b, a}), .z(n));
  assign y[3:2] = {n, n};
endmodule
)");
  std::vector<std::uint64_t> t = truth_table(read_verilog(p));
  for (std::uint64_t a = 0; a < 4; ++a)
    for (std::uint64_t b = 0; b < 4; ++b) {
      // u: x = {00, a}, z = a. v: x = {b, a} (the top a cut off), n = bit 0 of a ^ b.
      std::uint64_t n = (a ^ b) & 1;
      EXPECT_EQ(t[a << 2 | b], a | n << 2 | n << 3) << a << " " << b;
    }
}

// A loop through a long chain is named by its first nets.
TEST(Hostile, LoopThroughAMillionGateChainIsNamedShortly) {
  TempDir d;
  std::string s = ".model m\n.inputs a b\n.outputs y\n.names n999999 a n0\n11 1\n";
  for (int i = 1; i < 1000000; ++i) s += ".names n" + std::to_string(i - 1) + " n" + std::to_string(i) + "\n1 1\n";
  s += ".names n999999 b y\n11 1\n.end\n";
  std::string p = d.write("loop.blif", s);
  std::string e = read_error(p);
  EXPECT_LT(e.size(), 300u) << e.substr(0, 300);
  EXPECT_EQ(e.substr(0, p.size()), p);
  EXPECT_NE(e.find(": combinational loop through '"), std::string::npos) << e;
  EXPECT_NE(e.find("... (999992 more) -> '"), std::string::npos) << e;
}

// .names with many inputs: a 20000-input AND of 20000 two-input ANDs, and a 200-literal cover.
TEST(Hostile, WideCovers) {
  TempDir d;
  std::string s = ".model m\n.inputs a[0] a[1] a[2] a[3] a[4] a[5] a[6] a[7] b[0] b[1] b[2] b[3] b[4] b[5] b[6] b[7]\n"
                  ".outputs y[0] y[1]\n";
  std::string ins;
  for (int i = 0; i < 20000; ++i) {
    s += ".names a[" + std::to_string(i % 8) + "] b[" + std::to_string(i % 8) + "] t" + std::to_string(i) + "\n11 1\n";
    ins += " t" + std::to_string(i);
  }
  s += ".names" + ins + " y[0]\n" + std::string(20000, '1') + " 1\n";
  std::string wide;
  for (int i = 0; i < 200; ++i) wide += " a[" + std::to_string(i % 8) + "]";
  s += ".names" + wide + " y[1]\n" + std::string(200, '1') + " 1\n" + std::string(200, '0') + " 1\n.end\n";
  Netlist nl = read_blif(d.write("w.blif", s));
  std::vector<std::uint64_t> t = truth_table(nl);
  for (std::uint64_t i = 0; i < t.size(); ++i) {
    std::uint64_t a = i >> 8, b = i & 255;
    std::uint64_t y0 = (a & b) == 255, y1 = a == 255 || a == 0;
    ASSERT_EQ(t[i], y0 | y1 << 1) << i;
  }
}

}  // namespace
}  // namespace axx::netlist
