#include <algorithm>
#include <charconv>
#include <cmath>

#include "axx/error.h"
#include "axx/path.h"
#include "lutgen/atomic_file.h"
#include "lutgen/json.h"
#include "lutgen/writer.h"

namespace axx::lutgen {

const std::vector<WriterKind>& writer_kinds() {
  static const std::vector<WriterKind> kinds = {
      {"header", {".h", ".hpp", ".hh", ".cuh"}, "portable C/C++/CUDA header with metrics and provenance",
       &render_header},
      {"transaxx", {}, "TransAxx/AdaPT-style header: `const int16_t lut[256][256]` (operands of up to 8 bits)",
       &render_transaxx},
      {"npy", {".npy"}, "NumPy .npy, int32, shape (2^bits_a, 2^bits_b)", &render_npy},
      {"json", {".json"}, "JSON: metadata, provenance, metrics and the table as a list of rows", &render_json},
  };
  return kinds;
}

const WriterKind& find_writer(const std::string& name) {
  std::string valid;
  for (const auto& w : writer_kinds()) {
    if (w.name == name) return w;
    valid += (valid.empty() ? "" : ", ") + w.name;
  }
  throw UsageError("unknown format '" + name + "'; valid formats: " + valid);
}

const WriterKind& writer_for_path(const std::string& path) {
  const std::string ext = extension_of(path);
  std::string valid;
  for (const auto& w : writer_kinds()) {
    for (const auto& e : w.extensions) {
      if (e == ext) return w;
      valid += (valid.empty() ? "" : ", ") + e;
    }
  }
  throw UsageError(path + ": cannot tell the output format from the extension (known: " + valid +
                   "); use --format");
}

std::string render_lut(const Lut& lut, const std::string& format) {
  const WriterKind& w = find_writer(format);
  return w.render(lut, compute_metrics(lut));
}

void write_lut(const Lut& lut, const std::string& path, const std::string& format) {
  const WriterKind& w = format.empty() ? writer_for_path(path) : find_writer(format);
  write_file_atomic(path, w.render(lut, compute_metrics(lut)));
}

bool fits_int16(const Lut& lut) {
  return std::all_of(lut.table.begin(), lut.table.end(), [](std::int32_t v) { return v >= -32768 && v <= 32767; });
}

std::string c_identifier(const std::string& name) {
  std::string id;
  for (unsigned char c : name) id += std::isalnum(c) ? static_cast<char>(c) : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "_" + id;
  return id;
}

std::string macro_prefix(const std::string& name) {
  std::string macro = "AXX_LUT_";
  for (unsigned char c : c_identifier(name)) macro += static_cast<char>(std::toupper(c));
  return macro;
}

std::string comment_safe(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i] == '\n' ? ' ' : text[i];
    if (text[i] == '*' && i + 1 < text.size() && text[i + 1] == '/') out += ' ';
  }
  return out;
}

std::string metrics_comment(const Metrics& m, const std::string& prefix) {
  std::string out;
  for (const auto& f : metric_fields()) {
    std::string key = f.key;
    key.resize(16, ' ');
    out += prefix + key + json_number(m.*f.member) + "\n";
  }
  return out;
}

std::string report_json(const Lut& lut, const Metrics& m) {
  return "{\n  \"name\": " + json_string(lut.name) + ",\n  \"bits_a\": " + std::to_string(lut.spec.bits_a) +
         ",\n  \"bits_b\": " + std::to_string(lut.spec.bits_b) + ",\n  \"signed\": " +
         (lut.spec.is_signed ? "true" : "false") + ",\n  \"indexing\": \"lut[a][b], a and b raw bit patterns\"" +
         ",\n  \"provenance\": {\"kind\": " + json_string(lut.provenance.kind) +
         ", \"path\": " + json_string(lut.provenance.path) + ", \"detail\": " + json_string(lut.provenance.detail) +
         ", \"signedness\": " + json_string(lut.provenance.signedness) + "},\n  \"metrics\": " + metrics_json(m) +
         "\n}\n";
}

}  // namespace axx::lutgen
