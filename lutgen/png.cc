#include "lutgen/png.h"

#include <zlib.h>

#include "axx/error.h"

namespace axx::lutgen {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int k = 3; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xff);
}

// A chunk is length, type, data, CRC-32 over type and data (PNG spec, section 5.3).
void chunk(std::string& out, const char type[4], const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  put_u32(out, static_cast<std::uint32_t>(
                   crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

}  // namespace

std::string encode_png_rgb(std::uint32_t width, std::uint32_t height, const std::vector<std::uint8_t>& rgb) {
  if (rgb.size() != std::size_t{width} * height * 3) throw Error("encode_png_rgb: pixel buffer size mismatch");
  // Each scanline is preceded by its filter type; 0 (None) keeps the encoder trivial.
  std::vector<std::uint8_t> raw;
  raw.reserve(std::size_t{height} * (width * 3 + 1));
  for (std::uint32_t y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), rgb.begin() + std::size_t{y} * width * 3, rgb.begin() + std::size_t{y + 1} * width * 3);
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, raw.data(), static_cast<uLong>(raw.size()),
                Z_BEST_SPEED) != Z_OK) {
    throw Error("zlib compression failed");
  }
  packed.resize(packed_size);

  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_u32(ihdr, width);
  put_u32(ihdr, height);
  ihdr += '\x08';  // bit depth
  ihdr += '\x02';  // colour type: truecolour
  ihdr += std::string(3, '\0');  // deflate, adaptive filtering, no interlace
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", packed);
  chunk(out, "IEND", "");
  return out;
}

}  // namespace axx::lutgen
