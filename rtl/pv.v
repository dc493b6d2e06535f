// pv.v - probability x value accumulation and output rounding
// (docs/spec.md s8; C: cmodel/pv.c sp_pv).
//   acc[d] += p * v[d] (32-bit signed), out[d] = sat(rnd(acc[d], 15), 16).
// NPv multipliers: TPB = NPv/D tokens per beat when NPv >= D (their products
// are summed per dimension), else one token folded over F = D/NPv beats,
// beat b covering dimensions b*NPv .. b*NPv+NPv-1.
// D's limit: sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module pv #(
  parameter integer D   = 64,  // head dimension of the hardware (max)
  parameter integer NPv = 64,  // multipliers
  parameter integer VW  = 16   // value element bits (signed)
) (
  input  wire              clk_i,
  input  wire              rst_ni,
  input  wire              start_i,     // clear the accumulators
  input  wire              in_valid_i,
  output wire              in_ready_o,
  input  wire              in_last_i,   // last beat of the last token
  input  wire [((NPv >= D) ? NPv / D : 1)*16-1:0] in_p_i,  // Q1.15, 0 pads a lane
  input  wire [NPv*VW-1:0] in_v_i,
  output wire              out_valid_o,
  output wire [D*16-1:0]   out_o,
  output wire [D*32-1:0]   acc_o
);
  localparam integer TPB = (NPv >= D) ? NPv / D : 1;  // tokens per beat
  localparam integer F   = (NPv >= D) ? 1 : D / NPv;  // beats per token
  localparam integer EPB = (NPv >= D) ? D : NPv;      // dims per beat
  localparam integer FW  = (F > 1) ? $clog2(F) : 1;
  localparam integer LastBeatI = F - 1;
  localparam [FW-1:0] LastBeat = LastBeatI[FW-1:0];

  generate
    if (D < 1 || D > `SP_MAX_D) begin : gen_chk_d
      $error("pv: D must be 1..SP_MAX_D (spec s1)");
    end
    if (NPv < 1 || (NPv >= D && NPv % D != 0) || (NPv < D && D % NPv != 0)) begin : gen_chk_npv
      $error("pv: NPv must be a multiple or a divisor of D");
    end
    if (VW < 2 || VW > 16) begin : gen_chk_vw
      $error("pv: VW must be 2..16 (spec s2)");
    end
  endgenerate

  assign in_ready_o = !start_i;
  wire take = in_valid_i && !start_i;

  reg  [FW-1:0]   beat_q;
  reg  [D*32-1:0] acc_q;
  reg             done_q;

  // one beat: per lane e the sum over the TPB tokens of p * v (32 bits,
  // wrapping as the accumulator does, so adding it to acc is the same sum);
  // dimension g takes lane g % EPB on beat g / EPB (every beat when F = 1):
  // fixed wiring per dimension, no indexed write into the accumulator row.
  // A function, evaluated in the register update when a beat is taken.
  function automatic [D*32-1:0] acc_add(input [D*32-1:0] acc, input [TPB*16-1:0] p,
                                        input [NPv*VW-1:0] v, input integer bt);
    integer fe, ft, fg;
    reg signed [31:0] fs;
    reg [EPB*32-1:0]  bs;
    begin
      for (fe = 0; fe < EPB; fe = fe + 1) begin
        fs = 32'sd0;
        for (ft = 0; ft < TPB; ft = ft + 1)
          fs = fs + $signed({1'b0, p[ft*16 +: 16]}) * $signed(v[(ft*EPB + fe)*VW +: VW]);
        bs[fe*32 +: 32] = fs;
      end
      for (fg = 0; fg < D; fg = fg + 1)
        acc_add[fg*32 +: 32] = (F == 1 || fg / EPB == bt) ? acc[fg*32 +: 32] + bs[(fg % EPB)*32 +: 32]
                                                          : acc[fg*32 +: 32];
    end
  endfunction
  wire [31:0] bt = {{(32-FW){1'b0}}, beat_q};

  // out = sat(rnd(acc, 15), 16) of each dimension; rnd(x, 15) = (x >> 15)
  // + x[14], 18 bits, in range of 16 bits iff bits 17..15 agree, else
  // saturated by the sign. Formed in the register update whenever the
  // accumulator changes (out_q = rnd(acc_q) in every cycle), not as logic
  // evaluated in every cycle.
  function automatic [D*16-1:0] rnd_all(input [D*32-1:0] acc);
    integer rg;
    reg [17:0] sh;
    begin
      for (rg = 0; rg < D; rg = rg + 1) begin
        sh = {acc[rg*32 + 31], acc[rg*32 + 15 +: 17]} + {17'd0, acc[rg*32 + 14]};
        rnd_all[rg*16 +: 16] = (sh[17:15] == 3'b000 || sh[17:15] == 3'b111) ? sh[15:0]
                             : (sh[17] ? 16'h8000 : 16'h7fff);
      end
    end
  endfunction

  // the new accumulator and its rounding, {out, acc}
  function automatic [D*48-1:0] step(input [D*32-1:0] acc, input [TPB*16-1:0] p,
                                     input [NPv*VW-1:0] v, input integer sbt);
    reg [D*32-1:0] sa;
    begin
      sa   = acc_add(acc, p, v, sbt);
      step = {rnd_all(sa), sa};
    end
  endfunction

  reg [D*16-1:0] out_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q  <= {D*32{1'b0}};
      out_q  <= {D*16{1'b0}};
      beat_q <= {FW{1'b0}};
      done_q <= 1'b0;
    end else if (start_i) begin
      acc_q  <= {D*32{1'b0}};
      out_q  <= {D*16{1'b0}};  // rnd(0) = 0
      beat_q <= {FW{1'b0}};
      done_q <= 1'b0;
    end else if (take) begin
      {out_q, acc_q} <= step(acc_q, in_p_i, in_v_i, bt);
      beat_q <= (F == 1 || beat_q == LastBeat) ? {FW{1'b0}} : beat_q + {{(FW-1){1'b0}}, 1'b1};
      done_q <= in_last_i;
    end
  end

  assign out_o = out_q;
  assign out_valid_o = done_q;
  assign acc_o       = acc_q;
endmodule
