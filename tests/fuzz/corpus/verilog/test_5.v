
module add(input [3:0] a, input [3:0] b, output [5:0] s, output [5:0] t, output [2:0] u, output [5:0] v,
           output [5:0] w);
  assign s = a + b + 1'b1;               // 6-bit context: the carries are kept
  assign t = {a[1:0], 2'b11} - b;        // modulo 2^6
  assign u = -a;                         // truncated to 3 bits
  assign v = $signed(a) + $signed(b[2:0]); // signed: both operands sign-extended to 6 bits
  assign w = $signed(a) - b;             // b unsigned: the whole expression is unsigned
endmodule
