/* ssm (m=M, 4 <= M < 8): the static segment multiplier. S. Narayanamoorthy, H. A. Moghaddam, Z. Liu,
 * T. Park, N. S. Kim, "Energy-efficient approximate multiplication for digital signal processing and
 * classification applications", IEEE TVLSI 23(6), 2015. Each 8-bit operand is replaced by one of two
 * fixed M-bit segments: its low M bits when the bits above them are all zero (exact), else its high
 * M bits (bits 8-M..7, the rest truncated); an MxM multiplier and a shift do the rest.
 * Error s(a) s(b) - a b with s the segment value: rank 2. Signed form: sign-magnitude. */
#include "families.h"

static unsigned ssm_operand(unsigned x, int m) {
  return (x >> m) == 0 ? x : x & (0xFFu << (8 - m));
}

static uint32_t ssm_core(unsigned x, unsigned y, int m) { return ssm_operand(x, m) * ssm_operand(y, m); }

int32_t axx_ssm_s8(int8_t a, int8_t b, int m) {
  return axx_apply_sign(a, b, ssm_core(axx_magnitude(a), axx_magnitude(b), m));
}

int32_t axx_ssm_u8(uint8_t a, uint8_t b, int m) { return (int32_t)ssm_core(a, b, m); }
