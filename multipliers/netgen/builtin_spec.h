// The bridge from the built-in registry (multipliers/registry.h) to the generator: a Builtin's
// family and params become a DesignSpec. Header-only, so that axx_netgen itself depends on nothing
// of the project but common/axx/error.h; whoever includes this links axx_multipliers.
#pragma once
#include <optional>
#include <string>

#include "multipliers/netgen/netgen.h"
#include "multipliers/registry.h"

namespace axx::netgen {


// The spec of built-in B with reduction R, or nullopt when its family has no generator.
inline std::optional<DesignSpec> spec_of(const multipliers::Builtin& b, Reduction r = Reduction::Array) {
  if (!b.family || !has_generator(b.family)) return std::nullopt;
  DesignSpec d;
  d.name = b.name;
  d.family = b.family;
  d.params = b.params ? b.params : "";
  d.bits_a = b.bits_a;
  d.bits_b = b.bits_b;
  d.is_signed = b.is_signed;
  d.reduction = r;
  return d;
}

}  // namespace axx::netgen
