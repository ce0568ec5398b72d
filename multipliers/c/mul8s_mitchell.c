/* Mitchell logarithmic signed 8x8 multiplier in sign-magnitude form. J. N. Mitchell, "Computer
 * multiplication and division using binary logarithms", IRE Trans. Electronic Computers EC-11(4),
 * 1962. High-rank error. */
#include "mitchell.h"

int16_t mul8s_mitchell(int8_t a, int8_t b) { return mitchell_signed(a, b); }
