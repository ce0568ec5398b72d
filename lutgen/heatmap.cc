#include "lutgen/heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "lutgen/atomic_file.h"
#include "lutgen/png.h"

namespace axx::lutgen {

void error_colour(std::int64_t e, std::int64_t max_abs, std::uint8_t rgb[3]) {
  static const double kNeg[3] = {33, 102, 172}, kMid[3] = {247, 247, 247}, kPos[3] = {178, 24, 43};
  const double t = max_abs > 0 ? static_cast<double>(e) / static_cast<double>(max_abs) : 0.0;
  const double* end = t < 0 ? kNeg : kPos;
  // Square-root intensity: the few largest errors would otherwise wash out everything else.
  const double w = std::sqrt(std::min(1.0, std::abs(t)));
  for (int k = 0; k < 3; ++k) rgb[k] = static_cast<std::uint8_t>(kMid[k] + (end[k] - kMid[k]) * w + 0.5);
}

std::string render_heatmap_png(const Lut& lut, int min_size) {
  const std::uint64_t rows = lut.spec.rows(), cols = lut.spec.cols();
  // Row/column order by value: for signed operands start at the pattern of the most negative value.
  auto pattern = [&](std::uint64_t i, int bits) {
    const std::uint64_t n = std::uint64_t{1} << bits;
    return lut.spec.is_signed ? (i + n / 2) & (n - 1) : i;
  };
  std::vector<std::int64_t> err(rows * cols);
  std::int64_t max_abs = 0;
  for (std::uint64_t y = 0; y < rows; ++y) {
    const std::uint64_t a = pattern(y, lut.spec.bits_a);
    for (std::uint64_t x = 0; x < cols; ++x) {
      const std::uint64_t b = pattern(x, lut.spec.bits_b);
      const std::int64_t e = lut.at(a, b) - lut.spec.value_a(a) * lut.spec.value_b(b);
      err[y * cols + x] = e;
      max_abs = std::max(max_abs, std::abs(e));
    }
  }
  const std::uint64_t scale = std::max<std::uint64_t>(1, (static_cast<std::uint64_t>(min_size) + cols - 1) / cols);
  const std::uint64_t width = cols * scale, height = rows * scale;
  std::vector<std::uint8_t> rgb(width * height * 3);
  for (std::uint64_t y = 0; y < height; ++y) {
    for (std::uint64_t x = 0; x < width; ++x) {
      error_colour(err[(y / scale) * cols + x / scale], max_abs, &rgb[(y * width + x) * 3]);
    }
  }
  return encode_png_rgb(static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height), rgb);
}

void write_heatmap(const Lut& lut, const std::string& path) { write_file_atomic(path, render_heatmap_png(lut)); }

}  // namespace axx::lutgen
