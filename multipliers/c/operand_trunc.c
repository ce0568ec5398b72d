/* operand_trunc (ka=KA kb=KB): the KA low bits of operand A's pattern and the KB low bits of B's are
 * forced to 0 before an exact product: a narrower multiplier fed with the operands' high bits, the
 * simplest approximation (bit-width reduction / operand truncation; e.g. the truncated-operand
 * baseline of S. Hashemi, R. I. Bahar, S. Reda, "DRUM: A dynamic range unbiased multiplier for
 * approximate applications", ICCAD 2015). Signed form: two's complement patterns, so each operand
 * is rounded towards minus infinity to a multiple of 2^K (the array it feeds is Baugh-Wooley). */
#include "families.h"

int32_t axx_operand_trunc_s8(int8_t a, int8_t b, int ka, int kb) {
  int8_t ta = (int8_t)(uint8_t)((uint8_t)a & (0xFFu << ka));
  int8_t tb = (int8_t)(uint8_t)((uint8_t)b & (0xFFu << kb));
  return (int32_t)ta * (int32_t)tb;
}

int32_t axx_operand_trunc_u8(uint8_t a, uint8_t b, int ka, int kb) {
  return (int32_t)(a & (0xFFu << ka)) * (int32_t)(b & (0xFFu << kb));
}
