#include <gtest/gtest.h>

#include <optional>
#include <sstream>

#include "test_util.h"

namespace axx::netlist {
namespace {

using test::TempDir;
using test::truth_table;

#define REQUIRE_YOSYS() \
  if (!test::have_tool("yosys")) GTEST_SKIP() << "yosys is not installed (Debian package yosys)"

const char* kBehavioural =
    "module mul(input [3:0] a, input [3:0] b, output [7:0] p);\n"
    "  assign p = a * b;\n"
    "endmodule\n";

void expect_product(const Netlist& nl) {
  std::vector<std::uint64_t> t = truth_table(nl);
  for (unsigned a = 0; a < 16; ++a)
    for (unsigned b = 0; b < 16; ++b) ASSERT_EQ(t[(a << 4) | b], a * b);
}

TEST(YosysBridge, AutoFallsBackWithOneNote) {
  REQUIRE_YOSYS();
  TempDir d;
  std::string p = d.write("mul.v", kBehavioural);
  std::ostringstream log;
  ReadOptions o;
  o.log = &log;
  Netlist nl = read_netlist_file(p, o);
  EXPECT_EQ(log.str(), p + ":2: operator '*' is outside the structural subset; converting with yosys\n");
  EXPECT_EQ(nl.source, p);
  expect_product(nl);
}

TEST(YosysBridge, AlwaysBlockAndTopOption) {
  REQUIRE_YOSYS();
  TempDir d;
  std::string p = d.write("alw.sv", "module helper(input x, output y); assign y = ~x; endmodule\n"
                                    "module mul(input [3:0] a, input [3:0] b, output reg [7:0] p);\n"
                                    "  always @(*) begin p = 0; p = a * b; end\nendmodule\n");
  std::ostringstream log;
  ReadOptions o;
  o.top = "mul";
  o.log = &log;
  expect_product(read_netlist_file(p, o));
  EXPECT_NE(log.str().find("converting with yosys"), std::string::npos);
}

TEST(YosysBridge, NeverRethrowsSubsetError) {
  TempDir d;
  std::string p = d.write("mul.v", kBehavioural);
  ReadOptions o;
  o.yosys = YosysMode::Never;
  try {
    read_netlist_file(p, o);
    FAIL();
  } catch (const UnsupportedConstruct& e) {
    EXPECT_EQ(std::string(e.what()), p + ":2:16: operator '*' is outside the structural subset");
    EXPECT_EQ(e.construct(), "operator '*'");
  }
}

TEST(YosysBridge, ForceConvertsStructuralFilesToo) {
  REQUIRE_YOSYS();
  TempDir d;
  std::string p = d.write("s.v", "module s(input [3:0] a, input [3:0] b, output [3:0] y);\n  assign y = a ^ ~b;\nendmodule\n");
  std::ostringstream log;
  ReadOptions o;
  o.yosys = YosysMode::Force;
  o.log = &log;
  Netlist nl = read_netlist_file(p, o);
  EXPECT_EQ(log.str(), "");
  std::vector<std::uint64_t> t = truth_table(nl);
  for (unsigned a = 0; a < 16; ++a)
    for (unsigned b = 0; b < 16; ++b) ASSERT_EQ(t[(a << 4) | b], (a ^ ~b) & 15u);
}

TEST(YosysBridge, MissingYosysNamesThePackage) {
  TempDir d;
  std::string p = d.write("mul.v", kBehavioural);
  ReadOptions o;
  o.yosys_bin = d.file("no-such-yosys");
  std::ostringstream log;
  o.log = &log;
  try {
    read_netlist_file(p, o);
    FAIL();
  } catch (const ToolError& e) {
    EXPECT_EQ(std::string(e.what()),
              "yosys not found ('" + o.yosys_bin + "' is not an executable); it is needed to read " + p +
                  ": install the Debian package 'yosys' (apt-get install yosys) or name the executable with the "
                  "yosys-bin option");
  }
}

// A Verilog syntax error found by yosys is bad input (exit status 2), reported at the user's file.
TEST(YosysBridge, YosysSyntaxErrorIsBadInput) {
  REQUIRE_YOSYS();
  TempDir d;
  std::string p = d.write("bad.v", "module bad(input a, output y);\n  assign y = a +* ;\nendmodule\n");
  ReadOptions o;
  o.yosys = YosysMode::Force;
  try {
    read_netlist_file(p, o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()), p + ":2: syntax error, unexpected '*'");
    EXPECT_EQ(e.file(), p);
    EXPECT_EQ(e.line(), 2u);
  }
}

// Yosys that crashes or fails without saying why is a tool failure (exit status 3).
TEST(YosysBridge, CrashingYosysIsAToolFailure) {
  TempDir d;
  std::string p = d.write("mul.v", kBehavioural);
  std::string crash = d.write("crash.sh", "#!/bin/sh\nkill -SEGV $$\n");
  std::string silent = d.write("silent.sh", "#!/bin/sh\necho something went wrong\nexit 1\n");
  ASSERT_EQ(std::system(("chmod +x " + crash + " " + silent).c_str()), 0);
  ReadOptions o;
  o.yosys = YosysMode::Force;
  o.yosys_bin = crash;
  try {
    read_netlist_file(p, o);
    FAIL();
  } catch (const ToolError& e) {
    EXPECT_EQ(std::string(e.what()), "yosys failed on " + p + " (killed by signal 11)");
  }
  o.yosys_bin = silent;
  try {
    read_netlist_file(p, o);
    FAIL();
  } catch (const ToolError& e) {
    EXPECT_EQ(std::string(e.what()), "yosys failed on " + p + " (exit status 1):\n  something went wrong");
  }
}

// Mistakes that synthesis would turn into a table of zeros or arbitrary bits: each is an error at
// the user's file and line, in the structural reader's words where it has the same check.
TEST(YosysBridge, UserMistakesNameFileAndLine) {
  REQUIRE_YOSYS();
  struct Case {
    const char* source;
    const char* message;  // after "FILE:"
  };
  const Case cases[] = {
      {"module m(input [3:0] a, input [3:0] b, output [7:0] p);\n  assign p = a * bb;\nendmodule\n",
       "2: identifier 'bb' is not declared (axx does not create implicit wires)"},
      {"module m(input [3:0] a, input [3:0] b, output [7:0] p);\n  assign t = a[0];\n  assign p = a * b;\nendmodule\n",
       "2: identifier 't' is not declared (axx does not create implicit wires)"},
      {"module m(input [3:0] a, input [3:0] b, output [7:0] p, output [1:0] q);\n  assign p = a * b;\n"
       "  assign q[0] = a[0];\nendmodule\n",
       "1:69: output 'q[1]' of module 'm' is never driven"},
      {"module m(input [3:0] a, input [3:0] b, output [7:0] p);\n  wire [3:0] t;\n  assign t[1:0] = a[1:0];\n"
       "  assign p = t * b;\nendmodule\n",
       "2:14: net 't[2]' of module 'm' is used but never driven"},
      {"module m(input [3:0] a, input [3:0] b, output [7:0] p);\n  assign p = a * b;\n  assign p[0] = a[1];\nendmodule\n",
       "1:53: net 'p[0]' of module 'm' has more than one driver"},
      {"module m(input [3:0] a, input [3:0] b, output [7:0] p);\n  wire [7:0] t;\n  assign t = a * b;\n"
       "  assign t = a + b;\n  assign p = t;\nendmodule\n",
       "2:14: net 't[0]' of module 'm' has more than one driver"},
      {"module m(input [3:0] a, input [3:0] b, output reg [7:0] p);\n  always @(*) begin\n    if (a[0]) p = a * b;\n"
       "  end\nendmodule\n",
       "2:3: latch inferred for 'p' (the always block does not assign it on every path): axx simulates "
       "combinational netlists only"},
      {"module m(input clk, input [1:0] a, input [1:0] b, output reg [1:0] q);\n"
       "  always @(posedge clk) q <= a & b;\nendmodule\n",
       "2:3: flip-flop inferred for 'q': axx simulates combinational netlists only"},
      {"module m(input [3:0] a, input [3:0] b, output [7:0] p);\n  assign p = a[5:2] * b;\nendmodule\n",
       "2: Range [5:2] select out of bounds on signal 'a': Setting 2 MSB bits to undef"},
      {"module m(input [3:0] a, input [3:0] b, output [7:0] p);\n  sub u1(.x(a), .y(p));\nendmodule\n",
       " unknown module 'sub' (instance 'u1')"},
      // Inside a submodule, after use.
      {"module m(input [3:0] a, input [3:0] b, output [7:0] p);\n  wire [7:0] q;\n  sub u1(.x(a), .y(q));\n"
       "  assign p = q * b;\nendmodule\nmodule sub(input [3:0] x, output [7:0] y);\n  assign y[3:0] = x;\nendmodule\n",
       "6:40: output 'y[4]' of module 'sub' is never driven"},
  };
  TempDir d;
  ReadOptions o;
  o.yosys = YosysMode::Force;
  int k = 0;
  for (const Case& c : cases) {
    std::string p = d.write("e" + std::to_string(k++) + ".v", c.source);
    try {
      read_netlist_file(p, o);
      ADD_FAILURE() << "no error for\n" << c.source;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), p + ":" + c.message) << c.source;
    }
  }
  // SystemVerilog's always_comb: yosys itself refuses the latch, without a line.
  std::string sv = d.write("l.sv", "module m(input logic [3:0] a, input logic [3:0] b, output logic [7:0] p);\n"
                                   "  always_comb begin\n    if (a[0]) p = a * b;\n  end\nendmodule\n");
  try {
    read_netlist_file(sv, o);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), sv + ": latch inferred for 'p' (the always_comb block does not assign it on every "
                                          "path): axx simulates combinational netlists only");
  }
  // The top named with the top option does not exist.
  std::string p = d.write("top.v", kBehavioural);
  o.top = "nosuch";
  try {
    read_netlist_file(p, o);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p + ": no module 'nosuch'");
  }
}

// Gate-level Verilog with expressions on cell ports and a final `+`: through yosys the half
// adders' unused outputs used to reach the BLIF as buffers from undriven nets.
TEST(YosysBridge, CellMultiplierThroughYosys) {
  REQUIRE_YOSYS();
  TempDir d;
  std::string p = d.write("m4.v", test::kCellMultiplier);
  ReadOptions o;
  o.yosys = YosysMode::Force;
  EXPECT_EQ(truth_table(read_netlist_file(p, o)), test::cell_multiplier_table());
}

TEST(YosysBridge, SignednessFacts) {
  REQUIRE_YOSYS();
  TempDir d;
  ReadOptions o;
  o.yosys = YosysMode::Force;
  auto read = [&](const std::string& name, const std::string& body) {
    return read_netlist_file(d.write(name, "module m(" + body + "endmodule\n"), o);
  };
  // Signed ports: the product is signed.
  Netlist s = read("s.v", "input signed [3:0] a, input signed [3:0] b, output signed [7:0] p);\n  assign p = a * b;\n");
  EXPECT_EQ(s.inputs[0].declared_signed, std::optional<bool>(true));
  EXPECT_EQ(s.inputs[1].declared_signed, std::optional<bool>(true));
  EXPECT_EQ(s.outputs[0].declared_signed, std::optional<bool>(true));
  EXPECT_EQ(s.signed_product, std::optional<bool>(true));
  // Plain ports, $signed product.
  Netlist c = read("c.v", "input [3:0] a, input [3:0] b, output [7:0] p);\n  assign p = $signed(a) * $signed(b);\n");
  EXPECT_EQ(c.inputs[0].declared_signed, std::nullopt);
  EXPECT_EQ(c.outputs[0].declared_signed, std::nullopt);
  EXPECT_EQ(c.signed_product, std::optional<bool>(true));
  // Plain ports and product, in a submodule.
  Netlist u = read("u.v", "input [3:0] a, input [3:0] b, output [7:0] p);\n  mm u1(.x(a), .y(b), .z(p));\nendmodule\n"
                          "module mm(input [3:0] x, input [3:0] y, output [7:0] z);\n  assign z = x * y;\n");
  EXPECT_EQ(u.signed_product, std::optional<bool>(false));
  // One operand signed, the other not: Verilog multiplies unsigned.
  Netlist h = read("h.v", "input signed [3:0] a, input [3:0] b, output [7:0] p);\n  assign p = a * b;\n");
  EXPECT_EQ(h.inputs[0].declared_signed, std::optional<bool>(true));
  EXPECT_EQ(h.inputs[1].declared_signed, std::nullopt);
  EXPECT_EQ(h.signed_product, std::optional<bool>(false));
  // No multiplication, and products that disagree: unset.
  Netlist n = read("n.v", "input [3:0] a, input [3:0] b, output [7:0] p);\n  assign p = a + b;\n");
  EXPECT_EQ(n.signed_product, std::nullopt);
  // (In one expression `($signed(a) * $signed(b)) ^ (a * b)` both products would be unsigned.)
  Netlist x = read("x.v", "input [3:0] a, input [3:0] b, output [7:0] p);\n"
                          "  wire [7:0] s = $signed(a) * $signed(b);\n  assign p = s ^ (a * b);\n");
  EXPECT_EQ(x.signed_product, std::nullopt);
  // The table is still the gates' own.
  std::vector<std::uint64_t> t = truth_table(c);
  for (int a = 0; a < 16; ++a)
    for (int b = 0; b < 16; ++b) ASSERT_EQ(t[(a << 4) | b], std::uint64_t((((a ^ 8) - 8) * ((b ^ 8) - 8)) & 255));
}

TEST(YosysBridge, SequentialDesignIsRejected) {
  REQUIRE_YOSYS();
  TempDir d;
  std::string p = d.write("ff.v", "module ff(input clk, input [1:0] a, input [1:0] b, output reg [1:0] q);\n"
                                  "  always @(posedge clk) q <= a & b;\nendmodule\n");
  ReadOptions o;
  o.yosys = YosysMode::Force;
  try {
    read_netlist_file(p, o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), p);
    EXPECT_NE(std::string(e.what()).find("axx simulates combinational netlists only"), std::string::npos) << e.what();
  }
}

// The bundled behavioural multipliers still convert, to the same table as their structural and
// BLIF forms.
TEST(YosysBridge, BundledMultipliersAgree) {
  REQUIRE_YOSYS();
  const std::string src = AXX_MULTIPLIERS_SRC "/";
  std::ostringstream log;
  ReadOptions o;
  o.log = &log;
  Netlist behav = read_netlist_file(src + "mul8s_bam_h1v6_behav.v", o);
  std::vector<std::uint64_t> t = truth_table(behav);
  EXPECT_EQ(truth_table(read_netlist_file(src + "mul8s_bam_h1v6_struct.v", o)), t);
  EXPECT_EQ(truth_table(read_netlist_file(src + "mul8s_bam_h1v6.blif", o)), t);
  o.yosys = YosysMode::Force;
  EXPECT_EQ(truth_table(read_netlist_file(src + "mul8s_bam_h1v6_struct.v", o)), t);
  EXPECT_EQ(behav.signed_product, std::optional<bool>(true));
  // Truncated unsigned array: columns 0..5 of every row dropped.
  std::vector<std::uint64_t> u = truth_table(read_netlist_file(src + "mul8u_trunc6_behav.v", o));
  for (std::uint64_t a = 0; a < 256; ++a)
    for (std::uint64_t b = 0; b < 256; ++b) {
      std::uint64_t want = 0;
      for (int i = 0; i < 8; ++i)
        if ((b >> i) & 1) want += ((a << i) >> 6) << 6;
      ASSERT_EQ(u[(a << 8) | b], want & 0xFFFF) << a << "*" << b;
    }
}

TEST(NetlistFormats, RegistryAndUnknownExtension) {
  ASSERT_EQ(netlist_formats().size(), 2u);
  EXPECT_EQ(find_netlist_format("x/y.BLIF")->name, "blif");
  EXPECT_EQ(find_netlist_format("m.sv")->name, "verilog");
  EXPECT_EQ(find_netlist_format("m.c"), nullptr);
  try {
    read_netlist_file("m.vhd");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "m.vhd: not a netlist file (known extensions: .blif, .v, .sv)");
  }
}

}  // namespace
}  // namespace axx::netlist
