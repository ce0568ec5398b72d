// Heatmap of the error matrix E = LUT - exact product as an SVG figure that reads on its own: a
// title, axes labelled with operand values, a colour bar with its units. Orientation as in the
// Python plots (axx.report.plot_error_heatmaps): operand a on the vertical axis growing upwards,
// operand b on the horizontal axis growing to the right. The cells are one embedded PNG (written
// by libpng; each cell a square of pixels, at least 512 pixels a side in all), drawn without
// smoothing; the rest is SVG text and lines.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lutgen/lut.h"

namespace axx::lutgen {

// Colour of error e on a symmetric scale [-max_abs, max_abs]: blue (negative) - white (0) - red
// (positive), intensity sqrt(|e| / max_abs). max_abs = 0 gives white.
void error_colour(std::int64_t e, std::int64_t max_abs, std::uint8_t rgb[3]);

// The cells a heatmap shows. Tables with more than max_cells operand values per side are binned:
// each cell covers bin_a x bin_b operand pairs and holds the error of largest magnitude among
// them, sign kept (the positive one on a tie), so the worst error is never averaged away.
// cells[y * cols + x]: y = 0 is the smallest a, x = 0 the smallest b (by value, not bit pattern).
struct HeatmapCells {
  std::uint64_t rows = 0, cols = 0;     // cells per side
  std::uint64_t bin_a = 1, bin_b = 1;   // operand values per cell
  std::vector<std::int64_t> cells;
  std::int64_t max_abs = 0;             // max |error| over the whole table
  std::uint64_t pairs_with_error = 0;   // over the whole table
};
HeatmapCells heatmap_cells(const Lut& lut, std::uint64_t max_cells = 256);

// The SVG document.
std::string render_heatmap_svg(const Lut& lut, std::uint64_t max_cells = 256);

// Throws axx::UsageError unless PATH ends in .svg (the only format: a PNG would lose the text).
void check_heatmap_path(const std::string& path);

// Writes render_heatmap_svg(lut) to PATH atomically, after check_heatmap_path.
void write_heatmap(const Lut& lut, const std::string& path);

}  // namespace axx::lutgen
