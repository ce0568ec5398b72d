// axx cost: lutgen::cost_of (inputs, built-ins, signedness, activity samples, the exact reference)
// through run_cost(), axx list's cost columns, and the built binary's exit statuses and messages.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../lutgen/test_util.h"
#include "axx/error.h"
#include "converter/cmd_cost.h"
#include "converter/cmd_list.h"
#include "lutgen/cost.h"
#include "multipliers/netgen/builtin_spec.h"
#include "multipliers/registry.h"
#include "netlist_sim/cost.h"
#include "netlist_sim/reader.h"

namespace axx::cli {
namespace {

using lutgen::testing::error_of;
using lutgen::testing::read_file;
using lutgen::testing::scratch_dir;
using lutgen::testing::write_file;

const std::string kSrc = AXX_MULTIPLIERS_SRC;

// A .npy file of shape (n, 2) with the given dtype ('<i1', '<i2', '<i4', '|u1') holding `values` in C order.
std::string npy(const std::string& descr, int size, const std::vector<long>& values, std::size_t cols = 2) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" +
                       std::to_string(values.size() / cols) + ", " + std::to_string(cols) + "), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string s = "\x93NUMPY\x01";
  s += '\0';
  s += char(header.size() & 255);
  s += char(header.size() >> 8);
  s += header;
  for (long v : values)
    for (int k = 0; k < size; ++k) s += char((static_cast<unsigned long>(v) >> (8 * k)) & 255);
  return s;
}

lutgen::SourceOptions with_sign(bool s) {
  lutgen::SourceOptions o;
  o.is_signed = s;
  return o;
}

TEST(CostOf, TheExactReferenceIsOne) {
  for (bool s : {false, true}) {
    const lutgen::OperandSpec spec{6, 5, s};
    const auto c = lutgen::cost_of_netlist(lutgen::exact_reference(spec), {}, spec, "ref");
    EXPECT_EQ(c.area_rel, 1.0);
    EXPECT_EQ(c.power_rel, 1.0);
    EXPECT_EQ(c.depth_rel, 1.0);
    EXPECT_EQ(c.pairs, 100000u);
    EXPECT_EQ(c.activity, "uniform");
  }
}

TEST(CostOf, BrokenArrayCostsLessThanTheExactArray) {
  const auto c = lutgen::cost_of(kSrc + "/mul8s_bam_h1v6_struct.v", with_sign(true));
  EXPECT_EQ(c.name, "mul8s_bam_h1v6_struct");
  EXPECT_TRUE(c.spec.is_signed);
  EXPECT_LT(c.area_rel, 1.0);
  EXPECT_GT(c.area_rel, 0.5);
  EXPECT_LT(c.power_rel, 1.0);
  // Its own cells, counted by the netlist-level model.
  const auto s = netlist::structural_cost(netlist::map_to_cells(netlist::read_verilog(kSrc + "/mul8s_bam_h1v6_struct.v")));
  EXPECT_EQ(c.gates, s.gates);
  EXPECT_EQ(c.area_nand2, s.area_nand2);
}

TEST(CostOf, SignednessFollowsTheFileOrTheUser) {
  const std::string dir = scratch_dir();
  // BLIF says nothing: the user must.
  EXPECT_EQ(error_of<UsageError>([&] { lutgen::cost_of(kSrc + "/mul8s_bam_h1v6.blif"); }),
            kSrc + "/mul8s_bam_h1v6.blif: BLIF ports carry no signedness; give --signed or --unsigned");
  EXPECT_FALSE(lutgen::cost_of(kSrc + "/mul8s_bam_h1v6.blif", with_sign(false)).spec.is_signed);
  // Verilog `signed` ports say it; a flag may repeat it.
  write_file(dir + "/s.v", "module s(input signed [3:0] a, input signed [3:0] b, output [7:0] p);\n"
                           "  assign p = {8{a[0] & b[0]}};\nendmodule\n");
  EXPECT_TRUE(lutgen::cost_of(dir + "/s.v").spec.is_signed);
  EXPECT_TRUE(lutgen::cost_of(dir + "/s.v", with_sign(true)).spec.is_signed);
  write_file(dir + "/m.v", "module m(input signed [3:0] a, input unsigned [3:0] b, output [7:0] p);\n"
                           "  assign p = {8{a[0] & b[0]}};\nendmodule\n");
  // Mixed declarations are bad input by the one signedness rule (lutgen/signedness.h), as for axx lut.
  EXPECT_EQ(error_of<InputError>([&] { lutgen::cost_of(dir + "/m.v"); }),
            error_of<InputError>([&] { lutgen::load_lut(dir + "/m.v"); }));
  // A flag contradicting the declaration is a usage error, as for axx lut.
  EXPECT_EQ(error_of<UsageError>([&] { lutgen::cost_of(dir + "/s.v", with_sign(false)); }),
            error_of<UsageError>([&] { lutgen::load_lut(dir + "/s.v", with_sign(false)); }));
}

TEST(CostOf, InputsWithoutGatesAreUsageErrors) {
  const std::string dir = scratch_dir();
  EXPECT_EQ(error_of<UsageError>([&] { lutgen::cost_of(kSrc + "/mul8u_trunc6.c"); }),
            kSrc + "/mul8u_trunc6.c: axx cost needs a gate-level netlist (.blif, .v, .sv) or builtin:NAME: a C "
                   "function has no gates; cost the design's netlist instead");
  write_file(dir + "/t.npy", npy("<i4", 4, std::vector<long>(16, 0), 4));
  EXPECT_EQ(error_of<UsageError>([&] { lutgen::cost_of(dir + "/t.npy"); }),
            dir + "/t.npy: axx cost needs a gate-level netlist (.blif, .v, .sv) or builtin:NAME: a table has no "
                  "gates; cost the netlist it was made from");
  lutgen::SourceOptions o = with_sign(true);
  o.func = "mul";
  EXPECT_NE(error_of<UsageError>([&] { lutgen::cost_of(kSrc + "/mul8s_bam_h1v6_struct.v", o); })
                .find(kSrc + "/mul8s_bam_h1v6_struct.v: --func does not apply to"),
            std::string::npos);
  o.func.clear();
  o.bits_a = o.bits_b = 4;
  EXPECT_EQ(error_of<UsageError>([&] { lutgen::cost_of(kSrc + "/mul8s_bam_h1v6_struct.v", o); }),
            kSrc + "/mul8s_bam_h1v6_struct.v: ports a and b are 8 and 8 bits wide, but 4x4 operands were requested");
}

// builtin:NAME is costed from the generator's netlist of the design (Dadda reduction), against
// the generator's exact design of the same spec: the exact built-ins are exactly 1.
TEST(CostOf, BuiltinDesigns) {
  for (const char* name : {"mul8s_exact", "mul8u_exact"}) {
    const auto c = lutgen::cost_of(std::string("builtin:") + name);
    EXPECT_EQ(c.name, name);
    EXPECT_EQ(c.area_rel, 1.0);
    EXPECT_EQ(c.power_rel, 1.0);
    EXPECT_EQ(c.depth_rel, 1.0);
  }
  const auto exact = lutgen::cost_of("builtin:mul8s_exact");
  EXPECT_TRUE(exact.spec.is_signed);
  // Dropping the 8 low columns leaves fewer cells and less switching.
  const auto trunc = lutgen::cost_of("builtin:mul8s_trunc8");
  EXPECT_LT(trunc.area_rel, 0.8);
  EXPECT_LT(trunc.power_rel, 0.8);
  EXPECT_EQ(trunc.area_rel, trunc.area_nand2 / exact.area_nand2);
  // The same figures as the generated module written to a file and costed as a user's netlist.
  const std::string dir = scratch_dir();
  const multipliers::Builtin* b = multipliers::find_builtin("mul8s_drum4");
  ASSERT_NE(b, nullptr);
  const auto spec = netgen::spec_of(*b, lutgen::kCostReduction);
  ASSERT_TRUE(spec);
  write_file(dir + "/drum.v", netgen::generate_verilog(*spec));
  const auto from_file = lutgen::cost_of(dir + "/drum.v");
  const auto builtin = lutgen::cost_of("builtin:mul8s_drum4");
  EXPECT_TRUE(from_file.spec.is_signed);  // the generated ports are declared signed
  EXPECT_EQ(from_file.gates, builtin.gates);
  EXPECT_EQ(from_file.area_nand2, builtin.area_nand2);
  EXPECT_EQ(from_file.power_proxy, builtin.power_proxy);
  EXPECT_EQ(from_file.area_rel, builtin.area_rel);
}

TEST(CostOf, BuiltinSignednessAndOptions) {
  EXPECT_TRUE(lutgen::cost_of("builtin:mul8s_exact", with_sign(true)).spec.is_signed);
  EXPECT_NE(error_of<UsageError>([&] { lutgen::cost_of("builtin:mul8s_exact", with_sign(false)); })
                .find("builtin:mul8s_exact"),
            std::string::npos);
  lutgen::SourceOptions o;
  o.top = "x";
  EXPECT_NE(error_of<UsageError>([&] { lutgen::cost_of("builtin:mul8s_exact", o); }).find("does not apply"),
            std::string::npos);
  o.top.clear();
  o.bits_a = o.bits_b = 4;
  EXPECT_THROW(lutgen::cost_of("builtin:mul8s_exact", o), UsageError);
  EXPECT_NE(error_of<InputError>([&] { lutgen::cost_of("builtin:nope"); }).find("unknown built-in multiplier 'nope'"),
            std::string::npos);
}

TEST(Activity, ReadsNpyAndDrivesThePowerProxy) {
  const std::string dir = scratch_dir();
  // Small operands that alternate: far less switching than uniform random bytes.
  std::vector<long> v;
  for (int i = 0; i < 1000; ++i) v.push_back(i % 2 ? 3 : -2), v.push_back(i % 3 ? 1 : 0);
  write_file(dir + "/act.npy", npy("|i1", 1, v));
  const lutgen::Activity act = lutgen::read_activity_npy(dir + "/act.npy");
  ASSERT_EQ(act.a.size(), 1000u);
  EXPECT_EQ(act.a[0], -2);
  EXPECT_EQ(act.a[1], 3);
  EXPECT_EQ(act.b[0], 0);
  EXPECT_EQ(act.b[1], 1);
  const std::string input = kSrc + "/mul8s_bam_h1v6_struct.v";
  const auto uniform = lutgen::cost_of(input, with_sign(true));
  const auto data = lutgen::cost_of(input, with_sign(true), act);
  EXPECT_EQ(data.activity, dir + "/act.npy");
  EXPECT_EQ(data.pairs, 1000u);
  EXPECT_EQ(data.area_nand2, uniform.area_nand2);
  EXPECT_LT(data.power_proxy, uniform.power_proxy / 2);
  // The same pairs given directly (the Python path) give the same figures.
  lutgen::Activity direct;
  direct.a = act.a;
  direct.b = act.b;
  EXPECT_EQ(lutgen::cost_of(input, with_sign(true), direct).power_proxy, data.power_proxy);
  // The reference sees the same stream: the power proxy of the exact design is its own reference.
  const auto ref = lutgen::cost_of_netlist(lutgen::exact_reference({8, 8, true}), {}, {8, 8, true}, "ref", act);
  EXPECT_EQ(ref.power_rel, 1.0);
  EXPECT_NEAR(data.power_rel, data.power_proxy / ref.power_proxy, 1e-12);
}

TEST(Activity, BadFilesAndValues) {
  const std::string dir = scratch_dir();
  write_file(dir + "/wide.npy", npy("<i2", 2, {1, 2, 300, 4}));
  EXPECT_EQ(error_of<InputError>([&] {
              lutgen::cost_of(kSrc + "/mul8s_bam_h1v6_struct.v", with_sign(true),
                              lutgen::read_activity_npy(dir + "/wide.npy"));
            }),
            dir + "/wide.npy: pair 1: operand A value 300 is outside the 8-bit signed range [-128, 127]");
  write_file(dir + "/neg.npy", npy("<i4", 4, {1, 2, 3, -1}));
  EXPECT_EQ(error_of<InputError>([&] {
              lutgen::cost_of(kSrc + "/mul8s_bam_h1v6.blif", with_sign(false), lutgen::read_activity_npy(dir + "/neg.npy"));
            }),
            dir + "/neg.npy: pair 1: operand B value -1 is outside the 8-bit unsigned range [0, 255]");
  write_file(dir + "/three.npy", npy("<i4", 4, {1, 2, 3, 4, 5, 6}, 3));
  EXPECT_EQ(error_of<InputError>([&] { lutgen::read_activity_npy(dir + "/three.npy"); }),
            dir + "/three.npy: array shape is (2, 3) (expected a .npy array of shape (n, 2) with operand A in "
                  "column 0 and B in column 1)");
  write_file(dir + "/float.npy", npy("<f4", 4, {1, 2, 3, 4}));
  EXPECT_NE(error_of<InputError>([&] { lutgen::read_activity_npy(dir + "/float.npy"); })
                .find("unsupported dtype '<f4'"),
            std::string::npos);
  write_file(dir + "/one.npy", npy("|u1", 1, {1, 2}));
  EXPECT_NE(error_of<InputError>([&] { lutgen::read_activity_npy(dir + "/one.npy"); }).find("at least 2 operand pairs"),
            std::string::npos);
  write_file(dir + "/still.npy", npy("|u1", 1, {5, 7, 5, 7, 5, 7}));
  EXPECT_EQ(error_of<InputError>([&] {
              lutgen::cost_of(kSrc + "/mul8s_bam_h1v6.blif", with_sign(false), lutgen::read_activity_npy(dir + "/still.npy"));
            }),
            dir + "/still.npy: the operand samples never change, so nothing switches; the power proxy needs varying "
                  "operands");
  EXPECT_EQ(error_of<InputError>([&] { lutgen::read_activity_npy(dir + "/missing.npy"); }),
            dir + "/missing.npy: cannot open: No such file or directory");
}

TEST(RunCost, JsonHasTheIssueKeys) {
  CostOptions o;
  o.inputs = {kSrc + "/mul8s_bam_h1v6_struct.v", kSrc + "/mul8s_bam_h1v6.blif"};
  o.source.is_signed = true;
  o.style = TableStyle::Json;
  o.pairs = 5000;
  std::ostringstream out;
  run_cost(o, out);
  const auto j = nlohmann::json::parse(out.str());
  ASSERT_EQ(j.size(), 2u);
  for (const char* key : {"name", "gates", "area_nand2", "depth", "power_proxy", "area_rel", "power_rel", "bits_a",
                          "bits_b", "signed", "depth_rel", "cells", "activity", "pairs"})
    EXPECT_TRUE(j[0].contains(key)) << key;
  EXPECT_EQ(j[0]["name"], "mul8s_bam_h1v6_struct");
  EXPECT_TRUE(j[0]["gates"].is_number_unsigned());
  EXPECT_EQ(j[0]["pairs"], 5000);
  std::size_t total = 0;
  for (const auto& [cell, n] : j[0]["cells"].items()) total += n.get<std::size_t>();
  EXPECT_EQ(total, j[0]["gates"].get<std::size_t>());
}

TEST(RunCost, TextAndMarkdown) {
  CostOptions o;
  o.inputs = {kSrc + "/mul8s_bam_h1v6_struct.v"};
  o.source.is_signed = true;
  o.pairs = 1000;
  std::ostringstream text, md;
  run_cost(o, text);
  EXPECT_EQ(text.str().rfind("name                   bits  signed  gates  area_nand2  depth", 0), 0u) << text.str();
  o.style = TableStyle::Markdown;
  run_cost(o, md);
  EXPECT_EQ(md.str().rfind("| name | bits | signed | gates | area_nand2 | depth | power_proxy | area_rel | power_rel | "
                           "depth_rel |\n| --- | --- | --- | ---: |",
                           0),
            0u)
      << md.str();
}

TEST(RunCost, AFailingInputLeavesNoOutput) {
  CostOptions o;
  o.inputs = {kSrc + "/mul8s_bam_h1v6_struct.v", kSrc + "/mul8u_trunc6.c"};
  o.source.is_signed = true;
  std::ostringstream out;
  EXPECT_THROW(run_cost(o, out), UsageError);
  EXPECT_EQ(out.str(), "");
}

// axx list: every built-in with its cost next to the metrics; JSON with the cost keys and the
// design's family, params and citation.
TEST(RunList, CostOfEveryBuiltin) {
  std::ostringstream text, json;
  ListOptions o;
  run_list(o, text);
  const std::string header = text.str().substr(0, text.str().find('\n'));
  EXPECT_NE(header.find("var  area_rel  power_rel  description"), std::string::npos) << header;
  o.style = TableStyle::Json;
  run_list(o, json);
  const auto j = nlohmann::json::parse(json.str());
  ASSERT_EQ(j.size(), multipliers::builtins().size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    const multipliers::Builtin& b = multipliers::builtins()[i];
    SCOPED_TRACE(b.name);
    EXPECT_EQ(j[i]["name"], b.name);
    EXPECT_EQ(j[i]["family"], b.family);
    EXPECT_EQ(j[i]["params"], b.params);
    EXPECT_EQ(j[i]["citation"], b.citation);
    for (const char* key : {"gates", "area_nand2", "depth", "power_proxy", "area_rel", "power_rel", "depth_rel"})
      EXPECT_TRUE(j[i][key].is_number()) << key;
    EXPECT_TRUE(j[i]["gates"].is_number_unsigned());
    EXPECT_GT(j[i]["area_rel"].get<double>(), 0.0);
    if (std::string(b.family) == "exact") EXPECT_EQ(j[i]["area_rel"], 1.0);
  }
  for (std::size_t i : {std::size_t{2}, j.size() - 1}) {
    const auto c = lutgen::cost_of(std::string("builtin:") + j[i]["name"].get<std::string>());
    EXPECT_EQ(j[i]["area_rel"].get<double>(), c.area_rel);
    EXPECT_EQ(j[i]["power_rel"].get<double>(), c.power_rel);
    EXPECT_EQ(j[i]["gates"].get<std::size_t>(), c.gates);
  }
}

// The binary: exit statuses and the one-line messages.
struct Result {
  int status;
  std::string out, err;
};

Result axx(const std::string& dir, const std::string& args) {
  const std::string cmd = "cd '" + dir + "' && '" + AXX_BIN + "' " + args + " > out.txt 2> err.txt";
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_file(dir + "/out.txt"), read_file(dir + "/err.txt")};
}

TEST(AxxCost, ExitStatuses) {
  const std::string dir = scratch_dir();
  auto r = axx(dir, "cost " + kSrc + "/mul8s_bam_h1v6_struct.v --signed --pairs 100 --json");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)[0]["pairs"], 100);
  r = axx(dir, "cost " + kSrc + "/mul8u_trunc6.c");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: " + kSrc +
                       "/mul8u_trunc6.c: axx cost needs a gate-level netlist (.blif, .v, .sv) or builtin:NAME: a C "
                       "function has no gates; cost the design's netlist instead\n");
  EXPECT_EQ(r.out, "");
  r = axx(dir, "cost missing.blif --signed");
  EXPECT_EQ(r.status, 2);
  r = axx(dir, "cost " + kSrc + "/mul8s_bam_h1v6.blif --signed --activity a.npy --pairs 10");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: --activity excludes --pairs (see axx --help)\n");
  r = axx(dir, "cost --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--activity"), std::string::npos);
}

}  // namespace
}  // namespace axx::cli
