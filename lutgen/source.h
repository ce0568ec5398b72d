// Producers of a Lut: one file per source kind (netlist, C function, builtin, header, .npy, JSON),
// each registered by name with a one-line description and the input options it takes;
// load_lut() picks one from the input.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "lutgen/lut.h"
#include "netlist_sim/reader.h"

namespace axx::lutgen {

// Whether Verilog goes through yosys: netlist_sim's setting, passed through unchanged.
using YosysMode = netlist::YosysMode;

// How messages name the options: as `axx` flags (--port-a) or as Multiplier.from_file keywords
// (port_a), so each front end's errors speak its own language.
enum class OptionSpelling { Cli, Python };

// The input options of `axx lut` / `axx metrics` and of axx.Multiplier.from_file (docs/cli.md).
// Every field's "unset" value means the option was not given.
struct SourceOptions {
  std::optional<bool> is_signed;  // unset: what the file declares (resolve_signedness)
  int bits_a = 0, bits_b = 0;     // 0: from the source (ports, types, table shape)
  std::string name;               // table name; default from the file stem or builtin name
  std::string top;                // Verilog top module / BLIF model
  std::string func;               // C function name
  std::string port_a, port_b, port_out;
  YosysMode yosys = YosysMode::Auto;
  std::string yosys_bin;          // empty: "yosys" on PATH
  OptionSpelling spelling = OptionSpelling::Cli;
};

// One input option: how the CLI and Python spell it, a help line, and whether SourceOptions
// holds a value for it. The source kinds list the keys they take (source_registry.h); an option
// given for a kind that does not take it is a usage error.
struct InputOption {
  std::string key;                  // "port_a"
  std::vector<std::string> cli;     // {"--port-a"}; {"--signed", "--unsigned"} for a pair of flags
  std::vector<std::string> python;  // {"port_a"}: Multiplier.from_file keywords
  std::vector<std::string> help;    // one line per CLI spelling
  bool (*given)(const SourceOptions& options);
};

const std::vector<InputOption>& input_options();
// "--port-a" / "port_a"; pairs and groups joined with '/': "--signed/--unsigned".
std::string option_name(const InputOption& option, OptionSpelling spelling);

// Reads INPUT: a path (.blif, .v/.sv, .c/.cpp, .h, .npy, .json) or "builtin:NAME". Throws
// axx::InputError / ParseError for bad input (file:line in the message), axx::ToolError when yosys
// or cc is missing or fails, axx::UsageError for options that do not apply to INPUT, contradict
// it, or are missing (the signedness of a file that does not declare it). Never modifies the input.
Lut load_lut(const std::string& input, const SourceOptions& options = {});

// The same table expanded to the emulator's 256x256 layout (operands of up to 8 bits): entry
// [a][b] for 8-bit patterns a, b is the table at the patterns truncated to bits_a / bits_b.
std::vector<std::int32_t> expand_to_256(const Lut& lut);

}  // namespace axx::lutgen
