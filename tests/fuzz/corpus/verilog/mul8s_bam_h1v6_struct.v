// Broken-array signed 8x8 multiplier, HBL = 1, VBL = 6 (H. R. Mahdiani, A. Ahmadi, S. M. Fakhraie,
// C. Lucas, "Bio-inspired imprecise computational blocks for efficient VLSI implementation of
// soft-computing applications", IEEE TCAS-I 57(4), 2010), structural form: a modified Baugh-Wooley
// carry-save array of full- and half-adder cells, instantiated as submodules, and a final
// ripple-carry adder. Same table as mul8s_bam_h1v6.c, _behav.v, .blif and builtin:mul8s_bam_h1v6.
//
// The operands are two's complement and declared `signed`, so axx reads the table as signed.
// Partial product pp<i>_<j> = a[j] & b[i] has weight 2^(i+j); Baugh-Wooley inverts the ones that
// pair a sign bit with a non-sign bit. HBL = 1: row 0 (b[0]) is not built; its NAND bit would be
// the constant 1 at column 7. VBL = 6: no cell right of column 6, so p[5:0] = 0. The constant ones
// at columns 7 (row 0), 8 and 15 (Baugh-Wooley) enter as the initial carry vector. Carries out of
// column 15 are dropped (the product is taken modulo 2^16).
// Cell s<r>_<c>/c<r>_<c>: sum/carry of the cell adding row r at column c; r_<c>/rc_<c>: final adder.
// The regular instance list was laid out by a short one-off script and checked exhaustively
// against mul8s_bam_h1v6.c (tests/multipliers/four_forms_test.cc keeps checking it).

module ha (input x, input y, output s, output c);
  assign s = x ^ y;
  assign c = x & y;
endmodule

module fa (input x, input y, input z, output s, output c);
  assign s = x ^ y ^ z;
  assign c = (x & y) | (x & z) | (y & z);
endmodule

module mul8s_bam_h1v6 (a, b, p);
  input signed [7:0] a;
  input signed [7:0] b;
  output [15:0] p;

  wire pp1_5, pp1_6, pp1_7;
  wire pp2_4, pp2_5, pp2_6, pp2_7;
  wire pp3_3, pp3_4, pp3_5, pp3_6, pp3_7;
  wire pp4_2, pp4_3, pp4_4, pp4_5, pp4_6, pp4_7;
  wire pp5_1, pp5_2, pp5_3, pp5_4, pp5_5, pp5_6, pp5_7;
  wire pp6_0, pp6_1, pp6_2, pp6_3, pp6_4, pp6_5, pp6_6, pp6_7;
  wire pp7_0, pp7_1, pp7_2, pp7_3, pp7_4, pp7_5, pp7_6, pp7_7;
  wire s2_6, s2_7, s2_8;
  wire c2_6, c2_7, c2_8;
  wire s3_6, s3_7, s3_8, s3_9;
  wire c3_6, c3_7, c3_8, c3_9;
  wire s4_6, s4_7, s4_8, s4_9, s4_10;
  wire c4_6, c4_7, c4_8, c4_9, c4_10;
  wire s5_6, s5_7, s5_8, s5_9, s5_10, s5_11;
  wire c5_6, c5_7, c5_8, c5_9, c5_10, c5_11;
  wire s6_6, s6_7, s6_8, s6_9, s6_10, s6_11, s6_12;
  wire c6_6, c6_7, c6_8, c6_9, c6_10, c6_11, c6_12;
  wire s7_7, s7_8, s7_9, s7_10, s7_11, s7_12, s7_13;
  wire c7_7, c7_8, c7_9, c7_10, c7_11, c7_12, c7_13;
  wire r_8, r_9, r_10, r_11, r_12, r_13, r_14, r_15;
  wire rc_8, rc_9, rc_10, rc_11, rc_12, rc_13, rc_14, rc_15;

  assign pp1_5 = (a[5] & b[1]);
  assign pp1_6 = (a[6] & b[1]);
  assign pp1_7 = ~(a[7] & b[1]);
  assign pp2_4 = (a[4] & b[2]);
  assign pp2_5 = (a[5] & b[2]);
  assign pp2_6 = (a[6] & b[2]);
  assign pp2_7 = ~(a[7] & b[2]);
  assign pp3_3 = (a[3] & b[3]);
  assign pp3_4 = (a[4] & b[3]);
  assign pp3_5 = (a[5] & b[3]);
  assign pp3_6 = (a[6] & b[3]);
  assign pp3_7 = ~(a[7] & b[3]);
  assign pp4_2 = (a[2] & b[4]);
  assign pp4_3 = (a[3] & b[4]);
  assign pp4_4 = (a[4] & b[4]);
  assign pp4_5 = (a[5] & b[4]);
  assign pp4_6 = (a[6] & b[4]);
  assign pp4_7 = ~(a[7] & b[4]);
  assign pp5_1 = (a[1] & b[5]);
  assign pp5_2 = (a[2] & b[5]);
  assign pp5_3 = (a[3] & b[5]);
  assign pp5_4 = (a[4] & b[5]);
  assign pp5_5 = (a[5] & b[5]);
  assign pp5_6 = (a[6] & b[5]);
  assign pp5_7 = ~(a[7] & b[5]);
  assign pp6_0 = (a[0] & b[6]);
  assign pp6_1 = (a[1] & b[6]);
  assign pp6_2 = (a[2] & b[6]);
  assign pp6_3 = (a[3] & b[6]);
  assign pp6_4 = (a[4] & b[6]);
  assign pp6_5 = (a[5] & b[6]);
  assign pp6_6 = (a[6] & b[6]);
  assign pp6_7 = ~(a[7] & b[6]);
  assign pp7_0 = ~(a[0] & b[7]);
  assign pp7_1 = ~(a[1] & b[7]);
  assign pp7_2 = ~(a[2] & b[7]);
  assign pp7_3 = ~(a[3] & b[7]);
  assign pp7_4 = ~(a[4] & b[7]);
  assign pp7_5 = ~(a[5] & b[7]);
  assign pp7_6 = ~(a[6] & b[7]);
  assign pp7_7 = (a[7] & b[7]);

  // row 2: add partial products a & b[2] (carry-save)
  ha u2_6 (pp1_5, pp2_4, s2_6, c2_6);
  fa u2_7 (pp1_6, 1'b1, pp2_5, s2_7, c2_7);
  fa u2_8 (pp1_7, 1'b1, pp2_6, s2_8, c2_8);
  // row 3: add partial products a & b[3] (carry-save)
  ha u3_6 (s2_6, pp3_3, s3_6, c3_6);
  fa u3_7 (s2_7, c2_6, pp3_4, s3_7, c3_7);
  fa u3_8 (s2_8, c2_7, pp3_5, s3_8, c3_8);
  fa u3_9 (pp2_7, c2_8, pp3_6, s3_9, c3_9);
  // row 4: add partial products a & b[4] (carry-save)
  ha u4_6 (s3_6, pp4_2, s4_6, c4_6);
  fa u4_7 (s3_7, c3_6, pp4_3, s4_7, c4_7);
  fa u4_8 (s3_8, c3_7, pp4_4, s4_8, c4_8);
  fa u4_9 (s3_9, c3_8, pp4_5, s4_9, c4_9);
  fa u4_10 (pp3_7, c3_9, pp4_6, s4_10, c4_10);
  // row 5: add partial products a & b[5] (carry-save)
  ha u5_6 (s4_6, pp5_1, s5_6, c5_6);
  fa u5_7 (s4_7, c4_6, pp5_2, s5_7, c5_7);
  fa u5_8 (s4_8, c4_7, pp5_3, s5_8, c5_8);
  fa u5_9 (s4_9, c4_8, pp5_4, s5_9, c5_9);
  fa u5_10 (s4_10, c4_9, pp5_5, s5_10, c5_10);
  fa u5_11 (pp4_7, c4_10, pp5_6, s5_11, c5_11);
  // row 6: add partial products a & b[6] (carry-save)
  ha u6_6 (s5_6, pp6_0, s6_6, c6_6);
  fa u6_7 (s5_7, c5_6, pp6_1, s6_7, c6_7);
  fa u6_8 (s5_8, c5_7, pp6_2, s6_8, c6_8);
  fa u6_9 (s5_9, c5_8, pp6_3, s6_9, c6_9);
  fa u6_10 (s5_10, c5_9, pp6_4, s6_10, c6_10);
  fa u6_11 (s5_11, c5_10, pp6_5, s6_11, c6_11);
  fa u6_12 (pp5_7, c5_11, pp6_6, s6_12, c6_12);
  // row 7: add partial products a & b[7] (carry-save)
  fa u7_7 (s6_7, c6_6, pp7_0, s7_7, c7_7);
  fa u7_8 (s6_8, c6_7, pp7_1, s7_8, c7_8);
  fa u7_9 (s6_9, c6_8, pp7_2, s7_9, c7_9);
  fa u7_10 (s6_10, c6_9, pp7_3, s7_10, c7_10);
  fa u7_11 (s6_11, c6_10, pp7_4, s7_11, c7_11);
  fa u7_12 (s6_12, c6_11, pp7_5, s7_12, c7_12);
  fa u7_13 (pp6_7, c6_12, pp7_6, s7_13, c7_13);
  // final ripple-carry adder over the sum and carry vectors
  ha v8 (s7_8, c7_7, r_8, rc_8);
  fa v9 (s7_9, c7_8, rc_8, r_9, rc_9);
  fa v10 (s7_10, c7_9, rc_9, r_10, rc_10);
  fa v11 (s7_11, c7_10, rc_10, r_11, rc_11);
  fa v12 (s7_12, c7_11, rc_11, r_12, rc_12);
  fa v13 (s7_13, c7_12, rc_12, r_13, rc_13);
  fa v14 (pp7_7, c7_13, rc_13, r_14, rc_14);
  ha v15 (1'b1, rc_14, r_15, rc_15);

  assign p = {r_15, r_14, r_13, r_12, r_11, r_10, r_9, r_8, s7_7, s6_6, 1'b0, 1'b0, 1'b0, 1'b0, 1'b0, 1'b0};
endmodule
