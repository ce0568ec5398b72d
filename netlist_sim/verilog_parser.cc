// Lexer and recursive-descent parser for the structural Verilog subset (docs/formats-netlist.md).
// Valid Verilog outside the subset raises UnsupportedConstruct so the caller can hand the file
// to Yosys; malformed input raises ParseError. Both carry file:line:col.
#include <algorithm>
#include <cctype>
#include <iterator>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_set>

#include "axx/error.h"
#include "netlist_sim/limits.h"
#include "netlist_sim/reader.h"
#include "netlist_sim/verilog_ast.h"

namespace axx::netlist::verilog {
namespace {

struct Token {
  enum Kind { Ident, Number, Punct, String, End } kind = End;
  std::string text;
  bool escaped = false;  // escaped identifier (never a keyword)
  Pos pos;
};

class Lexer {
 public:
  Lexer(const std::string& path, std::string src) : path_(path), s_(std::move(src)) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    for (;;) {
      skip_space();
      Token t;
      t.pos = {line_, col()};
      if (i_ >= s_.size()) {
        out.push_back(t);
        return out;
      }
      char c = s_[i_];
      if (c == '`') {
        std::size_t j = i_ + 1;
        while (j < s_.size() && (std::isalnum((unsigned char)s_[j]) || s_[j] == '_')) ++j;
        std::string d = s_.substr(i_ + 1, j - i_ - 1);
        if (d == "timescale" || d == "default_nettype" || d == "resetall" || d == "celldefine" ||
            d == "endcelldefine") {
          while (i_ < s_.size() && s_[i_] != '\n') ++i_;
          continue;
        }
        throw UnsupportedConstruct(path_, t.pos.line, t.pos.col, "compiler directive '`" + d + "'");
      }
      if (c == '\\') {
        std::size_t j = i_ + 1;
        while (j < s_.size() && !std::isspace((unsigned char)s_[j])) ++j;
        t.kind = Token::Ident;
        t.escaped = true;
        t.text = s_.substr(i_ + 1, j - i_ - 1);
        advance(j - i_);
      } else if (std::isalpha((unsigned char)c) || c == '_' || c == '$') {
        std::size_t j = i_ + 1;
        while (j < s_.size() && (std::isalnum((unsigned char)s_[j]) || s_[j] == '_' || s_[j] == '$')) ++j;
        t.kind = Token::Ident;
        t.text = s_.substr(i_, j - i_);
        advance(j - i_);
      } else if (std::isdigit((unsigned char)c) || c == '\'') {
        t.kind = Token::Number;
        t.text = number();
      } else if (c == '"') {
        std::size_t j = i_ + 1;
        while (j < s_.size() && s_[j] != '"' && s_[j] != '\n') ++j;
        t.kind = Token::String;
        t.text = s_.substr(i_, j + 1 - i_);
        advance(std::min(j + 1, s_.size()) - i_);
      } else {
        static const char* ops[] = {"<<<", ">>>", "===", "!==", "~^", "^~", "~&", "~|", "&&", "||", "==", "!=",
                                    "<=",  ">=",  "<<",  ">>",  "**", "+:", "-:", "(*", "*)"};
        t.kind = Token::Punct;
        t.text = std::string(1, c);
        for (const char* op : ops)
          if (op[0] == c && s_.compare(i_, std::strlen(op), op) == 0) {
            t.text = op;
            break;
          }
        // "(*)" is the sensitivity list of always @(*), not an attribute.
        if (t.text == "(*" && s_.compare(i_, 3, "(*)") == 0) t.text = "(";
        if (t.text == "(*") {
          std::size_t end = s_.find("*)", i_ + 2);
          if (end == std::string::npos) throw ParseError(path_, t.pos.line, t.pos.col, "unterminated attribute");
          advance(end + 2 - i_);
          continue;
        }
        advance(t.text.size());
      }
      out.push_back(std::move(t));
    }
  }

 private:
  std::size_t col() const { return i_ - line_start_ + 1; }
  void advance(std::size_t n) {
    for (std::size_t k = 0; k < n && i_ < s_.size(); ++k, ++i_)
      if (s_[i_] == '\n') {
        ++line_;
        line_start_ = i_ + 1;
      }
  }
  void skip_space() {
    for (;;) {
      while (i_ < s_.size() && std::isspace((unsigned char)s_[i_])) advance(1);
      if (i_ + 1 < s_.size() && s_[i_] == '/' && s_[i_ + 1] == '/') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (i_ + 1 < s_.size() && s_[i_] == '/' && s_[i_ + 1] == '*') {
        std::size_t end = s_.find("*/", i_ + 2);
        if (end == std::string::npos) throw ParseError(path_, line_, col(), "unterminated comment");
        advance(end + 2 - i_);
      } else {
        return;
      }
    }
  }
  // Digits, optionally followed by 'base digits; whitespace may separate size, base and value.
  std::string number() {
    std::string t;
    while (i_ < s_.size() && (std::isdigit((unsigned char)s_[i_]) || s_[i_] == '_')) t += s_[i_], advance(1);
    std::size_t save = i_, save_line = line_, save_ls = line_start_;
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) advance(1);
    if (i_ < s_.size() && s_[i_] == '\'') {
      t += '\'';
      advance(1);
      if (i_ < s_.size() && (s_[i_] == 's' || s_[i_] == 'S')) t += 's', advance(1);
      if (i_ < s_.size() && std::isalpha((unsigned char)s_[i_])) t += char(std::tolower(s_[i_])), advance(1);
      while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) advance(1);
      while (i_ < s_.size() && (std::isxdigit((unsigned char)s_[i_]) || s_[i_] == '_' || s_[i_] == 'x' ||
                                s_[i_] == 'X' || s_[i_] == 'z' || s_[i_] == 'Z' || s_[i_] == '?'))
        t += s_[i_], advance(1);
    } else {
      i_ = save, line_ = save_line, line_start_ = save_ls;
    }
    return t;
  }

  const std::string& path_;
  std::string s_;
  std::size_t i_ = 0, line_ = 1, line_start_ = 0;
};

const std::map<std::string, GateOp>& primitives() {
  static const std::map<std::string, GateOp> m = {{"and", GateOp::And},   {"or", GateOp::Or},   {"xor", GateOp::Xor},
                                                  {"nand", GateOp::Nand}, {"nor", GateOp::Nor}, {"xnor", GateOp::Xnor},
                                                  {"not", GateOp::Not},   {"buf", GateOp::Buf}};
  return m;
}

// Keywords that are valid Verilog but outside the subset, with the construct name to report.
const std::map<std::string, std::string>& unsupported_keywords() {
  static const std::map<std::string, std::string> m = {
      {"always", "'always' block"},       {"always_comb", "'always_comb' block"}, {"always_ff", "'always_ff' block"},
      {"always_latch", "'always_latch' block"}, {"initial", "'initial' block"}, {"reg", "'reg' declaration"},
      {"logic", "'logic' declaration"},   {"integer", "'integer' declaration"}, {"parameter", "'parameter'"},
      {"localparam", "'localparam'"},     {"defparam", "'defparam'"},        {"generate", "'generate' block"},
      {"genvar", "'genvar'"},             {"function", "'function'"},        {"task", "'task'"},
      {"inout", "'inout' port"},          {"supply0", "'supply0' net"},      {"supply1", "'supply1' net"},
      {"tri", "'tri' net"},               {"wand", "'wand' net"},            {"wor", "'wor' net"},
      {"specify", "'specify' block"},     {"for", "'for' loop"},             {"if", "'if' statement"},
      {"case", "'case' statement"},       {"bufif0", "'bufif0' primitive"},  {"bufif1", "'bufif1' primitive"},
      {"notif0", "'notif0' primitive"},   {"notif1", "'notif1' primitive"},  {"primitive", "user-defined primitive"},
      {"real", "'real' declaration"},     {"time", "'time' declaration"},    {"event", "'event' declaration"},
      {"interface", "'interface'"},       {"package", "'package'"},          {"typedef", "'typedef'"},
      {"import", "'import'"},             {"struct", "'struct'"},            {"enum", "'enum'"}};
  return m;
}

class Parser {
 public:
  Parser(const std::string& path, std::vector<Token> toks) : path_(path), t_(std::move(toks)) {}

  std::vector<Module> run() {
    std::vector<Module> mods;
    std::unordered_set<std::string> names;  // a set: files with 10^5 modules are read in linear time
    while (peek().kind != Token::End) {
      if (is_kw("module") || is_kw("macromodule")) {
        mods.push_back(module());
        if (!names.insert(mods.back().name).second)
          throw ParseError(path_, mods.back().pos.line, mods.back().pos.col,
                           "module '" + mods.back().name + "' is defined twice");
      } else {
        unsupported_or(peek(), "expected 'module'");
      }
    }
    return mods;
  }

 private:
  const Token& peek(std::size_t k = 0) const { return t_[std::min(p_ + k, t_.size() - 1)]; }
  const Token& next() {
    const Token& t = peek();
    if (p_ < t_.size() - 1) ++p_;
    return t;
  }
  bool is_kw(const char* kw, std::size_t k = 0) const {
    return peek(k).kind == Token::Ident && !peek(k).escaped && peek(k).text == kw;
  }
  bool is_punct(const char* p, std::size_t k = 0) const { return peek(k).kind == Token::Punct && peek(k).text == p; }
  static std::string describe(const Token& t) {
    if (t.kind == Token::End) return "end of file";
    return "'" + t.text + "'";
  }
  [[noreturn]] void fail(const Token& t, const std::string& msg) const {
    throw ParseError(path_, t.pos.line, t.pos.col, msg);
  }
  [[noreturn]] void unsupported(const Token& t, const std::string& construct) const {
    throw UnsupportedConstruct(path_, t.pos.line, t.pos.col, construct);
  }
  // A keyword outside the subset is reported as such; anything else is a syntax error.
  [[noreturn]] void unsupported_or(const Token& t, const std::string& expected) const {
    if (t.kind == Token::Ident && !t.escaped) {
      auto it = unsupported_keywords().find(t.text);
      if (it != unsupported_keywords().end()) unsupported(t, it->second);
    }
    if (t.kind == Token::Punct && t.text == "#") unsupported(t, "parameter or delay ('#')");
    fail(t, expected + ", found " + describe(t));
  }
  void expect(const char* p, const char* after) {
    if (!is_punct(p)) unsupported_or(peek(), std::string("expected '") + p + "' " + after);
    next();
  }
  std::string ident(const char* what) {
    const Token& t = peek();
    if (t.kind != Token::Ident) unsupported_or(t, std::string("expected ") + what);
    if (!t.escaped && (unsupported_keywords().count(t.text) || t.text == "module" || t.text == "endmodule" ||
                       t.text == "input" || t.text == "output" || t.text == "wire" || t.text == "assign"))
      unsupported_or(t, std::string("expected ") + what);
    return next().text;
  }

  // ---- declarations
  Module module() {
    Module m;
    m.pos = next().pos;  // 'module'
    m.name = ident("a module name");
    if (is_punct("#")) unsupported(peek(), "parameterised module");
    if (is_punct("(")) {
      next();
      if (!is_punct(")")) {
        if (is_kw("input") || is_kw("output") || is_kw("inout")) {
          ansi_ports(m);
        } else {
          for (;;) {
            if (is_punct(".")) unsupported(peek(), "named port expression in a module header");
            m.ports.push_back(ident("a port name"));
            if (is_punct(",")) { next(); continue; }
            break;
          }
        }
      }
      expect(")", "to close the port list");
    }
    expect(";", "after the module header");
    while (!is_kw("endmodule")) {
      if (peek().kind == Token::End) fail(peek(), "expected 'endmodule', found end of file");
      item(m);
    }
    next();
    for (const std::string& p : m.ports) {
      auto it = m.nets.find(p);
      if (it == m.nets.end() || it->second.dir == NetDecl::None)
        throw ParseError(path_, m.pos.line, m.pos.col,
                         "port '" + p + "' of module '" + m.name + "' has no input or output declaration");
    }
    return m;
  }

  struct DeclHead {
    NetDecl::Dir dir = NetDecl::None;
    bool is_signed = false, is_unsigned = false, has_range = false;
    long msb = 0, lsb = 0;
  };

  // Direction, optional net type, 'signed', optional range.
  DeclHead decl_head() {
    DeclHead h;
    if (is_kw("input")) h.dir = NetDecl::Input, next();
    else if (is_kw("output")) h.dir = NetDecl::Output, next();
    else if (is_kw("inout")) unsupported(peek(), "'inout' port");
    if (is_kw("wire")) next();
    else if (is_kw("reg") || is_kw("logic") || is_kw("integer") || is_kw("tri")) unsupported_or(peek(), "");
    if (is_kw("signed")) h.is_signed = true, next();
    else if (is_kw("unsigned")) h.is_unsigned = true, next();
    if (is_punct("[")) {
      const Token open = next();
      h.msb = const_int();
      expect(":", "in a range");
      h.lsb = const_int();
      // Bounded bounds keep width() and index arithmetic far from overflow.
      const bool huge = h.msb < -kMaxWidth * 16 || h.msb > kMaxWidth * 16 || h.lsb < -kMaxWidth * 16 ||
                        h.lsb > kMaxWidth * 16;
      const std::string range = "range [" + std::to_string(h.msb) + ":" + std::to_string(h.lsb) + "]";
      if (huge) fail(open, range + " has a bound beyond +-" + std::to_string(kMaxWidth * 16));
      if (std::abs(h.msb - h.lsb) >= kMaxWidth) {
        fail(open, range + " is " + std::to_string(std::abs(h.msb - h.lsb) + 1) + " bits wide, more than " +
                       std::to_string(kMaxWidth));
      }
      expect("]", "to close a range");
      h.has_range = true;
    }
    return h;
  }

  void declare(Module& m, const DeclHead& h, const Token& name_tok, const std::string& name) {
    NetDecl d;
    d.name = name;
    d.dir = h.dir;
    d.has_range = h.has_range;
    d.msb = h.msb;
    d.lsb = h.lsb;
    d.is_signed = h.is_signed;
    d.is_unsigned = h.is_unsigned;
    d.pos = name_tok.pos;
    auto [it, inserted] = m.nets.try_emplace(name, d);
    if (inserted) return;
    NetDecl& old = it->second;
    // "input [7:0] a; wire [7:0] a;" (as Yosys writes) declares one net twice.
    if (old.dir != NetDecl::None && d.dir != NetDecl::None)
      fail(name_tok, "'" + name + "' is declared as a port twice");
    if ((old.has_range || d.has_range) && (old.width() != d.width() || (old.has_range && d.has_range && old.msb != d.msb)))
      fail(name_tok, "'" + name + "' is redeclared with a different range");
    if (d.dir != NetDecl::None) old.dir = d.dir;
    if (d.has_range) old.has_range = true, old.msb = d.msb, old.lsb = d.lsb;
    // "input signed [7:0] a; wire [7:0] a;" is signed: either declaration may say it.
    old.is_signed = old.is_signed || d.is_signed;
    old.is_unsigned = old.is_unsigned || d.is_unsigned;
    if (old.is_signed && old.is_unsigned) fail(name_tok, "'" + name + "' is declared both signed and unsigned");
  }

  void ansi_ports(Module& m) {
    DeclHead h;
    for (;;) {
      if (is_kw("input") || is_kw("output") || is_kw("inout")) h = decl_head();
      const Token& nt = peek();
      std::string name = ident("a port name");
      declare(m, h, nt, name);
      m.ports.push_back(name);
      if (is_punct("[")) unsupported(peek(), "array port");
      if (!is_punct(",")) break;
      next();
    }
  }

  void item(Module& m) {
    const Token& t = peek();
    if (is_kw("input") || is_kw("output") || is_kw("wire") || is_kw("inout")) {
      DeclHead h = decl_head();
      for (;;) {
        const Token& nt = peek();
        std::string name = ident("a net name");
        declare(m, h, nt, name);
        if (is_punct("[")) unsupported(peek(), "array declaration");
        if (is_punct("=")) {
          Pos p = next().pos;
          auto lhs = std::make_unique<Expr>();
          lhs->kind = Expr::Ident;
          lhs->name = name;
          lhs->pos = nt.pos;
          m.assigns.push_back(Assign{std::move(lhs), expr(), p});
        }
        if (!is_punct(",")) break;
        next();
      }
      expect(";", "after a declaration");
      return;
    }
    if (is_kw("assign")) {
      next();
      if (is_punct("#")) unsupported(peek(), "delay ('#')");
      for (;;) {
        Pos p = peek().pos;
        ExprPtr lhs = expr();
        expect("=", "in an assignment");
        m.assigns.push_back(Assign{std::move(lhs), expr(), p});
        if (!is_punct(",")) break;
        next();
      }
      expect(";", "after an assignment");
      return;
    }
    if (t.kind == Token::Ident && !t.escaped && primitives().count(t.text)) {
      GateOp op = primitives().at(t.text);
      std::string prim = next().text;
      if (is_punct("#")) unsupported(peek(), "gate delay ('#')");
      if (is_punct("(") && peek(1).kind == Token::Ident &&
          (peek(1).text == "strong0" || peek(1).text == "strong1" || peek(1).text == "weak0" ||
           peek(1).text == "weak1" || peek(1).text == "pull0" || peek(1).text == "pull1"))
        unsupported(peek(), "drive strength");
      for (;;) {
        GateInst g;
        g.op = op;
        g.prim = prim;
        g.pos = peek().pos;
        if (peek().kind == Token::Ident) g.name = ident("an instance name");
        if (is_punct("[")) unsupported(peek(), "array of instances");
        expect("(", "to open the gate terminals");
        for (;;) {
          g.terms.push_back(expr());
          if (!is_punct(",")) break;
          next();
        }
        expect(")", "to close the gate terminals");
        m.gates.push_back(std::move(g));
        if (!is_punct(",")) break;
        next();
      }
      expect(";", "after a gate instance");
      return;
    }
    if (t.kind == Token::Ident && !(!t.escaped && unsupported_keywords().count(t.text)) &&
        (peek(1).kind == Token::Ident || is_punct("#", 1))) {
      std::string modname = next().text;
      if (is_punct("#")) unsupported(peek(), "parameterised module");
      for (;;) {
        ModuleInst inst;
        inst.module = modname;
        inst.pos = peek().pos;
        inst.name = ident("an instance name");
        if (is_punct("[")) unsupported(peek(), "array of instances");
        expect("(", "to open the port connections");
        if (is_punct(".")) {
          inst.named = true;
          for (;;) {
            inst.conn_pos.push_back(peek().pos);
            expect(".", "before a port name");
            std::string port = ident("a port name");
            expect("(", "after the port name");
            ExprPtr e = is_punct(")") ? nullptr : expr();
            expect(")", "to close the port connection");
            inst.by_name.push_back({port, std::move(e)});
            if (!is_punct(",")) break;
            next();
          }
        } else if (!is_punct(")")) {
          for (;;) {
            inst.conn_pos.push_back(peek().pos);
            inst.positional.push_back(is_punct(",") || is_punct(")") ? nullptr : expr());
            if (!is_punct(",")) break;
            next();
          }
        }
        expect(")", "to close the port connections");
        m.instances.push_back(std::move(inst));
        if (!is_punct(",")) break;
        next();
      }
      expect(";", "after a module instance");
      return;
    }
    unsupported_or(t, "expected a declaration, 'assign', a gate or a module instance");
  }

  // ---- constant integers (ranges, selects, repetition counts)
  long const_int() {
    ExprPtr e = expr();
    return eval_const(*e);
  }
  long eval_const(const Expr& e) const {
    const ConstValue c = const_eval(e);
    if (c.ok()) return c.value;
    const Pos& p = c.bad->pos;
    if (!c.error.empty()) throw ParseError(path_, p.line, p.col, c.error);
    if (c.bad->kind == Expr::Ident)
      throw UnsupportedConstruct(path_, p.line, p.col, "parameter '" + c.bad->name + "' in a constant expression");
    throw ParseError(path_, p.line, p.col, "expected a constant integer expression");
  }

  // ---- expressions, by precedence (lowest first)
  ExprPtr make(Expr::Kind k, Pos p, std::string op = "") {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->pos = p;
    e->op = std::move(op);
    return e;
  }
  // Counts the parser's own recursion (parentheses add levels to it but not to the tree).
  struct Nesting {
    Parser& p;
    Nesting(Parser& parser) : p(parser) {
      if (++p.nesting_ > detail::kMaxNestingDepth) p.too_deep(p.peek().pos);
    }
    ~Nesting() { --p.nesting_; }
  };
  [[noreturn]] void too_deep(Pos at) const {
    throw ParseError(path_, at.line, at.col,
                     "expression nested more than " + std::to_string(detail::kMaxNestingDepth) +
                         " levels deep (split it into several assignments)");
  }
  // Appends an operand; the tree's depth is bounded as it grows, so that the recursive walks over
  // it (elaboration, destruction) stay within the reader's stack.
  void add(Expr& e, ExprPtr operand) {
    e.depth = std::max(e.depth, operand->depth + 1);
    if (e.depth > detail::kMaxNestingDepth) too_deep(e.pos);
    e.args.push_back(std::move(operand));
  }
  ExprPtr expr() {
    Nesting guard(*this);
    ExprPtr c = binary(0);
    if (is_punct("?")) {
      Pos p = next().pos;
      ExprPtr a = expr();
      expect(":", "in a conditional expression");
      ExprPtr b = expr();
      ExprPtr e = make(Expr::Ternary, p);
      add(*e, std::move(c));
      add(*e, std::move(a));
      add(*e, std::move(b));
      return e;
    }
    return c;
  }
  static int precedence(const std::string& op) {
    static const std::map<std::string, int> p = {
        {"||", 1}, {"&&", 2}, {"|", 3},  {"~|", 3}, {"^", 4},  {"~^", 4},  {"^~", 4},   {"&", 5},   {"~&", 5},
        {"==", 6}, {"!=", 6}, {"===", 6}, {"!==", 6}, {"<", 7}, {"<=", 7}, {">", 7},    {">=", 7},  {"<<", 8},
        {">>", 8}, {"<<<", 8}, {">>>", 8}, {"+", 9}, {"-", 9},  {"*", 10}, {"/", 10},   {"%", 10},  {"**", 11}};
    auto it = p.find(op);
    return it == p.end() ? -1 : it->second;
  }
  ExprPtr binary(int min_prec) {
    ExprPtr lhs = unary();
    for (;;) {
      if (peek().kind != Token::Punct) return lhs;
      int prec = precedence(peek().text);
      if (prec < 0 || prec < min_prec) return lhs;
      Token op = next();
      ExprPtr rhs = binary(prec + 1);
      ExprPtr e = make(Expr::Binary, op.pos, op.text);
      add(*e, std::move(lhs));
      add(*e, std::move(rhs));
      lhs = std::move(e);
    }
  }
  ExprPtr unary() {
    static const std::set<std::string> ops = {"~", "!", "&", "|", "^", "~&", "~|", "~^", "^~", "-", "+"};
    if (peek().kind == Token::Punct && ops.count(peek().text)) {
      Nesting guard(*this);
      Token op = next();
      ExprPtr e = make(Expr::Unary, op.pos, op.text);
      add(*e, unary());
      return e;
    }
    return postfix(primary());
  }
  ExprPtr postfix(ExprPtr base) {
    while (is_punct("[")) {
      Pos p = next().pos;
      ExprPtr first = expr();
      if (is_punct(":") || is_punct("+:") || is_punct("-:")) {
        std::string kind = next().text;
        ExprPtr second = expr();
        expect("]", "to close a part select");
        ExprPtr e = make(Expr::Range, p, kind);
        add(*e, std::move(base));
        add(*e, std::move(first));
        add(*e, std::move(second));
        base = std::move(e);
      } else {
        expect("]", "to close a bit select");
        ExprPtr e = make(Expr::Index, p);
        add(*e, std::move(base));
        add(*e, std::move(first));
        base = std::move(e);
      }
    }
    return base;
  }
  ExprPtr primary() {
    const Token& t = peek();
    if (t.kind == Token::Number) return number(next());
    if (t.kind == Token::Ident) {
      if (!t.escaped && (t.text == "$signed" || t.text == "$unsigned")) {
        Token f = next();
        expect("(", "after a system function");
        ExprPtr e = make(Expr::Cast, f.pos, f.text);
        add(*e, expr());
        expect(")", "to close the function call");
        return e;
      }
      if (!t.escaped && t.text[0] == '$') unsupported(t, "system function '" + t.text + "'");
      Token id = t;
      std::string name = ident("an expression");
      if (is_punct("(")) unsupported(id, "function call '" + name + "'");
      ExprPtr e = make(Expr::Ident, id.pos);
      e->name = name;
      return e;
    }
    if (is_punct("(")) {
      next();
      ExprPtr e = expr();
      expect(")", "to close a parenthesis");
      return e;
    }
    if (is_punct("{")) {
      Pos p = next().pos;
      ExprPtr first = expr();
      if (is_punct("{")) {
        // Replication {n{...}}
        ExprPtr inner = primary();
        expect("}", "to close a replication");
        ExprPtr e = make(Expr::Repeat, p);
        add(*e, std::move(first));
        add(*e, std::move(inner));
        return e;
      }
      ExprPtr e = make(Expr::Concat, p);
      add(*e, std::move(first));
      while (is_punct(",")) {
        next();
        add(*e, expr());
      }
      expect("}", "to close a concatenation");
      return e;
    }
    if (t.kind == Token::String) unsupported(t, "string literal");
    unsupported_or(t, "expected an expression");
  }

  ExprPtr number(const Token& t) {
    ExprPtr e = make(Expr::Number, t.pos);
    const std::string& s = t.text;
    std::size_t q = s.find('\'');
    auto digits_only = [](const std::string& d) {
      std::string r;
      for (char c : d)
        if (c != '_') r += c;
      return r;
    };
    if (q == std::string::npos) {
      // Unsized decimal: 32-bit signed.
      std::string d = digits_only(s);
      unsigned long long v = 0;
      for (char c : d) {
        v = v * 10 + unsigned(c - '0');
        if (v > 0xFFFFFFFFull) fail(t, "decimal constant " + s + " does not fit in 32 bits");
      }
      for (int i = 0; i < 32; ++i) e->bits.push_back((v >> i) & 1);
      e->is_signed = true;
      return e;
    }
    std::string size = digits_only(s.substr(0, q));
    std::size_t k = q + 1;
    if (k < s.size() && s[k] == 's') e->is_signed = true, ++k;
    if (k >= s.size()) unsupported(t, "fill literal '" + s + "'");
    char base = s[k];
    std::string val = digits_only(s.substr(k + 1));
    if (val.empty()) {
      if (base == '0' || base == '1' || base == 'x' || base == 'z') unsupported(t, "fill literal '" + s + "'");
      fail(t, "constant '" + s + "' has no digits");
    }
    unsigned per = base == 'b' ? 1 : base == 'o' ? 3 : base == 'h' ? 4 : 0;
    std::vector<std::uint8_t> bits;
    if (base == 'd') {
      // Decimal value into binary, LSB first.
      std::vector<int> dec;
      for (char c : val) {
        if (!std::isdigit((unsigned char)c)) fail(t, "invalid digit '" + std::string(1, c) + "' in " + s);
        dec.push_back(c - '0');
      }
      while (!(dec.empty())) {
        int rem = 0;
        std::vector<int> q2;
        for (int d : dec) {
          int cur = rem * 10 + d;
          if (!q2.empty() || cur / 2) q2.push_back(cur / 2);
          rem = cur % 2;
        }
        bits.push_back(std::uint8_t(rem));
        dec = q2;
      }
    } else if (per) {
      for (std::size_t i = val.size(); i-- > 0;) {
        char c = char(std::tolower(val[i]));
        int v;
        // x/z/? digits read as 0: undefined bits carry no logic function here.
        if (c == 'x' || c == 'z' || c == '?') v = 0;
        else if (std::isdigit((unsigned char)c)) v = c - '0';
        else if (c >= 'a' && c <= 'f') v = 10 + c - 'a';
        else v = 99;
        if (v >= (1 << per)) fail(t, "invalid digit '" + std::string(1, val[i]) + "' in " + s);
        for (unsigned b = 0; b < per; ++b) bits.push_back((v >> b) & 1);
      }
    } else {
      fail(t, "invalid base '" + std::string(1, base) + "' in " + s);
    }
    long width = 32;
    if (!size.empty()) {
      width = 0;
      for (char c : size) width = std::min(width * 10 + (c - '0'), kMaxWidth);  // digits only
      if (width <= 0 || width > 4096) fail(t, "invalid constant size in " + s);
      e->sized = true;
    }
    bits.resize(std::size_t(width), 0);
    e->bits = std::move(bits);
    return e;
  }

  const std::string& path_;
  std::vector<Token> t_;
  std::size_t p_ = 0;
  std::size_t nesting_ = 0;
};

}  // namespace

ConstValue const_eval(const Expr& e) {
  auto fail = [&](const Expr& at, std::string why = "") {
    ConstValue c;
    c.bad = &at;
    c.error = std::move(why);
    return c;
  };
  auto value = [](long v) {
    ConstValue c;
    c.value = v;
    return c;
  };
  switch (e.kind) {
    case Expr::Number: {
      long v = 0;
      for (std::size_t i = std::min<std::size_t>(e.bits.size(), 62); i-- > 0;) v = (v << 1) | e.bits[i];
      return value(v);
    }
    case Expr::Unary: {
      if (e.op != "-" && e.op != "+") return fail(e);
      ConstValue a = const_eval(*e.args[0]);
      if (!a.ok() || e.op == "+") return a;
      return value(-a.value);  // |a.value| < 2^62: no overflow
    }
    case Expr::Binary: {
      static const char* const kOps[] = {"+", "-", "*", "/", "%"};
      if (std::find(std::begin(kOps), std::end(kOps), e.op) == std::end(kOps)) return fail(e);
      ConstValue a = const_eval(*e.args[0]);
      if (!a.ok()) return a;
      ConstValue b = const_eval(*e.args[1]);
      if (!b.ok()) return b;
      long r = 0;
      bool overflow = false;
      if (e.op == "+") overflow = __builtin_add_overflow(a.value, b.value, &r);
      if (e.op == "-") overflow = __builtin_sub_overflow(a.value, b.value, &r);
      if (e.op == "*") overflow = __builtin_mul_overflow(a.value, b.value, &r);
      if (e.op == "/" || e.op == "%") {
        if (b.value == 0) return fail(e, "division by zero in a constant expression");
        r = e.op == "/" ? a.value / b.value : a.value % b.value;  // no LONG_MIN: operands stay below 2^62
      }
      if (overflow) return fail(e, "constant expression overflows");
      return value(r);
    }
    default: return fail(e);
  }
}

std::vector<Module> parse_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string src = ss.str();
  // A NUL would end the error messages that quote a token; no Verilog text holds one.
  if (std::size_t nul = src.find('\0'); nul != std::string::npos) {
    std::size_t line = 1 + std::size_t(std::count(src.begin(), src.begin() + long(nul), '\n'));
    std::size_t line_start = src.rfind('\n', nul);
    std::size_t col = nul - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
    throw ParseError(path, line, col, "NUL byte: not a text file");
  }
  Lexer lex(path, std::move(src));
  Parser p(path, lex.run());
  return p.run();
}

}  // namespace axx::netlist::verilog
