// .json source: axx's own `--format json` output read back (docs/formats-tables.md), or any JSON
// holding the table as a 2-D array of integers:
//   - an object with "table": [[...], ...] and optionally "bits_a", "bits_b" (must agree with the
//     table's shape) and "signed" (which declares the signedness); other keys ("name", "metrics",
//     "provenance", ...) are ignored;
//   - or the bare array [[...], ...], which declares no signedness.
// Rows are operand A's bit patterns; the shape must be (2^bits_a, 2^bits_b) with 2..12 bits each.
// Errors name file:line:col (parse errors, a wrong value, a ragged row, an entry outside int32).
// The parser is our own (lutgen has no third-party dependencies, docs/architecture.md).
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>

#include "axx/error.h"
#include "lutgen/signedness.h"
#include "lutgen/source_registry.h"

namespace axx::lutgen {

namespace {

struct Pos {
  std::size_t line = 1, col = 1;
};

class JsonReader {
 public:
  JsonReader(const std::string& file, const std::string& text) : file_(file), text_(text) {}

  [[noreturn]] void fail(const std::string& msg, Pos at) const {
    throw ParseError(file_, at.line, at.col, msg);
  }
  [[noreturn]] void fail(const std::string& msg) const { fail(msg, pos_); }
  // Where the next token starts (whitespace skipped).
  Pos pos() {
    skip_ws();
    return pos_;
  }

  void skip_ws() {
    while (i_ < text_.size()) {
      const char c = text_[i_];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
      advance();
    }
  }
  char peek() {
    skip_ws();
    return i_ < text_.size() ? text_[i_] : '\0';
  }
  bool accept(char c) {
    if (peek() != c) return false;
    advance();
    return true;
  }
  void expect(char c, const char* what) {
    if (!accept(c)) fail(std::string("expected ") + what);
  }
  bool at_end() { return peek() == '\0' && i_ >= text_.size(); }

  std::string string() {
    if (peek() != '"') fail("expected a string");
    advance();
    std::string out;
    while (i_ < text_.size() && text_[i_] != '"') {
      if (text_[i_] == '\n') fail("unterminated string");
      if (text_[i_] == '\\') {
        advance();
        if (i_ >= text_.size()) break;
        const char e = text_[i_];
        if (e == 'u')
          out += "\\u";  // \uXXXX kept verbatim (only names are strings here)
        else
          out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += text_[i_];
      }
      advance();
    }
    if (i_ >= text_.size()) fail("unterminated string");
    advance();
    return out;
  }

  // A JSON number; integral tells whether it had no fraction or exponent. text, when given,
  // receives the literal as written (for messages: a value too large for a double's integers
  // must be named as the file spells it).
  double number(bool& integral, std::string* text = nullptr) {
    skip_ws();
    const std::size_t start = i_;
    integral = true;
    if (i_ < text_.size() && text_[i_] == '-') advance();
    std::size_t digits = 0;
    while (i_ < text_.size()) {
      const char c = text_[i_];
      if (c >= '0' && c <= '9') {
        ++digits;
      } else if (c == '.' || c == 'e' || c == 'E' || ((c == '+' || c == '-') && i_ > start)) {
        integral = false;
      } else {
        break;
      }
      advance();
    }
    if (digits == 0) fail("expected a number");
    const std::string literal = text_.substr(start, i_ - start);
    if (text) *text = literal;
    return std::strtod(literal.c_str(), nullptr);
  }

  // Skips any value. Iterative, with the closers still owed on a stack: a file nested a million
  // deep in a key axx ignores must not overflow the call stack.
  void skip_value() {
    std::string closers;
    do {
      const char c = peek();
      if (c == '{') {
        advance();
        if (!accept('}')) {
          closers += '}';
          string();
          expect(':', "':'");
          continue;
        }
      } else if (c == '[') {
        advance();
        if (!accept(']')) {
          closers += ']';
          continue;
        }
      } else if (c == '"') {
        string();
      } else if (c == 't' || c == 'f' || c == 'n') {
        word();
      } else {
        bool integral;
        number(integral);
      }
      // One value done: close every container it ends, then go on to the next element.
      while (!closers.empty()) {
        const char close = closers.back();
        if (accept(',')) {
          if (close == '}') {
            string();
            expect(':', "':'");
          }
          break;
        }
        expect(close, close == '}' ? "',' or '}'" : "',' or ']'");
        closers.pop_back();
      }
    } while (!closers.empty());
  }

  std::string word() {
    skip_ws();
    const std::size_t start = i_;
    while (i_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[i_]))) advance();
    const std::string w = text_.substr(start, i_ - start);
    if (w != "true" && w != "false" && w != "null") fail("expected a value");
    return w;
  }

 private:
  void advance() {
    if (text_[i_] == '\n') {
      ++pos_.line;
      pos_.col = 1;
    } else {
      ++pos_.col;
    }
    ++i_;
  }

  const std::string& file_;
  const std::string& text_;
  std::size_t i_ = 0;
  Pos pos_;
};

int log2_exact(std::size_t n) {
  int b = 0;
  while ((std::size_t{1} << b) < n) ++b;
  return (std::size_t{1} << b) == n ? b : -1;
}

// The table: rows of integers; every row as long as the first.
void read_table(JsonReader& r, std::vector<std::int32_t>& table, std::size_t& rows,
                std::size_t& cols) {
  const Pos at = r.pos();
  r.expect('[', "'[' opening the table (a list of rows)");
  rows = cols = 0;
  if (r.accept(']')) r.fail("the table is empty", at);
  do {
    const Pos row_at = r.pos();
    r.expect('[', "'[' opening a row of integers");
    std::size_t n = 0;
    if (!r.accept(']')) {
      do {
        const Pos v_at = r.pos();
        bool integral;
        std::string literal;
        const double v = r.number(integral, &literal);
        if (!integral || v != std::floor(v)) r.fail("table entries must be integers", v_at);
        if (v < INT32_MIN || v > INT32_MAX) r.fail("value " + literal + " does not fit in int32", v_at);
        table.push_back(static_cast<std::int32_t>(v));
        ++n;
      } while (r.accept(','));
      r.expect(']', "',' or ']' in a row");
    }
    if (rows == 0) cols = n;
    if (n != cols)
      r.fail("row " + std::to_string(rows) + " has " + std::to_string(n) + " entries, row 0 has " +
                 std::to_string(cols),
             row_at);
    ++rows;
  } while (r.accept(','));
  r.expect(']', "',' or ']' after a row");
}

}  // namespace

TableStream open_json_source(const std::string& input, const SourceOptions& options) {
  const std::string text = read_text_file(input);
  JsonReader r(input, text);
  auto table = std::make_shared<std::vector<std::int32_t>>();
  std::size_t rows = 0, cols = 0;
  Pos table_at;
  bool have_table = false;
  std::optional<bool> is_signed;
  int bits_a = 0, bits_b = 0;
  Pos bits_at;
  std::set<std::string> seen;
  const bool bare = r.peek() == '[';
  if (bare) {
    table_at = r.pos();
    read_table(r, *table, rows, cols);
    have_table = true;
  } else {
    r.expect('{', "'{' or '[' at the start of the file");
    if (!r.accept('}')) {
      do {
        const Pos key_at = r.pos();
        const std::string key = r.string();
        r.expect(':', "':' after a key");
        // A repeated key that axx reads would leave the choice between its values to chance (two
        // "table"s would even be read into one vector): refuse it.
        if (key == "table" || key == "bits_a" || key == "bits_b" || key == "signed") {
          if (!seen.insert(key).second) r.fail("duplicate key \"" + key + "\"", key_at);
        }
        if (key == "table") {
          table_at = r.pos();
          read_table(r, *table, rows, cols);
          have_table = true;
        } else if (key == "bits_a" || key == "bits_b") {
          const Pos v_at = r.pos();
          bool integral;
          const double v = r.number(integral);
          if (!integral || v < 2 || v > 12) r.fail("\"" + key + "\" must be an integer 2..12", v_at);
          (key == "bits_a" ? bits_a : bits_b) = static_cast<int>(v);
          bits_at = key_at;
        } else if (key == "signed") {
          const Pos v_at = r.pos();
          const std::string w = r.peek() == 't' || r.peek() == 'f' ? r.word() : "";
          if (w != "true" && w != "false") r.fail("\"signed\" must be true or false", v_at);
          is_signed = w == "true";
        } else {
          r.skip_value();
        }
      } while (r.accept(','));
      r.expect('}', "',' or '}' after a value");
    }
  }
  if (!r.at_end()) r.fail("unexpected text after the JSON value");
  if (!have_table) throw InputError(input + ": no \"table\" key (a list of 2^bits_a rows)");
  const int ba = log2_exact(rows), bb = log2_exact(cols);
  if (ba < 2 || bb < 2 || ba > 12 || bb > 12)
    throw ParseError(input, table_at.line, table_at.col,
                     "table shape (" + std::to_string(rows) + ", " + std::to_string(cols) +
                         ") is not (2^bits_a, 2^bits_b) with 2..12 bits per operand");
  if ((bits_a && bits_a != ba) || (bits_b && bits_b != bb))
    throw ParseError(input, bits_at.line, bits_at.col,
                     "\"bits_a\"/\"bits_b\" say " + std::to_string(bits_a ? bits_a : ba) + "x" +
                         std::to_string(bits_b ? bits_b : bb) + " but the table is " +
                         std::to_string(rows) + " x " + std::to_string(cols));
  SignednessFacts facts;
  facts.table = is_signed;
  facts.table_what = "its \"signed\" key says {}";
  facts.silent_why = bare ? "a bare JSON array does not say whether its operands are signed"
                          : "it has no \"signed\" key";
  const Signedness sign = resolve_signedness(input, facts, options);
  const OperandSpec spec{ba, bb, sign.is_signed};
  check_fixed_bits(input, options, spec);
  return stream_of_table(table_name(input, options), spec, Provenance{"json", input, "2-D integer array", sign.how},
                         table);
}

}  // namespace axx::lutgen
