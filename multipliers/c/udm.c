/* udm: the underdesigned multiplier. P. Kulkarni, P. Gupta, M. Ercegovac, "Trading accuracy for
 * power with an underdesigned multiplier architecture", VLSI Design 2011. The 2x2 building block
 * answers 3 x 3 = 7 (three output bits, 111) and every other pair exactly; the 8x8 multiplier adds
 * the sixteen 2x2 products of the operands' base-4 digits exactly. Error
 * -2 (sum_i [a_i = 3] 4^i)(sum_j [b_j = 3] 4^j): rank 1. Signed form: sign-magnitude. */
#include "families.h"

static uint32_t udm_core(unsigned x, unsigned y) {
  uint32_t p = 0;
  int i, j;
  for (i = 0; i < 4; ++i)
    for (j = 0; j < 4; ++j) {
      unsigned dx = (x >> (2 * i)) & 3u, dy = (y >> (2 * j)) & 3u;
      p += (uint32_t)(dx == 3u && dy == 3u ? 7u : dx * dy) << (2 * (i + j));
    }
  return p;
}

int32_t axx_udm_s8(int8_t a, int8_t b) {
  return axx_apply_sign(a, b, udm_core(axx_magnitude(a), axx_magnitude(b)));
}

int32_t axx_udm_u8(uint8_t a, uint8_t b) { return (int32_t)udm_core(a, b); }
