#include "lutgen/png.h"

#if AXX_HAVE_ZLIB
#include <zlib.h>
#endif

#include <algorithm>
#include <array>

#include "axx/error.h"

namespace axx::lutgen {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int k = 3; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xff);
}

// CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) as PNG chunks need it.
std::uint32_t crc32_of(const std::string& data) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : data) c = table[(c ^ byte) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// A chunk is length, type, data, CRC-32 over type and data (PNG spec, section 5.3).
void chunk(std::string& out, const char type[4], const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  put_u32(out, crc32_of(body));
}

// The zlib stream of the image data. With zlib: deflate. Without it (e.g. on a machine lacking
// zlib1g-dev), stored (uncompressed) deflate blocks, which every PNG reader accepts.
std::string zlib_stream(const std::vector<std::uint8_t>& raw) {
#if AXX_HAVE_ZLIB
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, raw.data(), static_cast<uLong>(raw.size()),
                Z_BEST_SPEED) != Z_OK) {
    throw Error("zlib compression failed");
  }
  packed.resize(packed_size);
  return packed;
#else
  return zlib_store(raw);
#endif
}

}  // namespace

std::string zlib_store(const std::vector<std::uint8_t>& raw) {
  std::string out = "\x78\x01";  // deflate, 32K window, no preset dictionary, check bits
  std::size_t at = 0;
  do {
    const std::size_t n = std::min<std::size_t>(65535, raw.size() - at);
    out += static_cast<char>(at + n == raw.size() ? 1 : 0);  // BFINAL, BTYPE = 00 (stored)
    out += static_cast<char>(n & 0xff);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(~n & 0xff);
    out += static_cast<char>((~n >> 8) & 0xff);
    out.append(reinterpret_cast<const char*>(raw.data()) + at, n);
    at += n;
  } while (at < raw.size());
  std::uint32_t s1 = 1, s2 = 0;  // Adler-32
  for (std::uint8_t byte : raw) {
    s1 = (s1 + byte) % 65521;
    s2 = (s2 + s1) % 65521;
  }
  put_u32(out, s2 << 16 | s1);
  return out;
}

std::string encode_png_rgb(std::uint32_t width, std::uint32_t height, const std::vector<std::uint8_t>& rgb) {
  if (rgb.size() != std::size_t{width} * height * 3) throw Error("encode_png_rgb: pixel buffer size mismatch");
  // Each scanline is preceded by its filter type; 0 (None) keeps the encoder trivial.
  std::vector<std::uint8_t> raw;
  raw.reserve(std::size_t{height} * (width * 3 + 1));
  for (std::uint32_t y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), rgb.begin() + std::size_t{y} * width * 3, rgb.begin() + std::size_t{y + 1} * width * 3);
  }
  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_u32(ihdr, width);
  put_u32(ihdr, height);
  ihdr += '\x08';  // bit depth
  ihdr += '\x02';  // colour type: truecolour
  ihdr += std::string(3, '\0');  // deflate, adaptive filtering, no interlace
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", zlib_stream(raw));
  chunk(out, "IEND", "");
  return out;
}

}  // namespace axx::lutgen
