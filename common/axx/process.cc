#include "axx/process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "axx/error.h"

extern char** environ;

namespace axx::process {

std::string find_executable(const std::string& name) {
  auto runnable = [](const std::string& p) {
    struct stat st;
    return ::access(p.c_str(), X_OK) == 0 && ::stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
  };
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return runnable(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(ss, dir, ':');) {
    std::string p = (dir.empty() ? "." : dir) + "/" + name;
    if (runnable(p)) return p;
  }
  return "";
}

std::string Result::describe() const {
  return signal ? "killed by signal " + std::to_string(signal) : "exit status " + std::to_string(exit_status);
}

namespace {

[[noreturn]] void cannot_run(const std::string& program, const std::string& why, const Options& o) {
  throw ToolError("cannot run '" + program + "': " + why +
                  (o.install_hint.empty() ? "" : " (install it: apt-get install " + o.install_hint + ")"));
}

// Closes the capture file on every path out of run().
struct FileCloser {
  std::FILE* f;
  ~FileCloser() {
    if (f) std::fclose(f);
  }
};

}  // namespace

Result run(const std::vector<std::string>& argv, const Options& options) {
  if (argv.empty()) throw Error("internal: process::run without a program");
  const std::string bin = find_executable(argv[0]);
  if (bin.empty()) cannot_run(argv[0], std::strerror(ENOENT), options);

  // Without an output file, output goes to an anonymous temporary file rather than a pipe: no
  // deadlock on large output and no reader thread.
  FileCloser capture{nullptr};
  int out_fd = -1;
  if (options.output_file.empty()) {
    capture.f = std::tmpfile();
    if (!capture.f) throw ToolError(std::string("cannot create a temporary file: ") + std::strerror(errno));
    out_fd = fileno(capture.f);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (out_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  else
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, options.output_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);

  std::vector<std::string> args = argv;
  std::vector<char*> arg_ptrs;
  for (std::string& a : args) arg_ptrs.push_back(a.data());
  arg_ptrs.push_back(nullptr);

  std::vector<std::string> extra = options.env;
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) {
    bool replaced = false;
    for (const std::string& x : extra) {
      const std::size_t eq = x.find('=');
      if (eq != std::string::npos && std::strncmp(*e, x.c_str(), eq + 1) == 0) replaced = true;
    }
    if (!replaced) env.push_back(*e);
  }
  for (std::string& x : extra) env.push_back(x.data());
  env.push_back(nullptr);

  pid_t pid = 0;
  const int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, arg_ptrs.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) cannot_run(argv[0], std::strerror(rc), options);

  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) throw ToolError("waiting for '" + argv[0] + "' failed: " + std::strerror(errno));
  }
  Result result;
  if (WIFEXITED(wstatus)) {
    result.exit_status = WEXITSTATUS(wstatus);
  } else {
    result.signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
  }
  if (capture.f) {
    std::rewind(capture.f);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, capture.f)) > 0;) result.output.append(buf, n);
  }
  return result;
}

}  // namespace axx::process
