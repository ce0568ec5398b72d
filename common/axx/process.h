// Running an external program (yosys, the C compiler) without a shell: argv as given, stdin from
// /dev/null, stdout and stderr together into a log file or captured into a string, and the exit
// status or the signal that ended it. posix_spawn, so no fork of a large (Python, libtorch)
// process and nothing runs between fork and exec.
#pragma once
#include <string>
#include <vector>

namespace axx::process {

// Full path of an executable: `name` itself when it contains a '/', else the first match on
// $PATH (empty entries mean the current folder). Empty when there is none.
std::string find_executable(const std::string& name);

struct Options {
  // stdout and stderr go to this file (created or truncated); empty: they are captured into
  // Result::output.
  std::string output_file;
  // Environment entries "NAME=VALUE" replacing or adding to the caller's environment (e.g.
  // "LC_ALL=C" keeps diagnostics in plain ASCII, so messages passed on to the user are stable).
  std::vector<std::string> env;
  // Named in the error when the program cannot be started: the Debian package to install.
  std::string install_hint;
};

struct Result {
  int exit_status = -1;  // when the program exited; -1 when a signal ended it
  int signal = 0;        // the signal that ended it, else 0
  std::string output;    // stdout and stderr, interleaved (only without Options::output_file)

  bool ok() const { return exit_status == 0; }
  // The shell's convention: the exit status, or 128 + the signal number.
  int status() const { return signal ? 128 + signal : exit_status; }
  // "exit status N" or "killed by signal N".
  std::string describe() const;
};

// Runs argv (argv[0] found with find_executable) and waits for it. Throws axx::ToolError when the
// program cannot be found or started, or the output file cannot be created; a program that runs
// and fails is a Result, not an exception.
Result run(const std::vector<std::string>& argv, const Options& options = {});

}  // namespace axx::process
