// Helpers for the netlist_sim tests: temporary files, exhaustive tables, external tools.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "netlist_sim/reader.h"
#include "netlist_sim/simulator.h"

namespace axx::netlist::test {

// A per-test temporary folder, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "axx-nltest-XXXXXX").string();
    std::vector<char> buf(t.begin(), t.end());
    buf.push_back('\0');
    path_ = ::mkdtemp(buf.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  // Writes `text` to name inside the folder and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Every output value, indexed by (a << bits_b) | b.
inline std::vector<std::uint64_t> truth_table(const Netlist& nl, const PortBinding& binding = {}, unsigned threads = 0) {
  ResolvedPorts p = resolve_ports(nl, binding);
  std::vector<std::uint64_t> t(std::size_t{1} << (p.a->bits.size() + p.b->bits.size()), ~std::uint64_t{0});
  simulate_exhaustive(nl, binding, [&](unsigned, std::uint64_t first, const std::uint64_t* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) t[first + i] = out[i];
  }, threads);
  return t;
}

inline bool have_tool(const char* name) {
  std::string cmd = std::string("command -v ") + name + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace axx::netlist::test
