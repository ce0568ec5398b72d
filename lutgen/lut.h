// Lut: the one table representation every producer ends in and every consumer takes (docs/architecture.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace axx::lutgen {

// Operand widths and how bit patterns are read (signed = two's complement). 2..16 bits each.
struct OperandSpec {
  int bits_a = 8;
  int bits_b = 8;
  bool is_signed = true;

  std::uint64_t rows() const { return std::uint64_t{1} << bits_a; }
  std::uint64_t cols() const { return std::uint64_t{1} << bits_b; }
  // Value of an operand bit pattern under this spec.
  std::int64_t value_a(std::uint64_t pattern) const { return value(pattern, bits_a); }
  std::int64_t value_b(std::uint64_t pattern) const { return value(pattern, bits_b); }
  std::int64_t value(std::uint64_t pattern, int bits) const {
    pattern &= (std::uint64_t{1} << bits) - 1;
    if (is_signed && (pattern >> (bits - 1)) & 1) return std::int64_t(pattern) - (std::int64_t{1} << bits);
    return std::int64_t(pattern);
  }
};

// Where a table came from: kind ("blif", "verilog", "yosys", "c", "builtin", "header", "npy",
// "json"), the input path or name, free-form detail (top module, function, ports, tool versions),
// and what fixed the signedness (resolve_signedness: what the file declares, or the flag given).
struct Provenance {
  std::string kind;
  std::string path;
  std::string detail;
  std::string signedness;
};

// Materialised table, row = operand A bit pattern, column = operand B bit pattern:
// table[(a << bits_b) | b]. Materialised up to 12x12 operands (docs/architecture.md).
struct Lut {
  std::string name;
  OperandSpec spec;
  std::vector<std::int32_t> table;
  Provenance provenance;

  std::int32_t at(std::uint64_t a, std::uint64_t b) const {
    return table[(a << spec.bits_b) | b];
  }
};

}  // namespace axx::lutgen
