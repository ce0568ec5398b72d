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

// A 4x4 multiplier in the style of published approximate-multiplier libraries: expressions on cell
// ports, cells defined after use, and a final sum of concatenations (the structural reader takes it
// whole; through yosys it once lost the drivers of the half adders' unused outputs).
inline const char* kCellMultiplier = R"(module m4 (A, B, O);
  input [3:0] A, B;
  output [7:0] O;
  wire s1, c1, s2, c2;
  ha u1 (.A(1'b1), .B((A[1] & B[1])), .YS(s1), .YC(c1));
  ha u2 (.A(s1), .B(~(A[2] & B[0])), .YS(s2), .YC(c2));
  assign O = {c2, s2, c1, A[0] & B[0]} + {A[3] & B[3], A[2] & B[2], 2'b00};
endmodule
module ha (input A, input B, output YS, output YC);
  assign YS = A ^ B;
  assign YC = A & B;
endmodule
)";

// Its table, computed here bit by bit.
inline std::vector<std::uint64_t> cell_multiplier_table() {
  std::vector<std::uint64_t> t;
  for (unsigned a = 0; a < 16; ++a)
    for (unsigned b = 0; b < 16; ++b) {
      auto bit = [](unsigned v, unsigned i) { return (v >> i) & 1u; };
      unsigned s1 = 1u ^ (bit(a, 1) & bit(b, 1)), c1 = bit(a, 1) & bit(b, 1);
      unsigned x = 1u - (bit(a, 2) & bit(b, 0));
      unsigned s2 = s1 ^ x, c2 = s1 & x;
      unsigned l = c2 << 3 | s2 << 2 | c1 << 1 | (bit(a, 0) & bit(b, 0));
      unsigned r = (bit(a, 3) & bit(b, 3)) << 3 | (bit(a, 2) & bit(b, 2)) << 2;
      t.push_back((l + r) & 255);
    }
  return t;
}

}  // namespace axx::netlist::test
