// The .npy reader shared by the table source (source_npy.cc) and the cost model's operand samples
// (cost.cc): the header dict parsed, the integer elements decoded, in C order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace axx::lutgen {

struct NpyArray {
  std::string descr;                 // as written: "<i4", "|u1", ...
  std::vector<std::uint64_t> shape;  // dimensions, outermost first
  std::vector<std::int64_t> values;  // every element, C order
};

// Reads PATH, a .npy file (format versions 1-3) of a little-endian integer array in C order:
// dtype int8 (|i1), uint8 (|u1), int16 (<i2), uint16 (<u2), int32 (<i4) or int64 (<i8). Throws
// axx::ParseError at file:1:col for a malformed header, axx::InputError naming the file for an
// unreadable file, another dtype, a Fortran-order array or a data size that does not match.
NpyArray read_npy(const std::string& path);

}  // namespace axx::lutgen
