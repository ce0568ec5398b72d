// LUT header source (lutgen/source_header.cc): axx's own headers (writer_header.cc,
// writer_transaxx.cc) and TransAxx/AdaPT-style `short lut[256][256] = {...};` headers.
#include "tests/fuzz/table_source.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axx::fuzz::write_input(data, size, ".h");
  axx::fuzz::expect_axx_errors_only([&] { axx::fuzz::open_and_stream(axx::lutgen::open_header_source, path, {}); });
  return 0;
}
