/* DRUM, the dynamic range unbiased multiplier (plain C99), shared by the DRUM designs here.
 * S. Hashemi, R. I. Bahar, S. Reda, "DRUM: A dynamic range unbiased multiplier for approximate
 * applications", ICCAD 2015. Each operand keeps only the K bits starting at its leading one; the
 * lowest kept bit is forced to 1 (the expected value of the discarded bits, which makes the error
 * unbiased); a KxK multiplier multiplies the segments and a barrel shifter restores the scale.
 * Operands below 2^K pass exactly. */
#ifndef AXX_MULTIPLIERS_DRUM_H
#define AXX_MULTIPLIERS_DRUM_H
#include <stdint.h>

#include "pp_array.h"

/* The K-bit segment of X and its shift: X ~ drum_segment(X, K, &shift) << shift. */
static inline unsigned drum_segment(unsigned x, int k, int* shift) {
  int t;
  *shift = 0;
  if (x < (1u << k)) return x;
  t = leading_one(x);
  *shift = t - k + 1;
  return (x >> *shift) | 1u;
}

/* Unsigned DRUM product of magnitudes X, Y (each up to 2^8). */
static inline uint32_t drum_product(unsigned x, unsigned y, int k) {
  int sx, sy;
  unsigned px = drum_segment(x, k, &sx), py = drum_segment(y, k, &sy);
  return (uint32_t)(px * py) << (sx + sy);
}

/* Signed DRUM in sign-magnitude form: |a| and |b| (up to 128) through the unsigned core, the sign
 * applied afterwards, as signed DRUM variants and sign-magnitude int8 datapaths do. */
static inline int16_t drum_signed(int8_t a, int8_t b, int k) {
  unsigned ma = (unsigned)(a < 0 ? -(int)a : a), mb = (unsigned)(b < 0 ? -(int)b : b);
  int32_t p = (int32_t)drum_product(ma, mb, k);
  return (int16_t)(((a < 0) != (b < 0)) ? -p : p);
}

#endif
