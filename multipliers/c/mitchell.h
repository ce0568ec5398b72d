/* Mitchell's logarithmic multiplier (plain C99), shared by the Mitchell designs here.
 * J. N. Mitchell, "Computer multiplication and division using binary logarithms", IRE Trans.
 * Electronic Computers EC-11(4), 1962. With x = 2^k (1 + f), log2 x ~ k + f (the mantissa bits
 * read as the fraction); the logs are added and the sum taken back with the same linear
 * approximation. For x = 2^k1 + m1 and y = 2^k2 + m2 (fractions m1/2^k1, m2/2^k2):
 *   f1 + f2 <  1:  P = 2^(k1+k2) + m1 2^k2 + m2 2^k1
 *   f1 + f2 >= 1:  P = 2 (m1 2^k2 + m2 2^k1)
 * Every quantity is an integer, so the model needs no rounding; it never overestimates (worst case
 * about -11.1%). */
#ifndef AXX_MULTIPLIERS_MITCHELL_H
#define AXX_MULTIPLIERS_MITCHELL_H
#include <stdint.h>

#include "pp_array.h"

static inline uint32_t mitchell_product(unsigned x, unsigned y) {
  int k1, k2;
  uint32_t m1, m2, mix;
  if (x == 0 || y == 0) return 0; /* log of zero: the zero detector short-circuits */
  k1 = leading_one(x);
  k2 = leading_one(y);
  m1 = x - (1u << k1);
  m2 = y - (1u << k2);
  mix = (m1 << k2) + (m2 << k1); /* (f1 + f2) * 2^(k1+k2) */
  if (mix < (1u << (k1 + k2))) return (1u << (k1 + k2)) + mix;
  return 2u * mix;
}

/* Sign-magnitude form for signed operands (|a|, |b| up to 128). */
static inline int16_t mitchell_signed(int8_t a, int8_t b) {
  unsigned ma = (unsigned)(a < 0 ? -(int)a : a), mb = (unsigned)(b < 0 ? -(int)b : b);
  int32_t p = (int32_t)mitchell_product(ma, mb);
  return (int16_t)(((a < 0) != (b < 0)) ? -p : p);
}

#endif
