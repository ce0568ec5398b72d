/* Truncated unsigned 8x8 multiplier: the array without its six least significant columns, no
 * correction (M. J. Schulte, E. E. Swartzlander, "Truncated multiplication with correction
 * constant", VLSI Signal Processing VI, 1993). Same table as builtin:mul8u_trunc6; read it with
 * --unsigned. Self-contained: `axx lut mul8u_trunc6.c --unsigned` compiles it with cc. */
#include <stdint.h>

uint16_t mul8u_trunc6(uint8_t a, uint8_t b) {
  unsigned product = 0;
  int i;
  for (i = 0; i < 8; ++i) {
    if ((b >> i) & 1u) {
      /* row i = a << i; keep only its bits of weight 2^6 and above */
      unsigned row = (unsigned)a << i;
      product += row & ~((1u << 6) - 1u);
    }
  }
  return (uint16_t)product;
}
