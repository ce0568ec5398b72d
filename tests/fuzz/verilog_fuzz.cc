// Structural Verilog reader (netlist_sim/verilog_parser.cc, verilog_reader.cc): parsing, top module
// choice, elaboration of the hierarchy and the netlist checks. Yosys is never run.
#include "netlist_sim/reader.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axx::fuzz::write_input(data, size, ".v");
  axx::fuzz::expect_axx_errors_only([&] { (void)axx::netlist::read_verilog(path); });
  return 0;
}
