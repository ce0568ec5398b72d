/* Truncated signed 8x8 multiplier: the Baugh-Wooley array without its four least significant
 * columns (10 of 64 partial-product bits and their adders removed), no correction, so the product
 * is always rounded down. Column truncation as in M. J. Schulte, E. E. Swartzlander, "Truncated
 * multiplication with correction constant", VLSI Signal Processing VI, 1993 (here without the
 * constant). The dropped bits are products of low operand bits only: E = LUT - a*b has exact rank
 * 4 (a sum of outer products of bit vectors). */
#include "pp_array.h"

int16_t mul8s_trunc4(int8_t a, int8_t b) { return bw_array_signed(a, b, 0xFFu, 4); }
