// ctl_smx.v - controller softmax back part of the head-step pipeline
// (docs/rtl.md s5; C: cmodel/head.c sp_head_step, the probabilities): it
// takes a head-step from ctl_front once its requant decision is made
// (take_i: kept keys, or pass 2 done) and latches its identity, so the
// front end runs the next head-step's q fetch, K walk, qk and softmax load
// meanwhile (into the other score bank). It then streams the probabilities,
// one softmax row of P positions a cycle, into a pbuf bank (held by
// ctl_back; P write lanes; three banks, in turn), the top-k key buffer
// (ctl_sel; P key writes) and the token importance (P read-add-write
// lanes), and hands the head-step to ctl_vsel: four head-steps in flight
// (front, here, ctl_vsel, ctl_back).
`include "sp_defs.vh"
module ctl_smx #(
  parameter integer MaxTokens    = 1024,  // pbuf rows per bank (power of two)
  parameter integer SoftmaxLanes = 1      // P: softmax lanes (a power of two)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  // from ctl_front (take_i) with the head-step's identity, latched here
  input  wire                 take_i,
  input  wire                 rq_i,          // it requantized (pass 2)
  input  wire [13:0]          it_i,
  input  wire [6:0]           l_i,
  input  wire [5:0]           h_i,
  input  wire [TIW-1:0]       rowtok_i,      // query token (encoder)
  input  wire [15:0]          hmult_i,       // head importance scale of its head
  input  wire [5:0]           hshift_i,
  input  wire [TCW-1:0]       n_i,           // |A_l|
  output wire                 idle_o,        // holds no head-step (take_i is taken)
  // to ctl_back: the hand-over and the latched identity
  output reg                  hand_o,
  output wire                 rq_o,
  output wire [1:0]           bank_o,        // pbuf bank written now, and of the head-step handed over
  output wire [13:0]          it_o,
  output wire [6:0]           l_o,
  output wire [5:0]           h_o,
  output wire [TIW-1:0]       rowtok_o,
  output wire [15:0]          hmult_o,
  output wire [5:0]           hshift_o,
  output reg  [3:0]           phase_o,       // controller phase (docs/rtl.md s6), 0 when idle
  output reg  [3:0]           stage_o,       // SP_XST_* stage
  // ctl_vsel: hand-over and hazard
  input  wire                 vs_idle_i,     // ctl_vsel holds no head-step
  input  wire                 vs_sel_i,      // its value selection reads the key buffer
  input  wire                 val_done_i,    // ... and ends this cycle
  // pbuf write (ctl_back) and selection keys (ctl_sel): one row, positions
  // pb_wa_o + j for the lanes j set
  output reg  [P-1:0]         pb_we_o,
  output wire [TIW-1:0]       pb_wa_o,
  output reg  [P-1:0]         skey_we_o,
  output wire [TIW-1:0]       skey_wa_o,
  // softmax NORM rows
  input  wire                 sm_p_valid_i,
  output wire                 sm_p_ready_o,
  input  wire [P*16-1:0]      sm_p_i,
  input  wire [YNW-1:0]       sm_p_n_i,
  // importance: token of the probability stream (ctl_tables), update
  output wire [P*TIW-1:0]     ptok_ra_o,     // per lane
  input  wire [P*TIW-1:0]     ptok_i,
  output reg  [P-1:0]         imp_we_o,      // imp[ptok] = the importance unit's sum, per lane
  // observation: a probability row this cycle
  output reg  [`SP_OBS_KIND_BITS-1:0] obs_kind_o,
  output wire [15:0]          obs_idx_o,
  output wire [`SP_IMP_BITS-1:0] obs_data_o,
  output wire [YNW-1:0]       obs_pn_o,
  output wire [P*16-1:0]      obs_ptok_o,
  output wire [P*16-1:0]      obs_pvec_o
);
  localparam integer P   = SoftmaxLanes;
  localparam integer YNW = $clog2(P + 1);
  localparam integer TIW = $clog2(MaxTokens);
  localparam integer TCW = TIW + 1;

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("ctl_smx: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if (P < 1 || (P & (P - 1)) != 0 || P >= MaxTokens) begin : gen_chk_sm
      $error("ctl_smx: SoftmaxLanes must be a power of two below MaxTokens");
    end
  endgenerate

  localparam [`SP_OBS_KIND_BITS-1:0] ONone = `SP_OBS_NONE, OProb = `SP_OBS_PROB;
  localparam [3:0] PhSoftmax = 4'd4;  // docs/rtl.md s6

  localparam [1:0]
    SxIdle    = 2'd0,
    SxPHold   = 2'd1,
    SxPStream = 2'd2,
    SxHand    = 2'd3;

  reg [1:0]       state_q, state_d;
  reg [1:0]       bank_q, bank_d;      // pbuf bank of this head-step (0, 1, 2, in turn at each hand-over)
  reg [TCW-1:0]   yfed_q, yfed_d;      // probabilities streamed
  reg             rq_q;
  reg [13:0]      it_q;
  reg [6:0]       l_q;
  reg [5:0]       h_q;
  reg [TIW-1:0]   rowtok_q;
  reg [15:0]      hmult_q;
  reg [5:0]       hshift_q;

  wire p_fire = sm_p_valid_i && sm_p_ready_o;
  wire [TCW-1:0] p_nw = {{(TCW-YNW){1'b0}}, sm_p_n_i};
  // lanes of the probability row below its count
  reg  [P-1:0]   p_lanes;
  integer lj;
  always @(*) begin
    for (lj = 0; lj < P; lj = lj + 1)
      p_lanes[lj] = lj < {{(32-YNW){1'b0}}, sm_p_n_i};
  end
  // hazard (top-k key buffer): the probability stream overwrites the keys,
  // so it waits while ctl_vsel's value selection may still read them
  wire skey_busy = vs_sel_i && !val_done_i;

  always @(*) begin
    state_d = state_q;  bank_d = bank_q;  yfed_d = yfed_q;
    hand_o = 1'b0;  pb_we_o = {P{1'b0}};  skey_we_o = {P{1'b0}};  imp_we_o = {P{1'b0}};
    obs_kind_o = ONone;
    case (state_q)
      // wait for ctl_front's head-step (its decision made)
      SxIdle: begin
        if (take_i) begin
          yfed_d = {TCW{1'b0}};
          state_d = skey_busy ? SxPHold : SxPStream;
        end
      end
      // probabilities ready, held while the key buffer is read (hazard)
      SxPHold: begin
        if (!skey_busy)
          state_d = SxPStream;
      end
      // probabilities, a row of sm_p_n_i a cycle: pbuf bank, selection keys,
      // token importance
      SxPStream: begin
        if (p_fire) begin
          pb_we_o = p_lanes;
          skey_we_o = p_lanes;
          imp_we_o = p_lanes;
          obs_kind_o = OProb;
          yfed_d = yfed_q + p_nw;
          if (yfed_q + p_nw == n_i)
            state_d = SxHand;
        end
      end
      // hand the head-step to ctl_vsel once it is free (one head-step there)
      SxHand: begin
        if (vs_idle_i) begin
          hand_o = 1'b1;
          bank_d = (bank_q == 2'd2) ? 2'd0 : bank_q + 2'd1;
          state_d = SxIdle;
        end
      end
      default: state_d = SxIdle;
    endcase
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SxIdle;  bank_q <= 2'd0;  yfed_q <= {TCW{1'b0}};  rq_q <= 1'b0;
      it_q <= 14'd0;  l_q <= 7'd0;  h_q <= 6'd0;  rowtok_q <= {TIW{1'b0}};
      hmult_q <= 16'd1;  hshift_q <= 6'd0;
    end else begin
      state_q <= state_d;  bank_q <= bank_d;  yfed_q <= yfed_d;
      if (state_q == SxIdle && take_i) begin
        rq_q <= rq_i;  it_q <= it_i;  l_q <= l_i;  h_q <= h_i;  rowtok_q <= rowtok_i;
        hmult_q <= hmult_i;  hshift_q <= hshift_i;
      end
    end
  end

  always @(*) begin
    phase_o = 4'd0;
    stage_o = `SP_XST_NONE;
    case (state_q)
      SxPHold:   begin phase_o = PhSoftmax; stage_o = `SP_XST_HOLD; end
      SxPStream: begin phase_o = PhSoftmax; stage_o = `SP_XST_STREAM; end
      SxHand:    begin phase_o = PhSoftmax; stage_o = `SP_XST_HAND; end
      default: ;
    endcase
  end

  assign idle_o       = state_q == SxIdle;
  assign rq_o         = rq_q;
  assign bank_o       = bank_q;
  assign it_o         = it_q;
  assign l_o          = l_q;
  assign h_o          = h_q;
  assign rowtok_o     = rowtok_q;
  assign hmult_o      = hmult_q;
  assign hshift_o     = hshift_q;
  assign sm_p_ready_o = state_q == SxPStream;
  assign pb_wa_o      = yfed_q[TIW-1:0];
  assign skey_wa_o    = yfed_q[TIW-1:0];
  assign obs_idx_o    = {{(16-TIW){1'b0}}, ptok_i[TIW-1:0]};
  assign obs_data_o   = {32'd0, sm_p_i[15:0]};
  genvar gj;
  generate
    for (gj = 0; gj < P; gj = gj + 1) begin : gen_ptok
      localparam [TIW-1:0] GJ = gj;
      assign ptok_ra_o[gj*TIW +: TIW] = yfed_q[TIW-1:0] | GJ;
      assign obs_ptok_o[gj*16 +: 16] = {{(16-TIW){1'b0}}, ptok_i[gj*TIW +: TIW]};
    end
  endgenerate
  assign obs_pn_o   = sm_p_n_i;
  assign obs_pvec_o = sm_p_i;
endmodule
