// C function source: models that crash, hang or end the process are reported with the function
// and the operands (exit status 2 in the CLI), and healthy models still give their exact table.
// The expected tables come from plain integer loops in the tests.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "axx/error.h"
#include "lutgen/metrics.h"
#include "lutgen/source.h"
#include "test_util.h"

namespace axx::lutgen {
namespace {

using testing::error_of;
using testing::scratch_dir;
using testing::write_file;

class CModelFailure : public ::testing::Test {
 protected:
  std::string dir = scratch_dir();
  std::string file(const std::string& name, const std::string& text) {
    write_file(dir + "/" + name, text);
    return dir + "/" + name;
  }
  // A signed 8x8 model that computes a * b except at the pair (-3, 5), where `failure` runs.
  std::string model(const std::string& name, const std::string& failure, const std::string& prelude = "") {
    return file(name, "#include <stdint.h>\n#include <stdlib.h>\n" + prelude +
                          "int16_t mul(int8_t a, int8_t b) {\n"
                          "  if (a == -3 && b == 5) {\n    " + failure + "\n  }\n"
                          "  return (int16_t)(a * b);\n"
                          "}\n");
  }
  void TearDown() override { unsetenv("AXX_C_TIMEOUT"); }
};

TEST_F(CModelFailure, SegfaultNamesFunctionAndOperands) {
  const std::string path = model("segv.c", "volatile int* p = 0; *p = 1;");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }),
            path + ": function 'mul' crashed at a=-3, b=5: SIGSEGV (invalid memory access, or a stack overflow such "
                   "as from unbounded recursion)");
}

TEST_F(CModelFailure, Abort) {
  const std::string path = model("abort.c", "abort();");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }),
            path + ": function 'mul' crashed at a=-3, b=5: SIGABRT (abort() called, e.g. by a failed assert)");
}

TEST_F(CModelFailure, DivisionByZero) {
  // b - 5 is zero in every row; the first pair evaluated in index order (a << 8 | b) is a = 0.
  const std::string path = file("fpe.c",
                                "#include <stdint.h>\n"
                                "int16_t mul(int8_t a, int8_t b) { return (int16_t)(a * b + 1000 / (b - 5)); }\n");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }),
            path + ": function 'mul' crashed at a=0, b=5: SIGFPE (arithmetic exception, e.g. integer division by zero)");
}

TEST_F(CModelFailure, ExitInTheModel) {
  const std::string path = model("exit.c", "exit(3);");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }), path + ": function 'mul' ended the process with exit(3) at a=-3, b=5");
}

TEST_F(CModelFailure, ExitZeroIsAFailureToo) {
  const std::string path = model("exit0.c", "exit(0);");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }), path + ": function 'mul' ended the process with exit(0) at a=-3, b=5");
}

TEST_F(CModelFailure, StackOverflowFromUnboundedRecursion) {
  // Not a tail call (the volatile read follows it), so it cannot become a loop.
  const std::string path = model("deep.c", "return (int16_t)deep(1);",
                                 "static int deep(int n) { volatile char pad[256]; pad[0] = (char)n; "
                                 "return deep(n + 1) + pad[0]; }\n");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }),
            path + ": function 'mul' crashed at a=-3, b=5: SIGSEGV (invalid memory access, or a stack overflow such "
                   "as from unbounded recursion)");
}

TEST_F(CModelFailure, HangHitsTheTimeLimit) {
  const std::string path = model("hang.c", "volatile int spin = 1; while (spin) {}");
  setenv("AXX_C_TIMEOUT", "0.3", 1);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }),
            path + ": function 'mul' did not return within 0.3 s at a=-3, b=5 (the limit per call is AXX_C_TIMEOUT, "
                   "in seconds; 0: none)");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

TEST_F(CModelFailure, SlowButHealthyCallsStayWithinTheLimit) {
  // 2 ms a call, 16 calls: with a limit of 0.3 s per call, no false alarm from the total time.
  const std::string path = file("slow.c",
                                "#include <time.h>\n"
                                "int mul(int a, int b) {\n"
                                "  struct timespec t = {0, 2000000};\n"
                                "  nanosleep(&t, 0);\n"
                                "  return a * b;\n"
                                "}\n");
  setenv("AXX_C_TIMEOUT", "0.3", 1);
  SourceOptions o;
  o.bits_a = o.bits_b = 2;
  o.is_signed = true;
  EXPECT_EQ(load_lut(path, o).table,
            testing::make_lut("", {2, 2, true}, [](std::int64_t a, std::int64_t b) { return a * b; }).table);
}

TEST_F(CModelFailure, LongRowsOfQuickCallsAreNotAHang) {
  // 20 ms a call, 16 calls a row: each row takes longer than the 0.2 s limit, no call does.
  const std::string path = file("rows.c",
                                "#include <time.h>\n"
                                "int mul(int a, int b) {\n"
                                "  struct timespec t = {0, 20000000};\n"
                                "  nanosleep(&t, 0);\n"
                                "  return a * b + 1;\n"
                                "}\n");
  setenv("AXX_C_TIMEOUT", "0.2", 1);
  SourceOptions o;
  o.bits_a = 2;
  o.bits_b = 4;
  o.is_signed = true;
  EXPECT_EQ(load_lut(path, o).table,
            testing::make_lut("", {2, 4, true}, [](std::int64_t a, std::int64_t b) { return a * b + 1; }).table);
}

TEST_F(CModelFailure, CrashThatDoesNotComeBackIsNotTrusted) {
  // Crashes only in the first process that reaches a = 1, b = 1 (a file marks that it happened).
  const std::string marker = dir + "/crashed";
  const std::string path = file("flaky.c",
                                "#include <fcntl.h>\n#include <stdlib.h>\n#include <unistd.h>\n"
                                "int mul(int a, int b) {\n"
                                "  if (a == 1 && b == 1 && access(\"" + marker + "\", F_OK) != 0) {\n"
                                "    close(open(\"" + marker + "\", O_CREAT | O_WRONLY, 0600));\n"
                                "    abort();\n"
                                "  }\n"
                                "  return a * b;\n"
                                "}\n");
  SourceOptions o;
  o.bits_a = o.bits_b = 3;
  o.is_signed = true;
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path, o); }),
            path + ": function 'mul' crashed in the row a=1: SIGABRT (abort() called, e.g. by a failed assert), but "
                   "not when evaluated again: its results are not reproducible");
}

TEST_F(CModelFailure, BadTimeLimitIsAUsageError) {
  const std::string path = model("ok.c", "");
  setenv("AXX_C_TIMEOUT", "ten", 1);
  EXPECT_EQ(error_of<UsageError>([&] { load_lut(path); }),
            "AXX_C_TIMEOUT=ten: expected the time limit per call in seconds (0: none)");
}

TEST_F(CModelFailure, FirstFailingPairIsNamedWhateverTheTiming) {
  // A crash in every block of rows (64 rows a block for 8-bit operands): the one named is the first
  // in table order, not whichever child process happened to die first.
  const std::string path = file("many.c",
                                "#include <stdint.h>\n#include <stdlib.h>\n"
                                "uint16_t mul(uint8_t a, uint8_t b) {\n"
                                "  if (b == 17 && a % 64 == 40) abort();\n"
                                "  return (uint16_t)(a * b);\n"
                                "}\n");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }),
              path + ": function 'mul' crashed at a=40, b=17: SIGABRT (abort() called, e.g. by a failed assert)");
  }
}

TEST_F(CModelFailure, StreamedMetricsReportTheCrashToo) {
  const std::string path = file("wide.c",
                                "int mul(int a, int b) {\n"
                                "  if (a == -3000 && b == -7) __builtin_trap();\n"
                                "  return a * b;\n"
                                "}\n");
  SourceOptions o;
  o.bits_a = 13;
  o.bits_b = 4;
  o.is_signed = true;
  EXPECT_EQ(error_of<InputError>([&] { metrics_of(path, o); }),
            path + ": function 'mul' crashed at a=-3000, b=-7: SIGILL (illegal instruction, e.g. __builtin_trap() or "
                   "__builtin_unreachable() reached)");
}

TEST_F(CModelFailure, CrashInACppModel) {
  const std::string path = file("m.cpp",
                                "#include <cstdint>\n#include <stdexcept>\n"
                                "namespace approx {\n"
                                "int32_t mul(int8_t a, int8_t b) {\n"
                                "  if (a == 1 && b == 2) throw std::runtime_error(\"unexpected\");\n"
                                "  return a * b;\n"
                                "}\n}\n");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }),
            path + ": function 'approx::mul' crashed at a=1, b=2: SIGABRT (abort() called, e.g. by a failed assert)");
}

TEST_F(CModelFailure, HealthyModelsPrintingAndWithMainGiveTheirTable) {
  // What a model prints does not disturb axx, and its own main() is not the program's.
  const std::string path = file("chatty.c",
                                "#include <stdio.h>\n#include <stdint.h>\n"
                                "uint16_t mul(uint8_t a, uint8_t b) {\n"
                                "  if (a == 0 && b == 0) printf(\"hello from the model\\n\");\n"
                                "  return (uint16_t)(a * b - (a & 1));\n"
                                "}\n"
                                "int main(void) { return mul(1, 1) == 0; }\n");
  SourceOptions o;
  o.func = "mul";
  const Lut lut = load_lut(path, o);
  EXPECT_EQ(lut.table, testing::make_lut("", {8, 8, false}, [](std::int64_t a, std::int64_t b) {
                         return static_cast<std::uint16_t>(a * b - (a & 1));
                       }).table);
}

TEST_F(CModelFailure, ModelMayUseNamesOfPosixFunctions) {
  // The driver compiled with the model declares no system header of its own, so a model's own
  // read(), link() or sync() does not clash with anything; a C++ model with the system headers works.
  const std::string path = file("names.c",
                                "static int read(int x) { return x; }\n"
                                "static int link(int x, int y) { return x * y; }\n"
                                "static int sync(void) { return 0; }\n"
                                "int mul(int a, int b) { return link(read(a), b) + sync(); }\n");
  SourceOptions o;
  o.func = "mul";
  o.bits_a = o.bits_b = 3;
  o.is_signed = true;
  const Lut expected = testing::make_lut("", {3, 3, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  EXPECT_EQ(load_lut(path, o).table, expected.table);
  const std::string cpp = file("posix.cpp",
                               "#include <unistd.h>\n#include <sys/mman.h>\n#include <sys/prctl.h>\n#include <cstdio>\n"
                               "int mul(int a, int b) { return a * b; }\n");
  EXPECT_EQ(load_lut(cpp, o).table, expected.table);
}

TEST_F(CModelFailure, UndefinedFunctionIsBadInput) {
  const std::string path = file("undef.c", "#include <stdint.h>\nint helper(int);\nint mul(int8_t a, int8_t b) { return helper(a) * b; }\n");
  EXPECT_EQ(error_of<InputError>([&] { load_lut(path); }),
            path + ": 'helper' is used but not defined (the file must define every function mul calls, other than "
                   "the C library's)");
}

// Found with the fuzz target tests/fuzz/c_signature_fuzz.cc (docs/testing.md, "Fuzzing"): the search
// for function definitions looked back to the start of the file at every `{`, so a 400 KB file of
// `)){}` took minutes before it could be rejected.
TEST(CSource, FunctionSearchIsLinear) {
  const std::string dir = scratch_dir();
  std::string text;
  for (int i = 0; i < 100000; ++i) text += ")){}";
  write_file(dir + "/parens.c", text);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of<InputError>([&] { load_lut(dir + "/parens.c"); }),
            dir + "/parens.c: no non-static function defined; name one with --func");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

}  // namespace
}  // namespace axx::lutgen
