// The built `axx` binary: exit statuses (0 ok, 1 usage, 2 bad input, 3 external tool), the exact
// one-line messages on stderr, atomic outputs and untouched inputs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <tuple>
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

// PREFIX runs in the shell before axx (e.g. "ulimit -f 16 && ").
Result axx(const std::string& dir, const std::vector<std::string>& args, const std::string& prefix = "") {
  std::string cmd = "cd " + quote(dir) + " && " + prefix + quote(AXX_BIN);
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
                          "--b-bits", "--top", "--func", "--port-a", "--port-b", "--port-out", "--yosys", "--no-yosys",
                          "--yosys-bin", "--report", "builtin:NAME"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
  // The input kinds, .json included, on every subcommand that reads inputs.
  for (const char* sub : {"lut", "metrics", "compare"}) {
    const auto h = axx(dir, {sub, "--help"});
    for (const char* kind : {".blif", ".v", ".c", "builtin:NAME", ".h", ".npy", ".json"}) {
      EXPECT_NE(h.out.find(kind), std::string::npos) << sub << " " << kind;
    }
  }
}

TEST(AxxBinary, Version) {
  const auto r = axx(scratch_dir(), {"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, std::string("axx ") + AXX_PROJECT_VERSION + "\n");
}

// `--out` was once the netlist output port; now nothing is called that, so a mistaken
// `--out FILE` (for -o) stops with a usage error instead of printing the table to stdout.
TEST(AxxBinary, OptionsThatDoNotApplyAreUsageErrors) {
  const std::string dir = scratch_dir();
  const std::string c = kSrc + "/mul8u_trunc6.c", blif = kSrc + "/mul8s_bam_h1v6.blif";
  const std::string c_opts = " (its options: --signed/--unsigned, --bits, --a-bits, --b-bits, --name, --func)";
  const std::string blif_opts =
      " (its options: --signed/--unsigned, --bits, --a-bits, --b-bits, --name, --top, --port-a, --port-b, --port-out)";
  auto r = axx(dir, {"lut", c, "--out", "f.h"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "axx: error: The following arguments were not expected: f.h --out (see axx --help)\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/f.h"));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"lut", c, "--port-out", "p"}, c + ": --port-out does not apply to a C function" + c_opts},
      {{"lut", c, "--top", "m"}, c + ": --top does not apply to a C function" + c_opts},
      {{"metrics", blif, "--func", "f", "--signed"}, blif + ": --func does not apply to a BLIF netlist" + blif_opts},
      {{"metrics", blif, "--yosys", "--signed"}, blif + ": --yosys/--no-yosys does not apply to a BLIF netlist" + blif_opts},
      {{"metrics", "builtin:mul8s_exact", "--yosys-bin", "/bin/yosys"},
       "builtin:mul8s_exact: --yosys-bin does not apply to a built-in multiplier (its options: --signed/--unsigned, "
       "--bits, --a-bits, --b-bits, --name)"},
      {{"metrics", "builtin:mul8s_exact", "--bits", "4"}, "builtin:mul8s_exact: table has 8x8 operands, but 4x4 were requested"},
      {{"metrics", "builtin:mul8s_exact", "--unsigned"},
       "builtin:mul8s_exact: the built-in multiplier is signed; --unsigned contradicts it"},
  };
  for (const auto& [args, message] : cases) {
    r = axx(dir, args);
    EXPECT_EQ(r.status, 1) << message;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n");
    EXPECT_EQ(r.out, "") << message;
  }
}

// The same unsigned design gives one answer, the loop's, wherever it is read from; a netlist that
// does not declare its signedness gives none until the user says.
TEST(AxxBinary, SignednessIsDeclaredOrGivenNeverGuessed) {
  const std::string dir = scratch_dir();
  double sum = 0;
  for (std::int64_t a = 0; a < 256; ++a) {
    for (std::int64_t b = 0; b < 256; ++b) {
      std::int64_t p = 0;
      for (int i = 0; i < 8; ++i) {
        if ((b >> i) & 1) p += (a << i) & ~std::int64_t{63};
      }
      sum += static_cast<double>(a * b - p);  // truncation only ever drops bits: p <= a*b
    }
  }
  auto r = axx(dir, {"metrics", kSrc + "/mul8u_trunc6.c", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j[0]["signed"], false);
  EXPECT_EQ(j[0]["mae"].get<double>(), sum / 65536);

  r = axx(dir, {"metrics", kData + "/mul2u.blif"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: " + kData + "/mul2u.blif: BLIF ports carry no signedness; give --signed or --unsigned\n");
  EXPECT_EQ(r.out, "");
  r = axx(dir, {"metrics", kData + "/mul2u.blif", "--unsigned", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j[0]["signed"], false);
  for (const char* key : {"ep_percent", "mae", "wce", "mse", "mred", "bias"}) EXPECT_EQ(j[0][key], 0) << key;
  // What `lut --report` and the text table say about it.
  r = axx(dir, {"lut", kData + "/mul2u.blif", "--unsigned", "-o", "m.npy", "--report", "m.json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir + "/m.json"));
  EXPECT_EQ(report["signed"], false);
  EXPECT_EQ(report["provenance"]["signedness"], "given: --unsigned");
  r = axx(dir, {"compare", "m.json", "builtin:mul8u_exact"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("  signed  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nm "), std::string::npos) << r.out;
  r = axx(dir, {"metrics", "m.npy"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: m.npy: a .npy table does not say whether its operands are signed; give --signed or "
                   "--unsigned\n");
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
            "axx: error: mult.txt: unknown input kind; expected one of: .blif (blif); .v, .sv (verilog); .c, .cpp, .cc, "
            ".cxx (c); builtin:NAME (builtin); .h, .hpp, .hh, .cuh (header); .npy (npy); .json (json)\n");
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
  EXPECT_EQ(r.err, "axx: error: yosys not found ('" + dir + "/no-such-yosys' is not an executable); it is needed to read " +
                       input + ": install the Debian package 'yosys' (apt-get install yosys) or name the executable "
                               "with the yosys-bin option\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/m.h"));
  EXPECT_EQ(read_file(input), before);
}

TEST(AxxBinary, BehaviouralVerilogThroughYosysIsRecorded) {
  const std::string dir = scratch_dir();
  const std::string input = kSrc + "/mul8s_bam_h1v6_behav.v";
  // --signed agrees with the `signed` ports; it is needed only while the reader does not record them.
  const auto r = axx(dir, {"lut", input, "--yosys", "--signed", "--report", "r.json", "-o", "m.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(dir + "/r.json"))["provenance"]["kind"], "yosys");
  EXPECT_EQ(read_file(dir + "/m.npy"), [&] {
    EXPECT_EQ(axx(dir, {"lut", "builtin:mul8s_bam_h1v6", "-o", "b.npy"}).status, 0);
    return read_file(dir + "/b.npy");
  }());
}

TEST(AxxBinary, ConversionsKeepInputsAndRoundTrip) {
  const std::string dir = scratch_dir();
  auto r = axx(dir, {"lut", kSrc + "/mul8s_bam_h1v6.blif", "--signed", "-o", "m.npy", "--report", "m.json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string npy = read_file(dir + "/m.npy");
  r = axx(dir, {"lut", "m.npy", "--signed", "-o", "m.h"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(dir + "/m.npy"), npy);
  r = axx(dir, {"lut", "m.h", "--format", "npy", "-o", "back.npy"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(dir + "/back.npy"), npy);
  const auto report = nlohmann::json::parse(read_file(dir + "/m.json"));
  EXPECT_EQ(report["provenance"]["kind"], "blif");
  r = axx(dir, {"metrics", "m.npy", "m.h", "builtin:mul8s_bam_h1v6", "m.json", "--signed", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 4u);
  EXPECT_EQ(j[3]["name"], "m");  // the report read back as an input
  for (const char* key : {"mae", "wce", "mre_percent", "nmed", "error_variance"}) {
    EXPECT_EQ(j[0][key], j[2][key]) << key;
    EXPECT_EQ(j[1][key], j[2][key]) << key;
    EXPECT_EQ(j[3][key], j[2][key]) << key;
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
  const auto r = axx(dir, {"metrics", "m.c", "--signed"});
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
  const auto r = axx(dir, {"lut", "m.c", "--signed", "-o", "m.npy"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: m.c: function 'm' crashed at a=2, b=-1: SIGSEGV (invalid memory access, or a stack "
                   "overflow such as from unbounded recursion)\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/m.npy"));
}


// Any two outputs of one command naming one file, or an output naming the input, are a usage error
// before any work: "./x" and "x", and a path through a linked folder, are the same file.
TEST(AxxBinary, TwoOutputsNamingOneFileAreAUsageError) {
  const std::string dir = scratch_dir();
  std::filesystem::create_directory(dir + "/sub");
  std::filesystem::create_directory_symlink(dir + "/sub", dir + "/link");
  write_file(dir + "/sub/keep.json", "previous");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"lut", "builtin:mul8s_trunc4", "-o", "same.json", "--report", "same.json"},
       "same.json: -o and --report name the same file; choose two different outputs"},
      {{"lut", "builtin:mul8s_trunc4", "-o", "./same.json", "--report", "same.json"},
       "same.json: -o and --report name the same file; choose two different outputs"},
      {{"lut", "builtin:mul8s_trunc4", "-o", "sub/keep.json", "--report", "link/keep.json"},
       "link/keep.json: -o and --report name the same file; choose two different outputs"},
      {{"lut", "builtin:mul8s_trunc4", "--format", "json", "-o", "link/../sub/keep.json", "--report", dir + "/sub/keep.json"},
       dir + "/sub/keep.json: -o and --report name the same file; choose two different outputs"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = axx(dir, args);
    EXPECT_EQ(r.status, 1) << message;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n");
    EXPECT_EQ(r.out, "");
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/same.json"));
  EXPECT_EQ(read_file(dir + "/sub/keep.json"), "previous");
  // The report onto the input, through the linked folder; the heatmap onto its input.
  ASSERT_EQ(axx(dir, {"lut", "builtin:mul8s_trunc4", "-o", "sub/t.json"}).status, 0);
  const std::string before = read_file(dir + "/sub/t.json");
  auto r = axx(dir, {"lut", "sub/t.json", "-o", "t.h", "--report", "link/t.json"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: link/t.json: is the input file; choose another output\n");
  EXPECT_EQ(read_file(dir + "/sub/t.json"), before);
  EXPECT_FALSE(std::filesystem::exists(dir + "/t.h"));
  write_file(dir + "/h.svg", "not yet a figure");
  r = axx(dir, {"heatmap", "h.svg", "-o", "./h.svg"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: ./h.svg: is the input file; choose another output\n");
  EXPECT_EQ(read_file(dir + "/h.svg"), "not yet a figure");
  // Distinct names still work, and "-" (stdout) is no file.
  r = axx(dir, {"lut", "builtin:mul8s_trunc4", "-o", "-", "--report", "r.json"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("axx_lut_mul8s_trunc4"), std::string::npos);
}

// Every documented exit status at the binary level, each with its whole message and no output.
TEST(AxxBinary, DocumentedExitStatuses) {
  const std::string dir = scratch_dir();
  write_file(dir + "/two.c", "int f(int a, int b) { return a * b; }\nint g(int a, int b) { return a + b; }\n");
  write_file(dir + "/wide.c", "#include <stdint.h>\nuint32_t w(uint16_t a, uint16_t b) { return (uint32_t)a * b; }\n");
  std::filesystem::create_directory(dir + "/ro");
  struct Case {
    std::vector<std::string> args;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"lut", "builtin:mul8s_exact", "--frobnicate"}, 1,
       "The following argument was not expected: --frobnicate (see axx --help)"},
      {{"lut"}, 1, "INPUT is required (see axx --help)"},
      {{"metrics"}, 1, "INPUT is required (see axx --help)"},
      {{"lut", "builtin:mul8s_exact", "--format", "csv"}, 1,
       "unknown format 'csv'; valid formats: header, transaxx, npy, json"},
      {{"lut", "wide.c"}, 1,
       "wide.c: 16x16 operands are too wide to materialise a table (at most 12x12); `axx metrics` streams wider ones"},
      {{"lut", "two.c", "--signed"}, 1, "two.c: several functions (f, g); choose one with --func"},
      {{"lut", "missing.c"}, 2, "missing.c: cannot open: No such file or directory"},
      {{"lut", "builtin:mul8s_exact", "-o", "no-such-dir/t.h"}, 2,
       "no-such-dir/t.h: cannot write: No such file or directory"},
  };
  for (const auto& c : cases) {
    const auto r = axx(dir, c.args);
    EXPECT_EQ(r.status, c.status) << c.message;
    EXPECT_EQ(r.err, "axx: error: " + c.message + "\n");
    EXPECT_EQ(r.out, "") << c.message;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/no-such-dir"));
}

// The C compiler missing: $CC naming nothing, or no `cc` on PATH. Exit status 3, nothing written.
TEST(AxxBinary, MissingCompilerIsExitStatusThree) {
  const std::string dir = scratch_dir();
  write_file(dir + "/m.c", "int m(signed char a, signed char b) { return a * b; }\n");
  const std::string run = "cd " + quote(dir) + " && ";
  auto status_of = [&](const std::string& env) {
    const int rc = std::system((run + env + " " + quote(AXX_BIN) + " lut m.c -o m.h > out.txt 2> err.txt").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  EXPECT_EQ(status_of("CC=" + dir + "/no-such-cc"), 3);
  EXPECT_EQ(read_file(dir + "/err.txt"),
            "axx: error: cannot run '" + dir + "/no-such-cc': No such file or directory (install it: apt-get install gcc)\n");
  EXPECT_EQ(read_file(dir + "/out.txt"), "");
  // An empty PATH: `cc` itself is not found.
  EXPECT_EQ(status_of("env -u CC PATH=" + dir + "/empty-path"), 3);
  EXPECT_EQ(read_file(dir + "/err.txt"),
            "axx: error: cannot run 'cc': No such file or directory (install it: apt-get install gcc)\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/m.h"));
}

// The subcommands' outputs other than the default: list --json/--markdown, compare --sort/--json,
// metrics' text table, decompose's ranks; numbers against loops here.
TEST(AxxBinary, ListCompareMetricsAndDecomposeOutputs) {
  const std::string dir = scratch_dir();
  // mul8u_trunc6 by the test's loop.
  double sum = 0, wce = 0;
  for (std::int64_t a = 0; a < 256; ++a)
    for (std::int64_t b = 0; b < 256; ++b) {
      std::int64_t p = 0;
      for (int i = 0; i < 8; ++i)
        if ((b >> i) & 1) p += (a << i) & ~std::int64_t{63};
      sum += static_cast<double>(a * b - p);
      wce = std::max(wce, static_cast<double>(a * b - p));
    }
  auto r = axx(dir, {"list", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), axx::multipliers::builtins().size());
  for (std::size_t i = 0; i < j.size(); ++i) EXPECT_EQ(j[i]["name"], axx::multipliers::builtins()[i].name);
  for (const auto& row : j) {
    if (row["name"] == "mul8u_trunc6") {
      EXPECT_EQ(row["mae"].get<double>(), sum / 65536);
      EXPECT_EQ(row["wce"].get<double>(), wce);
    }
    if (row["name"] == "mul8s_exact" || row["name"] == "mul8u_exact") EXPECT_EQ(row["mae"], 0);
  }
  r = axx(dir, {"list", "--markdown"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("| name | bits | signed | EP% | MAE |", 0), 0u) << r.out;
  EXPECT_EQ(static_cast<std::size_t>(std::count(r.out.begin(), r.out.end(), '\n')),
            axx::multipliers::builtins().size() + 2);
  EXPECT_NE(r.out.find("| mul8s_exact | 8x8 | yes | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"), std::string::npos)
      << r.out;
  r = axx(dir, {"list", "--json", "--markdown"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: --json excludes --markdown (see axx --help)\n");

  // compare --sort wce --json: ascending |wce|, the values the loops give.
  r = axx(dir, {"compare", "builtin:mul8u_trunc6", "builtin:mul8u_exact", "builtin:mul8u_drum4", "--sort", "wce",
                "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["name"], "mul8u_exact");
  for (std::size_t i = 1; i < j.size(); ++i) EXPECT_LE(j[i - 1]["wce"].get<double>(), j[i]["wce"].get<double>());
  for (const auto& row : j)
    if (row["name"] == "mul8u_trunc6") EXPECT_EQ(row["wce"].get<double>(), wce);
  r = axx(dir, {"compare", "builtin:mul8u_trunc6", "builtin:mul8u_exact", "--sort", "speed"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "axx: error: unknown metric 'speed' for --sort; valid: ep_percent, mae, mae_percent, wce, wce_percent, mse, "
            "rmse, mre_percent, wcre_percent, mred, nmed, bias, error_variance\n");

  // metrics: the default text table, whole, for the exact design.
  r = axx(dir, {"metrics", "builtin:mul8s_exact"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "name         bits  signed  EP%  MAE  MAE%  WCE  WCE%  MSE  RMSE  MRE%  WCRE%  MRED  NMED  bias  var\n"
            "mul8s_exact   8x8     yes    0    0     0    0     0    0     0     0      0     0     0     0    0\n");

  // decompose: the rank printed, and --max-rank below it.
  r = axx(dir, {"decompose", "builtin:mul8s_trunc4"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "mul8s_trunc4: exact rank 4");  // rank: cli_commands_test
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 5);
  r = axx(dir, {"decompose", "builtin:mul8s_trunc4", "--max-rank", "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "mul8s_trunc4: exact rank of LUT - a*b is above 3; no low-rank form (the table-lookup kernels "
                   "serve this multiplier)\n");
  r = axx(dir, {"decompose", "builtin:mul8s_trunc4", "--max-rank", "x"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "axx: error: Could not convert: --max-rank = x (see axx --help)\n");
}

// Hostile netlists through the CLI (docs/testing.md, "Hostile netlists"): one message, exit status
// 2 for bad input, no output file; operands wider than the tables take are refused before reading
// the pairs.
TEST(AxxBinary, HostileNetlists) {
  const std::string dir = scratch_dir();
  const std::string head = "module m(input [7:0] a, input [7:0] b, output y);\n  assign y = ";
  write_file(dir + "/deep.v", head + std::string(60000, '(') + "a[0]" + std::string(60000, ')') + ";\nendmodule\n");
  write_file(dir + "/nul.blif", std::string(".model m\n.inputs a b\n.outputs y\n.names a b y\n1\0 1\n.end\n", 50));
  write_file(dir + "/gap.blif", ".model m\n.inputs a[0] a[5] b[0] b[1]\n.outputs y\n.names a[5] b[1] y\n11 1\n.end\n");
  write_file(dir + "/w33.v", "module m(input [32:0] a, input [32:0] b, output [63:0] y);\n  assign y = {a[31:0], b[31:0]};\nendmodule\n");
  std::vector<std::tuple<std::string, int, std::string>> cases = {
      {"nul.blif", 2, "nul.blif:5: NUL byte: not a text file"},
      {"gap.blif", 2, "gap.blif:2: input bus 'a' has a[5] but no a[1]"},
      {"w33.v", 1, "operand width 33 is out of range (2..16 bits)"},
  };
#if !defined(__SANITIZE_ADDRESS__)  // ASan cannot unwind the 50000-deep stack (hostile_test.cc)
  cases.push_back({"deep.v", 2, "deep.v:2:50014: expression nested more than 50000 levels deep (split it into several assignments)"});
#endif
  for (const auto& [file, status, message] : cases) {
    std::vector<std::string> args = {"lut", file, "--unsigned", "-o", "t.npy"};
    if (file.size() > 2 && file.substr(file.size() - 2) == ".v") args.push_back("--no-yosys");
    const auto r = axx(dir, args);
    EXPECT_EQ(r.status, status) << file;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n");
    EXPECT_EQ(r.out, "") << file;
    EXPECT_FALSE(std::filesystem::exists(dir + "/t.npy")) << file;
  }
}

// ---- Hostile inputs and outputs (docs/testing.md#hostile-inputs) ----

// The files in DIR other than the test's own out.txt and err.txt.
std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n != "out.txt" && n != "err.txt") names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Deterministic binary garbage: every byte value, NULs and newlines included.
std::string garbage(std::size_t n, std::uint32_t seed) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    s += static_cast<char>(seed >> 24);
  }
  return s;
}

// A one-line message of readable characters (control bytes and non-UTF-8 are escaped as \xNN).
void expect_one_clean_line(const std::string& err) {
  ASSERT_FALSE(err.empty());
  EXPECT_EQ(err.find('\n'), err.size() - 1) << err;
  for (unsigned char c : err.substr(0, err.size() - 1)) EXPECT_TRUE(c >= 0x20 && c != 0x7f) << err;
}

// Binary garbage behind each table and netlist extension: exit 2, one readable line naming the
// file, the previous output intact, nothing else written.
TEST(AxxHostile, BinaryGarbageWithAValidExtension) {
  const std::string dir = scratch_dir();
  write_file(dir + "/keep.npy", "previous");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"g.npy", "g.npy:1:1: not a .npy file (missing \\x93NUMPY magic)"},
      {"g.json", "g.json:1:1: expected '{' or '[' at the start of the file"},
      {"g.h", "g.h:2:103: unterminated string"},
      {"g.blif", "g.blif:2: NUL byte: not a text file"},
      {"g.v", "g.v:7:68: NUL byte: not a text file"},
      // Bytes that are not UTF-8 come back as \xNN; a valid sequence (here U+05DF) as itself.
      {"h.blif", "h.blif:1: unexpected '\\xb0:\\xe3=\xD7\x9F\\x9a-|' outside a .names cover"},
      {"g.c", "g.c: no non-static function defined; name one with --func"},
  };
  for (const auto& [name, message] : cases) {
    // h.blif: non-UTF-8 bytes without a NUL, so the reader gets as far as quoting them
    write_file(dir + "/" + name, name == "h.blif" ? std::string("\xb0:\xe3=\xd7\x9f\x9a-|\n")
                                                  : garbage(3000, static_cast<std::uint32_t>(name.size() * 7919 + name.back())));
    const std::string before = read_file(dir + "/" + name);
    const auto r = axx(dir, {"lut", name, "--signed", "-o", "keep.npy"});
    EXPECT_EQ(r.status, 2) << name << ": " << r.err;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n") << name;
    expect_one_clean_line(r.err);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(read_file(dir + "/keep.npy"), "previous");
    EXPECT_EQ(read_file(dir + "/" + name), before);
  }
  // Garbage after a valid start, which takes each table reader past its first check.
  std::string hdr = "{'descr': '<i4', 'fortran_order': False, 'shape': (4, 4), }";
  hdr.resize(128 - 10 - 1, ' ');
  hdr += '\n';
  const std::string npy = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(hdr.size()) + '\0' + hdr;
  const std::vector<std::tuple<std::string, std::string, std::string>> prefixed = {
      {"p.npy", npy + garbage(40, 1), "p.npy: expected 64 bytes of data after the header, found 40"},
      {"p.json", "{\"signed\": true, \"table\": [[1, 2, 3, 4], [" + garbage(200, 2), "p.json:1:43: expected a number"},
      {"p.h", "short lut[4][4] = {\n  {0, 1, 2, 3},\n  {" + garbage(200, 3), "p.h:3:4: expected an integer, found '<'"},
  };
  for (const auto& [name, text, message] : prefixed) {
    write_file(dir + "/" + name, text);
    const auto r = axx(dir, {"lut", name, "--signed", "-o", "keep.npy"});
    EXPECT_EQ(r.status, 2) << name << ": " << r.err;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n") << name;
    expect_one_clean_line(r.err);
    EXPECT_EQ(read_file(dir + "/keep.npy"), "previous");
  }
  // Empty files of every table kind.
  const std::vector<std::pair<std::string, std::string>> empty = {
      {"e.npy", "e.npy:1:1: not a .npy file (missing \\x93NUMPY magic)"},
      {"e.json", "e.json:1:1: expected '{' or '[' at the start of the file"},
      {"e.h", "e.h: no table found (expected a declaration like `short lut[256][256] = {...};`)"},
  };
  for (const auto& [name, message] : empty) {
    write_file(dir + "/" + name, "");
    const auto r = axx(dir, {"lut", name, "--signed", "-o", "keep.npy"});
    EXPECT_EQ(r.status, 2) << name;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n") << name;
  }
  EXPECT_EQ(read_file(dir + "/keep.npy"), "previous");
  for (const auto& f : files_in(dir)) EXPECT_EQ(f.find(".axx-"), std::string::npos) << f;
}

// Values outside int32, as decimal and octal/hex literals, in every table format: the message names
// the value as written and where it is.
TEST(AxxHostile, ValuesOutsideInt32) {
  const std::string dir = scratch_dir();
  auto h = [](const std::string& last) {
    return "int lut[4][4] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, " + last + "};\n";
  };
  auto j = [](const std::string& last) {
    return "[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, " + last + "]]\n";
  };
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"a.h", h("2147483648"), "a.h:1:68: value 2147483648 does not fit in int32"},
      {"b.h", h("-2147483649"), "b.h:1:69: value -2147483649 does not fit in int32"},
      {"c.h", h("0x80000000"), "c.h:1:68: value 2147483648 does not fit in int32"},
      {"d.h", h("99999999999999999999999"), "d.h:1:68: value 99999999999999999999999 does not fit in int32"},
      {"e.h", h("-0xffffffffffffffffffff"), "e.h:1:69: value -0xffffffffffffffffffff does not fit in int32"},
      {"a.json", j("2147483648"), "a.json:1:59: value 2147483648 does not fit in int32"},
      {"b.json", j("-2147483649"), "b.json:1:59: value -2147483649 does not fit in int32"},
      {"c.json", j("99999999999999999999999"), "c.json:1:59: value 99999999999999999999999 does not fit in int32"},
      {"d.json", j("-1e400"), "d.json:1:59: table entries must be integers"},
  };
  for (const auto& [name, text, message] : cases) {
    write_file(dir + "/" + name, text);
    const auto r = axx(dir, {"lut", name, "--signed"});
    EXPECT_EQ(r.status, 2) << name;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n");
    EXPECT_EQ(r.out, "");
  }
  // int32's own limits are values, not errors: read back exactly.
  write_file(dir + "/lim.h", h("-2147483648").replace(17, 1, "2147483647"));
  const auto r = axx(dir, {"lut", "lim.h", "--signed", "--format", "json", "-o", "lim.json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto t = nlohmann::json::parse(read_file(dir + "/lim.json"))["table"];
  EXPECT_EQ(t[0][0].get<std::int64_t>(), 2147483647);
  EXPECT_EQ(t[3][3].get<std::int64_t>(), -2147483648LL);
  EXPECT_EQ(t[0][1].get<std::int64_t>(), 1);
}

// Shapes that are no table of 2^bits_a x 2^bits_b (2..12 bits) are refused; a non-square one that
// is, is read exactly; rows of a braced header must each be one row long.
TEST(AxxHostile, TableShapes) {
  const std::string dir = scratch_dir();
  std::string rows48 = "{";
  for (int a = 0; a < 4; ++a) {
    rows48 += a ? ", {" : "{";
    for (int b = 0; b < 8; ++b) rows48 += (b ? ", " : "") + std::to_string(a * 100 - b);
    rows48 += "}";
  }
  rows48 += "}";
  const std::vector<std::tuple<std::string, std::string, std::string>> bad = {
      {"a.h", "int lut[3][4] = {0};\n", "a.h:1:5: table 'lut' is [3][4], expected [2^bits_a][2^bits_b] with 2..12 bits per operand"},
      {"b.h", "int lut[0][0] = {};\n", "b.h:1:5: table 'lut' is [0][0], expected [2^bits_a][2^bits_b] with 2..12 bits per operand"},
      {"c.h", "int lut[2][2] = {1, 2, 3, 4};\n", "c.h:1:5: table 'lut' is [2][2], expected [2^bits_a][2^bits_b] with 2..12 bits per operand"},
      {"d.h", "int lut[8192][4] = {0};\n", "d.h:1:5: table 'lut' is [8192][4], expected [2^bits_a][2^bits_b] with 2..12 bits per operand"},
      {"e.h", "int lut[4][4] = {{0, 1, 2, 3, 4}, {5, 6, 7}, {8, 9, 10, 11}, {12, 13, 14, 15}};\n",
       "e.h:1:32: row 0 of 'lut' has 5 values, expected 4"},
      {"f.h", "int lut[4][4] = {{0, 1, 2}, {3, 4, 5, 6, 7}, {8, 9, 10, 11}, {12, 13, 14, 15}};\n",
       "f.h:1:26: row 0 of 'lut' has 3 values, expected 4"},
      {"g.h", "int lut[4][4] = {{0, 1, 2, 3}, 4, 5, 6, 7, {8, 9, 10, 11}, {12, 13, 14, 15}};\n",
       "g.h:1:32: expected '{' opening a row, found '4' (the initializer is flat or has one brace per row)"},
      {"h.h", "int lut[4][4] = {{{0}, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}, {12, 13, 14, 15}};\n",
       "h.h:1:19: expected an integer, found '{' (the initializer is flat or has one brace per row)"},
      {"a.json", "[[0, 1, 2], [3, 4, 5], [6, 7, 8]]", "a.json:1:1: table shape (3, 3) is not (2^bits_a, 2^bits_b) with 2..12 bits per operand"},
      {"b.json", "[]", "b.json:1:1: the table is empty"},
      {"c.json", "[[], [], [], []]", "c.json:1:1: table shape (4, 0) is not (2^bits_a, 2^bits_b) with 2..12 bits per operand"},
      {"d.json", "[[0, 1, 2, 3], [4, 5, 6]]", "d.json:1:16: row 1 has 3 entries, row 0 has 4"},
      {"e.json", "[[0, 1], [2, 3]]", "e.json:1:1: table shape (2, 2) is not (2^bits_a, 2^bits_b) with 2..12 bits per operand"},
  };
  for (const auto& [name, text, message] : bad) {
    write_file(dir + "/" + name, text);
    const auto r = axx(dir, {"lut", name, "--signed", "-o", "out.npy"});
    EXPECT_EQ(r.status, 2) << name;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n");
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.npy"));
  // 4x8 (2x3 bits), as a braced header and as JSON: every entry read back where it was.
  write_file(dir + "/r.h", "int lut[4][8] = " + rows48 + ";\n");
  std::string js = rows48;
  std::replace(js.begin(), js.end(), '{', '[');
  std::replace(js.begin(), js.end(), '}', ']');
  write_file(dir + "/r.json", js);
  for (const std::string name : {"r.h", "r.json"}) {
    const auto r = axx(dir, {"lut", name, "--signed", "--format", "json", "-o", "r_out.json"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto doc = nlohmann::json::parse(read_file(dir + "/r_out.json"));
    EXPECT_EQ(doc["bits_a"], 2);
    EXPECT_EQ(doc["bits_b"], 3);
    for (int a = 0; a < 4; ++a)
      for (int b = 0; b < 8; ++b) EXPECT_EQ(doc["table"][a][b].get<int>(), a * 100 - b) << name << a << b;
  }
}

// Headers cut mid-table, .npy files shorter or longer than their header says, a header length
// beyond the file, and the largest tables (2^20 entries) read exactly.
TEST(AxxHostile, TruncatedAndOversizedTables) {
  const std::string dir = scratch_dir();
  ASSERT_EQ(axx(dir, {"lut", "builtin:mul8s_lor6", "-o", "full.h"}).status, 0);
  const std::string full = read_file(dir + "/full.h");
  const std::size_t cut = full.find("{", full.find("axx_lut_mul8s_lor6[256][256]")) + 1000;
  write_file(dir + "/cut.h", full.substr(0, cut));
  auto r = axx(dir, {"lut", "cut.h"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: cut.h:60:58: unexpected end of file in initializer of 'axx_lut_mul8s_lor6'\n");
  ASSERT_EQ(axx(dir, {"lut", "builtin:mul8s_lor6", "-o", "full.npy"}).status, 0);
  const std::string npy = read_file(dir + "/full.npy");
  write_file(dir + "/short.npy", npy.substr(0, npy.size() - 1));
  write_file(dir + "/long.npy", npy + "x");
  write_file(dir + "/head.npy", npy.substr(0, 20));
  std::string huge_len = npy.substr(0, 128);
  huge_len[8] = '\xff';
  huge_len[9] = '\xff';
  write_file(dir + "/hlen.npy", huge_len);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"short.npy", "short.npy: expected 262144 bytes of data after the header, found 262143"},
      {"long.npy", "long.npy: expected 262144 bytes of data after the header, found 262145"},
      {"head.npy", "head.npy:1:1: truncated .npy header"},
      {"hlen.npy", "hlen.npy:1:1: truncated .npy header"},
  };
  for (const auto& [name, message] : cases) {
    r = axx(dir, {"lut", name, "--signed"});
    EXPECT_EQ(r.status, 2) << name;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n") << name;
  }
  // A 1024x1024 header (2^20 entries, values wider than int16): every entry back exactly.
  auto value = [](std::int64_t a, std::int64_t b) { return (a - 512) * (b - 512) * 3 + ((a ^ b) & 7); };
  std::string big = "const int big[1024][1024] = {\n";
  for (std::int64_t a = 0; a < 1024; ++a) {
    big += "  {";
    for (std::int64_t b = 0; b < 1024; ++b) big += std::to_string(value(a, b)) + (b < 1023 ? "," : "");
    big += "},\n";
  }
  big += "};\n";
  write_file(dir + "/big.h", big);
  r = axx(dir, {"lut", "big.h", "--signed", "--format", "json", "-o", "big.json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto doc = nlohmann::json::parse(read_file(dir + "/big.json"));
  EXPECT_EQ(doc["bits_a"], 10);
  EXPECT_EQ(doc["bits_b"], 10);
  std::size_t wrong = 0;
  for (std::int64_t a = 0; a < 1024; ++a)
    for (std::int64_t b = 0; b < 1024; ++b) wrong += doc["table"][a][b].get<std::int64_t>() != value(a, b);
  EXPECT_EQ(wrong, 0u);
}

// JSON that a lenient reader would get wrong: a repeated key (two "table"s were once read into one
// vector, giving a table mixed from both with exit status 0), and nesting a million deep in a key
// axx ignores (once a stack overflow).
TEST(AxxHostile, JsonRepeatedKeysAndDeepNesting) {
  const std::string dir = scratch_dir();
  const std::string t4 = "[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]";
  std::string t8 = "[";
  for (int a = 0; a < 8; ++a) {
    t8 += a ? ", [" : "[";
    for (int b = 0; b < 8; ++b) t8 += (b ? ", " : "") + std::to_string(100 + a * 8 + b);
    t8 += "]";
  }
  t8 += "]";
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"a.json", "{\"table\": " + t4 + ", \"signed\": false, \"table\": " + t8 + "}",
       "a.json:1:92: duplicate key \"table\""},
      {"b.json", "{\"signed\": false, \"table\": " + t4 + ", \"signed\": true}", "b.json:1:92: duplicate key \"signed\""},
      {"c.json", "{\"bits_a\": 2, \"table\": " + t4 + ", \"bits_a\": 2, \"signed\": true}",
       "c.json:1:88: duplicate key \"bits_a\""},
      {"d.json", "{\"name\": " + std::string(1000000, '[') + std::string(1000000, ']') + ", \"table\": " + t4 +
                     ", \"signed\": true, \"x\": {\"y\": [1, {\"z\": [[], {}]}, \"w\", null, -2.5e3]}}",
       ""},
      {"e.json", "{\"name\": " + std::string(1000000, '[') + std::string(999999, ']') + ", \"table\": " + t4 + "}",
       "e.json:1:2000018: expected ',' or ']'"},
      {"f.json", "{\"name\": " + std::string(1000000, '{') + "}", "f.json:1:11: expected a string"},
  };
  for (const auto& [name, text, message] : cases) {
    write_file(dir + "/" + name, text);
    const auto r = axx(dir, {"lut", name, "--format", "json", "-o", "out.json"});
    if (message.empty()) {
      ASSERT_EQ(r.status, 0) << name << ": " << r.err;
      const auto doc = nlohmann::json::parse(read_file(dir + "/out.json"));
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) EXPECT_EQ(doc["table"][a][b].get<int>(), a * 4 + b);
      std::filesystem::remove(dir + "/out.json");
      continue;
    }
    EXPECT_EQ(r.status, 2) << name;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n") << name;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.json"));
}

// Outputs that cannot be written: a missing folder, a path through a file, a full device, a file
// size limit (a full disk as the process sees it). The previous output survives byte for byte, no
// temporary file remains, and with two outputs neither changes.
TEST(AxxHostile, UnwritableOutputsLeaveThePreviousOnesIntact) {
  const std::string dir = scratch_dir();
  write_file(dir + "/keep.h", "previous table");
  write_file(dir + "/keep.json", "previous report");
  write_file(dir + "/file", "a file, not a folder");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"lut", "builtin:mul8s_lor6", "-o", "nodir/m.h"}, "nodir/m.h: cannot write: No such file or directory"},
      {{"lut", "builtin:mul8s_lor6", "-o", "file/m.h"}, "file/m.h: cannot write: Not a directory"},
      {{"lut", "builtin:mul8s_lor6", "--format", "npy", "-o", "."}, ".: cannot write: Is a directory"},
      {{"lut", "builtin:mul8s_lor6", "-o", "keep.h", "--report", "nodir/r.json"},
       "nodir/r.json: cannot write: No such file or directory"},
      // The report is complete before the table fails: it must not be renamed into place.
      {{"lut", "builtin:mul8s_lor6", "-o", "nodir/m.h", "--report", "keep.json"},
       "nodir/m.h: cannot write: No such file or directory"},
      {{"heatmap", "builtin:mul8s_lor6", "-o", "nodir/h.svg"}, "nodir/h.svg: cannot write: No such file or directory"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = axx(dir, args);
    EXPECT_EQ(r.status, 2) << message;
    EXPECT_EQ(r.err, "axx: error: " + message + "\n");
    EXPECT_EQ(r.out, "");
  }
  // A folder axx may not write into (only meaningful where permissions bind: not as root).
  if (::geteuid() != 0) {
    std::filesystem::create_directory(dir + "/ro");
    write_file(dir + "/ro/keep.h", "previous");
    std::filesystem::permissions(dir + "/ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    const auto r = axx(dir, {"lut", "builtin:mul8s_lor6", "-o", "ro/keep.h"});
    std::filesystem::permissions(dir + "/ro", std::filesystem::perms::owner_all);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "axx: error: ro/keep.h: cannot write: Permission denied\n");
    EXPECT_EQ(read_file(dir + "/ro/keep.h"), "previous");
  }
  // A full disk: /dev/full (through a link, so the device is never at risk of being replaced)
  // fails every write; a file size limit fails the write past it (once, axx was killed by
  // SIGXFSZ and left its temporary file behind).
  std::filesystem::create_symlink("/dev/full", dir + "/full.h");
  auto r = axx(dir, {"lut", "builtin:mul8s_lor6", "-o", "full.h"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: full.h: cannot write: No space left on device\n");
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/full.h"));
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/full"));
  std::filesystem::remove(dir + "/full.h");
  r = axx(dir, {"lut", "builtin:mul8s_lor6", "-o", "keep.h", "--report", "keep.json"}, "ulimit -f 64 && ");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: keep.json: cannot write: File too large\n");
  r = axx(dir, {"lut", "builtin:mul8s_lor6", "--format", "npy", "-o", "keep.h"}, "ulimit -f 64 && ");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "axx: error: keep.h: cannot write: File too large\n");
  EXPECT_EQ(read_file(dir + "/keep.h"), "previous table");
  EXPECT_EQ(read_file(dir + "/keep.json"), "previous report");
  EXPECT_EQ(files_in(dir), (std::vector<std::string>{"file", "keep.h", "keep.json"}));
  // A link stays a link; the file it names (existing or not yet) gets the table.
  std::filesystem::create_directory(dir + "/real");
  write_file(dir + "/real/t.npy", "previous");
  std::filesystem::create_symlink("real/t.npy", dir + "/link.npy");
  std::filesystem::create_symlink("real/new.npy", dir + "/dangling.npy");
  for (const std::string link : {"link.npy", "dangling.npy"}) {
    r = axx(dir, {"lut", "builtin:mul8s_lor6", "-o", link});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(std::filesystem::is_symlink(dir + "/" + link));
  }
  EXPECT_EQ(read_file(dir + "/real/t.npy").substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(read_file(dir + "/real/new.npy").substr(0, 6), "\x93NUMPY");
}

}  // namespace
