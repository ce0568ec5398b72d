// JSON table source (lutgen/source_json.cc): `{"table": [[...], ...], "signed": ..., "bits_a": ...}`
// or a bare 2-D array. The signedness comes from the file; a bare array (which says nothing) is
// read a second time as unsigned so that its table is streamed too.
#include "tests/fuzz/table_source.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axx::fuzz::write_input(data, size, ".json");
  bool declared = true;
  axx::fuzz::expect_axx_errors_only([&] {
    try {
      axx::fuzz::open_and_stream(axx::lutgen::open_json_source, path, {});
    } catch (const axx::UsageError&) {
      declared = false;
    }
  });
  if (!declared) {
    axx::lutgen::SourceOptions unsigned_options;
    unsigned_options.is_signed = false;
    axx::fuzz::expect_axx_errors_only(
        [&] { axx::fuzz::open_and_stream(axx::lutgen::open_json_source, path, unsigned_options); });
  }
  return 0;
}
