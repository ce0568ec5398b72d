// axx decompose INPUT [--max-rank R] + input options: the exact low-rank form
// LUT[a][b] = a*b + sum_r U_r[a] V_r[b] (docs/architecture.md) and its rank.
#pragma once
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "lutgen/source.h"

namespace axx::cli {

struct DecomposeOptions {
  std::string input;
  int max_rank = 8;
  lutgen::SourceOptions source;
};

void setup_decompose(CLI::App& app);
void run_decompose(const DecomposeOptions& options, std::ostream& out = std::cout);

}  // namespace axx::cli
