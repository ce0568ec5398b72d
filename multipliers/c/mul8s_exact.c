/* Exact signed 8x8 multiplier: the reference every signed design is measured against. */
#include <stdint.h>

int16_t mul8s_exact(int8_t a, int8_t b) { return (int16_t)((int)a * (int)b); }
