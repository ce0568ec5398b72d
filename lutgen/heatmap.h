// Heatmap of the error matrix E = LUT - exact product, as a PNG (diverging colour map).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lutgen/lut.h"

namespace axx::lutgen {

// Colour of error e on a symmetric scale [-max_abs, max_abs]: blue (negative) - white (0) - red
// (positive), intensity sqrt(|e| / max_abs). max_abs = 0 gives white.
void error_colour(std::int64_t e, std::int64_t max_abs, std::uint8_t rgb[3]);

// PNG contents. Axes run by operand VALUE (for signed operands the most negative first): row = A
// top to bottom, column = B left to right; each cell is scale x scale pixels with scale chosen so the
// image is at least min_size pixels wide.
std::string render_heatmap_png(const Lut& lut, int min_size = 256);

// Writes render_heatmap_png(lut) to PATH atomically.
void write_heatmap(const Lut& lut, const std::string& path);

}  // namespace axx::lutgen
