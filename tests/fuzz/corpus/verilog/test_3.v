
module ext(input [1:0] a, input signed [1:0] b, output [3:0] y, output [3:0] z, output [3:0] w);
  assign y = ~a;          // a widened to 4 bits before ~: upper bits are 1
  assign z = b;           // sign-extended
  assign w = $unsigned(b) | 4'b0000; // zero-extended
endmodule
