/* DRUM unsigned 8x8 multiplier with a 4x4 core: each operand's four bits from its leading one,
 * lowest kept bit forced to 1. S. Hashemi, R. I. Bahar, S. Reda, "DRUM: A dynamic range unbiased
 * multiplier for approximate applications", ICCAD 2015. Relative error is roughly uniform over the
 * range and unbiased; E = LUT - a*b has high rank. */
#include "drum.h"

uint16_t mul8u_drum4(uint8_t a, uint8_t b) { return (uint16_t)drum_product(a, b, 4); }
