// Heatmap PNG: structure of the encoded file (signature, IHDR fields, CRCs, inflated pixels) and
// the colour map's fixed points.
#include <gtest/gtest.h>
#include <zlib.h>

#include "lutgen/heatmap.h"
#include "lutgen/png.h"
#include "test_util.h"

namespace axx::lutgen {
namespace {

std::uint32_t u32(const std::string& s, std::size_t at) {
  return std::uint32_t(std::uint8_t(s[at])) << 24 | std::uint32_t(std::uint8_t(s[at + 1])) << 16 |
         std::uint32_t(std::uint8_t(s[at + 2])) << 8 | std::uint8_t(s[at + 3]);
}

TEST(ColourMap, DivergingAroundWhite) {
  std::uint8_t c[3];
  error_colour(0, 10, c);
  EXPECT_EQ((std::vector<int>{c[0], c[1], c[2]}), (std::vector<int>{247, 247, 247}));
  error_colour(-10, 10, c);
  EXPECT_EQ((std::vector<int>{c[0], c[1], c[2]}), (std::vector<int>{33, 102, 172}));
  error_colour(10, 10, c);
  EXPECT_EQ((std::vector<int>{c[0], c[1], c[2]}), (std::vector<int>{178, 24, 43}));
  error_colour(25, 100, c);  // sqrt(1/4): half way from white to red
  EXPECT_EQ((std::vector<int>{c[0], c[1], c[2]}), (std::vector<int>{213, 136, 145}));
  error_colour(5, 0, c);
  EXPECT_EQ(c[0], 247);
}

TEST(Png, ChunksAndPixelsDecode) {
  const std::vector<std::uint8_t> rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 2, 3};
  const std::string png = encode_png_rgb(2, 2, rgb);
  ASSERT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  ASSERT_EQ(u32(png, 8), 13u);
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(u32(png, 16), 2u);
  EXPECT_EQ(u32(png, 20), 2u);
  EXPECT_EQ(png[24], 8);
  EXPECT_EQ(png[25], 2);
  // Walk the chunks, checking each CRC; inflate IDAT.
  std::size_t at = 8;
  std::string idat, last;
  while (at < png.size()) {
    const std::uint32_t len = u32(png, at);
    const std::string type = png.substr(at + 4, 4);
    const std::uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(png.data() + at + 4), len + 4);
    EXPECT_EQ(u32(png, at + 8 + len), crc) << type;
    if (type == "IDAT") idat += png.substr(at + 8, len);
    last = type;
    at += 12 + len;
  }
  EXPECT_EQ(last, "IEND");
  std::vector<std::uint8_t> raw(2 * 7);
  uLongf raw_len = raw.size();
  ASSERT_EQ(uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()), Z_OK);
  EXPECT_EQ(raw, (std::vector<std::uint8_t>{0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 1, 2, 3}));
}

TEST(Png, StoredZlibStreamInflates) {
  std::vector<std::uint8_t> data(70000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + i / 300);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65536}, data.size()}) {
    const std::vector<std::uint8_t> in(data.begin(), data.begin() + n);
    const std::string z = zlib_store(in);
    std::vector<std::uint8_t> out(n + 1);
    uLongf out_len = out.size();
    ASSERT_EQ(uncompress(out.data(), &out_len, reinterpret_cast<const Bytef*>(z.data()), z.size()), Z_OK) << n;
    out.resize(out_len);
    EXPECT_EQ(out, in) << n;
  }
}

TEST(Heatmap, SizeScalesSmallTablesAndOrdersByValue) {
  // 2x2 signed with a single error at a = -2, b = -2: by value that cell is the top-left one.
  Lut lut = testing::make_lut("h", {2, 2, true}, [](std::int64_t a, std::int64_t b) { return a * b; });
  lut.table[(2 << 2) | 2] = 5;
  const std::string png = render_heatmap_png(lut, 8);
  EXPECT_EQ(u32(png, 16), 8u);  // 4 columns x scale 2
  EXPECT_EQ(u32(png, 20), 8u);
  const std::uint32_t len = u32(png, 33);
  std::vector<std::uint8_t> raw(8 * (8 * 3 + 1));
  uLongf raw_len = raw.size();
  ASSERT_EQ(uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(png.data() + 41), len), Z_OK);
  EXPECT_EQ((std::vector<int>{raw[1], raw[2], raw[3]}), (std::vector<int>{178, 24, 43}));     // (0,0): e = +1, max
  EXPECT_EQ((std::vector<int>{raw[1 + 6], raw[2 + 6], raw[3 + 6]}), (std::vector<int>{247, 247, 247}));  // (0,1)
}

}  // namespace
}  // namespace axx::lutgen
