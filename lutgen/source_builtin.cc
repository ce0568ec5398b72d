// builtin:NAME source: a design of the multipliers/ library, evaluated on every operand pair.
#include "axx/error.h"
#include "lutgen/signedness.h"
#include "lutgen/source_registry.h"
#include "multipliers/registry.h"

namespace axx::lutgen {

const multipliers::Builtin& builtin_of(const std::string& input) {
  const std::string name = input.substr(input.find(':') + 1);
  const multipliers::Builtin* m = multipliers::find_builtin(name);
  if (!m) {
    std::string valid;
    for (const auto& b : multipliers::builtins()) valid += (valid.empty() ? "" : ", ") + std::string(b.name);
    throw InputError(input + ": unknown built-in multiplier '" + name + "'; valid names: " + valid);
  }
  return *m;
}

TableStream open_builtin_source(const std::string& input, const SourceOptions& options) {
  const multipliers::Builtin* m = &builtin_of(input);
  OperandSpec spec{m->bits_a, m->bits_b, m->is_signed};
  check_fixed_bits(input, options, spec);
  SignednessFacts facts;
  facts.table = m->is_signed;
  facts.table_what = "the built-in multiplier is {}";
  const Signedness sign = resolve_signedness(input, facts, options);
  auto fn = m->fn;
  RowEvaluator eval = [fn, spec](std::uint64_t a_first, std::uint64_t a_last, std::int64_t* out) {
    for (std::uint64_t a = a_first; a < a_last; ++a) {
      const std::int64_t va = spec.value_a(a);
      for (std::uint64_t b = 0; b < spec.cols(); ++b) *out++ = fn(va, spec.value_b(b));
    }
  };
  return stream_of_rows(options.name.empty() ? std::string(m->name) : options.name, spec,
                        Provenance{"builtin", input, m->description, sign.how}, std::move(eval));
}

}  // namespace axx::lutgen
