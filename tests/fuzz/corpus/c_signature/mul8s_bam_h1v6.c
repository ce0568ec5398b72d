/* Broken-array signed 8x8 multiplier, HBL = 1, VBL = 6 (H. R. Mahdiani, A. Ahmadi, S. M. Fakhraie,
 * C. Lucas, "Bio-inspired imprecise computational blocks for efficient VLSI implementation of
 * soft-computing applications", IEEE TCAS-I 57(4), 2010), on a Baugh-Wooley array.
 *
 * One of four forms of the same design (this C model, mul8s_bam_h1v6_struct.v,
 * mul8s_bam_h1v6_behav.v, mul8s_bam_h1v6.blif); all four give the same table as
 * builtin:mul8s_bam_h1v6. Written at operand-value level, unlike the bit-level builtin:
 *   - HBL = 1: partial-product row 0 is never added, i.e. b is used with bit 0 cleared;
 *   - VBL = 6: the bits a_j b_i of columns i + j < 6 are dropped. They are products of non-sign
 *     bits only (i, j < 6), so the exact signed product minus their sum is the array's output.
 * Self-contained: `axx lut mul8s_bam_h1v6.c` compiles it with the system C compiler. */
#include <stdint.h>

int16_t mul8s_bam_h1v6(int8_t a, int8_t b) {
  unsigned ua = (uint8_t)a, ub = (uint8_t)b;
  int b_rows = (int)b - (int)(ub & 1u); /* b with bit 0 cleared, same sign */
  int dropped = 0;
  int i;
  for (i = 1; i < 6; ++i)
    if ((ub >> i) & 1u) dropped += (int)((ua & ((1u << (6 - i)) - 1u)) << i);
  return (int16_t)((int)a * b_rows - dropped);
}
