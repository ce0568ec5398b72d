#include <gtest/gtest.h>

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

TEST(YosysBridge, YosysFailureCarriesItsError) {
  REQUIRE_YOSYS();
  TempDir d;
  std::string p = d.write("bad.v", "module bad(input a, output y);\n  assign y = a +* ;\nendmodule\n");
  ReadOptions o;
  o.yosys = YosysMode::Force;
  try {
    read_netlist_file(p, o);
    FAIL();
  } catch (const ToolError& e) {
    std::string m = e.what();
    EXPECT_EQ(m.rfind("yosys failed on " + p + " (exit status 1):\n", 0), 0u) << m;
    EXPECT_NE(m.find("ERROR"), std::string::npos) << m;
  }
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
    EXPECT_NE(std::string(e.what()).find("axx simulates combinational netlists only"), std::string::npos) << e.what();
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
