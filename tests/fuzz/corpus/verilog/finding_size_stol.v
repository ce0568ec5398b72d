module m(input a, output y);
  assign y = 99999999999999999999'b1;
endmodule
