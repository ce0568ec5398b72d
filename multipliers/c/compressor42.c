/* compressor42 (variant=NAME cols=C): approximate 4:2 compressors in the C columns of lowest weight
 * of the partial-product array (modified Baugh-Wooley for the signed form, pp_array.h), the rest
 * added exactly. Written as an explicit column-compression simulation over partial-product bits so
 * a gate-level netlist can mirror it bit for bit:
 *
 *   1. Column c's bit list, in this order: the partial-product bits of rows i = 0, 1, ..., 7
 *      (bit a_(c-i) b_i; the signed form's NAND bits where exactly one of the two is a sign bit),
 *      then the signed form's constant one when c is 8 or 15.
 *   2. For c = 0, 1, ..., C-1 in turn: while the list of column c holds 4 or more bits, the first
 *      four x1..x4 leave it and enter one approximate compressor; its sum goes to column c's
 *      output list, its carry is appended to the END of column c+1's bit list (so it can be
 *      compressed there when c+1 < C). Bits left in the list (at most 3) go to the output list.
 *   3. Every remaining bit (output lists of columns < C, all bits of columns >= C, carries
 *      included) is added exactly with its weight 2^c; the signed sum wraps modulo 2^16.
 *
 * Step 3 may be any exact reduction (Dadda, Wallace, ripple): only step 2 approximates.
 * Variants:
 *   vk: A. G. M. Venkatachalam, S.-B. Ko, "Design of power and area efficient approximate
 *       multipliers", IEEE TVLSI 25(5), 2017: carry = x1 x2 + x3 x4,
 *       sum = (x1 ^ x2) + (x3 ^ x4) + x1 x2 x3 x4 (no carry-in or carry-out). 2 carry + sum is the
 *       exact count except 1010, 1001, 0110, 0101 (1 instead of 2) and 1111 (3 instead of 4); it
 *       never overestimates. */
#include "families.h"
#include "pp_array.h"

static void compress_vk(unsigned x1, unsigned x2, unsigned x3, unsigned x4, unsigned* sum, unsigned* carry) {
  unsigned w1 = x1 & x2, w2 = x3 & x4;
  *carry = w1 | w2;
  *sum = (x1 ^ x2) | (x3 ^ x4) | (w1 & w2);
}

/* Sum of the array's bits after step 2 (modulo 2^32; the caller narrows). */
static uint32_t compressed_sum(unsigned A, unsigned B, int is_signed, int variant, int cols) {
  unsigned list[17][24];
  int len[17] = {0};
  uint32_t total = 0;
  int c, i;
  for (c = 0; c < 16; ++c) {
    for (i = 0; i < 8; ++i)
      if (c - i >= 0 && c - i < 8)
        list[c][len[c]++] = is_signed ? bw_pp_bit(A, B, i, c - i) : ((A >> (c - i)) & (B >> i) & 1u);
    if (is_signed && (c == 8 || c == 15)) list[c][len[c]++] = 1u;
  }
  for (c = 0; c < 16; ++c) {
    int first = 0;
    if (c < cols) {
      for (; len[c] - first >= 4; first += 4) {
        unsigned s = 0, cy = 0;
        if (variant == AXX_C42_VK)
          compress_vk(list[c][first], list[c][first + 1], list[c][first + 2], list[c][first + 3], &s, &cy);
        total += (uint32_t)s << c;
        list[c + 1][len[c + 1]++] = cy;
      }
    }
    for (i = first; i < len[c]; ++i) total += (uint32_t)list[c][i] << c;
  }
  for (i = 0; i < len[16]; ++i) total += (uint32_t)list[16][i] << 16;
  return total;
}

int32_t axx_compressor42_s8(int8_t a, int8_t b, int variant, int cols) {
  return (int16_t)(uint16_t)(compressed_sum((uint8_t)a, (uint8_t)b, 1, variant, cols) & 0xFFFFu);
}

int32_t axx_compressor42_u8(uint8_t a, uint8_t b, int variant, int cols) {
  return (int32_t)compressed_sum(a, b, 0, variant, cols);
}
