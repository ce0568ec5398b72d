/* Broken-array signed 8x8 multiplier (BAM): the carry-save array with its first horizontal row of
 * cells removed (HBL = 1: partial-product row 0, i.e. b0, is never added) and every cell right of
 * the vertical break line (VBL = 6: columns 0..5) removed. H. R. Mahdiani, A. Ahmadi,
 * S. M. Fakhraie, C. Lucas, "Bio-inspired imprecise computational blocks for efficient VLSI
 * implementation of soft-computing applications", IEEE TCAS-I 57(4), 2010, applied to the
 * Baugh-Wooley array. The same design is bundled in four forms in multipliers/src/. */
#include "pp_array.h"

int16_t mul8s_bam_h1v6(int8_t a, int8_t b) { return bw_array_signed(a, b, 0xFEu, 6); }
