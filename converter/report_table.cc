#include "converter/report_table.h"

#include <cmath>
#include <cstdio>

#include "lutgen/json.h"

namespace axx::cli {

std::string format_metric(double value) {
  char buf[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", value);
  }
  return buf;
}

std::string render_metrics(const std::vector<lutgen::Metrics>& rows, const TableOptions& options) {
  const auto& fields = lutgen::metric_fields();
  if (options.style == TableStyle::Json) {
    // Numbers through lutgen's one JSON formatter, so every output writes 1743 (not 1743.0) alike.
    std::string out = "[";
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto& m = rows[r];
      out += r ? ",\n  {\n" : "\n  {\n";
      out += "    \"name\": " + lutgen::json_string(m.name) + ",\n";
      out += "    \"bits_a\": " + std::to_string(m.bits_a) + ",\n";
      out += "    \"bits_b\": " + std::to_string(m.bits_b) + ",\n";
      out += std::string("    \"signed\": ") + (m.is_signed ? "true" : "false");
      for (const auto& f : fields) out += std::string(",\n    \"") + f.key + "\": " + lutgen::json_number(m.*f.member);
      for (const auto& col : options.numbers) {
        const double v = col.values.at(r);
        out += ",\n    " + lutgen::json_string(col.key) + ": " +
               (col.integer ? std::to_string(static_cast<long long>(v)) : lutgen::json_number(v));
      }
      if (!options.extra_header.empty()) {
        out += ",\n    " + lutgen::json_string(options.extra_header.front()) + ": " + lutgen::json_string(options.extra.at(r));
      }
      for (const auto& [key, values] : options.json_strings)
        out += ",\n    " + lutgen::json_string(key) + ": " + lutgen::json_string(values.at(r));
      out += "\n  }";
    }
    return out + (rows.empty() ? "]\n" : "\n]\n");
  }

  // Best value per column: the smallest magnitude.
  std::vector<double> best(fields.size(), INFINITY);
  for (const auto& m : rows) {
    for (std::size_t c = 0; c < fields.size(); ++c) best[c] = std::min(best[c], std::fabs(m.*fields[c].member));
  }
  std::vector<std::string> header = {"name", "bits", "signed"};
  for (const auto& f : fields) header.push_back(f.label);
  std::vector<const NumberColumn*> numbers;
  for (const auto& col : options.numbers)
    if (!col.json_only) numbers.push_back(&col);
  for (const auto* col : numbers) header.push_back(col->key);
  for (const auto& h : options.extra_header) header.push_back(h);
  std::vector<std::vector<std::string>> cells;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& m = rows[r];
    std::vector<std::string> row = {m.name, std::to_string(m.bits_a) + "x" + std::to_string(m.bits_b),
                                    m.is_signed ? "yes" : "no"};
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const double v = m.*fields[c].member;
      row.push_back(format_metric(v) + (options.mark_best && rows.size() > 1 && std::fabs(v) == best[c] ? "*" : ""));
    }
    for (const auto* col : numbers) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*f", col->decimals, col->values.at(r));
      row.push_back(buf);
    }
    if (!options.extra_header.empty()) row.push_back(options.extra.at(r));
    cells.push_back(std::move(row));
  }

  return render_grid(header, cells, options.style, 3, 3 + fields.size() + numbers.size());
}

std::string render_grid(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& cells,
                        TableStyle style, std::size_t first_numeric, std::size_t end_numeric) {
  const auto numeric = [&](std::size_t c) { return c >= first_numeric && c < end_numeric; };
  std::string out;
  if (style == TableStyle::Markdown) {
    auto line = [&](const std::vector<std::string>& v) {
      out += "|";
      for (const auto& s : v) out += " " + s + " |";
      out += "\n";
    };
    line(header);
    out += "|";
    for (std::size_t c = 0; c < header.size(); ++c) out += numeric(c) ? " ---: |" : " --- |";
    out += "\n";
    for (const auto& row : cells) line(row);
    return out;
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& v) {
    std::string l;
    for (std::size_t c = 0; c < v.size(); ++c) {
      const std::string pad(width[c] - v[c].size(), ' ');
      const bool left = c == 0 || c >= end_numeric;
      l += (c ? "  " : "") + (left ? v[c] + (c + 1 < v.size() ? pad : "") : pad + v[c]);
    }
    out += l + "\n";
  };
  line(header);
  for (const auto& row : cells) line(row);
  return out;
}

}  // namespace axx::cli
