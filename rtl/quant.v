// quant.v - MSB/LSB bit-plane split, merge and midpoint approximation of
// signed elements (docs/spec.md s3; C: cmodel/quant.c). Combinational.
//   msb = x >> l (arithmetic), lsb = x & (2^l - 1),
//   merge(m, b) = (m << l) | b, approx(m) = (m << l) | 2^(l-1) (m if l = 0).
module quant #(
  parameter integer Lanes = 1,  // elements handled in parallel
  parameter integer W     = 16  // element width (signed)
) (
  input  wire [3:0]         lsb_n_i,  // l, 0..8
  input  wire [Lanes*W-1:0] x_i,      // full-width elements
  output wire [Lanes*W-1:0] msb_o,    // x >> l, sign-extended to W
  output wire [Lanes*8-1:0] lsb_o,    // x & (2^l - 1)
  input  wire [Lanes*W-1:0] m_i,      // MSB plane, sign-extended to W
  input  wire [Lanes*8-1:0] b_i,      // LSB plane bits
  input  wire               full_i,   // 1: merge(m, b), 0: approx(m)
  output wire [Lanes*W-1:0] val_o
);
  generate
    if (Lanes < 1) begin : gen_chk_lanes
      $error("quant: Lanes must be >= 1");
    end
    if (W < 9 || W > 32) begin : gen_chk_w
      $error("quant: W must be 9..32 (8 LSB bits plus a sign)");
    end
  endgenerate

  // l clamped to 8 (the spec's limit) so the shifts stay in range
  wire [3:0] l = (lsb_n_i > 4'd8) ? 4'd8 : lsb_n_i;
  wire [8:0] lmask = (9'd1 << l) - 9'd1;           // 2^l - 1
  wire [8:0] half  = (l == 4'd0) ? 9'd0 : (9'd1 << (l - 4'd1));

  genvar g;
  generate
    for (g = 0; g < Lanes; g = g + 1) begin : gen_lane
      wire signed [W-1:0] x = x_i[g*W +: W];
      wire signed [W-1:0] m = m_i[g*W +: W];
      wire        [8:0]   b = {1'b0, b_i[g*8 +: 8]} & lmask;
      wire        [W-1:0] ml = m << l;
      assign msb_o[g*W +: W] = x >>> l;
      assign lsb_o[g*8 +: 8] = x[7:0] & lmask[7:0];
      assign val_o[g*W +: W] = ml | {{(W-9){1'b0}}, (full_i ? b : half)};
    end
  endgenerate
endmodule
