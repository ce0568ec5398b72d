// The input options shared by every subcommand that reads a multiplier (docs/cli.md, "Input
// options"): --signed/--unsigned, --bits/--a-bits/--b-bits, --name, --top, --func,
// --port-a/--port-b/--port-out, --yosys/--no-yosys, --yosys-bin. Their help lines and the input
// kinds each applies to come from lutgen's registries (input_options(), source_kinds()).
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lutgen/source.h"

namespace axx::cli {

// Binds the options of `sub` to `source` (which must outlive the app).
void add_input_options(CLI::App& sub, lutgen::SourceOptions& source);

// Help text listing the registered input kinds with the options each takes.
std::string input_kinds_help();

// "BLIF (.blif), Verilog (.v .sv), ...": the input kinds in one line, for INPUT's help.
std::string input_kinds_list();

// --name names one table: a usage error when several inputs share it.
void check_name_for_inputs(const lutgen::SourceOptions& source, std::size_t inputs);

// One command's input files and its outputs, each output with the option that names it ("-o",
// "--report"): a usage error when two outputs, or an output and an input, are the same file. Paths compare by the real
// path of their folder plus their name (so ./x, x and x through a linked folder are one file), and
// existing files also by identity (a link to the input is the input). Empty paths and "-" (stdout)
// are skipped.
using NamedPath = std::pair<std::string, std::string>;  // option, path of an output
void check_distinct_paths(const std::vector<std::string>& inputs, const std::vector<NamedPath>& outputs);

}  // namespace axx::cli
