/* Truncated unsigned 8x8 multiplier: the array without its six least significant columns (21 of
 * 64 partial-product bits), no correction. M. J. Schulte, E. E. Swartzlander, "Truncated
 * multiplication with correction constant", VLSI Signal Processing VI, 1993 (without the
 * constant). */
#include "pp_array.h"

uint16_t mul8u_trunc6(uint8_t a, uint8_t b) { return array_unsigned(a, b, 0xFFu, 6); }
