// The one signedness rule, shared by every source kind and by the CLI and Python front ends
// (docs/cli.md, "Signedness"). A source states what its file says; resolve_signedness() combines
// that with --signed/--unsigned (signed= in Python):
//
//   1. Operands: A and B both declared signed -> signed; both unsigned -> unsigned; one declared
//      and the other not, or the two different -> bad input (one table has one signedness).
//   2. Otherwise the table as a whole, when the file says it (a signed `$mul` through yosys, an axx
//      header's _SIGNED macro, axx JSON's "signed", a built-in).
//   3. What the file declares cannot be overridden: a flag that contradicts it is a usage error.
//   4. A file that declares nothing takes the flag; without one, a format convention where there
//      is one (TransAxx/AdaPT headers are signed), else the user must say: a usage error.
#pragma once
#include <optional>
#include <string>

#include "lutgen/source.h"

namespace axx::netlist {
struct Netlist;
struct Port;
}  // namespace axx::netlist

namespace axx::lutgen {

struct SignednessFacts {
  // Per operand, what its declaration says; `what` names it ("port a", "parameter `uint8_t a`").
  std::optional<bool> a, b;
  std::string a_what, b_what;
  // Declared for the whole table. `table_what` is a phrase with "{}" where "signed"/"unsigned"
  // goes: "AXX_LUT_M_SIGNED says {}", "the built-in multiplier is {}".
  std::optional<bool> table;
  std::string table_what;
  // A format convention, used only when nothing is declared and no flag is given; a flag may
  // differ from it. Same "{}" phrase form.
  std::optional<bool> convention;
  std::string convention_what;
  // Why a file without declarations says nothing: "BLIF ports carry no signedness".
  std::string silent_why;
};

struct Signedness {
  bool is_signed = true;
  std::string how;  // for provenance and reports: "port a and port b are declared signed", "given: --unsigned"
};

// Applies the rule above for INPUT. Throws axx::InputError for mixed operand declarations and
// axx::UsageError for a contradicting or missing flag (spelled as options.spelling says).
Signedness resolve_signedness(const std::string& input, const SignednessFacts& facts, const SourceOptions& options);

// What a netlist says, with A and B the operand ports (source_netlist.cc): their `signed`
// declarations, then the `$mul` cells yosys saw. `blif`: the file is BLIF (for the message).
SignednessFacts netlist_signedness_facts(const netlist::Netlist& nl, const netlist::Port& a, const netlist::Port& b,
                                         bool blif);

}  // namespace axx::lutgen
