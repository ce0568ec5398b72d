/* DRUM signed 8x8 multiplier with a 6x6 core in sign-magnitude form: magnitudes below 64 pass
 * exactly, larger ones keep six bits from the leading one. S. Hashemi, R. I. Bahar, S. Reda,
 * "DRUM: A dynamic range unbiased multiplier for approximate applications", ICCAD 2015. */
#include "drum.h"

int16_t mul8s_drum6(int8_t a, int8_t b) { return drum_signed(a, b, 6); }
