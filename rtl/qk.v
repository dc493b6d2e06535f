// qk.v - query-key dot products and fixed-point logits (docs/spec.md s4;
// C: cmodel/qk.c sp_qk_dot, sp_qk_logit).
//   acc = sum_j q[j]*k[j] (32-bit signed), y = sat(rnd(acc*M, S), 24).
// NQk multipliers: KPB = NQk/D whole keys per beat when NQk >= D (the query
// is broadcast), else one key folded over F = D/NQk beats.
// Pipeline (4 stages, one global stall): s1 products + adder tree per key,
// s2 accumulate over the F beats of a key, s3 acc*M, s4 round + saturate.
// The logit width and D's limit: sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module qk #(
  parameter integer D   = 64,  // head dimension of the hardware (max)
  parameter integer NQk = 64,  // multipliers
  parameter integer QW  = 16,  // query element bits (signed)
  parameter integer KW  = 16   // key element bits (signed)
) (
  input  wire              clk_i,
  input  wire              rst_ni,
  input  wire [D*QW-1:0]   q_i,       // held stable while keys stream
  input  wire [15:0]       mult_i,    // M, 1..65535
  input  wire [5:0]        shift_i,   // S, 0..62
  input  wire              k_valid_i,
  output wire              k_ready_o,
  input  wire [NQk*KW-1:0] k_data_i,
  output wire              y_valid_o,
  input  wire              y_ready_i,
  output wire [((NQk >= D) ? NQk / D : 1)*`SP_LOGIT_BITS-1:0] y_o,
  output wire [((NQk >= D) ? NQk / D : 1)*32-1:0] acc_o
);
  localparam integer KPB  = (NQk >= D) ? NQk / D : 1;  // keys per beat
  localparam integer F    = (NQk >= D) ? 1 : D / NQk;  // beats per key
  localparam integer EPK  = (NQk >= D) ? D : NQk;      // elements of a key per beat
  localparam integer FW   = (F > 1) ? $clog2(F) : 1;
  localparam integer LW   = `SP_LOGIT_BITS;              // logit width

  generate
    if (D < 1 || D > `SP_MAX_D) begin : gen_chk_d
      $error("qk: D must be 1..SP_MAX_D (spec s1)");
    end
    if (NQk < 1 || (NQk >= D && NQk % D != 0) || (NQk < D && D % NQk != 0)) begin : gen_chk_nqk
      $error("qk: NQk must be a multiple or a divisor of D");
    end
    if (QW < 2 || QW > 16 || KW < 2 || KW > 16) begin : gen_chk_w
      $error("qk: QW and KW must be 2..16 (spec s2)");
    end
  endgenerate

  wire adv = !y_valid_o || y_ready_i;  // the whole pipeline moves
  assign k_ready_o = adv;
  wire take = k_valid_i && adv;

  // beat counter within a key (fold mode)
  reg [FW-1:0] beat_q;
  localparam integer LastBeatI = F - 1;
  localparam [FW-1:0] LastBeat = LastBeatI[FW-1:0];
  wire last_beat = (F == 1) || (beat_q == LastBeat);

  // ---- stage 1: products and per-key adder tree (a function evaluated
  // in the register update when a beat is taken)
  function automatic [KPB*32-1:0] dot(input [D*QW-1:0] q, input [NQk*KW-1:0] k,
                                      input integer qo);
    integer di, dj;
    reg signed [31:0] ps;
    begin
      for (di = 0; di < KPB; di = di + 1) begin
        ps = 32'sd0;
        for (dj = 0; dj < EPK; dj = dj + 1) begin
          // element dj of key di in this beat; query element at qo + dj
          ps = ps
            + $signed(q[(qo + dj) * QW +: QW])
            * $signed(k[(di * EPK + dj) * KW +: KW]);
        end
        dot[di*32 +: 32] = ps;
      end
    end
  endfunction

  // first query element of this beat (fold mode: beat_q * EPK)
  wire [31:0] qoff = (F == 1) ? 32'd0 : {{(32-FW){1'b0}}, beat_q} * EPK;
  integer i;
  reg  [KPB*32-1:0] s1_sum_q;
  reg               s1_valid_q, s1_first_q, s1_last_q;
  reg  [KPB*32-1:0] s2_acc_q;
  reg               s2_valid_q;
  reg  [KPB*48-1:0] s3_prod_q;
  reg               s3_valid_q;
  reg  [KPB*LW-1:0] s4_y_q;
  reg  [KPB*32-1:0] s4_acc_q, s3_acc_q;
  reg               s4_valid_q;

  // ---- stage 2 input: accumulate over the beats of a key
  reg [KPB*32-1:0] acc_d;
  // (stages 2 to 4 form their inputs only when the stage before holds a
  // valid entry, 0 otherwise: y_o is read only with y_valid_o)
  always @(*) begin
    acc_d = {KPB*32{1'b0}};
    if (s1_valid_q)
      for (i = 0; i < KPB; i = i + 1)
        acc_d[i*32 +: 32] = (s1_first_q ? 32'd0 : s2_acc_q[i*32 +: 32]) + s1_sum_q[i*32 +: 32];
  end

  // ---- stage 4 input: y = sat(rnd(prod, S), 24) with a 64-bit shifter
  localparam signed [63:0] YMax = (64'sd1 <<< (LW - 1)) - 64'sd1;
  localparam signed [63:0] YMin = -(64'sd1 <<< (LW - 1));
  reg [KPB*LW-1:0] y_d;
  reg signed [63:0] r64;
  always @(*) begin
    y_d = {KPB*LW{1'b0}};
    r64 = 64'sd0;
    if (s3_valid_q) for (i = 0; i < KPB; i = i + 1) begin
      r64 = {{16{s3_prod_q[i*48 + 47]}}, s3_prod_q[i*48 +: 48]};
      if (shift_i != 6'd0)
        r64 = (r64 + (64'sd1 <<< (shift_i - 6'd1))) >>> shift_i;
      if (r64 > YMax)
        y_d[i*LW +: LW] = {1'b0, {(LW-1){1'b1}}};
      else if (r64 < YMin)
        y_d[i*LW +: LW] = {1'b1, {(LW-1){1'b0}}};
      else
        y_d[i*LW +: LW] = r64[LW-1:0];
    end
  end

  // ---- stage 3 input: acc * M, 32 x 16 -> 48 bits signed
  reg [KPB*48-1:0] prod_d;
  reg signed [47:0] p48;
  always @(*) begin
    prod_d = {KPB*48{1'b0}};
    p48    = 48'sd0;
    if (s2_valid_q) for (i = 0; i < KPB; i = i + 1) begin
      p48 = $signed(s2_acc_q[i*32 +: 32]) * $signed({1'b0, mult_i});
      prod_d[i*48 +: 48] = p48;
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      beat_q     <= {FW{1'b0}};
      s1_sum_q   <= {KPB*32{1'b0}};
      s1_valid_q <= 1'b0;
      s1_first_q <= 1'b1;
      s1_last_q  <= 1'b0;
      s2_acc_q   <= {KPB*32{1'b0}};
      s2_valid_q <= 1'b0;
      s3_prod_q  <= {KPB*48{1'b0}};
      s3_acc_q   <= {KPB*32{1'b0}};
      s3_valid_q <= 1'b0;
      s4_y_q     <= {KPB*LW{1'b0}};
      s4_acc_q   <= {KPB*32{1'b0}};
      s4_valid_q <= 1'b0;
    end else if (adv) begin
      // stage 1
      s1_valid_q <= take;
      if (take) begin
        s1_sum_q   <= dot(q_i, k_data_i, qoff);
        s1_first_q <= (F == 1) || (beat_q == {FW{1'b0}});
        s1_last_q  <= last_beat;
        beat_q     <= last_beat ? {FW{1'b0}} : beat_q + {{(FW-1){1'b0}}, 1'b1};
      end
      // stage 2: the accumulator only changes when a beat arrives
      if (s1_valid_q)
        s2_acc_q <= acc_d;
      s2_valid_q <= s1_valid_q && s1_last_q;
      // stage 3
      s3_valid_q <= s2_valid_q;
      s3_prod_q  <= prod_d;
      s3_acc_q   <= s2_acc_q;
      // stage 4
      s4_valid_q <= s3_valid_q;
      s4_y_q     <= y_d;
      s4_acc_q   <= s3_acc_q;
    end
  end

  assign y_valid_o = s4_valid_q;
  assign y_o       = s4_y_q;
  assign acc_o     = s4_acc_q;
endmodule
