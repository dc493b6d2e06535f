// importance.v - token and head importance updates with 48-bit unsigned
// saturation (docs/spec.md s9; C: cmodel/importance.c). Combinational; the
// accumulators themselves are stored by the controller.
//   tok:  imp'  = usat(imp + p, 48)
//   head: a = sum_d |out[d]| (24 bits), add = rnd(a * Mv, Sv) (39 bits),
//         himp' = usat(himp + add, 48)
// Mv, Sv: the head's importance multiplier and shift (real units, from the
// value scale; made at trace load as the logit's M, S are).
// The importance width (48) and D's limit: sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module importance #(
  parameter integer Lanes = 1,  // token updates in parallel
  parameter integer D     = 64  // head dimension (out[] padded with 0)
) (
  input  wire [Lanes*`SP_IMP_BITS-1:0] tok_acc_i,
  input  wire [Lanes*16-1:0] tok_p_i,
  output wire [Lanes*`SP_IMP_BITS-1:0] tok_sum_o,
  input  wire [`SP_IMP_BITS-1:0] head_acc_i,
  input  wire [D*16-1:0]     head_out_i,  // signed 16-bit outputs
  input  wire [15:0]         head_mult_i,  // Mv, 1..65535
  input  wire [5:0]          head_shift_i, // Sv, 0..62
  output wire [`SP_IMP_BITS-1:0] head_add_o,  // rnd(sum |out[d]| * Mv, Sv)
  output wire [`SP_IMP_BITS-1:0] head_sum_o
);
  generate
    if (Lanes < 1) begin : gen_chk_lanes
      $error("importance: Lanes must be >= 1");
    end
    if (D < 1 || D > `SP_MAX_D) begin : gen_chk_d
      $error("importance: D must be 1..SP_MAX_D (spec s1)");
    end
  endgenerate

  localparam integer IW = `SP_IMP_BITS;
  localparam [IW:0] ImpMax = {1'b0, {IW{1'b1}}};

  genvar g;
  generate
    for (g = 0; g < Lanes; g = g + 1) begin : gen_tok
      wire [IW:0] s = {1'b0, tok_acc_i[g*IW +: IW]} + {{(IW-15){1'b0}}, tok_p_i[g*16 +: 16]};
      assign tok_sum_o[g*IW +: IW] = (s > ImpMax) ? ImpMax[IW-1:0] : s[IW-1:0];
    end
  endgenerate

  // |out[d]| <= 32768, so the sum over D <= 256 fits 24 bits
  reg [23:0] abs_sum;
  integer j;
  always @(*) begin
    abs_sum = 24'd0;
    // |x| = (x ^ sign mask) + sign: no branch per element
    for (j = 0; j < D; j = j + 1)
      abs_sum = abs_sum + {8'd0, (head_out_i[j*16 +: 16] ^ {16{head_out_i[j*16 + 15]}})
                                 + {15'd0, head_out_i[j*16 + 15]}};
  end
  // a <= 2^23 and Mv < 2^16: the product is below 2^39; rnd adds
  // 2^(Sv-1) and shifts (40 bits hold the sum); for Sv > 39 the result is 0
  wire [38:0] prod = {15'd0, abs_sum} * {23'd0, head_mult_i};
  reg  [39:0] scaled;
  always @(*) begin
    if (head_shift_i == 6'd0)
      scaled = {1'b0, prod};
    else if (head_shift_i > 6'd39)
      scaled = 40'd0;
    else
      scaled = ({1'b0, prod} + (40'd1 << (head_shift_i - 6'd1))) >> head_shift_i;
  end
  wire [IW:0] hs = {1'b0, head_acc_i} + {{(IW-39){1'b0}}, scaled};
  assign head_add_o = {{(IW-40){1'b0}}, scaled};
  assign head_sum_o = (hs > ImpMax) ? ImpMax[IW-1:0] : hs[IW-1:0];
endmodule
