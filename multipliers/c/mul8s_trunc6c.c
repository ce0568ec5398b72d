/* Truncated signed 8x8 multiplier with a correction constant: the Baugh-Wooley array without its
 * six least significant columns (21 partial-product bits), plus a constant one in column 6 (64)
 * that offsets the expected value of the dropped bits (each is 1 with probability 1/4 for uniform
 * operands: sum over columns c < 6 of (c+1) 2^c / 4 = 80.25, rounded to the kept column's 64).
 * M. J. Schulte, E. E. Swartzlander, "Truncated multiplication with correction constant", VLSI
 * Signal Processing VI, 1993. E = LUT - a*b is low rank (the dropped bits plus a constant). */
#include "pp_array.h"

int16_t mul8s_trunc6c(int8_t a, int8_t b) {
  return (int16_t)(bw_array_signed(a, b, 0xFFu, 6) + 64);
}
