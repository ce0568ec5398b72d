/* exact: the exact product, the reference every design of the same signedness is measured against. */
#include "families.h"

int32_t axx_exact_s8(int8_t a, int8_t b) { return (int32_t)a * (int32_t)b; }
int32_t axx_exact_u8(uint8_t a, uint8_t b) { return (int32_t)a * (int32_t)b; }
