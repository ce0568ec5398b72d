// Internal: the syntax tree of the structural Verilog subset (verilog_parser.cc builds it,
// verilog_reader.cc elaborates it into a flat Netlist).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "netlist_sim/limits.h"
#include "netlist_sim/netlist.h"

namespace axx::netlist::verilog {

// The widest net or expression the reader builds; wider ones (a typo'd range, nested repetitions)
// are errors rather than allocations of billions of nets.
inline constexpr long kMaxWidth = detail::kMaxBits;

struct Pos {
  std::size_t line = 0, col = 0;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum Kind { Ident, Number, Unary, Binary, Ternary, Concat, Repeat, Index, Range, Cast } kind;
  Pos pos;
  std::string op;        // Unary/Binary operator text; Range: ":", "+:" or "-:"; Cast: "$signed"/"$unsigned"
  std::string name;      // Ident
  std::vector<std::uint8_t> bits;  // Number: value, LSB first
  bool sized = false;    // Number: had an explicit size
  bool is_signed = false;  // Number: signed literal (unsized decimal, or 's' base)
  std::vector<ExprPtr> args;  // operands; Index: {base, index}; Range: {base, msb, lsb}; Repeat: {count, concat}
  std::size_t depth = 1;      // levels of the tree below and including this node (limits.h bounds it)
  // Self-determined width and signedness, worked out once by the elaboration (the same in every
  // instance of the module): -1 until then.
  mutable long width_memo = -1;
  mutable signed char signed_memo = -1;
};

struct NetDecl {
  std::string name;
  enum Dir { None, Input, Output } dir = None;
  bool has_range = false;
  long msb = 0, lsb = 0;
  bool is_signed = false;
  bool is_unsigned = false;  // an explicit `unsigned` keyword (SystemVerilog)
  Pos pos;
  long width() const { return (msb >= lsb ? msb - lsb : lsb - msb) + 1; }
};

struct Assign {
  ExprPtr lhs, rhs;
  Pos pos;
};

struct GateInst {
  GateOp op;
  std::string prim;  // keyword as written
  std::string name;
  std::vector<ExprPtr> terms;  // outputs first (buf/not: all but the last), then inputs
  Pos pos;
};

struct ModuleInst {
  std::string module, name;
  bool named = false;
  std::vector<ExprPtr> positional;  // may hold nullptr for an empty position
  std::vector<std::pair<std::string, ExprPtr>> by_name;  // nullptr for .port()
  std::vector<Pos> conn_pos;
  Pos pos;
};

struct Module {
  std::string name;
  Pos pos;
  std::vector<std::string> ports;        // in header order
  std::map<std::string, NetDecl> nets;   // every declared net, ports included
  std::vector<Assign> assigns;
  std::vector<GateInst> gates;
  std::vector<ModuleInst> instances;
};

// A constant integer expression (a range bound, a bit or part select, a repetition count),
// evaluated the same way by the parser and the elaboration: numbers, unary + and -, binary + - *
// / % (integer division truncating toward zero, as in Verilog). When the expression is not such a
// constant, `bad` is its innermost part that is not (an identifier, another operator), or, with
// `error` set, the part whose value is undefined (division by zero, overflow).
struct ConstValue {
  long value = 0;
  const Expr* bad = nullptr;
  std::string error;
  bool ok() const { return bad == nullptr; }
};
ConstValue const_eval(const Expr& e);

// Parses a whole file. Throws ParseError for invalid syntax and UnsupportedConstruct for valid
// Verilog outside the subset.
std::vector<Module> parse_file(const std::string& path);

}  // namespace axx::netlist::verilog
