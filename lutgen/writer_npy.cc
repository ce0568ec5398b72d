// .npy writer: format version 1.0, dtype '<i4' (int32, little-endian), C order,
// shape (2^bits_a, 2^bits_b); the header is padded so the data starts at a multiple of 64 bytes.
#include "lutgen/writer.h"

namespace axx::lutgen {

std::string render_npy(const Lut& lut, const Metrics&) {
  std::string header = "{'descr': '<i4', 'fortran_order': False, 'shape': (" + std::to_string(lut.spec.rows()) +
                       ", " + std::to_string(lut.spec.cols()) + "), }";
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.reserve(out.size() + lut.table.size() * 4);
  for (std::int32_t v : lut.table) {
    const auto u = static_cast<std::uint32_t>(v);
    for (int k = 0; k < 4; ++k) out += static_cast<char>((u >> (8 * k)) & 0xff);
  }
  return out;
}

}  // namespace axx::lutgen
