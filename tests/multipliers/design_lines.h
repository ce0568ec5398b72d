// The lines of multipliers/builtins.def as the tests see them: the design's family, form and the
// argument list text the registry passes to the family function, next to its params string.
#pragma once
#include <string>
#include <vector>

namespace axx::multipliers::test_util {

struct DesignLine {
  std::string name, form, family, params, args;  // args: the macro's trailing arguments, as text
};

struct FamilyLine {
  std::string family, signed_form, citation;
};

inline const std::vector<DesignLine>& design_lines() {
  static const std::vector<DesignLine> lines = {
#define AXX_DESIGN(name, form, family, params, description, ...) {#name, #form, #family, params, #__VA_ARGS__},
#include "multipliers/builtins.def"
  };
  return lines;
}

inline const std::vector<FamilyLine>& family_lines() {
  static const std::vector<FamilyLine> lines = {
#define AXX_FAMILY(family, signed_form, citation) {#family, #signed_form, citation},
#include "multipliers/builtins.def"
  };
  return lines;
}

inline const DesignLine* find_line(const std::string& name) {
  for (const DesignLine& d : design_lines())
    if (d.name == name) return &d;
  return nullptr;
}

inline const FamilyLine* find_family(const std::string& family) {
  for (const FamilyLine& f : family_lines())
    if (f.family == family) return &f;
  return nullptr;
}

}  // namespace axx::multipliers::test_util
