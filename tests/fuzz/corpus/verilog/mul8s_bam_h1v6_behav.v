// Broken-array signed 8x8 multiplier, HBL = 1, VBL = 6 (Mahdiani et al., IEEE TCAS-I 57(4), 2010),
// behavioural form: needs yosys (`axx lut` runs it, or pass --yosys). Same table as
// mul8s_bam_h1v6.c, mul8s_bam_h1v6_struct.v, mul8s_bam_h1v6.blif and builtin:mul8s_bam_h1v6.
//
// Operands are two's complement, and the ports say so (`signed`), so axx reads the table as signed
// without --signed. The array without row 0 computes a * (b with bit 0 cleared); breaking it at
// column 6 drops the bits a_j b_i with i + j < 6, all of non-sign bits.
module mul8s_bam_h1v6 (
    input  signed [7:0]  a,
    input  signed [7:0]  b,
    output        [15:0] p
);
  wire [7:0] b_rows = {b[7:1], 1'b0};
  // Own assignment so the multiply is sized and signed on its own (16-bit, sign-extended operands).
  wire signed [15:0] full = $signed(a) * $signed(b_rows);

  reg [15:0] dropped;
  integer i;
  always @* begin
    dropped = 16'd0;
    for (i = 1; i < 6; i = i + 1)
      if (b_rows[i])
        // the low 6 - i bits of a, shifted to row i: the part of row i right of the break line
        dropped = dropped + ({8'd0, a & (8'hFF >> (2 + i))} << i);
  end

  assign p = full - dropped;
endmodule
