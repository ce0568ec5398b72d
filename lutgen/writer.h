// Table writers, one file each (writer_<name>.cc), registered in writer_registry.cc with a name,
// the file extensions that select them and a one-line description (docs/contributing.md).
#pragma once
#include <string>
#include <vector>

#include "lutgen/lut.h"
#include "lutgen/metrics.h"

namespace axx::lutgen {

struct WriterKind {
  std::string name;                     // "header", "transaxx", "npy", "json"
  std::vector<std::string> extensions;  // lower case with the dot; empty: only by name
  std::string description;              // one line
  std::string (*render)(const Lut& lut, const Metrics& metrics);
};

const std::vector<WriterKind>& writer_kinds();

// By name; throws axx::UsageError listing the valid names.
const WriterKind& find_writer(const std::string& name);
// By OUT's extension; throws axx::UsageError listing the known extensions.
const WriterKind& writer_for_path(const std::string& path);

// The file contents of LUT in FORMAT (a writer name).
std::string render_lut(const Lut& lut, const std::string& format);
// Writes LUT to PATH atomically; format empty: chosen by PATH's extension.
void write_lut(const Lut& lut, const std::string& path, const std::string& format = "");

// Table metadata, provenance and metrics as one JSON object (render_json adds the table).
std::string report_json(const Lut& lut, const Metrics& metrics);

// The writers, one per file.
std::string render_header(const Lut& lut, const Metrics& metrics);
std::string render_transaxx(const Lut& lut, const Metrics& metrics);
std::string render_npy(const Lut& lut, const Metrics& metrics);
std::string render_json(const Lut& lut, const Metrics& metrics);

// Helpers shared by the writers.
bool fits_int16(const Lut& lut);
std::string c_identifier(const std::string& name);       // "mul8s-1KV6" -> "mul8s_1KV6"
std::string macro_prefix(const std::string& name);       // "mul8s-1KV6" -> "AXX_LUT_MUL8S_1KV6"
std::string comment_safe(const std::string& text);        // no "*/" inside a C comment
std::string metrics_comment(const Metrics& m, const std::string& prefix);  // "prefix key = value" lines

}  // namespace axx::lutgen
