// The bridge from the built-in registry (multipliers/registry.h) to the generator: a Builtin's
// family and params become a DesignSpec. Header-only, so that axx_netgen itself depends on nothing
// of the project but common/axx/error.h; whoever includes this links axx_multipliers.
#pragma once
#include <cstring>
#include <optional>
#include <string>

#include "multipliers/netgen/netgen.h"
#include "multipliers/registry.h"

namespace axx::netgen {

namespace detail {
// Family and params of the designs registered before Builtin carried them (builtins.def lines
// without the family / params fields).
struct KnownFamily {
  const char* name;
  const char* family;
  const char* params;
};
inline constexpr KnownFamily kKnownFamilies[] = {
    {"mul8s_exact", "exact", ""},
    {"mul8u_exact", "exact", ""},
    {"mul8s_trunc4", "column_trunc", "k=4 corr=0"},
    {"mul8s_trunc6c", "column_trunc", "k=6 corr=64"},
    {"mul8s_trunc8", "column_trunc", "k=8 corr=0"},
    {"mul8u_trunc6", "column_trunc", "k=6 corr=0"},
    {"mul8s_bam_h1v6", "bam", "hbl=1 vbl=6"},
    {"mul8s_perf2", "perforation", "rows=0,1"},
    {"mul8s_lor6", "lor", "k=6"},
    {"mul8s_drum6", "drum", "k=6"},
    {"mul8s_drum4", "drum", "k=4"},
    {"mul8u_drum4", "drum", "k=4"},
    {"mul8s_mitchell", "mitchell", ""},
    {"mul8u_mitchell", "mitchell", ""},
};

template <class B>
std::optional<std::pair<std::string, std::string>> family_params(const B& b) {
  if constexpr (requires { b.family; b.params; }) {
    if (b.family) return std::make_pair(std::string(b.family), std::string(b.params ? b.params : ""));
    return std::nullopt;
  } else {
    for (const KnownFamily& k : kKnownFamilies)
      if (std::strcmp(k.name, b.name) == 0) return std::make_pair(std::string(k.family), std::string(k.params));
    return std::nullopt;
  }
}
}  // namespace detail

// The spec of built-in B with reduction R, or nullopt when its family has no generator.
inline std::optional<DesignSpec> spec_of(const multipliers::Builtin& b, Reduction r = Reduction::Array) {
  auto fp = detail::family_params(b);
  if (!fp || !has_generator(fp->first)) return std::nullopt;
  DesignSpec d;
  d.name = b.name;
  d.family = fp->first;
  d.params = fp->second;
  d.bits_a = b.bits_a;
  d.bits_b = b.bits_b;
  d.is_signed = b.is_signed;
  d.reduction = r;
  return d;
}

}  // namespace axx::netgen
