// axx_netgen OUTDIR [--reduction array|wallace|dadda]: writes OUTDIR/NAME.v for every built-in
// design whose family has a netlist generator (docs/netgen.md), and one line per file on stdout.
// Exit status: 0 ok, 1 usage error, 2 a design the generator rejects.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "axx/error.h"
#include "multipliers/netgen/builtin_spec.h"

int main(int argc, char** argv) {
  using namespace axx;
  try {
    std::string dir;
    netgen::Reduction red = netgen::Reduction::Array;
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--reduction" && i + 1 < argc) {
        red = netgen::parse_reduction(argv[++i]);
      } else if (arg == "-h" || arg == "--help") {
        std::cout << "usage: axx_netgen OUTDIR [--reduction array|wallace|dadda]\n"
                     "Writes OUTDIR/NAME.v (structural Verilog) for every built-in multiplier with a\n"
                     "netlist generator.\n";
        return 0;
      } else if (!arg.empty() && arg[0] != '-' && dir.empty()) {
        dir = arg;
      } else {
        throw UsageError("unexpected argument '" + arg + "' (usage: axx_netgen OUTDIR [--reduction R])");
      }
    }
    if (dir.empty()) throw UsageError("missing OUTDIR (usage: axx_netgen OUTDIR [--reduction R])");
    // Everything is generated before anything is written: no partial output on a bad design.
    std::vector<std::pair<std::string, netgen::Generated>> files;
    for (const multipliers::Builtin& b : multipliers::builtins()) {
      auto spec = netgen::spec_of(b, red);
      if (!spec) continue;
      try {
        files.emplace_back(b.name, netgen::generate(*spec));
      } catch (const UsageError& e) {
        throw InputError(e.what());
      }
    }
    std::filesystem::create_directories(dir);
    for (const auto& [name, g] : files) {
      std::string path = (std::filesystem::path(dir) / (name + ".v")).string();
      std::ofstream out(path + ".tmp", std::ios::binary);
      out << g.verilog;
      out.close();
      if (!out) throw InputError("cannot write " + path);
      std::filesystem::rename(path + ".tmp", path);
      std::cout << path << "  " << g.total_gates << " gates, " << g.full_adders << " FA, " << g.half_adders
                << " HA\n";
    }
    return 0;
  } catch (const UsageError& e) {
    std::cerr << "axx_netgen: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "axx_netgen: " << e.what() << "\n";
    return 2;
  }
}
