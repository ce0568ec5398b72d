// .npy source: a 2-D little-endian integer array in C order, shape (2^bits_a, 2^bits_b)
// (docs/formats-tables.md). Header errors are reported as file:1:col (the header is line 1).
#include <cstring>
#include <memory>

#include "axx/error.h"
#include "lutgen/npy.h"
#include "lutgen/signedness.h"
#include "lutgen/source_registry.h"

namespace axx::lutgen {

namespace {

// A cursor over the header dict, e.g. {'descr': '<i4', 'fortran_order': False, 'shape': (256, 256), }
class DictParser {
 public:
  DictParser(const std::string& file, const std::string& text, std::size_t col0)
      : file_(file), text_(text), col0_(col0) {}

  [[noreturn]] void fail(const std::string& msg) const { throw ParseError(file_, 1, col0_ + pos_ + 1, msg); }
  void skip_ws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) ++pos_;
  }
  bool accept(char c) {
    skip_ws();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("npy header: expected '") + c + "'");
  }
  std::string string_literal() {
    skip_ws();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("npy header: expected a string");
    const char q = text_[pos_++];
    const std::size_t end = text_.find(q, pos_);
    if (end == std::string::npos) fail("npy header: unterminated string");
    std::string s = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  std::string word() {
    skip_ws();
    std::size_t start = pos_;
    while (pos_ < text_.size() && std::isalnum(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (start == pos_) fail("npy header: expected a value");
    return text_.substr(start, pos_ - start);
  }
  std::uint64_t integer() {
    skip_ws();
    std::size_t start = pos_;
    std::uint64_t v = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      if (v > (1ull << 40)) fail("npy header: dimension too large");
      v = v * 10 + (text_[pos_++] - '0');
    }
    if (start == pos_) fail("npy header: expected an integer");
    return v;
  }
  std::size_t pos() const { return pos_; }
  void seek(std::size_t p) { pos_ = p; }

 private:
  const std::string& file_;
  const std::string& text_;
  std::size_t col0_;
  std::size_t pos_ = 0;
};

int log2_exact(std::uint64_t n) {
  if (n == 0 || (n & (n - 1))) return -1;
  int k = 0;
  while ((std::uint64_t{1} << k) < n) ++k;
  return k;
}

}  // namespace

NpyArray read_npy(const std::string& input) {
  const std::string data = read_text_file(input);
  static const char kMagic[] = "\x93NUMPY";
  if (data.size() < 10 || std::memcmp(data.data(), kMagic, 6) != 0) {
    throw ParseError(input, 1, 1, "not a .npy file (missing \\x93NUMPY magic)");
  }
  const unsigned major = static_cast<unsigned char>(data[6]);
  std::size_t header_len, header_start;
  if (major == 1) {
    header_len = static_cast<unsigned char>(data[8]) | static_cast<unsigned char>(data[9]) << 8;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12) throw ParseError(input, 1, 1, "truncated .npy header");
    header_len = 0;
    for (int i = 3; i >= 0; --i) header_len = header_len << 8 | static_cast<unsigned char>(data[8 + i]);
    header_start = 12;
  } else {
    throw ParseError(input, 1, 7, "unsupported .npy format version " + std::to_string(major));
  }
  if (data.size() < header_start + header_len) throw ParseError(input, 1, 1, "truncated .npy header");
  const std::string header = data.substr(header_start, header_len);

  DictParser p(input, header, header_start);
  NpyArray out;
  bool fortran = false, have_descr = false, have_shape = false;
  p.expect('{');
  while (!p.accept('}')) {
    const std::size_t key_pos = p.pos();
    const std::string key = p.string_literal();
    p.expect(':');
    if (key == "descr") {
      out.descr = p.string_literal();
      have_descr = true;
    } else if (key == "fortran_order") {
      const std::size_t at = p.pos();
      const std::string w = p.word();
      if (w != "True" && w != "False") {
        p.seek(at);
        p.skip_ws();
        p.fail("npy header: fortran_order must be True or False");
      }
      fortran = w == "True";
    } else if (key == "shape") {
      p.expect('(');
      while (!p.accept(')')) {
        out.shape.push_back(p.integer());
        if (!p.accept(',')) {
          p.expect(')');
          break;
        }
      }
      have_shape = true;
    } else {
      p.seek(key_pos);
      p.skip_ws();
      p.fail("npy header: unknown key '" + key + "'");
    }
    if (!p.accept(',')) {
      p.expect('}');
      break;
    }
  }
  if (!have_descr || !have_shape) throw ParseError(input, 1, header_start + 1, "npy header: needs 'descr' and 'shape'");
  if (fortran) throw InputError(input + ": Fortran-order arrays are not supported (save a C-order array)");

  struct Type {
    const char* descr;
    int size;
    bool is_signed;
  };
  static const Type kTypes[] = {{"<i2", 2, true}, {"<i4", 4, true},  {"<i8", 8, true},  {"|i1", 1, true},
                                {"|u1", 1, false}, {"<u2", 2, false}, {"<i1", 1, true}, {"<u1", 1, false}};
  const Type* type = nullptr;
  for (const auto& t : kTypes) {
    if (out.descr == t.descr) type = &t;
  }
  if (!type) {
    throw InputError(input + ": unsupported dtype '" + out.descr +
                     "' (expected <i4 (int32), <i2 (int16), <i8 (int64), |i1 (int8), |u1 (uint8) or <u2 (uint16))");
  }
  std::size_t count = 1;
  for (std::uint64_t d : out.shape) {
    if (d != 0 && count > (std::size_t{1} << 40) / d) throw InputError(input + ": the array has too many elements");
    count *= d;
  }
  const std::size_t body = header_start + header_len;
  if (data.size() - body != count * type->size) {
    throw InputError(input + ": expected " + std::to_string(count * type->size) + " bytes of data after the header, found " +
                     std::to_string(data.size() - body));
  }
  out.values.resize(count);
  const unsigned char* raw = reinterpret_cast<const unsigned char*>(data.data()) + body;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t u = 0;
    for (int k = type->size - 1; k >= 0; --k) u = u << 8 | raw[i * type->size + k];
    std::int64_t v = static_cast<std::int64_t>(u);
    if (type->is_signed && type->size < 8 && (u >> (8 * type->size - 1)) & 1) v -= std::int64_t{1} << (8 * type->size);
    out.values[i] = v;
  }
  return out;
}

TableStream open_npy_source(const std::string& input, const SourceOptions& options) {
  const NpyArray array = read_npy(input);
  const auto& shape = array.shape;
  if (shape.size() != 2) {
    throw InputError(input + ": expected a 2-D array of shape (2^bits_a, 2^bits_b), got " +
                     std::to_string(shape.size()) + " dimensions");
  }
  const int bits_a = log2_exact(shape[0]), bits_b = log2_exact(shape[1]);
  if (bits_a < 2 || bits_b < 2 || bits_a > 12 || bits_b > 12) {
    throw InputError(input + ": shape (" + std::to_string(shape[0]) + ", " + std::to_string(shape[1]) +
                     ") is not (2^bits_a, 2^bits_b) with 2..12 bits per operand");
  }
  const std::size_t count = shape[0] * shape[1];
  auto table = std::make_shared<std::vector<std::int32_t>>(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::int64_t v = array.values[i];
    if (v < INT32_MIN || v > INT32_MAX) {
      throw InputError(input + ": value " + std::to_string(v) + " at [" + std::to_string(i / shape[1]) + "][" +
                       std::to_string(i % shape[1]) + "] does not fit in int32");
    }
    (*table)[i] = static_cast<std::int32_t>(v);
  }
  // The element type says how the products are stored, not whether the operands are signed.
  SignednessFacts facts;
  facts.silent_why = "a .npy table does not say whether its operands are signed";
  const Signedness sign = resolve_signedness(input, facts, options);
  const OperandSpec spec{bits_a, bits_b, sign.is_signed};
  check_fixed_bits(input, options, spec);
  return stream_of_table(table_name(input, options), spec, Provenance{"npy", input, array.descr, sign.how}, table);
}

}  // namespace axx::lutgen
