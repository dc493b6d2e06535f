// requant.v - progressive quantization decision (docs/spec.md s6;
// C: cmodel/requant.c). Combinational:
//   requant = (lsb_bits > 0) && (tau > 0) && (pmax < tau).
module requant (
  input  wire [15:0] pmax_i,      // max probability, Q1.15 (0..32768)
  input  wire [31:0] tau_i,       // threshold, Q1.15
  input  wire [3:0]  lsb_bits_i,  // LSB bits of the keys (Kl)
  output wire        requant_o
);
  assign requant_o = (lsb_bits_i != 4'd0) && (tau_i != 32'd0) && ({16'd0, pmax_i} < tau_i);
endmodule
