// Helpers for the lutgen tests: scratch directory, file I/O, small tables.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "lutgen/lut.h"

namespace axx::lutgen::testing {

// A fresh directory for one test: AXX_TEST_SCRATCH/<suite>.<test>.
inline std::string scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = std::string(AXX_TEST_SCRATCH) + "/" + info->test_suite_name() + "." + info->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Table of f(value_a, value_b) for the spec.
template <class F>
Lut make_lut(const std::string& name, OperandSpec spec, F f) {
  Lut lut;
  lut.name = name;
  lut.spec = spec;
  lut.table.resize(spec.rows() * spec.cols());
  for (std::uint64_t a = 0; a < spec.rows(); ++a) {
    for (std::uint64_t b = 0; b < spec.cols(); ++b) {
      lut.table[(a << spec.bits_b) | b] = static_cast<std::int32_t>(f(spec.value_a(a), spec.value_b(b)));
    }
  }
  return lut;
}

// The message of the axx exception that `body` throws (fails the test when none is thrown).
template <class E, class F>
std::string error_of(F body) {
  try {
    body();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return "";
}

}  // namespace axx::lutgen::testing
