/* ilm (iter=N): the iterative logarithmic multiplier. Z. Babic, A. Avramovic, P. Bulic, "An
 * iterative logarithmic multiplier", Microprocessors and Microsystems 35(1), 2011. The basic block
 * approximates x y, x = 2^k1 + x', y = 2^k2 + y', by 2^(k1+k2) + x' 2^k2 + y' 2^k1; its error is
 * exactly x' y', which the next block approximates the same way. iter=N adds N such correction
 * blocks to the first (iter=0: the basic block alone); a block with a zero operand gives 0 (the
 * zero detector), so enough iterations give the exact product. Never overestimates. Signed form:
 * sign-magnitude. */
#include "families.h"
#include "pp_array.h"

static uint32_t ilm_core(unsigned x, unsigned y, int iter) {
  uint32_t p = 0;
  int n;
  for (n = 0; n <= iter && x != 0 && y != 0; ++n) {
    int k1 = leading_one(x), k2 = leading_one(y);
    unsigned rx = x - (1u << k1), ry = y - (1u << k2);
    p += (1u << (k1 + k2)) + (rx << k2) + (ry << k1);
    x = rx;
    y = ry;
  }
  return p;
}

int32_t axx_ilm_s8(int8_t a, int8_t b, int iter) {
  return axx_apply_sign(a, b, ilm_core(axx_magnitude(a), axx_magnitude(b), iter));
}

int32_t axx_ilm_u8(uint8_t a, uint8_t b, int iter) { return (int32_t)ilm_core(a, b, iter); }
