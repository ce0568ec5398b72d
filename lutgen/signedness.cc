#include "lutgen/signedness.h"

#include "axx/error.h"

namespace axx::lutgen {

namespace {

const char* word(bool is_signed) { return is_signed ? "signed" : "unsigned"; }

std::string fill(std::string phrase, bool is_signed) {
  const auto at = phrase.find("{}");
  return at == std::string::npos ? phrase : phrase.replace(at, 2, word(is_signed));
}

std::string flag(bool is_signed, OptionSpelling spelling) {
  if (spelling == OptionSpelling::Python) return is_signed ? "signed=True" : "signed=False";
  return is_signed ? "--signed" : "--unsigned";
}

std::string both_flags(OptionSpelling spelling) {
  return spelling == OptionSpelling::Python ? "signed=True or signed=False" : "--signed or --unsigned";
}

}  // namespace

Signedness resolve_signedness(const std::string& input, const SignednessFacts& facts, const SourceOptions& options) {
  std::optional<Signedness> declared;
  if (facts.a && facts.b) {
    if (*facts.a != *facts.b) {
      throw InputError(input + ": " + facts.a_what + " is declared " + word(*facts.a) + " but " + facts.b_what +
                       " is declared " + word(*facts.b) + "; both operands of a table have one signedness");
    }
    declared = Signedness{*facts.a, facts.a_what + " and " + facts.b_what + " are declared " + word(*facts.a)};
  } else if (facts.a || facts.b) {
    const bool s = facts.a ? *facts.a : *facts.b;
    const std::string& yes = facts.a ? facts.a_what : facts.b_what;
    const std::string& no = facts.a ? facts.b_what : facts.a_what;
    throw InputError(input + ": " + yes + " is declared " + word(s) + " but " + no +
                     " declares no signedness; declare both operands " + word(s) +
                     " (or neither, and give " + both_flags(options.spelling) + ")");
  } else if (facts.table) {
    declared = Signedness{*facts.table, fill(facts.table_what, *facts.table)};
  }

  if (declared) {
    if (options.is_signed && *options.is_signed != declared->is_signed) {
      throw UsageError(input + ": " + declared->how + "; " + flag(*options.is_signed, options.spelling) +
                       " contradicts it");
    }
    return *declared;
  }
  if (options.is_signed) return {*options.is_signed, "given: " + flag(*options.is_signed, options.spelling)};
  if (facts.convention) return {*facts.convention, fill(facts.convention_what, *facts.convention)};
  throw UsageError(input + ": " + facts.silent_why + "; give " + both_flags(options.spelling));
}

}  // namespace axx::lutgen
