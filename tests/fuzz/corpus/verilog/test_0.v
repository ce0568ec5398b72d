// 2x2 unsigned multiplier from gate primitives
module mul2(a, b, p);
  input [1:0] a;
  input [1:0] b;
  output [3:0] p;
  wire [1:0] a;
  wire t1, t2, t3, c;
  and g0(p[0], a[0], b[0]);
  and g1(t1, a[1], b[0]), g2(t2, a[0], b[1]);
  xor (p[1], t1, t2);
  and (c, t1, t2);
  and g3(t3, a[1], b[1]);
  xor g4(p[2], t3, c);
  and g5(p[3], t3, c);
endmodule
