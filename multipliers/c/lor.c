/* lor (k=K, K <= 8): lower-part OR reduction. Columns K..15 of the array (modified Baugh-Wooley for
 * the signed form, pp_array.h) are added exactly; in each column c < K the partial-product bits are
 * only ORed into result bit c and no carry leaves the lower part: the lower-part OR of the LOA adder
 * (H. R. Mahdiani, A. Ahmadi, S. M. Fakhraie, C. Lucas, IEEE TCAS-I 57(4), 2010) applied to
 * partial-product columns. OR is not bilinear in the operand bits, so E = LUT - a*b has high rank. */
#include "families.h"
#include "pp_array.h"

static unsigned low_or(unsigned A, unsigned B, int k, int is_signed) {
  unsigned low = 0;
  int c, i;
  for (c = 0; c < k; ++c) {
    unsigned any = 0;
    for (i = 0; i <= c && i < 8; ++i)
      if (c - i < 8) any |= is_signed ? bw_pp_bit(A, B, i, c - i) : ((A >> (c - i)) & (B >> i) & 1u);
    low |= any << c;
  }
  return low;
}

int32_t axx_lor_s8(int8_t a, int8_t b, int k) {
  uint32_t sum = (uint32_t)(uint16_t)bw_array_signed(a, b, 0xFFu, k) + low_or((uint8_t)a, (uint8_t)b, k, 1);
  return (int16_t)(uint16_t)(sum & 0xFFFFu);
}

int32_t axx_lor_u8(uint8_t a, uint8_t b, int k) {
  return (int32_t)array_unsigned(a, b, 0xFFu, k) + (int32_t)low_or(a, b, k, 0);
}
