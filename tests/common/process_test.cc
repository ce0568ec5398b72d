// The process runner (common/axx/process.h), against /bin/sh.
#include "axx/process.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "axx/error.h"
#include "axx/posix_fs.h"

namespace axx::process {
namespace {

TEST(Process, CapturesStdoutAndStderrAndTheExitStatus) {
  Result r = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_status, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.status(), 3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.output, "out\nerr\n");
  EXPECT_EQ(r.describe(), "exit status 3");
  EXPECT_TRUE(run({"true"}).ok());
}

TEST(Process, ReportsTheSignal) {
  Result r = run({"sh", "-c", "kill -9 $$"});
  EXPECT_EQ(r.signal, 9);
  EXPECT_EQ(r.status(), 128 + 9);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.describe(), "killed by signal 9");
}

TEST(Process, StdinIsEmptyAndOutputCanGoToAFile) {
  posix_fs::TempDir dir("axx-process-test");
  Options o;
  o.output_file = dir.path() + "/log";
  Result r = run({"sh", "-c", "cat; echo to-log; echo also >&2"}, o);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.output, "");
  std::ifstream in(o.output_file);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "to-log\nalso\n");
}

TEST(Process, EnvironmentEntriesReplaceOrAdd) {
  ::setenv("AXX_PROCESS_TEST", "old", 1);
  Options o;
  o.env = {"AXX_PROCESS_TEST=new", "AXX_PROCESS_ADDED=yes"};
  Result r = run({"sh", "-c", "echo $AXX_PROCESS_TEST $AXX_PROCESS_ADDED; env | grep -c '^AXX_PROCESS_TEST='"}, o);
  EXPECT_EQ(r.output, "new yes\n1\n");
  ::unsetenv("AXX_PROCESS_TEST");
}

TEST(Process, MissingProgramIsAToolErrorWithTheHint) {
  Options o;
  o.install_hint = "gcc";
  try {
    run({"axx-no-such-program-xyz"}, o);
    ADD_FAILURE() << "no error";
  } catch (const ToolError& e) {
    EXPECT_STREQ(e.what(), "cannot run 'axx-no-such-program-xyz': No such file or directory (install it: apt-get install gcc)");
  }
}

TEST(Process, FindExecutableSearchesPath) {
  const std::string sh = find_executable("sh");
  ASSERT_FALSE(sh.empty());
  EXPECT_EQ(sh.front(), '/');
  EXPECT_EQ(find_executable("/bin/sh"), "/bin/sh");
  EXPECT_EQ(find_executable("axx-no-such-program-xyz"), "");
  EXPECT_EQ(find_executable("/etc"), "");  // a folder is not an executable
  EXPECT_EQ(find_executable(""), "");
}

}  // namespace
}  // namespace axx::process
