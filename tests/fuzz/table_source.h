// Shared by the table-source fuzz targets: opens a source and streams every value of the table it
// read, checking that the stream covers exactly the rows x cols pairs its operand spec promises.
#pragma once
#include <cstdio>
#include <cstdlib>

#include "lutgen/source_registry.h"
#include "tests/fuzz/fuzz_input.h"

namespace axx::fuzz {

inline void open_and_stream(lutgen::TableStream (*open)(const std::string&, const lutgen::SourceOptions&),
                            const std::string& path, const lutgen::SourceOptions& options) {
  const lutgen::TableStream s = open(path, options);
  std::uint64_t seen = 0;
  s.run([&](unsigned, std::uint64_t first, const std::int64_t*, std::size_t n) {
    if (first != seen) std::abort();
    seen += n;
  }, 1);
  if (seen != s.spec.rows() * s.spec.cols()) {
    std::fprintf(stderr, "axx fuzz: stream gave %llu values for a %dx%d table\n",
                 static_cast<unsigned long long>(seen), s.spec.bits_a, s.spec.bits_b);
    std::abort();
  }
}

}  // namespace axx::fuzz
