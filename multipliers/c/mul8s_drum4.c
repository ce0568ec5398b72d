/* DRUM signed 8x8 multiplier with a 4x4 core in sign-magnitude form (|a|, |b| through the unsigned
 * DRUM core, sign applied outside). S. Hashemi, R. I. Bahar, S. Reda, "DRUM: A dynamic range
 * unbiased multiplier for approximate applications", ICCAD 2015. High-rank error. */
#include "drum.h"

int16_t mul8s_drum4(int8_t a, int8_t b) { return drum_signed(a, b, 4); }
