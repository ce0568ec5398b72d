/* roba: the rounding-based approximate multiplier. R. Zendegani, M. Kamal, M. Bahadori,
 * A. Afzali-Kusha, M. Pedram, "RoBA multiplier: A rounding-based approximate multiplier for
 * high-speed yet energy-efficient digital signal processing", IEEE TVLSI 25(2), 2017. With Ar, Br
 * the operands rounded to the nearest power of two, a b = Ar b + a Br - Ar Br + (a - Ar)(b - Br);
 * the last term is dropped, so only shifts and adds remain. At a tie (a = 3 2^(p-1)) the larger
 * power is taken, as in the paper. Error -(a - Ar)(b - Br): rank 1. Signed form: sign-magnitude. */
#include "families.h"
#include "pp_array.h"

static unsigned roba_round(unsigned x) {
  int p;
  if (x == 0) return 0;
  p = leading_one(x);
  return (p > 0 && ((x >> (p - 1)) & 1u)) ? 1u << (p + 1) : 1u << p;
}

static uint32_t roba_core(unsigned x, unsigned y) {
  unsigned xr = roba_round(x), yr = roba_round(y);
  return xr * y + x * yr - xr * yr;
}

int32_t axx_roba_s8(int8_t a, int8_t b) {
  return axx_apply_sign(a, b, roba_core(axx_magnitude(a), axx_magnitude(b)));
}

int32_t axx_roba_u8(uint8_t a, uint8_t b) { return (int32_t)roba_core(a, b); }
