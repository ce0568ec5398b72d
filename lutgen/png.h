// Minimal PNG encoder: 8-bit RGB, no interlace, one IDAT chunk compressed with zlib.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace axx::lutgen {

// rgb: width * height * 3 bytes, rows top to bottom. Returns the PNG file contents.
std::string encode_png_rgb(std::uint32_t width, std::uint32_t height, const std::vector<std::uint8_t>& rgb);

// A zlib stream (RFC 1950) of stored, uncompressed deflate blocks: the PNG data when zlib is absent.
std::string zlib_store(const std::vector<std::uint8_t>& data);

}  // namespace axx::lutgen
