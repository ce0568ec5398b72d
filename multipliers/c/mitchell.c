/* mitchell: Mitchell's logarithmic multiplier. J. N. Mitchell, "Computer multiplication and
 * division using binary logarithms", IRE Trans. Electronic Computers EC-11(4), 1962. With
 * x = 2^k (1 + f), log2 x ~ k + f (the mantissa bits read as the fraction); the logs are added and
 * the sum taken back with the same linear approximation. For x = 2^k1 + m1, y = 2^k2 + m2:
 *   f1 + f2 <  1:  P = 2^(k1+k2) + m1 2^k2 + m2 2^k1
 *   f1 + f2 >= 1:  P = 2 (m1 2^k2 + m2 2^k1)
 * Every quantity is an integer, so the model needs no rounding; it never overestimates (worst case
 * 1/9 = 11.1% below the product). Signed form: sign-magnitude. */
#include "families.h"
#include "pp_array.h"

static uint32_t mitchell_core(unsigned x, unsigned y) {
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

int32_t axx_mitchell_s8(int8_t a, int8_t b) {
  return axx_apply_sign(a, b, mitchell_core(axx_magnitude(a), axx_magnitude(b)));
}

int32_t axx_mitchell_u8(uint8_t a, uint8_t b) { return (int32_t)mitchell_core(a, b); }
