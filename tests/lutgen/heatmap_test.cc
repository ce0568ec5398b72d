// Heatmap SVG: structure of the figure (title, axis labels and ticks, colour bar and its label),
// orientation (a known error cell lands where the Python plots put it: a up, b right), binning of
// a 12x12 table, size. The cells are read back from the embedded PNG with libpng.
#include <gtest/gtest.h>
#include <png.h>

#include <regex>

#include "axx/error.h"
#include "lutgen/heatmap.h"
#include "test_util.h"

namespace axx::lutgen {
namespace {

using testing::error_of;
using testing::make_lut;

const std::vector<int> kRed = {178, 24, 43}, kBlue = {33, 102, 172}, kWhite = {247, 247, 247};

// The text of the element with id="ID".
std::string text_of(const std::string& svg, const std::string& id) {
  std::smatch m;
  if (!std::regex_search(svg, m, std::regex("<text id=\"" + id + "\"[^>]*>([^<]*)</text>"))) return "<none>";
  return m[1];
}

struct Tick {
  double x, y;
  std::string label;
};

std::vector<Tick> ticks(const std::string& svg, const std::string& cls) {
  std::vector<Tick> out;
  const std::regex re("<text class=\"" + cls + "\" x=\"([-0-9.e]+)\" y=\"([-0-9.e]+)\">([^<]*)</text>");
  for (std::sregex_iterator it(svg.begin(), svg.end(), re), end; it != end; ++it) {
    out.push_back({std::stod((*it)[1]), std::stod((*it)[2]), (*it)[3]});
  }
  return out;
}

std::vector<std::string> labels(const std::vector<Tick>& t) {
  std::vector<std::string> out;
  for (const auto& x : t) out.push_back(x.label);
  return out;
}

std::string attribute(const std::string& svg, const std::string& id, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(svg, m, std::regex("id=\"" + id + "\"[^>]*? " + name + "=\"([^\"]*)\""))) return "<none>";
  return m[1];
}

std::string unbase64(const std::string& s) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : 63;
  };
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    acc = acc << 6 | static_cast<std::uint32_t>(value(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

struct Image {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  std::vector<int> at(std::uint32_t row, std::uint32_t col) const {
    const std::size_t i = (std::size_t{row} * width + col) * 3;
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};

// The PNG of the <image id="cells">, decoded.
Image decoded_png(const std::string& svg) {
  const std::string href = attribute(svg, "cells", "xlink:href");
  const std::string prefix = "data:image/png;base64,";
  EXPECT_EQ(href.rfind(prefix, 0), 0u);
  const std::string png = unbase64(href.substr(prefix.size()));
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  Image out;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) {
    ADD_FAILURE() << image.message;
    return out;
  }
  image.format = PNG_FORMAT_RGB;
  out.width = image.width;
  out.height = image.height;
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) ADD_FAILURE() << image.message;
  return out;
}

// The cells: the PNG reduced to one pixel per cell of data-cells="COLSxROWS", after checking that
// every cell is a uniform square of pixels.
Image cells_image(const std::string& svg) {
  const Image png = decoded_png(svg);
  const std::string dims = attribute(svg, "cells", "data-cells");
  Image out;
  out.width = static_cast<std::uint32_t>(std::stoul(dims.substr(0, dims.find('x'))));
  out.height = static_cast<std::uint32_t>(std::stoul(dims.substr(dims.find('x') + 1)));
  if (out.width == 0 || png.width % out.width != 0 || png.height * out.width != png.width * out.height) {
    ADD_FAILURE() << "PNG " << png.width << "x" << png.height << " for cells " << dims;
    return out;
  }
  const std::uint32_t scale = png.width / out.width;
  for (std::uint32_t r = 0; r < out.height; ++r) {
    for (std::uint32_t c = 0; c < out.width; ++c) {
      const std::vector<int> colour = png.at(r * scale, c * scale);
      for (std::uint32_t y = 0; y < scale; ++y) {
        for (std::uint32_t x = 0; x < scale; ++x) {
          if (png.at(r * scale + y, c * scale + x) != colour) ADD_FAILURE() << "cell " << r << "," << c << " not uniform";
        }
      }
      out.rgb.insert(out.rgb.end(), colour.begin(), colour.end());
    }
  }
  return out;
}

TEST(ColourMap, DivergingAroundWhite) {
  std::uint8_t c[3];
  error_colour(0, 10, c);
  EXPECT_EQ((std::vector<int>{c[0], c[1], c[2]}), kWhite);
  error_colour(-10, 10, c);
  EXPECT_EQ((std::vector<int>{c[0], c[1], c[2]}), kBlue);
  error_colour(10, 10, c);
  EXPECT_EQ((std::vector<int>{c[0], c[1], c[2]}), kRed);
  error_colour(25, 100, c);  // sqrt(1/4): half way from white to red
  EXPECT_EQ((std::vector<int>{c[0], c[1], c[2]}), (std::vector<int>{213, 136, 145}));
  error_colour(5, 0, c);
  EXPECT_EQ(c[0], 247);
}

TEST(Heatmap, FigureHasTitleAxesAndColourBar) {
  Lut lut = make_lut("mymul", {8, 8, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  lut.table[(5 << 8) | 9] += 40;
  lut.table[(200 << 8) | 3] -= 10;
  const std::string svg = render_heatmap_svg(lut);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_EQ(text_of(svg, "title"), "mymul: error of a 8\u00d78 signed multiplier");
  EXPECT_EQ(text_of(svg, "subtitle"), "max |error| 40; an error at 0.0031% of the 65536 operand pairs");
  EXPECT_EQ(text_of(svg, "xlabel"), "operand b (column of LUT[a][b])");
  EXPECT_EQ(text_of(svg, "ylabel"), "operand a (row of LUT[a][b])");
  EXPECT_EQ(text_of(svg, "colorbar-label"), "error LUT[a][b] \u2212 a\u00b7b (integer product units, square-root scale)");
  EXPECT_EQ(text_of(svg, "colorbar-label2"), "one cell per operand pair");
  // Operand values on both axes: b grows to the right, a grows upwards.
  const auto xt = ticks(svg, "xtick"), yt = ticks(svg, "ytick");
  EXPECT_EQ(labels(xt), (std::vector<std::string>{"-128", "-64", "0", "64", "127"}));
  EXPECT_EQ(labels(yt), (std::vector<std::string>{"-128", "-64", "0", "64", "127"}));
  for (std::size_t i = 1; i < xt.size(); ++i) EXPECT_GT(xt[i].x, xt[i - 1].x);
  for (std::size_t i = 1; i < yt.size(); ++i) EXPECT_LT(yt[i].y, yt[i - 1].y);
  // Colour bar: -max at the bottom, the quarters at half intensity (square-root scale).
  const auto ct = ticks(svg, "ctick");
  EXPECT_EQ(labels(ct), (std::vector<std::string>{"-40", "-10", "0", "10", "40"}));
  const double top = std::stod(attribute(svg, "colorbar", "y")), h = std::stod(attribute(svg, "colorbar", "height"));
  EXPECT_NEAR(ct[0].y - 4, top + h, 1e-6);
  EXPECT_NEAR(ct[1].y - 4, top + 0.75 * h, 1e-6);
  EXPECT_NEAR(ct[2].y - 4, top + 0.5 * h, 1e-6);
  EXPECT_NEAR(ct[4].y - 4, top, 1e-6);
  EXPECT_EQ(attribute(svg, "cells", "data-cells"), "256x256");
}

TEST(Heatmap, KnownErrorCellsLandWhereThePythonPlotsPutThem) {
  // 2x2 signed, values -2..1 on both axes. Error +3 at a = 1, b = -2: top row (largest a), left
  // column (smallest b). Error -3 at a = -2, b = 1: bottom row, right column.
  Lut lut = make_lut("h", {2, 2, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  lut.table[(1 << 2) | 2] += 3;
  lut.table[(2 << 2) | 1] -= 3;
  const Image img = cells_image(render_heatmap_svg(lut));
  ASSERT_EQ(img.width, 4u);
  ASSERT_EQ(img.height, 4u);
  for (std::uint32_t r = 0; r < 4; ++r) {
    for (std::uint32_t c = 0; c < 4; ++c) {
      const std::vector<int> expected = r == 0 && c == 0 ? kRed : r == 3 && c == 3 ? kBlue : kWhite;
      EXPECT_EQ(img.at(r, c), expected) << r << "," << c;
    }
  }
}

TEST(Heatmap, UnsignedAxesStartAtZero) {
  Lut lut = make_lut("u", {4, 3, false}, [](std::int64_t a, std::int64_t b) { return a * b; });
  lut.table[(15 << 3) | 0] = 1;  // a = 15 (top), b = 0 (left)
  const std::string svg = render_heatmap_svg(lut);
  EXPECT_EQ(labels(ticks(svg, "xtick")), (std::vector<std::string>{"0", "2", "4", "6", "7"}));
  EXPECT_EQ(labels(ticks(svg, "ytick")), (std::vector<std::string>{"0", "4", "8", "12", "15"}));
  const Image img = cells_image(svg);
  ASSERT_EQ(img.width, 8u);
  ASSERT_EQ(img.height, 16u);
  EXPECT_EQ(img.at(0, 0), kRed);
  EXPECT_EQ(img.at(15, 0), kWhite);
}

TEST(Heatmap, TwelveBitTablesAreBinnedToTheStatedSize) {
  Lut lut = make_lut("wide", {12, 12, false}, [](std::int64_t a, std::int64_t b) { return a * b; });
  // One bin (a 16..31, b 4000..4015) holds +5 and -9: the cell shows -9, sign kept.
  lut.table[(17 << 12) | 4000] += 5;
  lut.table[(18 << 12) | 4001] -= 9;
  // Another (a 4080..4095, b 0..15) holds +3 and -3: a tie shows the positive one.
  lut.table[(4095 << 12) | 0] += 3;
  lut.table[(4080 << 12) | 15] -= 3;
  const HeatmapCells h = heatmap_cells(lut);
  EXPECT_EQ(h.rows, 256u);
  EXPECT_EQ(h.cols, 256u);
  EXPECT_EQ(h.bin_a, 16u);
  EXPECT_EQ(h.bin_b, 16u);
  EXPECT_EQ(h.max_abs, 9);
  EXPECT_EQ(h.pairs_with_error, 4u);
  EXPECT_EQ(h.cells[1 * 256 + 250], -9);
  EXPECT_EQ(h.cells[255 * 256 + 0], 3);
  EXPECT_EQ(h.cells[0], 0);

  const std::string svg = render_heatmap_svg(lut);
  EXPECT_EQ(attribute(svg, "cells", "data-cells"), "256x256");
  EXPECT_EQ(text_of(svg, "colorbar-label2"), "each cell: the largest-magnitude error among its 16\u00d716 pairs");
  EXPECT_NE(text_of(svg, "subtitle").find("256\u00d7256 cells of 16\u00d716 pairs"), std::string::npos);
  EXPECT_EQ(labels(ticks(svg, "xtick")), (std::vector<std::string>{"0", "1024", "2048", "3072", "4095"}));
  EXPECT_EQ(decoded_png(svg).width, 512u);  // 2 pixels a cell
  const Image img = cells_image(svg);
  ASSERT_EQ(img.width, 256u);
  ASSERT_EQ(img.height, 256u);
  EXPECT_EQ(img.at(255 - 1, 250), kBlue);  // a bin 1 counted from the bottom
  EXPECT_EQ(img.at(0, 0)[0], 207);         // +3 of max 9: 247 + (178 - 247) * sqrt(1/3), rounded
  EXPECT_EQ(img.at(128, 128), kWhite);
}

TEST(Heatmap, NoisyEightBitTableStaysSmall) {
  // Every cell a different error: the worst case for the embedded PNG's compression.
  const Lut lut = make_lut("noisy", {8, 8, true}, [](std::int64_t a, std::int64_t b) {
    const std::uint64_t h = static_cast<std::uint64_t>((a + 128) * 256 + (b + 128)) * 0x9E3779B97F4A7C15ull;
    return a * b + static_cast<std::int64_t>(h >> 54) - 512;
  });
  EXPECT_LT(render_heatmap_svg(lut).size(), 1000000u);
}

TEST(Heatmap, ExactTableHasAZeroScale) {
  const Lut lut = make_lut("exact", {3, 3, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  const std::string svg = render_heatmap_svg(lut);
  EXPECT_EQ(labels(ticks(svg, "ctick")), (std::vector<std::string>{"0"}));
  const Image img = cells_image(svg);
  EXPECT_EQ(img.at(0, 0), kWhite);
}

TEST(Heatmap, OutputMustBeSvg) {
  check_heatmap_path("out/h.svg");
  check_heatmap_path("H.SVG");
  for (const std::string p : {"h.png", "h", "dir.svg/h", "h.svgz"}) {
    EXPECT_EQ(error_of<UsageError>([&] { check_heatmap_path(p); }),
              p + ": heatmap output must be an .svg file (a figure with title, axes and colour bar; for a raster "
                  "image convert it, e.g. rsvg-convert -o FILE.png FILE.svg)");
  }
}

}  // namespace
}  // namespace axx::lutgen
