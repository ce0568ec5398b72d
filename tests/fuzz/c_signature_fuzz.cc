// C function source (lutgen/source_c.cc), the part that reads the file: the tokenizer, the search
// for file-scope function definitions and the parameter types. Compiling and running the model
// is not fuzzed. Those functions are internal to source_c.cc, so this target compiles that file
// into itself (its open_c_source then stands in for the library's) and calls them directly,
// choosing the function the way open_c_source does without --func.
#include "lutgen/source_c.cc"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string source(reinterpret_cast<const char*>(data), size);
  axx::fuzz::expect_axx_errors_only([&] {
    const auto funcs = axx::lutgen::find_functions(source);
    std::size_t candidates = 0;
    for (const auto& f : funcs) {
      if (f.name.empty() || f.line == 0) std::abort();
      candidates += !f.is_static && f.name != "main";
      for (const auto& p : f.params) {
        const auto t = axx::lutgen::param_type(p);
        if (t.width != 0 && t.width != 8 && t.width != 16 && t.width != 32 && t.width != 64) std::abort();
      }
    }
    (void)candidates;
  });
  return 0;
}
