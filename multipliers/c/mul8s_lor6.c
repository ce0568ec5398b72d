/* Signed 8x8 multiplier with a lower-part-OR reduction: columns 6..15 of the Baugh-Wooley array
 * are added exactly; in each of columns 0..5 the partial-product bits are only ORed into one
 * result bit and no carry leaves the lower part. The lower-part OR idea of the LOA adder
 * (H. R. Mahdiani et al., IEEE TCAS-I 57(4), 2010) applied to partial-product columns, in the
 * spirit of approximate compressors (A. Momeni, J. Han, P. Montuschi, F. Lombardi, "Design and
 * analysis of approximate compressors for multiplication", IEEE Trans. Computers 64(4), 2015).
 * OR is not bilinear in the operand bits, so E = LUT - a*b has high rank. */
#include "pp_array.h"

int16_t mul8s_lor6(int8_t a, int8_t b) {
  unsigned A = (uint8_t)a, B = (uint8_t)b;
  unsigned low = 0;
  int c, i;
  for (c = 0; c < 6; ++c) {
    unsigned any = 0;
    for (i = 0; i <= c; ++i) any |= bw_pp_bit(A, B, i, c - i);
    low |= any << c;
  }
  return (int16_t)(bw_array_signed(a, b, 0xFFu, 6) + (int)low);
}
