/* Mitchell logarithmic unsigned 8x8 multiplier. J. N. Mitchell, "Computer multiplication and
 * division using binary logarithms", IRE Trans. Electronic Computers EC-11(4), 1962.
 * Always underestimates; E = LUT - a*b has high rank. */
#include "mitchell.h"

uint16_t mul8u_mitchell(uint8_t a, uint8_t b) { return (uint16_t)mitchell_product(a, b); }
