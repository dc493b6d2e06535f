// importance.v - token and head importance updates with 48-bit unsigned
// saturation (docs/spec.md s9; C: cmodel/importance.c). Combinational; the
// accumulators themselves are stored by the controller.
//   tok:  imp'  = usat(imp + p, 48)
//   head: himp' = usat(himp + sum_d |out[d]|, 48)
module importance #(
  parameter integer Lanes = 1,  // token updates in parallel
  parameter integer D     = 64  // head dimension (out[] padded with 0)
) (
  input  wire [Lanes*48-1:0] tok_acc_i,
  input  wire [Lanes*16-1:0] tok_p_i,
  output wire [Lanes*48-1:0] tok_sum_o,
  input  wire [47:0]         head_acc_i,
  input  wire [D*16-1:0]     head_out_i,  // signed 16-bit outputs
  output wire [47:0]         head_add_o,  // sum |out[d]|
  output wire [47:0]         head_sum_o
);
  generate
    if (Lanes < 1) begin : gen_chk_lanes
      $error("importance: Lanes must be >= 1");
    end
    if (D < 1 || D > 256) begin : gen_chk_d
      $error("importance: D must be 1..256 (spec s1)");
    end
  endgenerate

  localparam [48:0] ImpMax = {1'b0, {48{1'b1}}};

  genvar g;
  generate
    for (g = 0; g < Lanes; g = g + 1) begin : gen_tok
      wire [48:0] s = {1'b0, tok_acc_i[g*48 +: 48]} + {33'd0, tok_p_i[g*16 +: 16]};
      assign tok_sum_o[g*48 +: 48] = (s > ImpMax) ? ImpMax[47:0] : s[47:0];
    end
  endgenerate

  // |out[d]| <= 32768, so the sum over D <= 256 fits 24 bits
  reg [23:0] abs_sum;
  integer j;
  always @(*) begin
    abs_sum = 24'd0;
    for (j = 0; j < D; j = j + 1) begin
      if (head_out_i[j*16 + 15])
        abs_sum = abs_sum + {8'd0, (~head_out_i[j*16 +: 16]) + 16'd1};
      else
        abs_sum = abs_sum + {8'd0, head_out_i[j*16 +: 16]};
    end
  end
  wire [48:0] hs = {1'b0, head_acc_i} + {25'd0, abs_sum};
  assign head_add_o = {24'd0, abs_sum};
  assign head_sum_o = (hs > ImpMax) ? ImpMax[47:0] : hs[47:0];
endmodule
