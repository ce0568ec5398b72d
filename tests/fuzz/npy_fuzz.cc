// .npy reader (lutgen/source_npy.cc): read_npy (shared with the cost model's operand samples) and
// the table source on top of it. A .npy table declares no signedness, so it is read as unsigned.
#include "lutgen/npy.h"
#include "tests/fuzz/table_source.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axx::fuzz::write_input(data, size, ".npy");
  bool parsed = false;
  axx::fuzz::expect_axx_errors_only([&] {
    const axx::lutgen::NpyArray a = axx::lutgen::read_npy(path);
    std::uint64_t count = 1;
    for (std::uint64_t d : a.shape) count *= d;
    if (a.values.size() != count) std::abort();
    parsed = true;
  });
  if (parsed) {
    axx::lutgen::SourceOptions options;
    options.is_signed = false;
    axx::fuzz::expect_axx_errors_only([&] { axx::fuzz::open_and_stream(axx::lutgen::open_npy_source, path, options); });
  }
  return 0;
}
