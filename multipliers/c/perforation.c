/* perforation (rows=I,J,...): the listed partial-product rows (row i = operand A gated by b_i) are
 * never generated, removing their adders. G. Zervakis, K. Tsoumanis, S. Xydis, D. Soudris,
 * K. Pekmestzi, "Design-efficient approximate multiplication circuits through partial product
 * perforation", IEEE TVLSI 24(10), 2016. Signed form: the modified Baugh-Wooley array
 * (pp_array.h), a perforated row's NAND bit folded into the constants. ROWS is the mask of
 * perforated rows (bit i = row i). */
#include "families.h"
#include "pp_array.h"

int32_t axx_perforation_s8(int8_t a, int8_t b, unsigned rows) {
  return bw_array_signed(a, b, ~rows & 0xFFu, 0);
}

int32_t axx_perforation_u8(uint8_t a, uint8_t b, unsigned rows) {
  return array_unsigned(a, b, ~rows & 0xFFu, 0);
}
