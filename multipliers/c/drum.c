/* drum (k=K): DRUM, the dynamic range unbiased multiplier. S. Hashemi, R. I. Bahar, S. Reda,
 * "DRUM: A dynamic range unbiased multiplier for approximate applications", ICCAD 2015. Each
 * operand keeps only the K bits starting at its leading one; the lowest kept bit is forced to 1
 * (the expected value of the discarded bits, which makes the error unbiased); a KxK multiplier
 * multiplies the segments and a barrel shifter restores the scale. Operands below 2^K pass exactly.
 * Signed form: sign-magnitude (|a|, |b| through the unsigned core, the sign applied afterwards). */
#include "families.h"
#include "pp_array.h"

static unsigned drum_operand(unsigned x, int k, int* shift) {
  *shift = 0;
  if (x < (1u << k)) return x;
  *shift = leading_one(x) - k + 1;
  return (x >> *shift) | 1u;
}

static uint32_t drum_core(unsigned x, unsigned y, int k) {
  int sx, sy;
  unsigned px = drum_operand(x, k, &sx), py = drum_operand(y, k, &sy);
  return (uint32_t)(px * py) << (sx + sy);
}

int32_t axx_drum_s8(int8_t a, int8_t b, int k) {
  return axx_apply_sign(a, b, drum_core(axx_magnitude(a), axx_magnitude(b), k));
}

int32_t axx_drum_u8(uint8_t a, uint8_t b, int k) { return (int32_t)drum_core(a, b, k); }
