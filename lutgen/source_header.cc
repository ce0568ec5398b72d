// LUT header source: axx's own headers (writer_header.cc, writer_transaxx.cc) and TransAxx/AdaPT-style
// headers such as `short lut[256][256] = {{...}, ...};`. The first two-dimensional array with a brace initializer is the
// table; its dimensions give the operand widths. A tiny C tokenizer, so comments, preprocessor lines
// and any declaration specifiers (static, const, __device__, macros) are skipped without
// understanding them; errors carry file:line:col.
#include <map>
#include <memory>

#include "axx/error.h"
#include "lutgen/signedness.h"
#include "lutgen/source_registry.h"

namespace axx::lutgen {

namespace {

enum class Tok { Ident, Number, String, Punct, End };

struct Token {
  Tok kind;
  std::string text;
  std::size_t line, col;
};

class Lexer {
 public:
  Lexer(const std::string& file, const std::string& text) : file_(file), s_(text) {}

  std::vector<Token> run(std::map<std::string, std::string>& defines) {
    std::vector<Token> out;
    bool line_start = true;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '\n') {
        advance();
        line_start = true;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        advance();
        continue;
      }
      if (c == '/' && peek(1) == '/') {
        while (i_ < s_.size() && s_[i_] != '\n') advance();
        continue;
      }
      if (c == '/' && peek(1) == '*') {
        const std::size_t line = line_, col = col_;
        advance(2);
        while (i_ < s_.size() && !(s_[i_] == '*' && peek(1) == '/')) advance();
        if (i_ >= s_.size()) throw ParseError(file_, line, col, "unterminated comment");
        advance(2);
        continue;
      }
      if (c == '#' && line_start) {
        directive(defines);
        continue;
      }
      line_start = false;
      const std::size_t line = line_, col = col_;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::string w;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) w += take();
        out.push_back({Tok::Ident, w, line, col});
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        std::string w;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) w += take();
        out.push_back({Tok::Number, w, line, col});
      } else if (c == '"' || c == '\'') {
        std::string w(1, take());
        while (i_ < s_.size() && s_[i_] != c && s_[i_] != '\n') {
          if (s_[i_] == '\\') w += take();
          w += take();
        }
        if (i_ >= s_.size() || s_[i_] != c) throw ParseError(file_, line, col, "unterminated string");
        w += take();
        out.push_back({Tok::String, w, line, col});
      } else {
        out.push_back({Tok::Punct, std::string(1, take()), line, col});
      }
    }
    out.push_back({Tok::End, "", line_, col_});
    return out;
  }

 private:
  char peek(std::size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  char take() {
    const char c = s_[i_];
    advance();
    return c;
  }
  void advance(std::size_t n = 1) {
    for (; n && i_ < s_.size(); --n, ++i_) {
      if (s_[i_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
    }
  }
  // Records `#define NAME VALUE` (object-like) so axx headers' metadata macros can be read; the
  // rest of the preprocessor is ignored.
  void directive(std::map<std::string, std::string>& defines) {
    std::string text;
    while (i_ < s_.size() && s_[i_] != '\n') {
      if (s_[i_] == '\\' && peek(1) == '\n') {
        advance(2);
        continue;
      }
      text += take();
    }
    std::size_t p = text.find_first_not_of(" \t", 1);
    if (p == std::string::npos || text.compare(p, 6, "define") != 0) return;
    p = text.find_first_not_of(" \t", p + 6);
    if (p == std::string::npos) return;
    std::size_t q = p;
    while (q < text.size() && (std::isalnum(static_cast<unsigned char>(text[q])) || text[q] == '_')) ++q;
    if (q < text.size() && text[q] == '(') return;
    std::string value = q < text.size() ? text.substr(q) : "";
    const auto b = value.find_first_not_of(" \t"), e = value.find_last_not_of(" \t\r");
    defines[text.substr(p, q - p)] = b == std::string::npos ? "" : value.substr(b, e - b + 1);
  }

  const std::string& file_;
  const std::string& s_;
  std::size_t i_ = 0, line_ = 1, col_ = 1;
};

// An integer literal (decimal, octal, hex, with u/l suffixes). Values beyond 2^40 stop the parse
// with too_large set, so that they are reported as out of range rather than as no integer.
bool parse_int(const std::string& text, std::int64_t& out, bool* too_large = nullptr) {
  std::string digits = text;
  while (!digits.empty() && (digits.back() == 'u' || digits.back() == 'U' || digits.back() == 'l' || digits.back() == 'L')) {
    digits.pop_back();
  }
  if (digits.empty()) return false;
  int base = 10;
  std::size_t start = 0;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    start = 2;
  } else if (digits.size() > 1 && digits[0] == '0') {
    base = 8;
    start = 1;
  }
  std::int64_t v = 0;
  for (std::size_t i = start; i < digits.size(); ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(digits[i])));
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 99;
    if (d >= base) return false;
    v = v * base + d;
    if (v > (std::int64_t{1} << 40)) {
      // The rest must still be digits of the literal for it to be a (large) integer.
      for (std::size_t k = i + 1; k < digits.size(); ++k) {
        const char e = static_cast<char>(std::tolower(static_cast<unsigned char>(digits[k])));
        const int dk = std::isdigit(static_cast<unsigned char>(e)) ? e - '0' : (e >= 'a' && e <= 'f') ? e - 'a' + 10 : 99;
        if (dk >= base) return false;
      }
      if (too_large) *too_large = true;
      return false;
    }
  }
  out = v;
  return true;
}

int log2_exact(std::int64_t n) {
  if (n <= 0 || (n & (n - 1))) return -1;
  int k = 0;
  while ((std::int64_t{1} << k) < n) ++k;
  return k;
}

}  // namespace

TableStream open_header_source(const std::string& input, const SourceOptions& options) {
  const std::string text = read_text_file(input);
  std::map<std::string, std::string> defines;
  const std::vector<Token> t = Lexer(input, text).run(defines);

  auto is = [&](std::size_t i, const char* punct) { return t[i].kind == Tok::Punct && t[i].text == punct; };
  // Find IDENT [ N ] [ M ] = {
  std::size_t at = t.size();
  for (std::size_t i = 0; i + 8 < t.size(); ++i) {
    if (t[i].kind == Tok::Ident && is(i + 1, "[") && t[i + 2].kind == Tok::Number && is(i + 3, "]") &&
        is(i + 4, "[") && t[i + 5].kind == Tok::Number && is(i + 6, "]") && is(i + 7, "=") && is(i + 8, "{")) {
      at = i;
      break;
    }
  }
  if (at == t.size()) {
    throw InputError(input + ": no table found (expected a declaration like `short lut[256][256] = {...};`)");
  }
  const std::string array = t[at].text;
  std::int64_t dims[2];
  for (int k = 0; k < 2; ++k) {
    const Token& d = t[at + 2 + 3 * k];
    if (!parse_int(d.text, dims[k])) throw ParseError(input, d.line, d.col, "bad array dimension '" + d.text + "'");
  }
  const int bits_a = log2_exact(dims[0]), bits_b = log2_exact(dims[1]);
  if (bits_a < 2 || bits_b < 2 || bits_a > 12 || bits_b > 12) {
    throw ParseError(input, t[at].line, t[at].col,
                     "table '" + array + "' is [" + std::to_string(dims[0]) + "][" + std::to_string(dims[1]) +
                         "], expected [2^bits_a][2^bits_b] with 2..12 bits per operand");
  }
  const std::size_t expected = static_cast<std::size_t>(dims[0] * dims[1]);
  auto table = std::make_shared<std::vector<std::int32_t>>();
  table->reserve(expected);

  // Brace initializer: integer literals (optionally signed), either flat or in one brace per row,
  // trailing commas allowed. Rows are counted: values shifted between rows of a braced initializer
  // would otherwise pass the total count and give a wrong table (a C compiler rejects them).
  std::size_t i = at + 8;
  int depth = 0;
  bool want_value = true, flat = false, braced = false;
  std::size_t row_start = 0, rows_seen = 0;
  for (;; ++i) {
    const Token& tok = t[i];
    if (tok.kind == Tok::End) throw ParseError(input, tok.line, tok.col, "unexpected end of file in initializer of '" + array + "'");
    if (is(i, "{")) {
      if (!want_value && depth > 0) throw ParseError(input, tok.line, tok.col, "expected ',' or '}', found '{'");
      if (depth >= 2 || (depth == 1 && flat)) {
        throw ParseError(input, tok.line, tok.col,
                         "expected an integer, found '{' (the initializer is flat or has one brace per row)");
      }
      if (depth == 1) {
        braced = true;
        row_start = table->size();
      }
      ++depth;
      want_value = true;
    } else if (is(i, "}")) {
      --depth;
      want_value = false;
      if (depth == 1) {
        const std::size_t n = table->size() - row_start;
        if (n != static_cast<std::size_t>(dims[1])) {
          throw ParseError(input, tok.line, tok.col,
                           "row " + std::to_string(rows_seen) + " of '" + array + "' has " + std::to_string(n) +
                               " values, expected " + std::to_string(dims[1]));
        }
        ++rows_seen;
      }
      if (depth == 0) break;
    } else if (is(i, ",")) {
      if (want_value) throw ParseError(input, tok.line, tok.col, "expected a value, found ','");
      want_value = true;
    } else {
      if (!want_value) throw ParseError(input, tok.line, tok.col, "expected ',' or '}', found '" + tok.text + "'");
      if (depth == 1 && braced) {
        throw ParseError(input, tok.line, tok.col,
                         "expected '{' opening a row, found '" + tok.text + "' (the initializer is flat or has one brace per row)");
      }
      if (depth == 1) flat = true;
      std::int64_t sign = 1;
      std::size_t j = i;
      if (is(j, "-") || is(j, "+")) {
        sign = is(j, "-") ? -1 : 1;
        ++j;
      }
      std::int64_t v;
      bool too_large = false;
      if (t[j].kind != Tok::Number || !parse_int(t[j].text, v, &too_large)) {
        if (too_large) {
          throw ParseError(input, t[j].line, t[j].col,
                           "value " + std::string(sign < 0 ? "-" : "") + t[j].text + " does not fit in int32");
        }
        throw ParseError(input, t[j].line, t[j].col, "expected an integer, found '" + t[j].text + "'");
      }
      v *= sign;
      if (v < INT32_MIN || v > INT32_MAX) {
        throw ParseError(input, t[j].line, t[j].col, "value " + std::to_string(v) + " does not fit in int32");
      }
      if (table->size() == expected) {
        throw ParseError(input, t[j].line, t[j].col, "too many values for '" + array + "[" + std::to_string(dims[0]) + "][" +
                                                         std::to_string(dims[1]) + "]'");
      }
      table->push_back(static_cast<std::int32_t>(v));
      want_value = false;
      i = j;
    }
  }
  if (table->size() != expected) {
    throw ParseError(input, t[i].line, t[i].col,
                     "'" + array + "' has " + std::to_string(table->size()) + " values, expected " + std::to_string(expected));
  }

  // axx headers (both writers) carry AXX_LUT_<ID>_SIGNED; TransAxx/AdaPT headers carry nothing, and
  // those frameworks run signed 8-bit operands only, so their convention is signed.
  SignednessFacts facts;
  std::string macro;
  for (const auto& [key, value] : defines) {
    if (key.rfind("AXX_LUT_", 0) != 0 || key.size() <= 15 || key.compare(key.size() - 7, 7, "_SIGNED") != 0) continue;
    if (value != "0" && value != "1") throw InputError(input + ": " + key + " is '" + value + "', expected 0 or 1");
    if (facts.table && *facts.table != (value == "1")) {
      throw InputError(input + ": " + macro + " and " + key + " disagree about the signedness");
    }
    macro = key;
    facts.table = value == "1";
    facts.table_what = key + " says {}";
  }
  facts.convention = true;
  facts.convention_what = "{} by the TransAxx/AdaPT header convention";
  const Signedness sign = resolve_signedness(input, facts, options);
  const OperandSpec spec{bits_a, bits_b, sign.is_signed};
  check_fixed_bits(input, options, spec);
  return stream_of_table(table_name(input, options), spec, Provenance{"header", input, "array " + array, sign.how},
                         table);
}

}  // namespace axx::lutgen
