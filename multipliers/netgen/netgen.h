// Gate-level netlist generator for the built-in multiplier families (docs/netgen.md).
//
// A DesignSpec (family + params, the same strings multipliers/builtins.def registers) becomes a
// flat structural Verilog module in the subset the project's structural reader accepts
// (docs/formats-netlist.md): gate primitives and/or/xor/nand/nor/xnor/not only, one `assign` for the
// product bus. Ports: `a` [bits_a], `b` [bits_b], `p` [bits_a + bits_b], declared `signed` for
// signed designs. The netlist computes bit for bit what the design's C model computes
// (multipliers/c/pp_array.h for the array families); partial-product bits a family prunes are not
// generated at all, and constants are folded into the adder cells that receive them.
//
// Depends on nothing of the project but common/axx/error.h.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace axx::netgen {

// How the partial-product columns are reduced to two rows before the final adder.
enum class Reduction {
  Array,    // carry-save array: one row of full adders per partial-product row (Baugh-Wooley 1973)
  Wallace,  // as many full/half adders per stage as fit (Wallace 1964)
  Dadda,    // the fewest adders per stage, heights 2, 3, 4, 6, 9, 13, ... (Dadda 1965)
};

struct DesignSpec {
  std::string name;          // Verilog module name: [A-Za-z_][A-Za-z0-9_]*
  std::string family;        // "exact", "operand_trunc", ... (generator_families())
  std::string params;        // space-separated key=value list, as in builtins.def
  int bits_a = 8, bits_b = 8;  // 2..16 each
  bool is_signed = false;    // two's complement operands and product (Baugh-Wooley array)
  Reduction reduction = Reduction::Array;
};

// One family the generator knows.
struct GeneratorFamily {
  const char* name;
  const char* params;        // accepted keys, e.g. "k=K corr=C"
  const char* description;   // one line
};

// Every family with a generator, in documentation order.
const std::vector<GeneratorFamily>& generator_families();

// True when FAMILY has a generator.
bool has_generator(std::string_view family);

// What was generated, besides the text: gate primitives by kind ("and", "xor", ...) after constant
// folding and dead-gate removal, and the adder cells the reduction placed (before folding).
struct Generated {
  std::string verilog;
  std::map<std::string, int> gates;   // primitive name -> count
  int total_gates = 0;
  int full_adders = 0, half_adders = 0, compressors42 = 0;
  int partial_products = 0;           // AND/NAND partial-product bits generated
};

// Builds the netlist of D. Throws axx::UsageError for an unknown family, a bad module name, widths
// out of range, or params the family does not accept (unknown key, missing or out-of-range value).
Generated generate(const DesignSpec& d);

// generate(d).verilog.
std::string generate_verilog(const DesignSpec& d);

// "array", "wallace", "dadda" and back; parse_reduction throws axx::UsageError on other names.
const char* reduction_name(Reduction r);
Reduction parse_reduction(std::string_view name);

}  // namespace axx::netgen
