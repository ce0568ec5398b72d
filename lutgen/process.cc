#include "lutgen/process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "axx/error.h"

extern char** environ;

namespace axx::lutgen {

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& install_hint) {
  // Output goes to an anonymous temporary file rather than a pipe: no deadlock on large output and
  // no reader thread.
  std::FILE* capture = std::tmpfile();
  if (!capture) throw ToolError(std::string("cannot create a temporary file: ") + std::strerror(errno));
  const int fd = fileno(capture);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The C locale keeps diagnostics in plain ASCII (no typographic quotes), so messages that are
  // passed on to the user are stable.
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "LC_ALL=", 7) != 0) env.push_back(*e);
  }
  static char c_locale[] = "LC_ALL=C";
  env.push_back(c_locale);
  env.push_back(nullptr);
  pid_t pid;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::fclose(capture);
    throw ToolError("cannot run '" + argv[0] + "': " + std::strerror(rc) +
                    (install_hint.empty() ? "" : " (install it: apt-get install " + install_hint + ")"));
  }
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) {
      std::fclose(capture);
      throw ToolError("waiting for '" + argv[0] + "' failed: " + std::strerror(errno));
    }
  }
  ProcessResult result;
  result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  std::rewind(capture);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, capture)) > 0) result.output.append(buf, n);
  std::fclose(capture);
  return result;
}

}  // namespace axx::lutgen
