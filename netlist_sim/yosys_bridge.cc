// Behavioural Verilog through Yosys: run the `yosys` executable on a script that synthesises the
// design to simple gates and writes BLIF into a temporary folder, then read that BLIF back.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "axx/error.h"
#include "axx/posix_fs.h"
#include "netlist_sim/reader.h"

extern char** environ;

namespace axx::netlist {
namespace {

namespace fs = axx::posix_fs;

// Full path of an executable: as given when it contains a '/', else searched on PATH.
std::string find_executable(const std::string& name) {
  auto runnable = [](const std::string& p) { return ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p); };
  if (name.find('/') != std::string::npos) return runnable(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(ss, dir, ':');) {
    std::string p = (dir.empty() ? "." : dir) + "/" + name;
    if (runnable(p)) return p;
  }
  return "";
}

// Yosys script quoting: file names go in double quotes.
std::string yosys_quoted(const std::string& s) {
  if (s.find('"') != std::string::npos || s.find('\n') != std::string::npos)
    throw InputError(s + ": file names with quotes or newlines cannot be passed to yosys");
  return "\"" + s + "\"";
}

std::string last_error_lines(const std::string& log_path) {
  std::ifstream in(log_path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  // The ERROR line and what precedes it say what went wrong; keep the tail short.
  std::size_t end = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find("ERROR") != std::string::npos) end = i + 1;
  std::size_t begin = end > 4 ? end - 4 : 0;
  std::string out;
  for (std::size_t i = begin; i < end; ++i) out += "\n  " + lines[i];
  return out;
}

}  // namespace

Netlist synthesize_with_yosys(const std::string& path, const ReadOptions& options) {
  std::string bin_name = options.yosys_bin.empty() ? "yosys" : options.yosys_bin;
  std::string bin = find_executable(bin_name);
  if (bin.empty())
    throw ToolError("yosys not found (" +
                    (options.yosys_bin.empty() ? std::string("looked for 'yosys' on PATH")
                                               : "'" + options.yosys_bin + "' is not an executable") +
                    "); it is needed to read " + path +
                    ": install the Debian package 'yosys' (apt-get install yosys) or name the executable with the "
                    "yosys-bin option");
  if (!fs::is_regular_file(path)) throw InputError(path + ": cannot open file");
  std::string abs = fs::absolute(path);
  fs::TempDir tmp("axx-yosys");
  std::string blif = tmp.path() + "/out.blif", script = tmp.path() + "/run.ys", log = tmp.path() + "/yosys.log";
  {
    std::ofstream s(script);
    bool sv = abs.size() > 3 && abs.compare(abs.size() - 3, 3, ".sv") == 0;
    s << "read_verilog " << (sv ? "-sv " : "") << yosys_quoted(abs) << "\n";
    if (options.top.empty()) s << "hierarchy -check -auto-top\n" << "synth -flatten -auto-top\n";
    else s << "hierarchy -check -top " << options.top << "\n" << "synth -flatten -top " << options.top << "\n";
    // Simple two-input gates and muxes: what the BLIF reader lowers without SOP expansion.
    s << "abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX\n"
      << "opt_clean\n"
      << "write_blif " << yosys_quoted(blif) << "\n";
  }
  if (!options.top.empty())
    for (char c : options.top)
      if (!(std::isalnum((unsigned char)c) || c == '_' || c == '$'))
        throw UsageError("invalid top module name '" + options.top + "'");

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<std::string> args = {bin, "-q", "-l", log + ".full", "-s", script};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw ToolError("cannot run " + bin + ": " + std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(blif)) {
    std::string why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : "killed by signal " + std::to_string(WTERMSIG(status));
    std::string tail = last_error_lines(log);
    if (tail.empty()) tail = last_error_lines(log + ".full");
    throw ToolError("yosys failed on " + path + " (" + why + "):" + tail);
  }
  Netlist nl = read_blif(blif);
  // Positions in the temporary BLIF mean nothing to the user; name the source instead.
  nl.source = path;
  for (Gate& g : nl.gates) {
    g.file = path + " (via yosys)";
    g.line = 0;
  }
  return nl;
}

}  // namespace axx::netlist
