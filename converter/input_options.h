// The input options shared by every subcommand that reads a multiplier (DESIGN.md, "Public
// interface"): --signed/--unsigned, --bits/--a-bits/--b-bits, --top, --func, --a/--b/--out,
// --yosys/--no-yosys, --yosys-bin, --name.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "lutgen/source.h"

namespace axx::cli {

// Binds the options of `sub` to `source` (which must outlive the app).
void add_input_options(CLI::App& sub, lutgen::SourceOptions& source);

// One-paragraph help text listing the registered input kinds (from the source registry).
std::string input_kinds_help();

}  // namespace axx::cli
