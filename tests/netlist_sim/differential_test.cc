// Differential tests: axx's simulator against Icarus Verilog on random structural netlists, and
// against the exact product / Icarus on Yosys-synthesised multipliers.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "test_util.h"

namespace axx::netlist {
namespace {

using test::TempDir;
using test::truth_table;

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

// Runs an Icarus testbench; returns its stdout lines.
std::vector<std::string> icarus(const TempDir& d, const std::vector<std::string>& sources) {
  std::string cmd = "iverilog -g2005 -o " + d.file("sim.vvp");
  for (const std::string& s : sources) cmd += " " + s;
  cmd += " > " + d.file("iverilog.log") + " 2>&1";
  if (run(cmd) != 0) {
    std::ifstream log(d.file("iverilog.log"));
    std::stringstream ss;
    ss << log.rdbuf();
    ADD_FAILURE() << cmd << "\n" << ss.str().substr(0, 2000);

    return {};
  }
  EXPECT_EQ(run("vvp -n " + d.file("sim.vvp") + " > " + d.file("vvp.out") + " 2>&1"), 0);
  std::ifstream in(d.file("vvp.out"));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

struct RandomNetlist {
  std::string name;
  unsigned wa, wb, wy;
};

// One random combinational module over gate primitives, assign expressions (~ & | ^ ~^ ?:,
// concatenation, part selects, reductions, constants) and full-adder submodules.
class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  std::string module(const RandomNetlist& m) {
    pool_.clear();
    std::ostringstream v;
    v << "module " << m.name << "(a, b, y);\n  input [" << m.wa - 1 << ":0] a;\n  input [" << m.wb - 1
      << ":0] b;\n  output [" << m.wy - 1 << ":0] y;\n";
    for (unsigned i = 0; i < m.wa; ++i) pool_.push_back("a[" + std::to_string(i) + "]");
    for (unsigned i = 0; i < m.wb; ++i) pool_.push_back("b[" + std::to_string(i) + "]");
    unsigned items = pick(4, 40);
    for (unsigned k = 0; k < items; ++k) {
      std::string w = "w" + std::to_string(k);
      unsigned kind = pick(0, 9);
      if (kind <= 3) {
        static const char* ops[] = {"and", "or", "xor", "nand", "nor", "xnor"};
        unsigned nin = pick(2, 3);
        v << "  wire " << w << ";\n  " << ops[pick(0, 5)] << (pick(0, 1) ? " g" + std::to_string(k) : "") << "(" << w;
        for (unsigned i = 0; i < nin; ++i) v << ", " << operand();
        v << ");\n";
      } else if (kind == 4) {
        v << "  wire " << w << ";\n  " << (pick(0, 1) ? "not" : "buf") << " (" << w << ", " << operand() << ");\n";
      } else if (kind == 5 && pool_.size() >= 3) {
        // A full adder cell: sum into w, carry into wc.
        std::string x = operand(), y = operand(), c = operand();
        v << "  wire " << w << ", " << w << "c;\n";
        if (pick(0, 1)) v << "  fa_cell u" << k << "(" << x << ", " << y << ", " << c << ", " << w << ", " << w << "c);\n";
        else v << "  fa_cell u" << k << "(.co(" << w << "c), .s(" << w << "), .x(" << x << "), .y(" << y << "), .c(" << c << "));\n";
        pool_.push_back(w + "c");
      } else if (kind == 6) {
        // Reduction over a concatenation or a part select.
        static const char* red[] = {"^", "&", "|", "~^", "~&", "~|"};
        std::string arg = pick(0, 1) ? "{" + operand() + ", " + operand() + ", " + operand() + "}"
                                     : (m.wa >= 2 ? "a[" + std::to_string(m.wa - 1) + ":0]" : "{a, b}");
        v << "  wire " << w << " = " << red[pick(0, 5)] << arg << ";\n";
      } else {
        v << "  wire " << w << ";\n  assign " << w << " = " << expr(3) << ";\n";
      }
      pool_.push_back(w);
    }
    for (unsigned j = 0; j < m.wy; ++j) {
      unsigned kind = pick(0, 9);
      std::string rhs = kind == 0 ? (pick(0, 1) ? "1'b1" : "1'b0") : kind == 1 ? expr(2) : pool_[pool_.size() - 1 - pick(0, std::min<unsigned>(unsigned(pool_.size()) - 1, 8))];
      v << "  assign y[" << j << "] = " << rhs << ";\n";
    }
    v << "endmodule\n";
    return v.str();
  }

  unsigned pick(unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng_); }

 private:
  std::string operand() {
    if (pick(0, 15) == 0) return pick(0, 1) ? "1'b1" : "1'b0";
    return pool_[pick(0, unsigned(pool_.size()) - 1)];
  }
  std::string expr(int depth) {
    if (depth == 0 || pick(0, 3) == 0) return operand();
    switch (pick(0, 6)) {
      case 0: return "~(" + expr(depth - 1) + ")";
      case 1: return "(" + expr(depth - 1) + " & " + expr(depth - 1) + ")";
      case 2: return "(" + expr(depth - 1) + " | " + expr(depth - 1) + ")";
      case 3: return "(" + expr(depth - 1) + " ^ " + expr(depth - 1) + ")";
      case 4: return "(" + expr(depth - 1) + (pick(0, 1) ? " ~^ " : " ^~ ") + expr(depth - 1) + ")";
      case 5: return "(" + expr(depth - 1) + " ? " + expr(depth - 1) + " : " + expr(depth - 1) + ")";
      default: return "~(" + expr(depth - 1) + " & " + expr(depth - 1) + ")";
    }
  }

  std::mt19937 rng_;
  std::vector<std::string> pool_;
};

TEST(Differential, RandomNetlistsAgainstIcarus) {
  if (!test::have_tool("iverilog") || !test::have_tool("vvp"))
    GTEST_SKIP() << "Icarus Verilog is not installed (Debian package iverilog)";
  TempDir d;
  Generator gen(20261128);
  const unsigned count = 240;
  std::vector<RandomNetlist> nets;
  // One file per netlist (each also holding the adder cell, under its own name) so that axx reads
  // small files; Icarus compiles them all together with one testbench.
  std::ostringstream tb;
  std::vector<std::string> files;
  tb << "module tb;\n  integer i;\n";
  for (unsigned k = 0; k < count; ++k) {
    RandomNetlist m{"rnd" + std::to_string(k), gen.pick(1, 4), gen.pick(1, 4), 0};
    static const unsigned widths[] = {1, 2, 3, 5, 8, 12, 16};
    m.wy = widths[gen.pick(0, 6)];
    std::string cell = "fa_cell" + std::to_string(k);
    std::string body = gen.module(m);
    for (std::size_t pos; (pos = body.find("fa_cell ")) != std::string::npos;) body.replace(pos, 7, cell);
    files.push_back(d.write(m.name + ".v", "module " + cell + "(input x, input y, input c, output s, output co);\n"
                                           "  assign s = x ^ y ^ c;\n  assign co = (x & y) | (x & c) | (y & c);\n"
                                           "endmodule\n" + body));
    nets.push_back(m);
    tb << "  reg [" << m.wa - 1 << ":0] a" << k << ";\n  reg [" << m.wb - 1 << ":0] b" << k << ";\n  wire ["
       << m.wy - 1 << ":0] y" << k << ";\n  " << m.name << " u" << k << "(.a(a" << k << "), .b(b" << k << "), .y(y" << k
       << "));\n";
  }
  tb << "  initial begin\n";
  for (unsigned k = 0; k < count; ++k) {
    const RandomNetlist& m = nets[k];
    tb << "    for (i = 0; i < " << (1u << (m.wa + m.wb)) << "; i = i + 1) begin a" << k << " = i >> " << m.wb << "; b"
       << k << " = i; #1 $display(\"" << k << " %0d %0d\", i, y" << k << "); end\n";
  }
  tb << "    $finish;\n  end\nendmodule\n";
  files.push_back(d.write("tb.v", tb.str()));
  std::vector<std::string> lines = icarus(d, files);

  std::map<std::pair<unsigned, std::uint64_t>, std::uint64_t> expected;
  for (const std::string& l : lines) {
    std::istringstream ss(l);
    unsigned k;
    std::uint64_t i, y;
    if (ss >> k >> i >> y) expected[{k, i}] = y;
  }
  std::size_t vectors = 0;
  for (unsigned k = 0; k < count; ++k) {
    const RandomNetlist& m = nets[k];
    Netlist nl = read_verilog(files[k], m.name);
    std::vector<std::uint64_t> t = truth_table(nl, {}, 1);
    ASSERT_EQ(t.size(), std::size_t{1} << (m.wa + m.wb));
    for (std::uint64_t i = 0; i < t.size(); ++i) {
      auto it = expected.find({k, i});
      ASSERT_NE(it, expected.end()) << m.name << " vector " << i << " missing from Icarus output";
      ASSERT_EQ(t[i], it->second) << m.name << " at a=" << (i >> m.wb) << " b=" << (i & ((1u << m.wb) - 1));
      ++vectors;
    }
  }
  EXPECT_EQ(vectors, expected.size());
}

// Gate-level multipliers in the style of published approximate-multiplier libraries: adder cells
// (defined after the module that uses them, one built from the other) whose ports take bitwise
// expressions, part selects and concatenations, and a final `+` / `-` on concatenated vectors.
// Each is read by the structural reader and converted with yosys, and both tables are compared
// with Icarus's over every operand pair.
class CellNetlistGenerator {
 public:
  explicit CellNetlistGenerator(std::uint32_t seed) : rng_(seed) {}

  // A file with top module `name` (ports A, B of w bits, O of 2w bits) and its cells, whose names
  // end in `suffix` so that Icarus can compile every file of the corpus together.
  std::string file(const std::string& name, const std::string& suffix, unsigned w) {
    w_ = w;
    pool_.clear();
    std::ostringstream v, decl, body;
    bool ansi = pick(0, 1), signed_ports = pick(0, 3) == 0;
    std::string sg = signed_ports ? "signed " : "";
    if (ansi)
      v << "module " << name << " (input " << sg << "[" << w - 1 << ":0] A, input " << sg << "[" << w - 1
        << ":0] B, output [" << 2 * w - 1 << ":0] O);\n";
    else
      v << "module " << name << " (A, B, O);\n  input " << sg << "[" << w - 1 << ":0] A, B;\n  output [" << 2 * w - 1
        << ":0] O;\n";
    unsigned cells = pick(w, 3 * w);
    for (unsigned k = 0; k < cells; ++k) {
      std::string id = std::to_string(k);
      unsigned kind = pick(0, 5);
      if (kind <= 2) {
        decl << "  wire s" << id << ", c" << id << ";\n";
        if (pick(0, 1))
          body << "  ha" << suffix << " u" << id << " (.A(" << bit(2) << "), .B(" << bit(2) << "), .YS(s" << id
               << "), .YC(c" << id << "));\n";
        else
          body << "  ha" << suffix << " u" << id << " (" << bit(2) << ", " << bit(2) << ", s" << id << ", c" << id << ");\n";
      } else if (kind <= 4) {
        decl << "  wire s" << id << ", c" << id << ";\n";
        body << "  fa" << suffix << " u" << id << " (.Z(" << bit(2) << "), .X(" << bit(2) << "), .Y(" << bit(2)
             << "), .C(c" << id << "), .S(s" << id << "));\n";
      } else {
        decl << "  wire [2:0] z" << id << ";\n";
        body << "  add2" << suffix << " u" << id << " (.P(" << pair() << "), .Q(" << pair() << "), .Z(z" << id << "));\n";
        for (int i = 0; i < 3; ++i) pool_.push_back("z" + id + "[" + std::to_string(i) + "]");
        continue;
      }
      pool_.push_back("s" + id);
      pool_.push_back("c" + id);
    }
    // The product: two or three vectors added or subtracted, in the output's width (or signed,
    // then sign-extended to it).
    bool is_signed = pick(0, 3) == 0;
    std::string sum = operand(is_signed);
    for (unsigned k = pick(1, 2); k-- > 0;) sum += (pick(0, 3) == 0 ? " - " : " + ") + operand(is_signed);
    if (pick(0, 7) == 0) sum = "-" + operand(is_signed) + " + " + sum;
    body << "  assign O = " << sum << ";\n";
    v << decl.str() << body.str() << "endmodule\n\n";
    // Cells after their first use; the full adder is two half adders.
    v << "module fa" << suffix << " (input X, input Y, input Z, output S, output C);\n  wire s0, c0, c1;\n"
      << "  ha" << suffix << " h0 (.A(X), .B(Y), .YS(s0), .YC(c0));\n  ha" << suffix << " h1 (s0, Z, S, c1);\n"
      << "  or (C, c0, c1);\nendmodule\n\n"
      << "module add2" << suffix << " (input [1:0] P, input [1:0] Q, output [2:0] Z);\n  assign Z = P + Q;\nendmodule\n\n"
      << "module ha" << suffix << " (A, B, YS, YC);\n  input A, B;\n  output YS, YC;\n  assign YS = A ^ B;\n"
      << "  assign YC = A & B;\nendmodule\n";
    return v.str();
  }

  unsigned pick(unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng_); }

 private:
  std::string a(unsigned i) { return "A[" + std::to_string(i) + "]"; }
  std::string b(unsigned i) { return "B[" + std::to_string(i) + "]"; }
  std::string pp() { return a(pick(0, w_ - 1)) + " & " + b(pick(0, w_ - 1)); }
  std::string signal() { return pool_.empty() || pick(0, 2) == 0 ? "(" + pp() + ")" : pool_[pick(0, unsigned(pool_.size()) - 1)]; }
  // A 1-bit expression for a cell input.
  std::string bit(int depth) {
    switch (depth > 0 ? pick(0, 9) : pick(0, 3)) {
      case 0: return "(" + pp() + ")";
      case 1: return "~(" + pp() + ")";
      case 2: return signal();
      case 3: return pick(0, 1) ? "1'b1" : "1'b0";
      case 4: return "~" + signal();
      case 5: return "(" + bit(depth - 1) + " | " + bit(depth - 1) + ")";
      case 6: return "(" + bit(depth - 1) + " ^ " + bit(depth - 1) + ")";
      case 7: return "^" + std::string(pick(0, 1) ? "A" : "B") + "[" + std::to_string(w_ - 1) + ":" + std::to_string(w_ - 2) + "]";
      case 8: return "(" + bit(depth - 1) + " & " + signal() + ")";
      default: return "{" + signal() + "}";
    }
  }
  // A 2-bit expression for a vector cell input.
  std::string pair() {
    unsigned i = pick(0, w_ - 2), j = pick(0, w_ - 2);
    switch (pick(0, 5)) {
      case 0: return "{" + bit(1) + ", " + bit(1) + "}";
      case 1: return "A[" + std::to_string(i + 1) + ":" + std::to_string(i) + "]";
      case 2: return "A[" + std::to_string(i + 1) + ":" + std::to_string(i) + "] & B[" + std::to_string(j + 1) + ":" + std::to_string(j) + "]";
      case 3: return "~B[" + std::to_string(j + 1) + ":" + std::to_string(j) + "]";
      case 4: return "{2{" + signal() + "}}";
      default: return pick(0, 1) ? "2'b10" : "2'b01";
    }
  }
  // A concatenation of up to 2w bits for the final sum, LSBs first in `parts`.
  std::string operand(bool is_signed) {
    unsigned width = pick(2, 2 * w_), used = 0;
    std::vector<std::string> parts;
    while (used < width) {
      unsigned kind = pick(0, 7);
      if (kind == 0 && used + 2 <= width) {
        parts.push_back("2'b00"), used += 2;
      } else if (kind == 1 && used + 2 <= width) {
        parts.push_back("B[" + std::to_string(pick(1, w_ - 1)) + "-:2]"), used += 2;
      } else if (kind == 2) {
        parts.push_back(pp()), used += 1;
      } else {
        parts.push_back(pool_.empty() ? pp() : pool_[pick(0, unsigned(pool_.size()) - 1)]), used += 1;
      }
    }
    std::string cat = "{";
    for (std::size_t i = parts.size(); i-- > 0;) cat += parts[i] + (i ? ", " : "}");
    return is_signed ? "$signed(" + cat + ")" : cat;
  }

  std::mt19937 rng_;
  unsigned w_ = 4;
  std::vector<std::string> pool_;
};

TEST(Differential, CellNetlistsWithPortExpressionsAgainstIcarus) {
  if (!test::have_tool("iverilog") || !test::have_tool("vvp"))
    GTEST_SKIP() << "Icarus Verilog is not installed (Debian package iverilog)";
  bool yosys = test::have_tool("yosys");
  TempDir d;
  CellNetlistGenerator gen(20240611);
  // 4x4 designs and a few 8x8 ones; yosys converts every third 4x4 design and every 8x8 one.
  std::vector<unsigned> widths(36, 4);
  widths.insert(widths.end(), 3, 8);
  widths.push_back(4);
  std::vector<std::string> files, tops;
  std::ostringstream tb;
  tb << "module tb;\n  integer i;\n";
  for (std::size_t k = 0; k < widths.size(); ++k) {
    unsigned w = widths[k];
    std::string id = std::to_string(k);
    // The last one: the reproduction of a conversion that once failed through yosys.
    bool m4 = k + 1 == widths.size();
    tops.push_back(m4 ? "m4" : "cm" + id);
    files.push_back(d.write(tops[k] + ".v", m4 ? test::kCellMultiplier : gen.file(tops[k], "_" + id, w)));
    tb << "  reg [" << w - 1 << ":0] a" << id << ", b" << id << ";\n  wire [" << 2 * w - 1 << ":0] o" << id << ";\n  "
       << tops[k] << " u" << id << " (.A(a" << id << "), .B(b" << id << "), .O(o" << id << "));\n";
  }
  tb << "  initial begin\n";
  for (std::size_t k = 0; k < widths.size(); ++k)
    tb << "    for (i = 0; i < " << (1u << (2 * widths[k])) << "; i = i + 1) begin a" << k << " = i >> " << widths[k]
       << "; b" << k << " = i; #1 $display(\"" << k << " %0d %0d\", i, o" << k << "); end\n";
  tb << "    $finish;\n  end\nendmodule\n";
  std::vector<std::string> sources = files;
  sources.push_back(d.write("tb.v", tb.str()));
  std::vector<std::string> lines = icarus(d, sources);
  std::vector<std::vector<std::uint64_t>> want(widths.size());
  for (std::size_t k = 0; k < widths.size(); ++k) want[k].assign(std::size_t{1} << (2 * widths[k]), ~std::uint64_t{0});
  for (const std::string& l : lines) {
    std::istringstream ss(l);
    std::size_t k;
    std::uint64_t i, o;
    if (ss >> k >> i >> o && k < want.size() && i < want[k].size()) want[k][i] = o;
  }
  for (std::size_t k = 0; k < widths.size(); ++k) {
    for (std::uint64_t o : want[k]) ASSERT_NE(o, ~std::uint64_t{0}) << files[k] << ": Icarus output incomplete";
    // The structural reader takes these files whole: the default mode must not need yosys.
    std::ostringstream log;
    ReadOptions o;
    o.log = &log;
    o.top = tops[k];  // a file may leave a cell unused, another top candidate
    EXPECT_EQ(truth_table(read_netlist_file(files[k], o)), want[k]) << files[k];
    EXPECT_EQ(log.str(), "") << files[k];
    if (k + 1 == widths.size()) EXPECT_EQ(want[k], test::cell_multiplier_table());
    if (yosys && (widths[k] == 8 || k % 3 == 0 || k + 1 == widths.size())) {
      o.yosys = YosysMode::Force;
      EXPECT_EQ(truth_table(read_netlist_file(files[k], o)), want[k]) << files[k] << " through yosys";
    }
  }
}

// Yosys-synthesised multipliers, read back from BLIF and from structural Verilog.
class YosysMultipliers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::have_tool("yosys")) GTEST_SKIP() << "yosys is not installed (Debian package yosys)";
  }
  // Synthesises `body` (module "mul", ports a, b, p) to BLIF and to structural Verilog, each both
  // with logic covers / expressions and with Yosys's internal gate cells ($_AND_, $_MUX_, ...).
  std::vector<std::string> synth(const std::string& name, const std::string& body) {
    std::string v = d_.write(name + ".v", body);
    std::vector<std::string> out = {d_.file(name + ".blif"), d_.file(name + "_syn.v"), d_.file(name + "_cells.blif"),
                                    d_.file(name + "_cells.v")};
    std::string cmd = "yosys -q -p 'read_verilog " + v + "; synth -flatten -top mul; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; "
                      "opt_clean; write_blif " + out[0] + "; write_verilog -noattr " + out[1] + "; write_blif -icells " +
                      out[2] + "; write_verilog -noattr -noexpr " + out[3] + "' > " + d_.file("yosys.log") + " 2>&1";
    EXPECT_EQ(run(cmd), 0) << cmd;
    return out;
  }
  TempDir d_;
};

TEST_F(YosysMultipliers, Exact8x8SignedAndUnsigned) {
  for (bool is_signed : {true, false}) {
    std::string body = is_signed ? "module mul(input [7:0] a, input [7:0] b, output [15:0] p);\n"
                                   "  assign p = $signed(a) * $signed(b);\nendmodule\n"
                                 : "module mul(input [7:0] a, input [7:0] b, output [15:0] p);\n"
                                   "  assign p = a * b;\nendmodule\n";
    for (const std::string& f : synth(is_signed ? "smul" : "umul", body)) {
      Netlist nl = read_netlist_file(f, {});
      std::vector<std::uint64_t> t = truth_table(nl);
      std::uint64_t bad = 0;
      for (int a = 0; a < 256; ++a)
        for (int b = 0; b < 256; ++b) {
          int va = is_signed ? std::int8_t(a) : a, vb = is_signed ? std::int8_t(b) : b;
          bad += t[(a << 8) | b] != (std::uint64_t(std::uint16_t(va * vb)));
        }
      EXPECT_EQ(bad, 0u) << f;
    }
  }
}

TEST_F(YosysMultipliers, Exact6x10Unsigned) {
  for (const std::string& f : synth("m610", "module mul(input [5:0] a, input [9:0] b, output [15:0] p);\n  assign p = a * b;\nendmodule\n")) {
    std::vector<std::uint64_t> t = truth_table(read_netlist_file(f, {}));
    std::uint64_t bad = 0;
    for (std::uint64_t a = 0; a < 64; ++a)
      for (std::uint64_t b = 0; b < 1024; ++b) bad += t[(a << 10) | b] != a * b;
    EXPECT_EQ(bad, 0u) << f;
  }
}

TEST_F(YosysMultipliers, ApproximateAgainstIcarus) {
  if (!test::have_tool("iverilog")) GTEST_SKIP() << "Icarus Verilog is not installed (Debian package iverilog)";
  // Truncated signed product with a carry-free low half: an approximate multiplier in the style of
  // published designs.
  std::string body = "module mul(input [7:0] a, input [7:0] b, output [15:0] p);\n"
                     "  wire signed [15:0] hi = $signed(a[7:3]) * $signed(b[7:3]);\n"
                     "  assign p = {hi[9:0], 6'b0} | {10'b0, a[2:0] & b[2:0], a[5:3] ^ b[5:3]};\nendmodule\n";
  std::vector<std::string> files = synth("approx", body);
  std::string tb = d_.write("tb_approx.v",
                            "module tb;\n  integer i;\n  reg [7:0] a, b;\n  wire [15:0] p;\n  mul u(.a(a), .b(b), .p(p));\n"
                            "  initial begin\n    for (i = 0; i < 65536; i = i + 1) begin a = i >> 8; b = i; #1 "
                            "$display(\"%0d %0d\", i, p); end\n    $finish;\n  end\nendmodule\n");
  std::vector<std::string> lines = icarus(d_, {d_.file("approx.v"), tb});
  std::vector<std::uint64_t> want(65536, ~std::uint64_t{0});
  for (const std::string& l : lines) {
    std::istringstream ss(l);
    std::uint64_t i, p;
    if (ss >> i >> p) want[i] = p;
  }
  for (const std::string& f : files) EXPECT_EQ(truth_table(read_netlist_file(f, {})), want) << f;
}

}  // namespace
}  // namespace axx::netlist
