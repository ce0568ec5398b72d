// One multiplier in four forms (issue 2): the bundled broken-array design as a C function, a
// hand-written structural Verilog netlist of adder cells, behavioural Verilog (through yosys) and
// BLIF gives four identical tables, equal to builtin:mul8s_bam_h1v6. The bundled unsigned design
// likewise in C and behavioural Verilog.
#include <gtest/gtest.h>

#include <string>

#include "lutgen/source.h"
#include "table_util.h"

namespace axx::multipliers {
namespace {

using test_util::first_difference;
using test_util::source_path;

lutgen::Lut load(const std::string& relative, lutgen::SourceOptions options = {}) {
  return lutgen::load_lut(source_path("multipliers/src/" + relative), options);
}

TEST(FourForms, SignedBrokenArrayDesign) {
  const lutgen::Lut builtin = lutgen::load_lut("builtin:mul8s_bam_h1v6");
  ASSERT_TRUE(builtin.spec.is_signed);

  // BLIF carries no signedness, so the reader is told; the Verilog forms declare `signed` ports
  // (the flag agrees with them). The C form's int8_t parameters say it on their own.
  lutgen::SourceOptions as_signed;
  as_signed.is_signed = true;
  lutgen::SourceOptions structural = as_signed;
  structural.yosys = lutgen::YosysMode::Never;  // the structural reader alone, no yosys fallback
  lutgen::SourceOptions behavioural = as_signed;
  behavioural.yosys = lutgen::YosysMode::Force;

  const lutgen::Lut forms[] = {
      load("mul8s_bam_h1v6.c"),
      load("mul8s_bam_h1v6_struct.v", structural),
      load("mul8s_bam_h1v6_behav.v", behavioural),
      load("mul8s_bam_h1v6.blif", as_signed),
  };
  for (const lutgen::Lut& lut : forms) {
    SCOPED_TRACE(lut.provenance.kind + " " + lut.provenance.path);
    EXPECT_EQ(lut.spec.bits_a, 8);
    EXPECT_EQ(lut.spec.bits_b, 8);
    EXPECT_TRUE(lut.spec.is_signed);
    EXPECT_EQ(first_difference(lut.table, builtin.table), "");
  }
  // The approximation is real: the table is not the exact product.
  EXPECT_NE(builtin.table, lutgen::load_lut("builtin:mul8s_exact").table);
}

TEST(FourForms, UnsignedTruncatedDesign) {
  const lutgen::Lut builtin = lutgen::load_lut("builtin:mul8u_trunc6");
  ASSERT_FALSE(builtin.spec.is_signed);
  // The Verilog ports are plain and yosys finds no `*` to go by: the reader is told. The C form's
  // uint8_t parameters say it on their own.
  lutgen::SourceOptions behavioural;
  behavioural.is_signed = false;
  behavioural.yosys = lutgen::YosysMode::Force;
  for (const lutgen::Lut& lut : {load("mul8u_trunc6.c"), load("mul8u_trunc6_behav.v", behavioural)}) {
    SCOPED_TRACE(lut.provenance.kind + " " + lut.provenance.path);
    EXPECT_FALSE(lut.spec.is_signed);
    EXPECT_EQ(first_difference(lut.table, builtin.table), "");
  }
}

}  // namespace
}  // namespace axx::multipliers
