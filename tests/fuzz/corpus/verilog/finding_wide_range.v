module m(input a, output y);
  wire [100000000:0] w;
  assign y = a;
endmodule
