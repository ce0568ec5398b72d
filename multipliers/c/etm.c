/* etm (k=K, K <= 4): the error-tolerant multiplier. K. Y. Kyaw, W. L. Goh, K. S. Yeo, "Low-power
 * high-speed multiplier for error-tolerant application", IEEE EDSSC 2010. Each 8-bit operand splits
 * into a high part (8-K bits) and a low part (K bits). When both high parts are zero, the
 * multiplication part (an exact (8-K)x(8-K) multiplier) multiplies the low parts exactly.
 * Otherwise it multiplies the high parts, placed at 2^(2K), and the non-multiplication part fills
 * the 2K low result bits without any multiplier: scanning v = a_low | b_low from its top bit, the
 * first one sets its result bit (position K + t for bit t of v) and every bit below it. Cross terms
 * are dropped. There is no zero detector: 0 x 127 gives the filled low bits, not 0. Signed form:
 * sign-magnitude, the sign the XOR of the operands' sign bits (so -127 x 0 is negative). */
#include "families.h"
#include "pp_array.h"

static uint32_t etm_core(unsigned x, unsigned y, int k) {
  unsigned lo_mask = (1u << k) - 1u, xh = x >> k, yh = y >> k, v = (x | y) & lo_mask;
  if (xh == 0 && yh == 0) return x * y;
  return ((uint32_t)(xh * yh) << (2 * k)) + (v ? (1u << (k + leading_one(v) + 1)) - 1u : 0u);
}

int32_t axx_etm_s8(int8_t a, int8_t b, int k) {
  return axx_apply_sign(a, b, etm_core(axx_magnitude(a), axx_magnitude(b), k));
}

int32_t axx_etm_u8(uint8_t a, uint8_t b, int k) { return (int32_t)etm_core(a, b, k); }
