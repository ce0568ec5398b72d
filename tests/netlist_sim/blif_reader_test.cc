#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "test_util.h"

namespace axx::netlist {
namespace {

using test::TempDir;
using test::truth_table;

std::string parse_error(const std::string& path) {
  try {
    read_blif(path);
  } catch (const ParseError& e) {
    return e.what();
  } catch (const Error& e) {
    return std::string("not a ParseError: ") + e.what();
  }
  return "no error";
}

TEST(BlifReader, TwoInputCoversOnSetOffSetAndDontCares) {
  TempDir d;
  // y[0] = a & b, y[1] = a | b (off-set), y[2] = a ^ b, y[3] = ~a (don't care on b).
  std::string p = d.write("g.blif", R"(# tiny gates
.model g
.inputs a b
.outputs y[0] y[1] \
  y[2] y[3]
.names a b y[0]
11 1
.names a b y[1]
00 0
.names a b y[2]
01 1
10 1
.names a b y[3]
0- 1
.end
)");
  Netlist nl = read_blif(p);
  EXPECT_EQ(nl.name, "g");
  ASSERT_EQ(nl.outputs.size(), 1u);
  EXPECT_EQ(nl.outputs[0].name, "y");
  EXPECT_EQ(nl.outputs[0].bits.size(), 4u);
  // index = (a << 1) | b
  std::vector<std::uint64_t> want;
  for (unsigned a = 0; a < 2; ++a)
    for (unsigned b = 0; b < 2; ++b) want.push_back((a & b) | (a | b) << 1 | (a ^ b) << 2 | (1 - a) << 3);
  EXPECT_EQ(truth_table(nl), want);
}

// BLIF says nothing about signedness: the user has to.
TEST(BlifReader, SignednessIsLeftUnset) {
  TempDir d;
  std::string p = d.write("s.blif", ".model s\n.inputs a[0] a[1] b\n.outputs p[0] p[1]\n.names a[0] b p[0]\n11 1\n"
                                    ".names a[1] b p[1]\n11 1\n.end\n");
  Netlist nl = read_blif(p);
  for (const std::vector<Port>* ports : {&nl.inputs, &nl.outputs})
    for (const Port& port : *ports) EXPECT_EQ(port.declared_signed, std::nullopt) << port.name;
  EXPECT_EQ(nl.signed_product, std::nullopt);
}

TEST(BlifReader, ConstantNetsAndWideSumOfProducts) {
  TempDir d;
  // Buses a[1:0], b[1:0]; o[0] = majority(a0, a1, b0) | (b1 & ~a0 & a1 & b0); o[1] = 0; o[2] = 1;
  // o[3]: a 4-input off-set cover (zero only at a=3,b=3).
  std::string p = d.write("c.blif", R"(.model c
.inputs a[0] a[1] b[0] b[1]
.outputs o[0] o[1] o[2] o[3]
.names a[0] a[1] b[0] b[1] o[0]
11-- 1
1-1- 1
-11- 1
0111 1
.names o[1]
.names o[2]
1
.names a[0] a[1] b[0] b[1] o[3]
1111 0
.end
)");
  Netlist nl = read_blif(p);
  std::vector<std::uint64_t> t = truth_table(nl);
  for (unsigned a = 0; a < 4; ++a)
    for (unsigned b = 0; b < 4; ++b) {
      unsigned a0 = a & 1, a1 = a >> 1, b0 = b & 1, b1 = b >> 1;
      unsigned o0 = ((a0 + a1 + b0) >= 2) | (b1 & !a0 & a1 & b0);
      unsigned o3 = !(a == 3 && b == 3);
      EXPECT_EQ(t[(a << 2) | b], o0 | 0u << 1 | 1u << 2 | o3 << 3) << a << "," << b;
    }
}

TEST(BlifReader, SubcktHierarchyIsFlattened) {
  TempDir d;
  // 2-bit adder s = a + b from a half adder and a full adder model (second model is used first).
  std::string p = d.write("add.blif", R"(.model add2
.inputs a[0] a[1] b[0] b[1]
.outputs s[0] s[1] s[2]
.subckt ha x=a[0] y=b[0] s=s[0] c=c0
.subckt fa x=a[1] y=b[1] ci=c0 s=s[1] co=s[2]
.end

.model fa
.inputs x y ci
.outputs s co
.subckt ha x=x y=y s=t c=c1
.subckt ha x=t y=ci s=s c=c2
.names c1 c2 co
1- 1
-1 1
.end

.model ha
.inputs x y
.outputs s c
.names x y s
01 1
10 1
.names x y c
11 1
.end
)");
  Netlist nl = read_blif(p);
  EXPECT_EQ(nl.name, "add2");
  std::vector<std::uint64_t> t = truth_table(nl);
  for (unsigned a = 0; a < 4; ++a)
    for (unsigned b = 0; b < 4; ++b) EXPECT_EQ(t[(a << 2) | b], a + b);
  // A model can be chosen as the top.
  Netlist ha = read_blif(p, "ha");
  EXPECT_EQ(truth_table(ha, {"", "", "s"}), (std::vector<std::uint64_t>{0, 1, 1, 0}));
}

TEST(BlifReader, ConnAndTimingAnnotations) {
  TempDir d;
  std::string p = d.write("conn.blif", ".model m\n.inputs a b\n.outputs y z\n.names a b t\n11 1\n.conn t y\n"
                                       ".names b z\n0 1\n.cname g1\n.end\n");
  Netlist nl = read_blif(p);
  EXPECT_EQ(truth_table(nl, {"", "", "y"}), (std::vector<std::uint64_t>{0, 0, 0, 1}));
  EXPECT_EQ(truth_table(nl, {"", "", "z"}), (std::vector<std::uint64_t>{1, 0, 1, 0}));
}

TEST(BlifReader, RejectsLatch) {
  TempDir d;
  std::string p = d.write("l.blif", ".model m\n.inputs a\n.outputs q\n.latch a q re clk 0\n.end\n");
  EXPECT_EQ(parse_error(p), p + ":4: sequential construct '.latch' is not supported: axx simulates combinational "
                                "netlists only");
}

TEST(BlifReader, RejectsUnknownModel) {
  TempDir d;
  std::string p = d.write("u.blif", ".model m\n.inputs a b\n.outputs y\n.subckt nothere x=a y=y\n.end\n");
  EXPECT_EQ(parse_error(p), p + ":4: unknown model 'nothere' in .subckt");
}

TEST(BlifReader, RejectsUnknownSubcktPort) {
  TempDir d;
  std::string p = d.write("u.blif", ".model m\n.inputs a b\n.outputs y\n.subckt inv i=a q=y\n.end\n"
                                    ".model inv\n.inputs i\n.outputs o\n.names i o\n0 1\n.end\n");
  EXPECT_EQ(parse_error(p), p + ":4: model 'inv' has no port 'q'");
}

TEST(BlifReader, RejectsCombinationalLoop) {
  TempDir d;
  std::string p = d.write("loop.blif", ".model m\n.inputs a b\n.outputs y\n.names a x y\n11 1\n.names y b x\n11 1\n.end\n");
  EXPECT_EQ(parse_error(p), p + ":4: combinational loop through 'y' -> 'x' -> 'y'");
}

TEST(BlifReader, RejectsUndrivenNet) {
  TempDir d;
  std::string p = d.write("und.blif", ".model m\n.inputs a b\n.outputs y\n.names a ghost y\n11 1\n.end\n");
  EXPECT_EQ(parse_error(p), p + ":4: net 'ghost' is used but never driven");
}

TEST(BlifReader, RejectsMultiplyDrivenNet) {
  TempDir d;
  std::string p = d.write("md.blif", ".model m\n.inputs a b\n.outputs y\n.names a y\n1 1\n.names b y\n1 1\n.end\n");
  EXPECT_EQ(parse_error(p), p + ":6: net 'y' is driven more than once (also driven at " + p + ":4)");
}

TEST(BlifReader, RejectsMalformedCovers) {
  TempDir d;
  std::string p1 = d.write("m1.blif", ".model m\n.inputs a b\n.outputs y\n.names a b y\n1 1\n.end\n");
  EXPECT_EQ(parse_error(p1), p1 + ":5: cover row '1' has 1 literals, expected 2");
  std::string p2 = d.write("m2.blif", ".model m\n.inputs a b\n.outputs y\n.names a b y\n11 1\n00 0\n.end\n");
  EXPECT_EQ(parse_error(p2), p2 + ":6: cover of 'y' mixes on-set (1) and off-set (0) rows");
  std::string p3 = d.write("m3.blif", ".model m\n.inputs a\n.outputs y\n.gate and2 A=a Y=y\n.end\n");
  EXPECT_EQ(parse_error(p3), p3 + ":4: unsupported BLIF construct '.gate'");
}

// Random covers of 0..6 inputs (on-set and off-set, with don't cares) against direct evaluation of
// the cover: exercises both the small-function matcher and the sum-of-products lowering.
TEST(BlifReader, RandomCoversMatchTheirDefinition) {
  TempDir d;
  std::mt19937 rng(7);
  auto pick = [&](unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng); };
  for (int trial = 0; trial < 300; ++trial) {
    unsigned n = pick(0, 6);
    bool onset = pick(0, 1);
    unsigned rows = pick(0, 5);
    std::vector<std::string> cover;
    for (unsigned r = 0; r < rows; ++r) {
      std::string row;
      for (unsigned i = 0; i < n; ++i) row += "01-"[pick(0, 2)];
      cover.push_back(row);
    }
    // Inputs x[0..n-1] split as a = x[0..ka-1], b = the rest (at least one bit each via padding).
    unsigned ka = n / 2, kb = n - ka;
    std::string text = ".model r\n.inputs";
    for (unsigned i = 0; i < std::max(ka, 1u); ++i) text += " a[" + std::to_string(i) + "]";
    for (unsigned i = 0; i < std::max(kb, 1u); ++i) text += " b[" + std::to_string(i) + "]";
    text += "\n.outputs y\n.names";
    // Cover input i: b bits first (index bits 0..kb-1), then a bits.
    for (unsigned i = 0; i < n; ++i) text += i < kb ? " b[" + std::to_string(i) + "]" : " a[" + std::to_string(i - kb) + "]";
    text += " y\n";
    for (const std::string& row : cover) text += (n ? row + " " : "") + (onset ? "1" : "0") + "\n";
    text += ".end\n";
    Netlist nl = read_blif(d.write("r.blif", text));
    std::vector<std::uint64_t> t = truth_table(nl);
    unsigned wb = std::max(kb, 1u);
    for (std::uint64_t idx = 0; idx < t.size(); ++idx) {
      // Cover input i is index bit i for i < kb, index bit wb + (i - kb) for a bits.
      bool hit = false;
      for (const std::string& row : cover) {
        bool match = true;
        for (unsigned i = 0; i < n && match; ++i) {
          unsigned bitpos = i < kb ? i : wb + (i - kb);
          bool v = (idx >> bitpos) & 1;
          if ((row[i] == '1' && !v) || (row[i] == '0' && v)) match = false;
        }
        hit = hit || match;
      }
      // A cover without rows is constant 0 whatever the intended set.
      std::uint64_t want = cover.empty() ? 0 : std::uint64_t(hit == onset);
      ASSERT_EQ(t[idx], want) << text << "index " << idx;
    }
  }
}

TEST(BlifReader, MissingFile) {
  try {
    read_blif("/nonexistent/x.blif");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/x.blif: cannot open file");
  }
}

// Found with the fuzz target tests/fuzz/blif_fuzz.cc (docs/testing.md, "Fuzzing"): a 2 KB file whose
// 30 models each instantiate the next twice flattened into 2^30 gates (hours, then out of memory).
TEST(BlifReader, ExponentialHierarchyIsBounded) {
  TempDir d;
  std::string text = ".model top\n.inputs a\n.outputs y\n.subckt m0 i=a o=y\n.end\n";
  for (int k = 0; k < 30; ++k) {
    text += ".model m" + std::to_string(k) + "\n.inputs i\n.outputs o\n";
    if (k + 1 < 30) {
      const std::string next = "m" + std::to_string(k + 1);
      text += ".subckt " + next + " i=i o=t\n.subckt " + next + " i=t o=o\n";
    } else {
      text += ".names i o\n1 1\n";
    }
    text += ".end\n";
  }
  std::string p = d.write("exp.blif", text);
  // Refused from the module graph before anything is flattened (2^30 gates).
  try {
    read_blif(p);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), p + ": the flattened netlist has more than 16777216 gates");
  }
}

}  // namespace
}  // namespace axx::netlist
