// Running an external program (the C compiler) and capturing its output.
#pragma once
#include <string>
#include <vector>

namespace axx::lutgen {

struct ProcessResult {
  int status = 0;      // exit status; 128 + signal number when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv (argv[0] looked up on PATH) with LC_ALL=C. Throws axx::ToolError when the program cannot be started;
// `install_hint` (e.g. "gcc") names the Debian package to suggest.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& install_hint);

}  // namespace axx::lutgen
