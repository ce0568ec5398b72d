// The built `axx` binary: exit statuses (0 ok, 1 usage, 2 bad input, 3 external tool), the exact
// one-line messages on stderr, atomic outputs and untouched inputs.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "../lutgen/test_util.h"
#include "multipliers/registry.h"

namespace {

using axx::lutgen::testing::read_file;
using axx::lutgen::testing::scratch_dir;
using axx::lutgen::testing::write_file;

struct Result {
  int status;
  std::string out, err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

Result axx(const std::string& dir, const std::vector<std::string>& args) {
  std::string cmd = "cd " + quote(dir) + " && " + quote(AXX_BIN);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " > out.txt 2> err.txt";
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_file(dir + "/out.txt"), read_file(dir + "/err.txt")};
}

const std::string kData = AXX_TEST_DATA;
const std::string kSrc = AXX_MULTIPLIERS_SRC;

TEST(AxxBinary, NoSubcommandIsAUsageError) {
  const auto r = axx(scratch_dir(), {});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: A subcommand is required (see axx --help)\n");
}

TEST(AxxBinary, HelpOnEverySubcommand) {
  const std::string dir = scratch_dir();
  for (const char* sub : {"lut", "metrics", "list", "compare", "heatmap", "decompose"}) {
    const auto r = axx(dir, {sub, "--help"});
    EXPECT_EQ(r.status, 0) << sub;
    EXPECT_NE(r.out.find(std::string("axx ") + sub), std::string::npos) << r.out;
  }
  const auto r = axx(dir, {"lut", "--help"});
  for (const char* opt : {"-o,--output", "--format", "--name", "--signed", "--unsigned", "--bits", "--a-bits",
                          "--b-bits", "--top", "--func", "--a ", "--b ", "--out", "--yosys", "--no-yosys",
                          "--yosys-bin", "--report", "builtin:NAME"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
}

TEST(AxxBinary, UsageErrors) {
  const std::string dir = scratch_dir();
  auto r = axx(dir, {"lut", "builtin:mul8s_exact", "--signed", "--unsigned"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: --signed excludes --unsigned (see axx --help)\n");
  r = axx(dir, {"lut", "builtin:mul8s_exact", "--bits", "4", "--a-bits", "4"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: --bits excludes --a-bits (see axx --help)\n");
  r = axx(dir, {"lut", "builtin:mul8s_exact", "-o", "t.txt"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "axx: error: t.txt: cannot tell the output format from the extension (known: .h, .hpp, .hh, .cuh, .npy, "
            ".json); use --format\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/t.txt"));
}

TEST(AxxBinary, MissingFileAndUnknownKind) {
  const std::string dir = scratch_dir();
  auto r = axx(dir, {"lut", "missing.blif", "-o", "out.h"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: missing.blif: cannot open: No such file or directory\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.h"));
  r = axx(dir, {"metrics", "mult.txt"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "axx: error: mult.txt: unknown input kind; expected one of: .blif, .v, .sv (netlist); .c, .cpp, .cc, .cxx "
            "(c); builtin:NAME (builtin); .h, .hpp, .hh, .cuh (header); .npy (npy); .json (json)\n");
}

TEST(AxxBinary, UnknownBuiltinListsValidNames) {
  std::string names;
  for (const auto& b : axx::multipliers::builtins()) names += (names.empty() ? "" : ", ") + std::string(b.name);
  const auto r = axx(scratch_dir(), {"metrics", "builtin:mul9"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: builtin:mul9: unknown built-in multiplier 'mul9'; valid names: " + names + "\n");
}

TEST(AxxBinary, SyntaxErrorsNameFileAndLineAndLeaveOutputsAlone) {
  const std::string dir = scratch_dir();
  write_file(dir + "/bad.h", "short lut[4][4] = {\n  0, 1, 2, 3,\n  4, 5; 6\n};\n");
  write_file(dir + "/old.npy", "previous contents");
  auto r = axx(dir, {"lut", "bad.h", "-o", "old.npy"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: bad.h:3:7: expected ',' or '}', found ';'\n");
  EXPECT_EQ(read_file(dir + "/old.npy"), "previous contents");
  std::string npy = "\x93NUMPY\x01";
  npy += '\0';
  npy += "\x36";
  npy += '\0';
  npy += "{'descr': '<i4', 'fortran_order': False, 'shape': [4, 4], }                \n";
  write_file(dir + "/bad.npy", npy);
  r = axx(dir, {"lut", "bad.npy"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: bad.npy:1:61: npy header: expected '('\n");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 5u);  // bad.h, old.npy, bad.npy, out.txt, err.txt: no temporary left behind
}

TEST(AxxBinary, MissingYosysIsExitStatusThree) {
  const std::string dir = scratch_dir();
  const std::string input = kSrc + "/mul8s_bam_h1v6_behav.v";
  const std::string before = read_file(input);
  const auto r = axx(dir, {"lut", input, "--yosys", "--yosys-bin", dir + "/no-such-yosys", "-o", "m.h"});
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.err.rfind("axx: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("yosys"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/m.h"));
  EXPECT_EQ(read_file(input), before);
}

TEST(AxxBinary, BehaviouralVerilogThroughYosysIsRecorded) {
  const std::string dir = scratch_dir();
  const std::string input = kSrc + "/mul8s_bam_h1v6_behav.v";
  const auto r = axx(dir, {"lut", input, "--yosys", "--report", "r.json", "-o", "m.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(dir + "/r.json"))["provenance"]["kind"], "yosys");
  EXPECT_EQ(read_file(dir + "/m.npy"), [&] {
    EXPECT_EQ(axx(dir, {"lut", "builtin:mul8s_bam_h1v6", "-o", "b.npy"}).status, 0);
    return read_file(dir + "/b.npy");
  }());
}

TEST(AxxBinary, ConversionsKeepInputsAndRoundTrip) {
  const std::string dir = scratch_dir();
  auto r = axx(dir, {"lut", kSrc + "/mul8s_bam_h1v6.blif", "-o", "m.npy", "--report", "m.json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string npy = read_file(dir + "/m.npy");
  r = axx(dir, {"lut", "m.npy", "-o", "m.h"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(dir + "/m.npy"), npy);
  r = axx(dir, {"lut", "m.h", "--format", "npy", "-o", "back.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(dir + "/back.npy"), npy);
  const auto report = nlohmann::json::parse(read_file(dir + "/m.json"));
  EXPECT_EQ(report["provenance"]["kind"], "blif");
  r = axx(dir, {"metrics", "m.npy", "m.h", "builtin:mul8s_bam_h1v6", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);
  for (const char* key : {"mae", "wce", "mre_percent", "nmed", "error_variance"}) {
    EXPECT_EQ(j[0][key], j[2][key]) << key;
    EXPECT_EQ(j[1][key], j[2][key]) << key;
  }
}

TEST(AxxBinary, RefusesToOverwriteTheInput) {
  const std::string dir = scratch_dir();
  ASSERT_EQ(axx(dir, {"lut", "builtin:mul8s_lor6", "-o", "m.h"}).status, 0);
  const std::string before = read_file(dir + "/m.h");
  const auto r = axx(dir, {"lut", "m.h", "-o", "./m.h", "--unsigned"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: ./m.h: is the input file; choose another output\n");
  EXPECT_EQ(read_file(dir + "/m.h"), before);
}

TEST(AxxBinary, CFunctionCompileErrorIsBadInput) {
  const std::string dir = scratch_dir();
  write_file(dir + "/m.c", "int m(int a, int b) {\n  return a * b +;\n}\n");
  const auto r = axx(dir, {"metrics", "m.c"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: m.c:2:17: expected expression before ';' token\n");
}

TEST(AxxBinary, HeatmapWritesAnSvg) {
  const std::string dir = scratch_dir();
  const auto r = axx(dir, {"heatmap", "builtin:mul8s_lor6", "-o", "h.svg"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(dir + "/h.svg").substr(0, 5), "<?xml");
  const auto png = axx(dir, {"heatmap", "builtin:mul8s_lor6", "-o", "h.png"});
  EXPECT_EQ(png.status, 1);
  EXPECT_FALSE(std::filesystem::exists(dir + "/h.png"));
}

TEST(AxxBinary, CrashingCModelIsBadInput) {
  const std::string dir = scratch_dir();
  write_file(dir + "/m.c", "int m(int a, int b) {\n  if (a == 2 && b == -1) *(volatile int*)0 = 0;\n  return a * b;\n}\n");
  const auto r = axx(dir, {"lut", "m.c", "-o", "m.npy"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: m.c: function 'm' crashed at a=2, b=-1: SIGSEGV (invalid memory access, or a stack "
                   "overflow such as from unbounded recursion)\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/m.npy"));
}

}  // namespace
