/* Perforated signed 8x8 multiplier: partial-product rows 0 and 1 (b0, b1) are never generated,
 * which removes two rows of adders. G. Zervakis, K. Tsoumanis, S. Xydis, D. Soudris, K. Pekmestzi,
 * "Design-efficient approximate multiplication circuits through partial product perforation",
 * IEEE TVLSI 24(10), 2016. The product is a * (b with bits 0 and 1 cleared), so
 * E = LUT - a*b = -a * (b & 3) has exact rank 1. */
#include "pp_array.h"

int16_t mul8s_perf2(int8_t a, int8_t b) { return bw_array_signed(a, b, 0xFCu, 0); }
