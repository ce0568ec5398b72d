/* column_trunc (k=K corr=C): the array multiplier (modified Baugh-Wooley for the signed form,
 * pp_array.h) without every partial-product bit of the K least significant columns, the
 * Baugh-Wooley constants of those columns included, plus the constant C (corr=0: none). With a
 * correction the designs here take C = the expected value of the dropped bits for uniform operands
 * (AND bits 1/4, NAND bits 3/4, constants 1) rounded to the nearest multiple of 2^K, so it is one
 * constant bit pattern in the kept columns. M. J. Schulte, E. E. Swartzlander Jr., "Truncated
 * multiplication with correction constant", VLSI Signal Processing VI, IEEE, 1993. The signed sum
 * wraps modulo 2^16 like the 16-bit adder array. */
#include "families.h"
#include "pp_array.h"

int32_t axx_column_trunc_s8(int8_t a, int8_t b, int k, int corr) {
  uint32_t sum = (uint32_t)(uint16_t)bw_array_signed(a, b, 0xFFu, k) + (uint32_t)corr;
  return (int16_t)(uint16_t)(sum & 0xFFFFu);
}

int32_t axx_column_trunc_u8(uint8_t a, uint8_t b, int k, int corr) {
  return (int32_t)array_unsigned(a, b, 0xFFu, k) + corr;
}
