#include "converter/cmd_decompose.h"

#include <algorithm>
#include <memory>

#include "converter/input_options.h"
#include "lutgen/decompose.h"

namespace axx::cli {

void setup_decompose(CLI::App& app) {
  auto opt = std::make_shared<DecomposeOptions>();
  auto* sub = app.add_subcommand("decompose", "Exact low-rank form LUT = a*b + sum_r U_r[a] V_r[b] and its rank");
  sub->add_option("INPUT", opt->input, "Any input kind with operands of up to 8 bits")->required();
  sub->add_option("--max-rank", opt->max_rank, "Largest rank to look for (default 8)");
  add_input_options(*sub, opt->source);
  sub->callback([opt] { run_decompose(*opt); });
}

void run_decompose(const DecomposeOptions& options, std::ostream& out) {
  const lutgen::Lut lut = lutgen::load_lut(options.input, options.source);
  const auto form = lutgen::decompose(lutgen::expand_to_256(lut), lut.spec.is_signed, options.max_rank);
  if (!form) {
    out << lut.name << ": exact rank of LUT - a*b is above " << options.max_rank
        << "; no low-rank form (the table-lookup kernels serve this multiplier)\n";
    return;
  }
  out << lut.name << ": exact rank " << form->rank << (form->rank == 0 ? " (the multiplier is exact)" : "") << "\n";
  auto range = [](const std::vector<std::int32_t>& t, int r) {
    const auto [lo, hi] = std::minmax_element(t.begin() + r * 256, t.begin() + (r + 1) * 256);
    return "[" + std::to_string(*lo) + ", " + std::to_string(*hi) + "]";
  };
  for (int r = 0; r < form->rank; ++r) {
    out << "  term " << r << ": U range " << range(form->u, r) << ", V range " << range(form->v, r) << "\n";
  }
}

}  // namespace axx::cli
