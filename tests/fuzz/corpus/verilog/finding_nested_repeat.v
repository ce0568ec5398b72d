module m(input a, output [1:0] y);
  assign y = {4096{{4096{{4096{a}}}}}};
endmodule
