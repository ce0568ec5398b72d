// Producers of a Lut: one file per source kind (netlist, C function, builtin, header, .npy),
// each registered by name with a one-line description; load_lut() picks one from the input.
#pragma once
#include <optional>
#include <string>

#include "lutgen/lut.h"

namespace axx::lutgen {

enum class YosysMode { Auto, Force, Never };

// The input options of `axx lut` / `axx metrics` and of axx.Multiplier.from_file (DESIGN.md).
struct SourceOptions {
  std::optional<bool> is_signed;  // unset: the source's own default (signed for netlists and C)
  int bits_a = 0, bits_b = 0;     // 0: from the source (ports, header) or 8
  std::string name;               // table name; default from the file stem or builtin name
  std::string top;                // Verilog top module
  std::string func;               // C function name
  std::string port_a, port_b, port_out;
  YosysMode yosys = YosysMode::Auto;
  std::string yosys_bin;          // empty: "yosys" on PATH
};

// Reads INPUT: a path (.blif, .v/.sv, .c/.cpp, .h, .npy) or "builtin:NAME". Throws axx::InputError /
// ParseError for bad input (file:line in the message), axx::ToolError when yosys or cc is missing
// or fails, axx::UsageError for bad option combinations. Never modifies the input.
Lut load_lut(const std::string& input, const SourceOptions& options = {});

// The same table expanded to the emulator's 256x256 layout (operands of up to 8 bits): entry
// [a][b] for 8-bit patterns a, b is the table at the patterns truncated to bits_a / bits_b.
std::vector<std::int32_t> expand_to_256(const Lut& lut);

}  // namespace axx::lutgen
