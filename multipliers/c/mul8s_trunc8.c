/* Truncated signed 8x8 multiplier: the Baugh-Wooley array without its eight least significant
 * columns (36 partial-product bits, including the two Baugh-Wooley NAND bits of column 7), no
 * correction. M. J. Schulte, E. E. Swartzlander, "Truncated multiplication with correction
 * constant", VLSI Signal Processing VI, 1993 (here without the constant). */
#include "pp_array.h"

int16_t mul8s_trunc8(int8_t a, int8_t b) { return bw_array_signed(a, b, 0xFFu, 8); }
