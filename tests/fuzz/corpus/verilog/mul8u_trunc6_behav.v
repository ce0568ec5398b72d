// Truncated unsigned 8x8 multiplier (columns 0..5 of the array dropped, no correction), behavioural
// form: needs yosys. Read it with --unsigned. Same table as mul8u_trunc6.c and builtin:mul8u_trunc6.
module mul8u_trunc6 (
    input  [7:0]  a,
    input  [7:0]  b,
    output [15:0] p
);
  reg [15:0] sum;
  integer i;
  always @* begin
    sum = 16'd0;
    for (i = 0; i < 8; i = i + 1)
      if (b[i])
        // row i keeps its bits of weight >= 2^6: shift down, clear, shift back
        sum = sum + (((({8'd0, a} << i) >> 6)) << 6);
  end
  assign p = sum;
endmodule
