// A TransAxx/AdaPT-style table in the layout those tools load, shrunk to 4x4 operand patterns
// (2-bit signed operands): rows = a pattern, columns = b pattern. Entry [3][3] is 2 instead of 1.
#pragma once
#include <cstdint>

/* values: 0, 1, -2, -1 per pattern */
const short lut[4][4] = {
  {0, 0, 0, 0},
  {0, 1, -2, -1},
  {0, -2, 0x4, +2},
  {0, -1, 2, 2},   // trailing comma allowed
};
