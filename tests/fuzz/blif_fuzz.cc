// BLIF reader (netlist_sim/blif_reader.cc): parsing, .subckt flattening and the netlist checks.
#include "netlist_sim/reader.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axx::fuzz::write_input(data, size, ".blif");
  axx::fuzz::expect_axx_errors_only([&] { (void)axx::netlist::read_blif(path); });
  return 0;
}
