
module ha(input a, input b, output s, output c);
  assign s = a ^ b;
  assign c = a & b;
endmodule
module fa(a, b, cin, s, cout);
  input a, b, cin;
  output s, cout;
  wire t;
  assign t = a ^ b;
  assign s = t ^ cin;
  assign cout = (a & b) | (cin & t);
endmodule
/* 3-bit ripple adder: half adder, then full adders, one with an expression as input */
module add3(input [2:0] x, input [2:0] y, output [3:0] sum);
  wire c0, c1;
  ha h0(.a(x[0]), .b(y[0]), .s(sum[0]), .c(c0));
  fa f1(x[1], y[1], c0, sum[1], c1);
  fa f2(.a(x[2]), .b(y[2] | 1'b0), .cin(c1), .s(sum[2]), .cout(sum[3]));
endmodule
