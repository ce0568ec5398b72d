// 2x2 unsigned array multiplier, the same circuit as mul2u.blif, in structural Verilog.
module mul2u(a, b, p);
  input [1:0] a;
  input [1:0] b;
  output [3:0] p;
  wire pp10, pp01, pp11, c1;
  and g0(p[0], a[0], b[0]);
  assign pp10 = a[1] & b[0];
  assign pp01 = a[0] & b[1];
  assign pp11 = a[1] & b[1];
  xor g1(p[1], pp10, pp01);
  assign c1 = pp10 & pp01;
  assign p[2] = pp11 ^ c1;
  assign p[3] = pp11 & c1;
endmodule
