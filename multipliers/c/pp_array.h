/* Partial-product arrays shared by the array-based designs in this folder (plain C99).
 *
 * Row i of an 8x8 array multiplier holds operand a gated by bit i of operand b, shifted left by i;
 * column c collects the partial-product bits of weight 2^c. Signed designs use the modified
 * Baugh-Wooley form (C. R. Baugh, B. A. Wooley, "A two's complement parallel array multiplication
 * algorithm", IEEE Trans. Computers C-22(12), 1973): the bits pairing a sign bit with a non-sign bit
 * are inverted, and constant ones at columns 8 and 15 restore the two's complement value modulo
 * 2^16. Approximate designs remove bits from this array; the helpers below say which.
 */
#ifndef AXX_MULTIPLIERS_PP_ARRAY_H
#define AXX_MULTIPLIERS_PP_ARRAY_H
#include <stdint.h>

/* Bit (row i, column weight i + j) of the modified Baugh-Wooley array for patterns A, B. */
static inline unsigned bw_pp_bit(unsigned A, unsigned B, int i, int j) {
  unsigned p = ((A >> j) & 1u) & ((B >> i) & 1u);
  if ((i == 7) != (j == 7)) p ^= 1u; /* sign x non-sign bit: NAND instead of AND */
  return p;
}

/* Signed 8x8 array product with rows outside ROW_MASK perforated (their b bit read as 0, so a
 * perforated row contributes nothing: its Baugh-Wooley NAND bit becomes a constant one, as the
 * hardware would fold it into the constant row) and every bit of a column below MIN_COL dropped
 * (truncation / broken array), the Baugh-Wooley constants included. Sum modulo 2^16, read as
 * two's complement: the adder array is 16 bits wide. */
static inline int16_t bw_array_signed(int8_t a, int8_t b, unsigned row_mask, int min_col) {
  unsigned A = (uint8_t)a, B = (uint8_t)b & row_mask;
  uint32_t sum = 0;
  int i, j;
  for (i = 0; i < 8; ++i)
    for (j = 0; j < 8; ++j)
      if (i + j >= min_col) sum += (uint32_t)bw_pp_bit(A, B, i, j) << (i + j);
  if (8 >= min_col) sum += 1u << 8;
  if (15 >= min_col) sum += 1u << 15;
  return (int16_t)(uint16_t)(sum & 0xFFFFu);
}

/* Unsigned 8x8 array product with rows outside ROW_MASK perforated and columns below MIN_COL
 * dropped. */
static inline uint16_t array_unsigned(uint8_t a, uint8_t b, unsigned row_mask, int min_col) {
  unsigned A = a, B = b & row_mask;
  uint32_t sum = 0;
  int i, j;
  for (i = 0; i < 8; ++i)
    for (j = 0; j < 8; ++j)
      if (i + j >= min_col) sum += (((A >> j) & (B >> i) & 1u) << (i + j));
  return (uint16_t)sum;
}

/* Position of the leading one of X > 0 (0..15). */
static inline int leading_one(unsigned x) {
  int t = 0;
  while (x >> (t + 1)) ++t;
  return t;
}

#endif
