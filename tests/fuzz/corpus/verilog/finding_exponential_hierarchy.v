module top(input a, output y);
  m0 u(.i(a), .o(y));
endmodule
module m0(input i, output o);
  wire t;
  m1 u1(.i(i), .o(t));
  m1 u2(.i(t), .o(o));
endmodule
module m1(input i, output o);
  wire t;
  m2 u1(.i(i), .o(t));
  m2 u2(.i(t), .o(o));
endmodule
module m2(input i, output o);
  wire t;
  m3 u1(.i(i), .o(t));
  m3 u2(.i(t), .o(o));
endmodule
module m3(input i, output o);
  wire t;
  m4 u1(.i(i), .o(t));
  m4 u2(.i(t), .o(o));
endmodule
module m4(input i, output o);
  wire t;
  m5 u1(.i(i), .o(t));
  m5 u2(.i(t), .o(o));
endmodule
module m5(input i, output o);
  wire t;
  m6 u1(.i(i), .o(t));
  m6 u2(.i(t), .o(o));
endmodule
module m6(input i, output o);
  wire t;
  m7 u1(.i(i), .o(t));
  m7 u2(.i(t), .o(o));
endmodule
module m7(input i, output o);
  wire t;
  m8 u1(.i(i), .o(t));
  m8 u2(.i(t), .o(o));
endmodule
module m8(input i, output o);
  wire t;
  m9 u1(.i(i), .o(t));
  m9 u2(.i(t), .o(o));
endmodule
module m9(input i, output o);
  wire t;
  m10 u1(.i(i), .o(t));
  m10 u2(.i(t), .o(o));
endmodule
module m10(input i, output o);
  wire t;
  m11 u1(.i(i), .o(t));
  m11 u2(.i(t), .o(o));
endmodule
module m11(input i, output o);
  wire t;
  m12 u1(.i(i), .o(t));
  m12 u2(.i(t), .o(o));
endmodule
module m12(input i, output o);
  wire t;
  m13 u1(.i(i), .o(t));
  m13 u2(.i(t), .o(o));
endmodule
module m13(input i, output o);
  wire t;
  m14 u1(.i(i), .o(t));
  m14 u2(.i(t), .o(o));
endmodule
module m14(input i, output o);
  wire t;
  m15 u1(.i(i), .o(t));
  m15 u2(.i(t), .o(o));
endmodule
module m15(input i, output o);
  wire t;
  m16 u1(.i(i), .o(t));
  m16 u2(.i(t), .o(o));
endmodule
module m16(input i, output o);
  wire t;
  m17 u1(.i(i), .o(t));
  m17 u2(.i(t), .o(o));
endmodule
module m17(input i, output o);
  wire t;
  m18 u1(.i(i), .o(t));
  m18 u2(.i(t), .o(o));
endmodule
module m18(input i, output o);
  wire t;
  m19 u1(.i(i), .o(t));
  m19 u2(.i(t), .o(o));
endmodule
module m19(input i, output o);
  wire t;
  m20 u1(.i(i), .o(t));
  m20 u2(.i(t), .o(o));
endmodule
module m20(input i, output o);
  wire t;
  m21 u1(.i(i), .o(t));
  m21 u2(.i(t), .o(o));
endmodule
module m21(input i, output o);
  wire t;
  m22 u1(.i(i), .o(t));
  m22 u2(.i(t), .o(o));
endmodule
module m22(input i, output o);
  wire t;
  m23 u1(.i(i), .o(t));
  m23 u2(.i(t), .o(o));
endmodule
module m23(input i, output o);
  wire t;
  m24 u1(.i(i), .o(t));
  m24 u2(.i(t), .o(o));
endmodule
module m24(input i, output o);
  wire t;
  m25 u1(.i(i), .o(t));
  m25 u2(.i(t), .o(o));
endmodule
module m25(input i, output o);
  wire t;
  m26 u1(.i(i), .o(t));
  m26 u2(.i(t), .o(o));
endmodule
module m26(input i, output o);
  wire t;
  m27 u1(.i(i), .o(t));
  m27 u2(.i(t), .o(o));
endmodule
module m27(input i, output o);
  wire t;
  m28 u1(.i(i), .o(t));
  m28 u2(.i(t), .o(o));
endmodule
module m28(input i, output o);
  wire t;
  m29 u1(.i(i), .o(t));
  m29 u2(.i(t), .o(o));
endmodule
module m29(input i, output o);
  assign o = i;
endmodule
