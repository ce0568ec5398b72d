#include "lutgen/heatmap.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "axx/error.h"
#include "lutgen/atomic_file.h"

namespace axx::lutgen {

namespace {

const double kNeg[3] = {33, 102, 172}, kMid[3] = {247, 247, 247}, kPos[3] = {178, 24, 43};

// t in [-1, 1]: signed colour intensity. The colour is linear in t on each side of 0, so an SVG
// gradient through the three stops kNeg, kMid, kPos draws exactly this scale.
void colour_at(double t, std::uint8_t rgb[3]) {
  const double* end = t < 0 ? kNeg : kPos;
  const double w = std::min(1.0, std::abs(t));
  for (int k = 0; k < 3; ++k) rgb[k] = static_cast<std::uint8_t>(kMid[k] + (end[k] - kMid[k]) * w + 0.5);
}

// Square-root intensity: the few largest errors would otherwise wash out everything else.
double intensity(std::int64_t e, std::int64_t max_abs) {
  if (max_abs <= 0) return 0;
  const double r = std::sqrt(std::min(1.0, std::abs(static_cast<double>(e)) / static_cast<double>(max_abs)));
  return e < 0 ? -r : r;
}

std::string hex_colour(const std::uint8_t rgb[3]) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return buf;
}

std::string base64(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = std::uint32_t(std::uint8_t(in[i])) << 16 | std::uint32_t(std::uint8_t(in[i + 1])) << 8 |
                            std::uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += kAlphabet[(v >> (6 * k)) & 63];
  }
  if (i < in.size()) {
    std::uint32_t v = std::uint32_t(std::uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// 8-bit RGB rows top to bottom -> PNG file contents (libpng's simplified API).
std::string encode_png(std::uint32_t width, std::uint32_t height, const std::vector<std::uint8_t>& rgb) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, rgb.data(), 0, nullptr)) {
    throw Error(std::string("libpng: ") + image.message);
  }
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, rgb.data(), 0, nullptr)) {
    throw Error(std::string("libpng: ") + image.message);
  }
  out.resize(size);
  return out;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

// Operand values labelled on an axis: both ends and the quarters between them.
std::vector<std::int64_t> tick_values(int bits, bool is_signed) {
  const std::int64_t n = std::int64_t{1} << bits, lo = is_signed ? -n / 2 : 0, q = n / 4;
  std::vector<std::int64_t> v = {lo, lo + q, lo + 2 * q, lo + 3 * q, lo + n - 1};
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::string percent_text(std::uint64_t part, std::uint64_t whole) {
  const double p = whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, p == 0 || p >= 10 ? "%.0f" : (p >= 1 ? "%.1f" : "%.2g"), p);
  return buf;
}

}  // namespace

void error_colour(std::int64_t e, std::int64_t max_abs, std::uint8_t rgb[3]) { colour_at(intensity(e, max_abs), rgb); }

HeatmapCells heatmap_cells(const Lut& lut, std::uint64_t max_cells) {
  const OperandSpec& spec = lut.spec;
  const std::uint64_t na = spec.rows(), nb = spec.cols();
  if (lut.table.size() != na * nb) {
    throw InputError(lut.name + ": table has " + std::to_string(lut.table.size()) + " entries, expected " +
                     std::to_string(na * nb));
  }
  HeatmapCells h;
  // Operand counts are powers of two, and so is max_cells after rounding down: bins divide evenly.
  std::uint64_t cap = 1;
  while (cap * 2 <= std::max<std::uint64_t>(max_cells, 1)) cap *= 2;
  h.bin_a = na > cap ? na / cap : 1;
  h.bin_b = nb > cap ? nb / cap : 1;
  h.rows = na / h.bin_a;
  h.cols = nb / h.bin_b;
  h.cells.assign(h.rows * h.cols, 0);
  // Index i by value: for signed operands start at the pattern of the most negative value.
  auto pattern = [&](std::uint64_t i, std::uint64_t n) { return spec.is_signed ? (i + n / 2) & (n - 1) : i; };
  for (std::uint64_t i = 0; i < na; ++i) {
    const std::uint64_t a = pattern(i, na);
    const std::int64_t va = spec.value_a(a);
    std::int64_t* row = &h.cells[(i / h.bin_a) * h.cols];
    for (std::uint64_t j = 0; j < nb; ++j) {
      const std::uint64_t b = pattern(j, nb);
      const std::int64_t e = lut.at(a, b) - va * spec.value_b(b);
      const std::int64_t ae = std::abs(e);
      h.max_abs = std::max(h.max_abs, ae);
      h.pairs_with_error += e != 0;
      std::int64_t& cell = row[j / h.bin_b];
      const std::int64_t ac = std::abs(cell);
      if (ae > ac || (ae == ac && e > cell)) cell = e;
    }
  }
  return h;
}

std::string render_heatmap_svg(const Lut& lut, std::uint64_t max_cells) {
  const OperandSpec& spec = lut.spec;
  const HeatmapCells h = heatmap_cells(lut, max_cells);
  const std::uint64_t na = spec.rows(), nb = spec.cols();

  // Geometry (px): the longer side of the plot is 480; a side is never thinner than 96.
  const double side = 480;
  const double W = std::max(96.0, side * static_cast<double>(nb) / static_cast<double>(std::max(na, nb)));
  const double H = std::max(96.0, side * static_cast<double>(na) / static_cast<double>(std::max(na, nb)));
  const double left = 90, top = 78, bottom = 66;
  const double bar_x = left + W + 36, bar_w = 18;
  const double width = bar_x + bar_w + 130, height = top + H + bottom;

  // Cells: PNG row 0 is the top of the plot, i.e. the largest a. Each cell is `scale` pixels a side,
  // so that renderers which smooth images anyway (they may ignore image-rendering) blur only the
  // cells' edges.
  const std::uint64_t scale = std::max<std::uint64_t>(1, (512 + std::max(h.rows, h.cols) - 1) / std::max(h.rows, h.cols));
  const std::uint64_t pw = h.cols * scale, ph = h.rows * scale;
  std::vector<std::uint8_t> rgb(pw * ph * 3);
  for (std::uint64_t y = 0; y < ph; ++y) {
    for (std::uint64_t x = 0; x < pw; ++x) {
      error_colour(h.cells[(h.rows - 1 - y / scale) * h.cols + x / scale], h.max_abs, &rgb[(y * pw + x) * 3]);
    }
  }
  const std::string png = encode_png(static_cast<std::uint32_t>(pw), static_cast<std::uint32_t>(ph), rgb);

  const std::string sign = spec.is_signed ? "signed" : "unsigned";
  const std::string dims = std::to_string(spec.bits_a) + "\u00d7" + std::to_string(spec.bits_b);
  std::string title = lut.name + ": error of a " + dims + " " + sign + " multiplier";
  std::string subtitle = "max |error| " + std::to_string(h.max_abs) + "; an error at " +
                         percent_text(h.pairs_with_error, na * nb) + "% of the " + std::to_string(na * nb) +
                         " operand pairs";
  const bool binned = h.bin_a > 1 || h.bin_b > 1;
  if (binned) {
    subtitle += "; " + std::to_string(h.rows) + "\u00d7" + std::to_string(h.cols) + " cells of " +
                std::to_string(h.bin_a) + "\u00d7" + std::to_string(h.bin_b) + " pairs";
  }

  std::string s;
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"" + num(width) +
       "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
       "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
  s += "<title>" + xml_escape(title) + "</title>\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text id=\"title\" x=\"" + num(width / 2) + "\" y=\"26\" font-size=\"16\" text-anchor=\"middle\">" +
       xml_escape(title) + "</text>\n";
  s += "<text id=\"subtitle\" x=\"" + num(width / 2) + "\" y=\"48\" font-size=\"12\" fill=\"#444\" text-anchor=\"middle\">" +
       xml_escape(subtitle) + "</text>\n";

  // The cells, stretched over the plot without smoothing.
  s += "<image id=\"cells\" x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(W) + "\" height=\"" +
       num(H) + "\" data-cells=\"" + std::to_string(h.cols) + "x" + std::to_string(h.rows) +
       "\" preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" "
       "xlink:href=\"data:image/png;base64," + base64(png) + "\"/>\n";
  s += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(W) + "\" height=\"" + num(H) +
       "\" fill=\"none\" stroke=\"#333\" stroke-width=\"1\"/>\n";

  // Axes: ticks at the centres of the cells of the labelled values.
  const std::int64_t lo_a = spec.is_signed ? -static_cast<std::int64_t>(na / 2) : 0;
  const std::int64_t lo_b = spec.is_signed ? -static_cast<std::int64_t>(nb / 2) : 0;
  s += "<g id=\"xaxis\" font-size=\"11\" text-anchor=\"middle\">\n";
  for (std::int64_t v : tick_values(spec.bits_b, spec.is_signed)) {
    const double x = left + (static_cast<double>(v - lo_b) + 0.5) * W / static_cast<double>(nb);
    s += "<line x1=\"" + num(x) + "\" y1=\"" + num(top + H) + "\" x2=\"" + num(x) + "\" y2=\"" + num(top + H + 5) +
         "\" stroke=\"#333\"/><text class=\"xtick\" x=\"" + num(x) + "\" y=\"" + num(top + H + 18) + "\">" +
         std::to_string(v) + "</text>\n";
  }
  s += "</g>\n";
  s += "<g id=\"yaxis\" font-size=\"11\" text-anchor=\"end\">\n";
  for (std::int64_t v : tick_values(spec.bits_a, spec.is_signed)) {
    const double y = top + H - (static_cast<double>(v - lo_a) + 0.5) * H / static_cast<double>(na);
    s += "<line x1=\"" + num(left - 5) + "\" y1=\"" + num(y) + "\" x2=\"" + num(left) + "\" y2=\"" + num(y) +
         "\" stroke=\"#333\"/><text class=\"ytick\" x=\"" + num(left - 8) + "\" y=\"" + num(y + 4) + "\">" +
         std::to_string(v) + "</text>\n";
  }
  s += "</g>\n";
  s += "<text id=\"xlabel\" x=\"" + num(left + W / 2) + "\" y=\"" + num(top + H + 44) +
       "\" font-size=\"13\" text-anchor=\"middle\">operand b (column of LUT[a][b])</text>\n";
  const double ylabel_x = left - 58, ylabel_y = top + H / 2;
  s += "<text id=\"ylabel\" x=\"" + num(ylabel_x) + "\" y=\"" + num(ylabel_y) + "\" transform=\"rotate(-90 " +
       num(ylabel_x) + " " + num(ylabel_y) + ")\" font-size=\"13\" text-anchor=\"middle\">operand a (row of LUT[a][b])</text>\n";

  // Colour bar: -max at the bottom, +max at the top, on the same square-root scale as the cells.
  std::uint8_t c[3];
  s += "<defs><linearGradient id=\"scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
  colour_at(-1, c);
  s += "<stop offset=\"0\" stop-color=\"" + hex_colour(c) + "\"/>";
  colour_at(0, c);
  s += "<stop offset=\"0.5\" stop-color=\"" + hex_colour(c) + "\"/>";
  colour_at(1, c);
  s += "<stop offset=\"1\" stop-color=\"" + hex_colour(c) + "\"/></linearGradient></defs>\n";
  s += "<rect id=\"colorbar\" x=\"" + num(bar_x) + "\" y=\"" + num(top) + "\" width=\"" + num(bar_w) + "\" height=\"" +
       num(H) + "\" fill=\"url(#scale)\" stroke=\"#333\" stroke-width=\"1\"/>\n";
  std::vector<std::int64_t> bar_ticks = {0};
  if (h.max_abs > 0) {
    const std::int64_t quarter = (h.max_abs + 2) / 4;
    bar_ticks = {-h.max_abs, -quarter, 0, quarter, h.max_abs};
    bar_ticks.erase(std::unique(bar_ticks.begin(), bar_ticks.end()), bar_ticks.end());
  }
  s += "<g id=\"colorbar-ticks\" font-size=\"11\">\n";
  for (std::int64_t v : bar_ticks) {
    const double y = top + H * (1 - (intensity(v, h.max_abs) + 1) / 2);
    s += "<line x1=\"" + num(bar_x + bar_w) + "\" y1=\"" + num(y) + "\" x2=\"" + num(bar_x + bar_w + 5) + "\" y2=\"" +
         num(y) + "\" stroke=\"#333\"/><text class=\"ctick\" x=\"" + num(bar_x + bar_w + 8) + "\" y=\"" + num(y + 4) +
         "\">" + std::to_string(v) + "</text>\n";
  }
  s += "</g>\n";
  std::string bar_label = "error LUT[a][b] \u2212 a\u00b7b (integer product units, square-root scale)";
  std::string bar_label2 = binned ? "each cell: the largest-magnitude error among its " + std::to_string(h.bin_a) +
                                        "\u00d7" + std::to_string(h.bin_b) + " pairs"
                                  : "one cell per operand pair";
  const double lx = bar_x + bar_w + 78, ly = top + H / 2;
  s += "<text id=\"colorbar-label\" x=\"" + num(lx) + "\" y=\"" + num(ly) + "\" transform=\"rotate(-90 " + num(lx) +
       " " + num(ly) + ")\" font-size=\"12\" text-anchor=\"middle\">" + xml_escape(bar_label) + "</text>\n";
  s += "<text id=\"colorbar-label2\" x=\"" + num(lx + 18) + "\" y=\"" + num(ly) + "\" transform=\"rotate(-90 " +
       num(lx + 18) + " " + num(ly) + ")\" font-size=\"11\" fill=\"#444\" text-anchor=\"middle\">" +
       xml_escape(bar_label2) + "</text>\n";
  s += "</svg>\n";
  return s;
}

void check_heatmap_path(const std::string& path) {
  const auto dot = path.find_last_of('.');
  std::string ext = dot == std::string::npos || path.find('/', dot) != std::string::npos ? "" : path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (ext != ".svg") {
    throw UsageError(path + ": heatmap output must be an .svg file (a figure with title, axes and colour bar; "
                            "for a raster image convert it, e.g. rsvg-convert -o FILE.png FILE.svg)");
  }
}

void write_heatmap(const Lut& lut, const std::string& path) {
  check_heatmap_path(path);
  write_file_atomic(path, render_heatmap_svg(lut));
}

}  // namespace axx::lutgen
