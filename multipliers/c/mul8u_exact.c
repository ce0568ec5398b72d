/* Exact unsigned 8x8 multiplier: the reference every unsigned design is measured against. */
#include <stdint.h>

uint16_t mul8u_exact(uint8_t a, uint8_t b) { return (uint16_t)((unsigned)a * (unsigned)b); }
