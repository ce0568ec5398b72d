/* bam (hbl=H vbl=V): the broken-array multiplier. The carry-save array loses its H first rows of
 * cells (horizontal break level: partial-product rows 0..H-1, i.e. the b bits below H, are never
 * added) and every cell right of the vertical break level (columns 0..V-1). H. R. Mahdiani,
 * A. Ahmadi, S. M. Fakhraie, C. Lucas, "Bio-inspired imprecise computational blocks for efficient
 * VLSI implementation of soft-computing applications", IEEE TCAS-I 57(4), 2010. Signed form: the
 * modified Baugh-Wooley array (pp_array.h); a removed row's NAND bit (~(a7 & 0) = 1) is a constant
 * the array keeps when its column is kept. hbl=1 vbl=6 is the design bundled in multipliers/src/. */
#include "families.h"
#include "pp_array.h"

int32_t axx_bam_s8(int8_t a, int8_t b, int hbl, int vbl) {
  return bw_array_signed(a, b, (0xFFu << hbl) & 0xFFu, vbl);
}

int32_t axx_bam_u8(uint8_t a, uint8_t b, int hbl, int vbl) {
  return array_unsigned(a, b, (0xFFu << hbl) & 0xFFu, vbl);
}
