// The one signedness rule (lutgen/signedness.h): every branch with hand-written facts, the facts a
// netlist gives (Netlists built here by hand, so the rule is tested whatever the readers fill in),
// and the bundled signed Verilog read without a flag.
#include <gtest/gtest.h>

#include "axx/error.h"
#include "lutgen/signedness.h"
#include "lutgen/source.h"
#include "netlist_sim/netlist.h"
#include "netlist_sim/reader.h"
#include "test_util.h"

namespace axx::lutgen {
namespace {

using testing::error_of;

SourceOptions flag(std::optional<bool> is_signed, OptionSpelling spelling = OptionSpelling::Cli) {
  SourceOptions o;
  o.is_signed = is_signed;
  o.spelling = spelling;
  return o;
}

SignednessFacts ports(std::optional<bool> a, std::optional<bool> b) {
  SignednessFacts f;
  f.a = a;
  f.b = b;
  f.a_what = "port a";
  f.b_what = "port b";
  f.silent_why = "ports a and b are not declared signed or unsigned";
  return f;
}

TEST(Signedness, OperandsDeclaredAlike) {
  for (bool s : {true, false}) {
    const Signedness r = resolve_signedness("m.v", ports(s, s), {});
    EXPECT_EQ(r.is_signed, s);
    EXPECT_EQ(r.how, std::string("port a and port b are declared ") + (s ? "signed" : "unsigned"));
    EXPECT_EQ(resolve_signedness("m.v", ports(s, s), flag(s)).is_signed, s);  // an agreeing flag is fine
  }
}

TEST(Signedness, MixedOperandsAreBadInput) {
  EXPECT_EQ(error_of<InputError>([] { resolve_signedness("m.v", ports(true, false), flag(true)); }),
            "m.v: port a is declared signed but port b is declared unsigned; both operands of a table have one "
            "signedness");
  EXPECT_EQ(error_of<InputError>([] { resolve_signedness("m.v", ports(std::nullopt, true), {}); }),
            "m.v: port b is declared signed but port a declares no signedness; declare both operands signed (or "
            "neither, and give --signed or --unsigned)");
}

TEST(Signedness, ContradictingFlagIsAUsageError) {
  EXPECT_EQ(error_of<UsageError>([] { resolve_signedness("m.v", ports(true, true), flag(false)); }),
            "m.v: port a and port b are declared signed; --unsigned contradicts it");
  EXPECT_EQ(error_of<UsageError>(
                [] { resolve_signedness("m.v", ports(false, false), flag(true, OptionSpelling::Python)); }),
            "m.v: port a and port b are declared unsigned; signed=True contradicts it");
}

TEST(Signedness, TableDeclarationWhenTheOperandsSayNothing) {
  SignednessFacts f = ports(std::nullopt, std::nullopt);
  f.table = false;
  f.table_what = "the design's $mul cells multiply {} operands";
  const Signedness r = resolve_signedness("m.v", f, {});
  EXPECT_FALSE(r.is_signed);
  EXPECT_EQ(r.how, "the design's $mul cells multiply unsigned operands");
  EXPECT_EQ(error_of<UsageError>([&] { resolve_signedness("m.v", f, flag(true)); }),
            "m.v: the design's $mul cells multiply unsigned operands; --signed contradicts it");
  // Declared ports win over the product (a sign-magnitude design multiplies magnitudes unsigned).
  f.a = f.b = true;
  EXPECT_TRUE(resolve_signedness("m.v", f, {}).is_signed);
}

TEST(Signedness, NothingDeclaredNeedsTheFlag) {
  const SignednessFacts f = ports(std::nullopt, std::nullopt);
  EXPECT_EQ(error_of<UsageError>([&] { resolve_signedness("m.v", f, {}); }),
            "m.v: ports a and b are not declared signed or unsigned; give --signed or --unsigned");
  EXPECT_EQ(error_of<UsageError>([&] { resolve_signedness("m.v", f, flag(std::nullopt, OptionSpelling::Python)); }),
            "m.v: ports a and b are not declared signed or unsigned; give signed=True or signed=False");
  for (bool s : {true, false}) {
    const Signedness r = resolve_signedness("m.v", f, flag(s));
    EXPECT_EQ(r.is_signed, s);
    EXPECT_EQ(r.how, std::string("given: ") + (s ? "--signed" : "--unsigned"));
  }
}

TEST(Signedness, ConventionOnlyWithoutAFlag) {
  SignednessFacts f;
  f.convention = true;
  f.convention_what = "{} by the TransAxx/AdaPT header convention";
  EXPECT_EQ(resolve_signedness("t.h", f, {}).how, "signed by the TransAxx/AdaPT header convention");
  EXPECT_FALSE(resolve_signedness("t.h", f, flag(false)).is_signed);
}

// A 2x2 netlist with ports a, b (inputs) and p (output), no gates needed for the facts.
netlist::Netlist two_port_netlist() {
  netlist::Netlist nl;
  nl.name = "m";
  nl.net_names = {"a0", "a1", "b0", "b1"};
  nl.inputs = {netlist::Port{"a", {0, 1}, std::nullopt}, netlist::Port{"b", {2, 3}, std::nullopt}};
  return nl;
}

TEST(NetlistSignedness, PortsThenProductThenTheUser) {
  netlist::Netlist nl = two_port_netlist();
  auto resolve = [&](const SourceOptions& o) {
    return resolve_signedness("m.v", netlist_signedness_facts(nl, nl.inputs[0], nl.inputs[1], false), o);
  };
  EXPECT_EQ(error_of<UsageError>([&] { resolve({}); }),
            "m.v: ports a and b are not declared signed or unsigned; give --signed or --unsigned");
  EXPECT_EQ(error_of<UsageError>([&] {
              resolve_signedness("m.blif", netlist_signedness_facts(nl, nl.inputs[0], nl.inputs[1], true), {});
            }),
            "m.blif: BLIF ports carry no signedness; give --signed or --unsigned");
  nl.signed_product = true;
  EXPECT_EQ(resolve({}).how, "the design's $mul cells multiply signed operands");
  nl.inputs[0].declared_signed = false;
  EXPECT_NE(error_of<InputError>([&] { resolve({}); }).find("port a is declared unsigned but port b declares no"),
            std::string::npos);
  nl.inputs[1].declared_signed = false;
  EXPECT_FALSE(resolve({}).is_signed);
  EXPECT_EQ(resolve({}).how, "port a and port b are declared unsigned");
}

// The bundled broken-array design declares its ports `signed` in both Verilog forms, so it reads as
// signed without a flag once the Verilog readers record port declarations (Port::declared_signed).
TEST(NetlistSignedness, BundledSignedVerilogNeedsNoFlag) {
  for (const char* form : {"mul8s_bam_h1v6_struct.v", "mul8s_bam_h1v6_behav.v"}) {
    const std::string path = std::string(AXX_MULTIPLIERS_SRC) + "/" + form;
    netlist::ReadOptions ro;
    std::ostringstream log;
    ro.log = &log;
    const netlist::Netlist nl = netlist::read_netlist_file(path, ro);
    if (!nl.inputs.at(0).declared_signed && !nl.signed_product) {
      GTEST_SKIP() << "the Verilog readers do not record port signedness yet (Port::declared_signed)";
    }
    const Lut lut = load_lut(path);
    EXPECT_TRUE(lut.spec.is_signed) << form;
    EXPECT_EQ(lut.table, load_lut("builtin:mul8s_bam_h1v6").table) << form;
  }
}

}  // namespace
}  // namespace axx::lutgen
