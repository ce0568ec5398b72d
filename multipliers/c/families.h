/* The family functions of the built-in library (plain C99; one file NAME.c per family here).
 * A design is a family function with its parameters fixed by one line of multipliers/builtins.def;
 * each family has a signed form (operands int8_t, two's complement) and an unsigned form. The
 * numeric arguments are exactly the values of the design's `params` string, in the order listed
 * here (tests/multipliers checks the two agree). Products fit int32 and, for the signed forms,
 * int16 (the wrap of the Baugh-Wooley array is part of the models). */
#ifndef AXX_MULTIPLIERS_FAMILIES_H
#define AXX_MULTIPLIERS_FAMILIES_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* exact: no params */
int32_t axx_exact_s8(int8_t a, int8_t b);
int32_t axx_exact_u8(uint8_t a, uint8_t b);
/* operand_trunc: ka=KA kb=KB */
int32_t axx_operand_trunc_s8(int8_t a, int8_t b, int ka, int kb);
int32_t axx_operand_trunc_u8(uint8_t a, uint8_t b, int ka, int kb);
/* column_trunc: k=K corr=C */
int32_t axx_column_trunc_s8(int8_t a, int8_t b, int k, int corr);
int32_t axx_column_trunc_u8(uint8_t a, uint8_t b, int k, int corr);
/* bam: hbl=H vbl=V */
int32_t axx_bam_s8(int8_t a, int8_t b, int hbl, int vbl);
int32_t axx_bam_u8(uint8_t a, uint8_t b, int hbl, int vbl);
/* perforation: rows=I,J,... (the argument is the mask of perforated rows, bit i = row i) */
int32_t axx_perforation_s8(int8_t a, int8_t b, unsigned rows);
int32_t axx_perforation_u8(uint8_t a, uint8_t b, unsigned rows);
/* lor: k=K */
int32_t axx_lor_s8(int8_t a, int8_t b, int k);
int32_t axx_lor_u8(uint8_t a, uint8_t b, int k);
/* compressor42: variant=NAME cols=C (the argument is the variant's AXX_C42_* number) */
#define AXX_C42_VK 1
int32_t axx_compressor42_s8(int8_t a, int8_t b, int variant, int cols);
int32_t axx_compressor42_u8(uint8_t a, uint8_t b, int variant, int cols);
/* drum: k=K */
int32_t axx_drum_s8(int8_t a, int8_t b, int k);
int32_t axx_drum_u8(uint8_t a, uint8_t b, int k);
/* mitchell: no params */
int32_t axx_mitchell_s8(int8_t a, int8_t b);
int32_t axx_mitchell_u8(uint8_t a, uint8_t b);
/* ilm: iter=N */
int32_t axx_ilm_s8(int8_t a, int8_t b, int iter);
int32_t axx_ilm_u8(uint8_t a, uint8_t b, int iter);
/* etm: k=K */
int32_t axx_etm_s8(int8_t a, int8_t b, int k);
int32_t axx_etm_u8(uint8_t a, uint8_t b, int k);
/* roba: no params */
int32_t axx_roba_s8(int8_t a, int8_t b);
int32_t axx_roba_u8(uint8_t a, uint8_t b);
/* udm: no params */
int32_t axx_udm_s8(int8_t a, int8_t b);
int32_t axx_udm_u8(uint8_t a, uint8_t b);
/* ssm: m=M */
int32_t axx_ssm_s8(int8_t a, int8_t b, int m);
int32_t axx_ssm_u8(uint8_t a, uint8_t b, int m);

#ifdef __cplusplus
}
#endif

/* Sign-magnitude form of the magnitude-based families: |a| and |b| (0..128, so an 8-bit unsigned
 * core suffices) through the unsigned core, the sign applied to the result, as sign-magnitude
 * datapaths do. */
static inline unsigned axx_magnitude(int8_t a) { return (unsigned)(a < 0 ? -(int)a : a); }
static inline int32_t axx_apply_sign(int8_t a, int8_t b, uint32_t magnitude) {
  return ((a < 0) != (b < 0)) ? -(int32_t)magnitude : (int32_t)magnitude;
}

#endif
