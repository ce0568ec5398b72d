// Each source kind: golden tables and exact error messages for bad inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "axx/error.h"
#include "lutgen/metrics.h"
#include "lutgen/source.h"
#include "lutgen/source_registry.h"
#include "lutgen/writer.h"
#include "multipliers/registry.h"
#include "test_util.h"

namespace axx::lutgen {
namespace {

using testing::error_of;
using testing::scratch_dir;
using testing::write_file;

const std::string kData = AXX_TEST_DATA;

std::vector<std::int32_t> products(const OperandSpec& spec) {
  return testing::make_lut("", spec, [](std::int64_t a, std::int64_t b) { return a * b; }).table;
}

TEST(SourceRegistry, UnknownKindListsTheValidOnes) {
  EXPECT_EQ(error_of<InputError>([] { load_lut("mult.txt"); }),
            "mult.txt: unknown input kind; expected one of: .blif (blif); .v, .sv (verilog); .c, .cpp, .cc, .cxx (c); "
            "builtin:NAME (builtin); .h, .hpp, .hh, .cuh (header); .npy (npy); .json (json)");
}

TEST(SourceRegistry, MissingFile) {
  EXPECT_EQ(error_of<InputError>([] { load_lut("/nonexistent/m.blif"); }),
            "/nonexistent/m.blif: cannot open: No such file or directory");
}

TEST(SourceRegistry, EveryKindHasADescription) {
  for (const auto& k : source_kinds()) {
    EXPECT_FALSE(k.description.empty()) << k.name;
    EXPECT_FALSE(k.noun.empty()) << k.name;
    EXPECT_FALSE(k.patterns.empty()) << k.name;
    for (const auto& key : k.options) {
      EXPECT_TRUE(std::any_of(input_options().begin(), input_options().end(),
                              [&](const InputOption& o) { return o.key == key; }))
          << k.name << " lists unknown option " << key;
    }
  }
}

// Which options each kind takes, written out here (not read back from the registry): every other
// option given for that kind is a usage error naming it, checked before the file is even opened.
TEST(SourceRegistry, OptionsThatDoNotApplyAreUsageErrors) {
  const std::map<std::string, std::set<std::string>> takes = {
      {"x.blif", {"top", "port_a", "port_b", "port_out"}},
      {"x.v", {"top", "port_a", "port_b", "port_out", "yosys", "yosys_bin"}},
      {"x.sv", {"top", "port_a", "port_b", "port_out", "yosys", "yosys_bin"}},
      {"x.c", {"func"}},
      {"x.cpp", {"func"}},
      {"builtin:mul8s_exact", {}},
      {"x.h", {}},
      {"x.npy", {}},
      {"x.json", {}},
  };
  const std::map<std::string, std::function<void(SourceOptions&)>> set = {
      {"top", [](SourceOptions& o) { o.top = "m"; }},
      {"func", [](SourceOptions& o) { o.func = "f"; }},
      {"port_a", [](SourceOptions& o) { o.port_a = "x"; }},
      {"port_b", [](SourceOptions& o) { o.port_b = "y"; }},
      {"port_out", [](SourceOptions& o) { o.port_out = "p"; }},
      {"yosys", [](SourceOptions& o) { o.yosys = YosysMode::Never; }},
      {"yosys_bin", [](SourceOptions& o) { o.yosys_bin = "/usr/bin/yosys"; }},
  };
  for (const auto& [input, keys] : takes) {
    for (const auto& [key, apply] : set) {
      SourceOptions o;
      apply(o);
      if (keys.count(key)) continue;
      const std::string path = input.rfind("builtin:", 0) == 0 ? input : "/nonexistent/" + input;
      const std::string msg = error_of<UsageError>([&] { load_lut(path, o); });
      EXPECT_NE(msg.find(" does not apply to "), std::string::npos) << input << " " << key << ": " << msg;
    }
  }
  SourceOptions o;
  o.port_out = "p";
  EXPECT_EQ(error_of<UsageError>([&] { load_lut("m.c", o); }),
            "m.c: --port-out does not apply to a C function (its options: --signed/--unsigned, --bits, --a-bits, "
            "--b-bits, --name, --func)");
  o.spelling = OptionSpelling::Python;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut("m.c", o); }),
            "m.c: port_out does not apply to a C function (its options: signed, bits, a_bits, b_bits, name, func)");
  SourceOptions y;
  y.yosys = YosysMode::Force;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut("m.blif", y); }),
            "m.blif: --yosys/--no-yosys does not apply to a BLIF netlist (its options: --signed/--unsigned, --bits, "
            "--a-bits, --b-bits, --name, --top, --port-a, --port-b, --port-out)");
  SourceOptions f;
  f.func = "mul";
  EXPECT_EQ(error_of<UsageError>([&] { load_lut("builtin:mul8s_exact", f); }),
            "builtin:mul8s_exact: --func does not apply to a built-in multiplier (its options: --signed/--unsigned, "
            "--bits, --a-bits, --b-bits, --name)");
}

TEST(BuiltinSource, ExactDesignsGiveTheProducts) {
  const Lut s = load_lut("builtin:mul8s_exact");
  EXPECT_EQ(s.name, "mul8s_exact");
  EXPECT_TRUE(s.spec.is_signed);
  EXPECT_EQ(s.table, products({8, 8, true}));
  EXPECT_EQ(s.provenance.kind, "builtin");
  const Lut u = load_lut("builtin:mul8u_exact");
  EXPECT_FALSE(u.spec.is_signed);
  EXPECT_EQ(u.table, products({8, 8, false}));
}

TEST(BuiltinSource, UnknownNameListsValidNames) {
  std::string names;
  for (const auto& b : multipliers::builtins()) names += (names.empty() ? "" : ", ") + std::string(b.name);
  EXPECT_EQ(error_of<InputError>([] { load_lut("builtin:nope"); }),
            "builtin:nope: unknown built-in multiplier 'nope'; valid names: " + names);
}

TEST(BuiltinSource, SignednessCannotBeChanged) {
  SourceOptions o;
  o.is_signed = false;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut("builtin:mul8s_exact", o); }),
            "builtin:mul8s_exact: the built-in multiplier is signed; --unsigned contradicts it");
  o.is_signed = true;
  EXPECT_TRUE(load_lut("builtin:mul8s_exact", o).spec.is_signed);
  o.bits_a = o.bits_b = 4;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut("builtin:mul8s_exact", o); }),
            "builtin:mul8s_exact: table has 8x8 operands, but 4x4 were requested");
}

TEST(NetlistSource, GoldenTwoByTwoBlif) {
  SourceOptions o;
  o.is_signed = false;
  const Lut lut = load_lut(kData + "/mul2u.blif", o);
  EXPECT_EQ(lut.name, "mul2u");
  EXPECT_EQ(lut.spec.bits_a, 2);
  EXPECT_EQ(lut.spec.bits_b, 2);
  EXPECT_EQ(lut.table, products({2, 2, false}));
  EXPECT_EQ(lut.provenance.kind, "blif");
}

TEST(NetlistSource, StructuralVerilogGivesTheSameTable) {
  SourceOptions o;
  o.is_signed = false;
  o.yosys = YosysMode::Never;
  const Lut lut = load_lut(kData + "/mul2u.v", o);
  EXPECT_EQ(lut.table, products({2, 2, false}));
  EXPECT_EQ(lut.provenance.kind, "verilog");
}

TEST(NetlistSource, BlifNeedsTheSignednessFromTheUser) {
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(kData + "/mul2u.blif"); }),
            kData + "/mul2u.blif: BLIF ports carry no signedness; give --signed or --unsigned");
  SourceOptions o;
  o.spelling = OptionSpelling::Python;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(kData + "/mul2u.blif", o); }),
            kData + "/mul2u.blif: BLIF ports carry no signedness; give signed=True or signed=False");
  o.yosys = YosysMode::Never;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(kData + "/mul2u.v", o); }),
            kData + "/mul2u.v: ports a and b are not declared signed or unsigned; give signed=True or signed=False");
}

TEST(NetlistSource, ExactUnsignedNetlistHasNoError) {
  // The exact 2x2 circuit read as unsigned, as the user says: every metric is zero.
  SourceOptions o;
  o.is_signed = false;
  const Metrics m = metrics_of(kData + "/mul2u.blif", o);
  EXPECT_FALSE(m.is_signed);
  for (const auto& f : metric_fields()) EXPECT_EQ(m.*f.member, 0) << f.key;
  EXPECT_EQ(load_lut(kData + "/mul2u.blif", o).provenance.signedness, "given: --unsigned");
}

TEST(NetlistSource, SignedReadsTheOutputAsTwosComplement) {
  // The unsigned circuit read as signed: operands are patterns, the 4-bit output is sign-extended.
  SourceOptions o;
  o.is_signed = true;
  const Lut lut = load_lut(kData + "/mul2u.blif", o);
  ASSERT_TRUE(lut.spec.is_signed);
  for (int a = 0; a < 4; ++a) {
    for (int b = 0; b < 4; ++b) {
      const int p = a * b;
      EXPECT_EQ(lut.at(a, b), p >= 8 ? p - 16 : p) << a << "," << b;
    }
  }
}

TEST(NetlistSource, BitsMustMatchThePorts) {
  SourceOptions o;
  o.bits_a = o.bits_b = 8;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(kData + "/mul2u.blif", o); }),
            kData + "/mul2u.blif: ports a and b are 2 and 2 bits wide, but 8x8 operands were requested");
}

TEST(NetlistSource, PortOptions) {
  SourceOptions o;
  o.port_out = "q";
  EXPECT_EQ(error_of<InputError>([&] { load_lut(kData + "/mul2u.blif", o); }),
            kData + "/mul2u.blif: no output port 'q' (outputs: p)");
  o.port_out = "p";
  o.port_a = "b";
  o.port_b = "a";
  o.is_signed = false;
  const Lut swapped = load_lut(kData + "/mul2u.blif", o);
  EXPECT_EQ(swapped.table, products({2, 2, false}));
  EXPECT_EQ(swapped.provenance.detail, "top mul2u, a=b b=a out=p[4]");
}

class CSourceTest : public ::testing::Test {
 protected:
  std::string dir = scratch_dir();
  std::string file(const std::string& name, const std::string& text) {
    write_file(dir + "/" + name, text);
    return dir + "/" + name;
  }
};

TEST_F(CSourceTest, UnsignedOperandTypesGiveAnUnsignedTable) {
  const std::string path = file("mul8u.c",
                                "#include <stdint.h>\n"
                                "static int helper(int x) { return x; }\n"
                                "/* a comment with f(int a, int b) { */\n"
                                "uint16_t mul8u(uint8_t a, uint8_t b) { return (uint16_t)(helper(a) * b); }\n");
  const Lut lut = load_lut(path);
  EXPECT_EQ(lut.name, "mul8u");
  EXPECT_FALSE(lut.spec.is_signed);
  EXPECT_EQ(lut.spec.bits_a, 8);
  EXPECT_EQ(lut.table, products({8, 8, false}));
  EXPECT_EQ(lut.provenance.detail, "function mul8u, compiled with cc -O2");
}

TEST_F(CSourceTest, SignedResultInAnUnsignedTypeIsSignExtended) {
  const std::string path = file("m.c",
                                "#include <stdint.h>\n"
                                "uint16_t m(int8_t a, int8_t b) { return (uint16_t)(a * b); }\n");
  const Lut lut = load_lut(path);
  EXPECT_TRUE(lut.spec.is_signed);
  EXPECT_EQ(lut.table, products({8, 8, true}));
}

TEST_F(CSourceTest, NarrowOperandsAndFuncOption) {
  const std::string path = file("two.c",
                                "int f(int a, int b) { return a * b + 1; }\n"
                                "int g(int a, int b) { return a * b; }\n");
  SourceOptions o;
  o.func = "g";
  o.bits_a = 4;
  o.bits_b = 3;
  o.is_signed = true;
  const Lut lut = load_lut(path, o);
  EXPECT_EQ(lut.spec.bits_a, 4);
  EXPECT_EQ(lut.spec.bits_b, 3);
  EXPECT_EQ(lut.table, products({4, 3, true}));
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(path); }),
            path + ": several functions (f, g); choose one with --func");
  o.func = "h";
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path, o); }), path + ": no function 'h' defined (functions: f, g)");
}

TEST_F(CSourceTest, StaticFunctionByName) {
  const std::string path = file("s.c", "static int sq(int a, int b) { return a * b + 2; }\nint main(void) { return 0; }\n");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }), path + ": no non-static function defined; name one with --func");
  SourceOptions o;
  o.func = "sq";
  o.bits_a = o.bits_b = 3;
  o.is_signed = false;
  EXPECT_EQ(load_lut(path, o).table,
            testing::make_lut("", {3, 3, false}, [](std::int64_t a, std::int64_t b) { return a * b + 2; }).table);
}

TEST_F(CSourceTest, CppFunctionInANamespace) {
  const std::string path = file("m.cpp",
                                "#include <cstdint>\n"
                                "namespace approx {\n"
                                "struct S { int x; };\n"
                                "int32_t mul(int16_t a, int16_t b) { return a * b - (a & b & 1); }\n"
                                "}\n");
  SourceOptions o;
  o.bits_a = o.bits_b = 6;
  o.is_signed = true;  // int16_t is wider than the 6-bit operands: it holds either range
  const Lut lut = load_lut(path, o);
  const Lut expected = testing::make_lut("", {6, 6, true}, [](std::int64_t a, std::int64_t b) { return a * b - (a & b & 1); });
  EXPECT_EQ(lut.table, expected.table);
  EXPECT_EQ(lut.provenance.detail, "function approx::mul, compiled with c++ -O2");
}

TEST_F(CSourceTest, CppTrailingSpecifiersAreLookedThrough) {
  // noexcept, noexcept(expr), throw(), [[attributes]] after the parameter list: the definition is
  // still found (a member function's const is looked through the same way).
  const std::string path = file("spec.cpp",
                                "#include <cstdint>\n"
                                "static int helper(int x) noexcept(true) { return x + 1; }\n"
                                "static int other(int x) throw() { return x; }\n"
                                "struct S { int get() const { return 1; } };\n"
                                "int32_t mul(int8_t a, int8_t b) noexcept [[gnu::hot]] {\n"
                                "  return a * b + helper(0) - other(1);\n"
                                "}\n");
  SourceOptions o;
  o.bits_a = o.bits_b = 4;
  o.is_signed = true;
  const Lut lut = load_lut(path, o);
  const Lut expected = testing::make_lut("", {4, 4, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  EXPECT_EQ(lut.table, expected.table);
  EXPECT_EQ(lut.provenance.detail, "function mul, compiled with c++ -O2");
}

TEST_F(CSourceTest, CompileErrorNamesFileAndLine) {
  const std::string path = file("bad.c", "#include <stdint.h>\nint16_t m(int8_t a, int8_t b) {\n  return a * c;\n}\n");
  const std::string msg = error_of<ParseError>([&] { load_lut(path); });
  EXPECT_EQ(msg.rfind(path + ":3:14: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("'c' undeclared"), std::string::npos) << msg;
}

TEST_F(CSourceTest, WrongNumberOfParameters) {
  const std::string path = file("three.c", "\nint m(int a, int b, int c) { return a * b * c; }\n");
  EXPECT_EQ(error_of<ParseError>([&] { load_lut(path); }),
            path + ":2: function 'm' takes 3 parameters, expected two operands");
}

TEST_F(CSourceTest, MissingCompilerIsAToolError) {
  const std::string path = file("m.c", "int m(int a, int b) { return a * b; }\n");
  const char* old = std::getenv("CC");
  setenv("CC", "/nonexistent/cc", 1);
  SourceOptions o;
  o.is_signed = true;
  const std::string msg = error_of<ToolError>([&] { load_lut(path, o); });
  if (old) setenv("CC", old, 1); else unsetenv("CC");
  EXPECT_EQ(msg, "cannot run '/nonexistent/cc': No such file or directory (install it: apt-get install gcc)");
}

TEST_F(CSourceTest, WideOperandsAreNotMaterialisedButStream) {
  const std::string path = file("m.c", "int m(int a, int b) { return a * b; }\n");
  SourceOptions o;
  o.bits_a = 13;
  o.bits_b = 2;
  o.is_signed = true;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(path, o); }),
            path + ": 13x2 operands are too wide to materialise a table (at most 12x12); `axx metrics` streams wider ones");
  const Metrics m = metrics_of(path, o);
  EXPECT_EQ(m.bits_a, 13);
  EXPECT_EQ(m.mae, 0);
}

TEST_F(CSourceTest, ParameterTypesDecideTheSignedness) {
  // Exact-width signed types and unsigned types declare; wider signed types and plain char do not.
  struct Case {
    const char* params;
    int bits;
    std::optional<bool> declared;
  };
  const Case cases[] = {
      {"int8_t a, int8_t b", 8, true},          {"uint8_t a, uint8_t b", 8, false},
      {"signed char a, signed char b", 8, true}, {"unsigned char a, unsigned char b", 8, false},
      {"int16_t a, int16_t b", 16, true},       {"uint16_t a, uint16_t b", 16, false},
      {"short a, short b", 16, true},           {"unsigned a, unsigned b", 8, false},
      {"const uint8_t a, const uint8_t b", 8, false}, {"unsigned int a, unsigned long b", 8, false},
      {"int a, int b", 8, std::nullopt},        {"long a, long b", 8, std::nullopt},
      {"int16_t a, int16_t b", 8, std::nullopt}, {"char a, char b", 8, std::nullopt},
      {"int8_t a, int8_t b", 4, std::nullopt},
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string path =
        file("p" + std::to_string(n++) + ".c", std::string("#include <stdint.h>\nint m(") + c.params + ") { return a * b; }\n");
    SourceOptions o;
    o.bits_a = o.bits_b = c.bits;
    // open_source: the spec without materialising 16x16 tables.
    if (c.declared) {
      EXPECT_EQ(open_source(path, o).spec.is_signed, *c.declared) << c.params;
      if (c.bits == 8) EXPECT_EQ(load_lut(path, o).table, products({8, 8, *c.declared})) << c.params;
      o.is_signed = !*c.declared;
      EXPECT_NE(error_of<UsageError>([&] { open_source(path, o); }).find(" contradicts it"), std::string::npos)
          << c.params;
    } else {
      EXPECT_NE(error_of<UsageError>([&] { open_source(path, o); }).find("; give --signed or --unsigned"),
                std::string::npos)
          << c.params;
      for (bool s : {true, false}) {
        o.is_signed = s;
        EXPECT_EQ(open_source(path, o).spec.is_signed, s) << c.params;
      }
    }
  }
}

TEST_F(CSourceTest, SignednessMessages) {
  const std::string wide = file("wide.c", "int m(int a, int b) { return a * b; }\n");
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(wide); }),
            wide + ": parameters `int a` and `int b` do not fix the operands' signedness (a signed type exactly as "
                   "wide as the operand, or an unsigned type, would); give --signed or --unsigned");
  const std::string mixed = file("mixed.c", "#include <stdint.h>\nint m(uint8_t a, int8_t b) { return a * b; }\n");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(mixed); }),
            mixed + ": parameter `uint8_t a` is declared unsigned but parameter `int8_t b` is declared signed; both "
                    "operands of a table have one signedness");
  const std::string half = file("half.c", "#include <stdint.h>\nint m(uint8_t a, int b) { return a * b; }\n");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(half); }),
            half + ": parameter `uint8_t a` is declared unsigned but parameter `int b` declares no signedness; "
                   "declare both operands unsigned (or neither, and give --signed or --unsigned)");
  const std::string u = file("u.c", "#include <stdint.h>\nuint16_t m(uint8_t a, uint8_t b) { return a * b; }\n");
  SourceOptions o;
  o.is_signed = true;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(u, o); }),
            u + ": parameter `uint8_t a` and parameter `uint8_t b` are declared unsigned; --signed contradicts it");
  EXPECT_EQ(load_lut(u).provenance.signedness, "parameter `uint8_t a` and parameter `uint8_t b` are declared unsigned");
  SourceOptions narrow;
  narrow.bits_a = narrow.bits_b = 12;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(u, narrow); }),
            u + ": parameter `uint8_t a` is 8 bits wide; it cannot take 12-bit operands");
}

TEST(HeaderSource, TransAxxStyleHeader) {
  const Lut lut = load_lut(kData + "/transaxx_4x4.h");
  EXPECT_EQ(lut.name, "transaxx_4x4");
  EXPECT_EQ(lut.spec.bits_a, 2);
  EXPECT_TRUE(lut.spec.is_signed);
  std::vector<std::int32_t> expected = products({2, 2, true});
  expected[15] = 2;
  EXPECT_EQ(lut.table, expected);
  EXPECT_EQ(lut.provenance.detail, "array lut");
  EXPECT_EQ(lut.provenance.signedness, "signed by the TransAxx/AdaPT header convention");
  // A convention, not a declaration: the user may say otherwise.
  SourceOptions o;
  o.is_signed = false;
  const Lut u = load_lut(kData + "/transaxx_4x4.h", o);
  EXPECT_FALSE(u.spec.is_signed);
  EXPECT_EQ(u.provenance.signedness, "given: --unsigned");
}

TEST(HeaderSource, AxxHeaderDeclaresItsSignednessAndTheFileNamesIt) {
  const std::string dir = scratch_dir();
  Lut lut = testing::make_lut("inner-name", {2, 3, false}, [](std::int64_t a, std::int64_t b) { return a * b; });
  write_file(dir + "/outer.h", render_lut(lut, "header"));
  const Lut back = load_lut(dir + "/outer.h");
  EXPECT_EQ(back.name, "outer");  // the file's name, as for every file input
  EXPECT_FALSE(back.spec.is_signed);
  EXPECT_EQ(back.provenance.signedness, "AXX_LUT_INNER_NAME_SIGNED says unsigned");
  SourceOptions o;
  o.is_signed = true;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(dir + "/outer.h", o); }),
            dir + "/outer.h: AXX_LUT_INNER_NAME_SIGNED says unsigned; --signed contradicts it");
  SourceOptions bits;
  bits.bits_a = 3;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(dir + "/outer.h", bits); }),
            dir + "/outer.h: table has 2x3 operands, but 3x3 were requested");
  write_file(dir + "/bad.h", "#define AXX_LUT_X_SIGNED yes\nint t[4][4] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};\n");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(dir + "/bad.h"); }),
            dir + "/bad.h: AXX_LUT_X_SIGNED is 'yes', expected 0 or 1");
}

TEST(HeaderSource, SyntaxErrorsNameFileLineColumn) {
  const std::string dir = scratch_dir();
  write_file(dir + "/bad.h", "// x\nshort lut[4][4] = {\n  {0, 0, 0, 0},\n  {0, 1 2, 3},\n};\n");
  EXPECT_EQ(error_of<ParseError>([&] { load_lut(dir + "/bad.h"); }), dir + "/bad.h:4:9: expected ',' or '}', found '2'");
  write_file(dir + "/short.h", "int t[4][4] = {1, 2, 3};\n");
  EXPECT_EQ(error_of<ParseError>([&] { load_lut(dir + "/short.h"); }), dir + "/short.h:1:23: 't' has 3 values, expected 16");
  write_file(dir + "/word.h", "int t[4][4] = {1, x};\n");
  EXPECT_EQ(error_of<ParseError>([&] { load_lut(dir + "/word.h"); }), dir + "/word.h:1:19: expected an integer, found 'x'");
  write_file(dir + "/none.h", "int x = 3;\n");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(dir + "/none.h"); }),
            dir + "/none.h: no table found (expected a declaration like `short lut[256][256] = {...};`)");
  write_file(dir + "/dims.h", "\n\nint t[3][4] = {0};\n");
  EXPECT_EQ(error_of<ParseError>([&] { load_lut(dir + "/dims.h"); }),
            dir + "/dims.h:3:5: table 't' is [3][4], expected [2^bits_a][2^bits_b] with 2..12 bits per operand");
}

std::string npy_bytes(const std::string& header_dict, const std::string& data) {
  std::string h = header_dict;
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>(h.size() >> 8);
  return out + h + data;
}

TEST(NpySource, Int16LittleEndian) {
  const std::string dir = scratch_dir();
  std::string data;
  for (const std::int32_t v : products({2, 2, true})) {
    data += static_cast<char>(v & 0xff);
    data += static_cast<char>((v >> 8) & 0xff);
  }
  write_file(dir + "/t.npy", npy_bytes("{'descr': '<i2', 'fortran_order': False, 'shape': (4, 4), }", data));
  SourceOptions o;
  o.is_signed = true;
  const Lut lut = load_lut(dir + "/t.npy", o);
  EXPECT_EQ(lut.table, products({2, 2, true}));
  EXPECT_EQ(lut.provenance.kind, "npy");
  // Even a signed element type says nothing about the operands.
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(dir + "/t.npy"); }),
            dir + "/t.npy: a .npy table does not say whether its operands are signed; give --signed or --unsigned");
}

TEST(NpySource, BadInputs) {
  const std::string dir = scratch_dir();
  write_file(dir + "/magic.npy", "PK\x03\x04 not numpy");
  EXPECT_EQ(error_of<ParseError>([&] { load_lut(dir + "/magic.npy"); }),
            dir + "/magic.npy:1:1: not a .npy file (missing \\x93NUMPY magic)");
  write_file(dir + "/key.npy", npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (4, 4), 'x': 1}", ""));
  EXPECT_EQ(error_of<ParseError>([&] { load_lut(dir + "/key.npy"); }), dir + "/key.npy:1:69: npy header: unknown key 'x'");
  write_file(dir + "/shape.npy", npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (4, 5), }", std::string(80, '\0')));
  EXPECT_EQ(error_of<InputError>([&] { load_lut(dir + "/shape.npy"); }),
            dir + "/shape.npy: shape (4, 5) is not (2^bits_a, 2^bits_b) with 2..12 bits per operand");
  write_file(dir + "/short.npy", npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (4, 4), }", std::string(60, '\0')));
  EXPECT_EQ(error_of<InputError>([&] { load_lut(dir + "/short.npy"); }),
            dir + "/short.npy: expected 64 bytes of data after the header, found 60");
  write_file(dir + "/float.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", std::string(64, '\0')));
  EXPECT_EQ(error_of<InputError>([&] { load_lut(dir + "/float.npy"); }),
            dir + "/float.npy: unsupported dtype '<f4' (expected <i4 (int32), <i2 (int16), <i8 (int64), |i1 (int8), |u1 (uint8) or <u2 (uint16))");
}

TEST(ExpandTo256, NarrowOperandsRepeatByTruncatedPattern) {
  const Lut lut = testing::make_lut("n", {2, 3, true}, [](std::int64_t a, std::int64_t b) { return a * 10 + b; });
  const std::vector<std::int32_t> full = expand_to_256(lut);
  ASSERT_EQ(full.size(), 65536u);
  EXPECT_EQ(full[0xFF * 256 + 0xFF], -1 * 10 - 1);  // int8 -1 is pattern 3 / 7 of the narrow operands
  EXPECT_EQ(full[0x01 * 256 + 0xFE], 1 * 10 - 2);
  EXPECT_EQ(full[0x05 * 256 + 0x09], 1 * 10 + 1);
  const Lut wide = testing::make_lut("w", {9, 2, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  EXPECT_EQ(error_of<UsageError>([&] { expand_to_256(wide); }),
            "w: 9x2 operands do not fit the 256x256 layout (at most 8 bits each)");
}


// --- .json source ------------------------------------------------------------------------------

TEST(JsonSource, ReadsBackTheJsonWriterOutput) {
  for (const char* b : {"builtin:mul8s_trunc4", "builtin:mul8u_drum4"}) {
    const Lut lut = load_lut(b);
    const std::string path = scratch_dir() + "/" + lut.name + ".json";
    write_file(path, render_json(lut, compute_metrics(lut)));
    const Lut back = load_lut(path);
    EXPECT_EQ(back.table, lut.table) << b;
    EXPECT_EQ(back.spec.bits_a, 8);
    EXPECT_EQ(back.spec.is_signed, lut.spec.is_signed) << b;
    EXPECT_EQ(back.name, lut.name);
    EXPECT_EQ(back.provenance.kind, "json");
  }
}

TEST(JsonSource, BareArrayWithOptions) {
  const std::string path = scratch_dir() + "/bare.json";
  write_file(path, "[[0, 0, 0, 0],\n [0, 1, 2, 3],\n [0, 2, 4, 6],\n [0, 3, 6, 9]]\n");
  SourceOptions o;
  o.is_signed = false;
  o.name = "tiny";
  const Lut lut = load_lut(path, o);
  EXPECT_EQ(lut.table, products({2, 2, false}));
  EXPECT_FALSE(lut.spec.is_signed);
  EXPECT_EQ(lut.name, "tiny");
  o.name.clear();
  EXPECT_EQ(load_lut(path, o).name, "bare");
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(path); }),
            path + ": a bare JSON array does not say whether its operands are signed; give --signed or --unsigned");
  o.bits_a = 3;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(path, o); }),
            path + ": table has 2x2 operands, but 3x2 were requested");
}

TEST(JsonSource, SignedKeyDeclaresAndNameKeyIsIgnored) {
  const std::string dir = scratch_dir();
  const std::string rows = "[[0, 0, 0, 0], [0, 1, 2, 3], [0, 2, 4, 6], [0, 3, 6, 9]]";
  write_file(dir + "/obj.json", "{\"name\": \"inside\", \"signed\": false, \"table\": " + rows + "}");
  const Lut lut = load_lut(dir + "/obj.json");
  EXPECT_FALSE(lut.spec.is_signed);
  EXPECT_EQ(lut.name, "obj");
  EXPECT_EQ(lut.table, products({2, 2, false}));
  SourceOptions o;
  o.is_signed = true;
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(dir + "/obj.json", o); }),
            dir + "/obj.json: its \"signed\" key says unsigned; --signed contradicts it");
  write_file(dir + "/nosign.json", "{\"table\": " + rows + "}");
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(dir + "/nosign.json"); }),
            dir + "/nosign.json: it has no \"signed\" key; give --signed or --unsigned");
}

TEST(JsonSource, BadFilesNameFileLineColumn) {
  const std::string dir = scratch_dir();
  auto err = [&](const std::string& name, const std::string& text) {
    write_file(dir + "/" + name, text);
    return error_of<ParseError>([&] { load_lut(dir + "/" + name); });
  };
  EXPECT_EQ(err("ragged.json", "{\"table\": [[1, 2, 3, 4],\n  [1, 2, 3],\n  [1, 2, 3, 4], [1, 2, 3, 4]]}"),
            dir + "/ragged.json:2:3: row 1 has 3 entries, row 0 has 4");
  EXPECT_EQ(err("float.json", "[[1, 2, 3, 4], [1, 2.5, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]"),
            dir + "/float.json:1:20: table entries must be integers");
  EXPECT_EQ(err("big.json", "[[1, 2, 3, 4],\n[1, 2, 3, 4],\n[1, 2, 3, 4],\n[1, 2, 3, 4294967296]]"),
            dir + "/big.json:4:11: value 4294967296 does not fit in int32");
  EXPECT_EQ(err("shape.json", "{\"name\": \"x\",\n \"table\": [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]}"),
            dir + "/shape.json:2:11: table shape (4, 3) is not (2^bits_a, 2^bits_b) with 2..12 bits per operand");
  EXPECT_EQ(err("bits.json", "{\"bits_a\": 3, \"table\": [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]}"),
            dir + "/bits.json:1:2: \"bits_a\"/\"bits_b\" say 3x2 but the table is 4 x 4");
  EXPECT_EQ(err("syntax.json", "{\"table\": [[1, 2, 3, 4] [1, 2, 3, 4]]}"),
            dir + "/syntax.json:1:25: expected ',' or ']' after a row");
  EXPECT_EQ(err("trailing.json", "[[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]\n]"),
            dir + "/trailing.json:2:1: unexpected text after the JSON value");
  EXPECT_EQ(err("signed.json", "{\"signed\": 1, \"table\": []}"),
            dir + "/signed.json:1:12: \"signed\" must be true or false");
  EXPECT_EQ(err("empty.json", ""), dir + "/empty.json:1:1: expected '{' or '[' at the start of the file");
  write_file(dir + "/notable.json", "{\"name\": \"x\", \"metrics\": {\"mae\": 1.5, \"list\": [1, {\"a\": null}]}}");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(dir + "/notable.json"); }),
            dir + "/notable.json: no \"table\" key (a list of 2^bits_a rows)");
}

// Inputs found by the fuzz target tests/fuzz/json_fuzz.cc (docs/testing.md, "Fuzzing").
TEST(JsonSource, FuzzFindingsAreParseErrors) {
  const std::string dir = scratch_dir();
  auto err = [&](const std::string& name, const std::string& text) {
    write_file(dir + "/" + name, text);
    return error_of<ParseError>([&] { load_lut(dir + "/" + name); });
  };
  // Integers beyond int64 (and beyond double's range) were converted to long long for the message:
  // undefined behaviour.
  EXPECT_EQ(err("huge.json", "[[1, 2, 3, 4], [1, 2, 3, 99999999999999999999]]"),
            dir + "/huge.json:1:26: value 99999999999999999999 does not fit in int32");
  EXPECT_EQ(err("inf.json", "[[1, " + std::string(400, '9') + "]]"),
            dir + "/inf.json:1:6: value " + std::string(400, '9') + " does not fit in int32");
  // Unused values nested a million deep overflowed the stack; they are skipped without recursion.
  write_file(dir + "/deep.json", "{\"x\": " + std::string(1000000, '[') + std::string(1000000, ']') + "}");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(dir + "/deep.json"); }),
            dir + "/deep.json: no \"table\" key (a list of 2^bits_a rows)");
}

}  // namespace
}  // namespace axx::lutgen
