// The compiled-in tables: the generated headers of the built-in multipliers (written by
// multipliers/regenerate.sh with `axx lut builtin:NAME`), included as data. Self-contained: no
// other axx library is linked. Adding a table: its #include and one line in the list below.
#include "emulator/registry.h"

#include <cstddef>
#include <cstdint>
#include <deque>

#include "multipliers/generated/mul8s_bam_h1v6.h"
#include "multipliers/generated/mul8s_drum4.h"
#include "multipliers/generated/mul8s_drum6.h"
#include "multipliers/generated/mul8s_exact.h"
#include "multipliers/generated/mul8s_lor6.h"
#include "multipliers/generated/mul8s_mitchell.h"
#include "multipliers/generated/mul8s_perf2.h"
#include "multipliers/generated/mul8s_trunc4.h"
#include "multipliers/generated/mul8s_trunc6c.h"
#include "multipliers/generated/mul8s_trunc8.h"
#include "multipliers/generated/mul8u_drum4.h"
#include "multipliers/generated/mul8u_exact.h"
#include "multipliers/generated/mul8u_mitchell.h"
#include "multipliers/generated/mul8u_trunc6.h"

namespace axx::emulator {
namespace {

// The headers store int16_t when every entry fits (int32_t otherwise); the kernels take int32.
// Widened copies live as long as the program, in a deque so earlier pointers stay valid.
template <class T>
const std::int32_t* widen(std::deque<std::int32_t[256 * 256]>& storage, const T (&table)[256][256]) {
  std::int32_t* out = storage.emplace_back();
  for (std::size_t a = 0; a < 256; ++a)
    for (std::size_t b = 0; b < 256; ++b) out[a * 256 + b] = static_cast<std::int32_t>(table[a][b]);
  return out;
}

}  // namespace

const std::vector<CompiledTable>& compiled_tables() {
  static std::deque<std::int32_t[256 * 256]> storage;
  // Name and signedness come from the header's own macros; descriptions match the builtin registry
  // (multipliers/builtins.def; tests/multipliers/compiled_registry_test.cc checks all of it).
#define AXX_TABLE(ID, MACRO, description) \
  CompiledTable{MACRO##_NAME, description, MACRO##_SIGNED != 0, widen(storage, axx_lut_##ID)}
  static const std::vector<CompiledTable> tables = {
      AXX_TABLE(mul8s_exact, AXX_LUT_MUL8S_EXACT, "exact signed 8x8 product (reference)"),
      AXX_TABLE(mul8u_exact, AXX_LUT_MUL8U_EXACT, "exact unsigned 8x8 product (reference)"),
      AXX_TABLE(mul8s_trunc4, AXX_LUT_MUL8S_TRUNC4, "Baugh-Wooley array, columns 0-3 truncated (Schulte & Swartzlander 1993)"),
      AXX_TABLE(mul8s_trunc6c, AXX_LUT_MUL8S_TRUNC6C, "Baugh-Wooley array, columns 0-5 truncated + correction constant 64"),
      AXX_TABLE(mul8s_trunc8, AXX_LUT_MUL8S_TRUNC8, "Baugh-Wooley array, columns 0-7 truncated"),
      AXX_TABLE(mul8u_trunc6, AXX_LUT_MUL8U_TRUNC6, "unsigned array, columns 0-5 truncated"),
      AXX_TABLE(mul8s_bam_h1v6, AXX_LUT_MUL8S_BAM_H1V6, "broken-array multiplier, HBL=1 VBL=6 (Mahdiani et al. 2010)"),
      AXX_TABLE(mul8s_perf2, AXX_LUT_MUL8S_PERF2, "partial-product rows 0-1 perforated (Zervakis et al. 2016)"),
      AXX_TABLE(mul8s_lor6, AXX_LUT_MUL8S_LOR6, "columns 0-5 reduced by OR, no carries (lower-part OR, Mahdiani 2010)"),
      AXX_TABLE(mul8s_drum6, AXX_LUT_MUL8S_DRUM6, "DRUM, 6-bit core, sign-magnitude (Hashemi et al. 2015)"),
      AXX_TABLE(mul8s_drum4, AXX_LUT_MUL8S_DRUM4, "DRUM, 4-bit core, sign-magnitude (Hashemi et al. 2015)"),
      AXX_TABLE(mul8u_drum4, AXX_LUT_MUL8U_DRUM4, "DRUM, 4-bit core (Hashemi et al. 2015)"),
      AXX_TABLE(mul8s_mitchell, AXX_LUT_MUL8S_MITCHELL, "Mitchell logarithmic multiplier, sign-magnitude (Mitchell 1962)"),
      AXX_TABLE(mul8u_mitchell, AXX_LUT_MUL8U_MITCHELL, "Mitchell logarithmic multiplier (Mitchell 1962)"),
  };
#undef AXX_TABLE
  return tables;
}

const CompiledTable* find_compiled_table(std::string_view name) {
  for (const CompiledTable& t : compiled_tables()) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

}  // namespace axx::emulator
