// JSON writer: the report of report_json() plus "table", a list of 2^bits_a rows of 2^bits_b
// integers (row = operand A's bit pattern).
#include <charconv>

#include "lutgen/writer.h"

namespace axx::lutgen {

std::string render_json(const Lut& lut, const Metrics& m) {
  std::string out = report_json(lut, m);
  // Reopen the report object to append the table.
  out.erase(out.find_last_of('}'));
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  out += ",\n  \"table\": [\n";
  char buf[16];
  for (std::uint64_t a = 0; a < lut.spec.rows(); ++a) {
    out += "    [";
    for (std::uint64_t b = 0; b < lut.spec.cols(); ++b) {
      if (b) out += ", ";
      auto r = std::to_chars(buf, buf + sizeof buf, lut.at(a, b));
      out.append(buf, r.ptr);
    }
    out += a + 1 < lut.spec.rows() ? "],\n" : "]\n";
  }
  out += "  ]\n}\n";
  return out;
}

}  // namespace axx::lutgen
