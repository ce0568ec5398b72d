
module ops(a, b, y);
  input [3:0] a;
  input [3:0] b;
  output [15:0] y;
  wire [3:0] n = ~a;
  assign y[3:0] = (a & b) ^ ~^{a[1:0], b[3:2]} ;
  assign y[7:4] = a[3] ? {b[0], b[3:1]} : (n | 4'b0101);
  assign {y[9], y[8]} = {a[2] ~^ b[2], ^b};
  assign y[11:10] = 2'd2;
  assign y[15:12] = {2{a[0 +: 2] ^~ b[3 -: 2]}};
endmodule
